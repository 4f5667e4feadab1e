"""Turn the changes of one request made in NetBox (one edit, or a bulk edit, delete or import) into one commit on
the fabric's write branch, and push it.

The write branch is the fabric's review branch when it has one (created from the tracked branch when missing, and
continued from the tracked head once everything on it was merged), else the tracked branch. Every document's
conflict rule is checked before anything is committed: one conflict fails the whole commit, naming every
conflicting document.

An object read from a file is written back into that file: only its own document changes, the other documents stay
byte for byte and in their order. A new object goes to `<git path>/<kind>-<name>.yaml`; deleting the last document of
a file deletes the file. The edit is based on the version of the object NetBox last read from or wrote to Git (its
digest): when the remote changed or deleted that document since, the write is a conflict and nothing is pushed. A
push rejected because the branch moved is retried once on top of the new head. Nothing is ever rebased or
force-pushed.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from netbox_hedgehog.k8s_names import name_problem
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.loader import digest, parse_documents
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.references import FabricWorld
from netbox_hedgehog.validation import Refusal, validate

from .credentials import safe_url
from .documents import (
    document_digest,
    find_document,
    remove_document,
    render,
    replace_document,
    split_documents,
)
from .reader import normalize_path
from .repository import GitError, PushRejected, fabric_repository

__all__ = (
    'GitConflict',
    'WriteRequest',
    'WriteResult',
    'write_changes',
    'write_to_git',
)

logger = logging.getLogger('netbox_hedgehog.gitops')


class GitConflict(GitError):
    """The remote changed the document an edit was based on; nothing was pushed."""


@dataclass
class WriteRequest:
    """One change to write: `manifest` is the object to write (None for a deletion)."""
    action: str                 # create, update or delete (as the person did it in NetBox)
    kind: str
    name: str
    manifest: dict | None
    git_file: str               # the file the object was read from ('' when it is not in Git)
    base_digest: str            # the version of the object the change is based on ('' when not in Git)
    user: str

    @property
    def message(self):
        return f'netbox-hedgehog: {self.action} {self.kind} {self.name} (by {self.user or "an unknown user"})'

    def content(self):
        metadata = self.manifest['metadata']
        return self.manifest['spec'], metadata.get('labels') or {}, metadata.get('annotations') or {}


@dataclass
class WriteResult:
    """The commit pushed ('' when Git already held the change), and where the object now lives in the repository."""
    commit: str
    path: str
    digest: str


def _object_digests(text, path, namespace):
    objects, _errors = parse_documents(text or '', source=path, namespace=namespace)
    return {(o.kind, o.name): o.digest for o in objects}


def _check_round_trip(before, after, path, namespace, request):
    """Refuse to commit a file whose other objects changed, or in which the object does not load back as written."""
    old = _object_digests(before, path, namespace)
    new = _object_digests(after, path, namespace)
    ours = {(request.kind, request.name)}
    if request.git_file and request.base_digest:
        ours |= {key for key, value in old.items() if value == request.base_digest}
    if {k: v for k, v in old.items() if k not in ours} != {k: v for k, v in new.items() if k not in ours}:
        raise GitError(f'Git: writing {request.kind} {request.name} would change other objects of {path}; nothing '
                       f'was committed.')
    if request.manifest is not None and new.get((request.kind, request.name)) != digest(
            request.kind, request.name, *request.content()):
        raise GitError(f'Git: {request.kind} {request.name} does not load back from {path} as written; nothing '
                       f'was committed.')


class _Tree:
    """The files of one commit with the changes made so far by the requests of one job laid over them."""

    def __init__(self, repository, commit):
        self.repository = repository
        self.commit = commit
        self.changes = {}           # path -> text, or None for a deleted file

    def read(self, path):
        if path in self.changes:
            return self.changes[path]
        return self.repository.read(self.commit, path)

    def files(self, root):
        try:
            files = self.repository.files(self.commit, root)
        except GitError:
            files = {}
        prefix = f'{root}/' if root else ''
        files.update({path: text for path, text in self.changes.items() if path.startswith(prefix)})
        return {path: text for path, text in files.items() if text is not None}


def _defined_in(tree, root, kind, name):
    """The file under `root` defining (kind, name) in `tree`, or ''."""
    for path, text in sorted(tree.files(root).items()):
        if find_document(split_documents(text), kind, name=name) is not None:
            return path
    return ''


def _edit_existing(tree, branch, request):
    """(path, new text or None to delete the file) for an object read from a file, or None when Git already holds
    the change; raises GitConflict when the remote changed the document since the version the edit is based on."""
    path = request.git_file
    text = tree.read(path)
    documents = split_documents(text) if text is not None else []
    index = find_document(documents, request.kind, digest_value=request.base_digest)
    if index is None:
        current = find_document(documents, request.kind, name=request.name)
        if current is None and request.action == 'delete':
            return None
        what = 'changed' if current is not None else 'deleted'
        raise GitConflict(
            f'Conflict: {request.kind} {request.name} was {what} in {path} on branch {branch!r} since NetBox last '
            f'read it'
        )
    if request.action == 'delete':
        remaining = remove_document(documents, index)
        if all(document.parse() is None for document in split_documents(remaining)):
            return path, None
        return path, remaining
    if document_digest(documents[index].parse()) == digest(request.kind, request.name, *request.content()):
        return None
    return path, replace_document(documents, index, request.manifest)


def _edit_new(tree, branch, root, request):
    """(path, text) of a new file for an object that is not in Git yet."""
    kind_spec = KIND_BY_NAME[request.kind]
    if problem := name_problem(request.name):
        # Names are checked when stored; this keeps any other name (a "/" or "..") out of repository paths.
        raise GitError(f'Git: {request.kind} {request.name!r} was not written: {problem}')
    path = '/'.join(filter(None, (root, f'{kind_spec.kind.lower()}-{request.name}.yaml')))
    elsewhere = _defined_in(tree, root, request.kind, request.name)
    if elsewhere or tree.read(path) is not None:
        raise GitConflict(
            f'Conflict: {request.kind} {request.name} cannot be added as {path} on branch {branch!r}: '
            + (f'it is already defined in {elsewhere}' if elsewhere else 'that file already exists')
        )
    return path, render(request.manifest)


def _message(requests):
    """One request: its line. Several: a subject counting them and one line per object."""
    if len(requests) == 1:
        return requests[0].message
    users = sorted({request.user or 'an unknown user' for request in requests})
    lines = '\n'.join(f'- {request.action} {request.kind} {request.name}' for request in requests)
    return f'netbox-hedgehog: {len(requests)} changes (by {", ".join(users)})\n\n{lines}\n'


def _attempt(repository, fabric, requests, digests):
    """Fetch, make one commit of every request on top of the write branch's head and push it (raises PushRejected
    when the branch moved, GitConflict naming every conflicting document before anything is committed).

    Returns ([WriteResult per request], changes waiting for review or None without a review branch)."""
    head = repository.fetch()
    review = fabric.git_write_branch
    base = head
    if review:
        # A review branch holding nothing the tracked branch lacks (or missing) continues from the tracked head.
        review_head, waiting = repository.fetch_review()
        base = review_head if waiting else head
    tree = _Tree(repository, base)
    root = normalize_path(fabric.git_path)
    outcomes, conflicts = [], []       # (path, digest, whether the commit changes the object)
    for request, new_digest in zip(requests, digests, strict=True):
        try:
            if request.git_file:
                edit = _edit_existing(tree, repository.write_branch, request)
            elif request.action == 'delete':
                edit = None
            else:
                edit = _edit_new(tree, repository.write_branch, root, request)
        except GitConflict as e:
            conflicts.append(str(e))
            continue
        if edit is None:
            outcomes.append((request.git_file, new_digest, False))
            continue
        path, text = edit
        _check_round_trip(tree.read(path), text, path, fabric.kubernetes_namespace, request)
        tree.changes[path] = text
        outcomes.append((path if text is not None else '', new_digest, True))
    if conflicts:
        what = 'this change was' if len(requests) == 1 else f'none of the {len(requests)} changes of this request was'
        raise GitConflict(
            f'{"; ".join(conflicts)}. So {what} committed and the remote was left untouched. The next sync loads '
            f'the version from Git; make the change again on top of it.'
        )
    commit = None
    if tree.changes:
        commit = repository.commit(base, tree.changes, _message(requests))
        repository.push(commit)
        logger.info('Committed "%s" to branch %s of %s (%s)', _message(requests).splitlines()[0],
                    repository.write_branch, safe_url(fabric.git_url), commit.hexsha[:12])
    sha = commit.hexsha if commit is not None else ''
    results = [WriteResult(sha if changed else '', path, digest_value) for path, digest_value, changed in outcomes]
    return results, (repository.waiting(commit or base) if review else None)


def write_to_git(fabric, *requests):
    """Commit every change of `requests` in one commit on the fabric's write branch and push it; returns a
    WriteResult per request, raises GitError (GitConflict for a real conflict, then naming every conflicting
    document); nothing is pushed unless every change can be committed.

    An object the fabric's admission webhooks would refuse is never committed. The number of changes waiting on a
    review branch is stored on the fabric."""
    digests = []
    world = FabricWorld(fabric.pk)
    for request in requests:
        if request.manifest is not None:
            spec, _labels, annotations = request.content()
            try:
                validate(request.kind, request.name, spec, annotations, world=world, config=fabric.admission_config)
            except Refusal as e:
                raise GitError(f'Git: {request.kind} {request.name} is refused by the fabric\'s admission rules ({e}); '
                               f'nothing was committed.') from e
        digests.append(digest(request.kind, request.name, *request.content()) if request.manifest is not None else '')
    with fabric_repository(fabric) as repository:
        try:
            results, waiting = _attempt(repository, fabric, requests, digests)
        except PushRejected:
            logger.info('Push to branch %s rejected (it moved); retrying on top', repository.write_branch)
            try:
                results, waiting = _attempt(repository, fabric, requests, digests)
            except PushRejected:
                raise GitError(f'Git: the branch {repository.write_branch!r} of {safe_url(fabric.git_url)} moved '
                               f'again while {_subject(requests)} was being written; nothing was pushed.') from None
    if waiting is not None:
        Fabric.objects.filter(pk=fabric.pk).update(git_review_waiting=waiting, git_review_deletions=(
            _review_deletions(fabric, requests, results) if waiting else []))
    return results


def _review_deletions(fabric, requests, results):
    """The fabric's deletions waiting for review after this commit: those just committed added, objects saved again
    removed."""
    current = Fabric.objects.filter(pk=fabric.pk).values_list('git_review_deletions', flat=True).first() or []
    committed = {f'{request.kind}/{request.name}': request.action == 'delete'
                 for request, result in zip(requests, results, strict=True) if result.commit}
    return [key for key in current if key not in committed] + [key for key, deleted in committed.items() if deleted]


def _subject(requests):
    if len(requests) == 1:
        return f'{requests[0].kind} {requests[0].name}'
    return f'a change of {len(requests)} objects'


def _settle(changes, started, results=None, review=''):
    """Store the outcome on the saved rows (one query per kind) and end their pending state (unless a newer edit is
    already queued). A row whose change was committed to a review branch waits for review there (one left as it
    was keeps what it waited for)."""
    by_model = defaultdict(list)
    for (instance, _request), result in zip(changes, results or [None] * len(changes), strict=True):
        if instance is None:
            continue
        if result is not None:
            instance.git_file, instance.git_digest = result.path, result.digest
            if result.commit:
                instance.git_review_branch = review
        by_model[type(instance)].append(instance)
    for model, instances in by_model.items():
        if results is not None:
            model.objects.bulk_update(instances, ['git_file', 'git_digest', 'git_review_branch'])
        model.objects.filter(pk__in=[i.pk for i in instances], git_pending_since__lte=started).update(
            git_pending_since=None)


def _failed(fabric, error):
    """After a failed write NetBox no longer holds the desired state of a commit: the next sync reads Git in full."""
    Fabric.objects.filter(pk=fabric.pk).update(git_commit='')
    logger.warning('Write to %s failed: %s', safe_url(fabric.git_url), error)


def write_changes(fabric, changes, user):
    """Write the changes of one request to the fabric's repository in one commit; returns the WriteResults.

    `changes`: ('save', instance, action) for a created or updated object (written as NetBox holds it now), or
    ('delete', kind, name, git_file, git_digest) for a deleted one."""
    started = timezone.now()
    entries = []
    for change in changes:
        if change[0] == 'save':
            _save, instance, action = change
            entries.append((instance, WriteRequest(action, instance.kind, instance.name,
                                                   instance.to_manifest(managed_labels=False), instance.git_file,
                                                   instance.git_digest, user)))
        else:
            _delete, kind, name, git_file, git_digest = change
            entries.append((None, WriteRequest('delete', kind, name, None, git_file, git_digest, user)))
    try:
        results = write_to_git(fabric, *(request for _instance, request in entries))
    except GitError as e:
        _settle(entries, started)
        _failed(fabric, e)
        raise
    _settle(entries, started, results, fabric.git_write_branch)
    return results
