"""Read the desired state of a fabric from its Git repository: the one entry point of GitOps for the sync.

`desired_state` fetches the fabric's tracked branch (the desired state is always read from it: that is what Argo CD or
Flux apply) and counts the changes waiting on its review branch, if any. When the caller already holds the desired state
of the head commit, the commit is not parsed again; otherwise every YAML file under the fabric's path is parsed on its
own (the source of each object is its repository path). Errors name the file, the document and the line; the valid
documents still load. A document the fabric's admission webhooks would refuse is such an error, naming the rule (rules
that span objects see the other documents of the commit). An object defined in two files is reported in the second
one with the first one named, and only the first is loaded.
"""
from dataclasses import dataclass, field

from netbox_hedgehog.loader import DocumentError, parse_documents
from netbox_hedgehog.validation import Refusal, World, validate

from .repository import fabric_repository

__all__ = (
    'DesiredState',
    'desired_state',
    'normalize_path',
    'read_commit',
)


@dataclass
class DesiredState:
    """The commit a sync read, and what it found there (`kinds` is None when the commit was not parsed again)."""
    commit: str
    kinds: dict | None = None                        # kind -> {name: ParsedObject}
    errors: list = field(default_factory=list)       # DocumentError
    files: int = 0
    review_waiting: int | None = None                # commits on the review branch not on the tracked branch

    @property
    def parsed(self):
        return self.kinds is not None

    @property
    def count(self):
        return sum(len(objects) for objects in (self.kinds or {}).values())

    def objects(self, kind):
        """{name: ParsedObject} of one kind, or None when the stored desired state is reused."""
        return self.kinds.get(kind, {}) if self.kinds is not None else None


def normalize_path(path):
    """The fabric's Git path as a repository path: no leading, trailing or doubled slashes ('' for the root)."""
    return '/'.join(part for part in (path or '').split('/') if part and part != '.')


def read_commit(repository, commit, root, namespace, cluster=None, config=None):
    """Parse every YAML file under `root` in `commit` into a DesiredState.

    Each document is judged by the admission rules with the World the commit describes: the repository's documents
    for the kinds it holds, and the cluster's objects ({kind: {name: spec}}) for the kinds it holds none of."""
    result = DesiredState(commit.hexsha, kinds={})
    files = repository.files(commit, root)
    result.files = len(files)
    first_seen = {}
    for path in sorted(files):
        objects, errors = parse_documents(files[path], source=path, namespace=namespace)
        result.errors.extend(errors)
        for parsed in objects:
            key = (parsed.kind, parsed.name)
            if key in first_seen:
                first = first_seen[key]
                result.errors.append(DocumentError(
                    path, parsed.index, parsed.line,
                    f'duplicate {parsed.kind} {parsed.name!r}: already defined in {first.source} at line {first.line}',
                    parsed.name,
                ))
                continue
            first_seen[key] = parsed
    documents = {}
    for (kind, name), parsed in first_seen.items():
        documents.setdefault(kind, {})[name] = parsed.spec
    world = World({**(cluster or {}), **documents})
    for parsed in first_seen.values():
        try:
            validate(parsed.kind, parsed.name, parsed.spec, parsed.annotations, world=world, config=config)
        except Refusal as e:
            result.errors.append(DocumentError(
                parsed.source, parsed.index, parsed.line, f'refused by the {parsed.kind} admission rules: {e}',
                parsed.name,
            ))
            continue
        result.kinds.setdefault(parsed.kind, {})[parsed.name] = parsed
    return result


def desired_state(fabric, log, already_loaded, cluster=None, config=None):
    """Fetch the fabric's branch and return its DesiredState; raises GitError when the repository cannot be read.

    `cluster` ({kind: {name: spec}}, the sync's read) stands in for the kinds the repository does not hold when its
    documents are judged; `config` (a FabricConfig: the fabric settings) decides the rules that need them.

    `already_loaded(commit)` tells whether NetBox holds the desired state of that commit from an earlier read without
    errors; the commit is then not parsed again. `log` receives one line per step and per error found.
    """
    with fabric_repository(fabric) as repository:
        head = repository.fetch()
        short = head.hexsha[:12]
        waiting = repository.fetch_review()[1] if fabric.git_write_branch else None
        if waiting is not None:
            log(f'Git: {waiting} change(s) waiting for review on branch {fabric.git_write_branch!r}')
        # Once a review ended (merged, or the branch dropped), the edits that waited for it are judged afresh.
        review_ended = fabric.git_review_waiting and not waiting
        if already_loaded(head.hexsha) and not review_ended:
            log(f'Git: commit {short} is unchanged since the last sync; the stored desired state is used')
            return DesiredState(head.hexsha, review_waiting=waiting)
        result = read_commit(repository, head, normalize_path(fabric.git_path), fabric.kubernetes_namespace,
                             cluster, config)
        result.review_waiting = waiting
    log(f'Git: read {result.count} object(s) from {result.files} file(s) at commit {short}')
    for error in result.errors:
        log(f'Git: {error}')
    return result
