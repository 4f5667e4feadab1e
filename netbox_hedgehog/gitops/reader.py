"""Load the desired state of a fabric from one commit of its repository.

Every YAML file under the fabric's path is parsed on its own (the source of each object is its repository path).
Errors name the file, the document and the line; the valid documents still load. A document the fabric's admission
webhooks would refuse is such an error, naming the rule. An object defined in two files is reported in the second one
with the first one named, and only the first is loaded.
"""
from dataclasses import dataclass, field

from netbox_hedgehog.loader import DocumentError, parse_documents
from netbox_hedgehog.validation import Refusal, validate

from .documents import digest

__all__ = (
    'GitRead',
    'normalize_path',
    'object_digest',
    'read_desired',
)


@dataclass
class GitRead:
    """The desired state read from one commit."""
    commit: str
    objects: dict = field(default_factory=dict)      # kind -> {name: ParsedObject}
    errors: list = field(default_factory=list)       # DocumentError
    files: int = 0

    @property
    def count(self):
        return sum(len(objects) for objects in self.objects.values())


def normalize_path(path):
    """The fabric's Git path as a repository path: no leading, trailing or doubled slashes ('' for the root)."""
    return '/'.join(part for part in (path or '').split('/') if part and part != '.')


def object_digest(parsed):
    return digest(parsed.kind, parsed.name, parsed.spec, parsed.labels, parsed.annotations)


def read_desired(repository, commit, root, namespace):
    """Parse every YAML file under `root` in `commit` into a GitRead."""
    result = GitRead(commit.hexsha)
    files = repository.files(commit, root)
    result.files = len(files)
    first_seen = {}
    for path in sorted(files):
        objects, errors = parse_documents(files[path], source=path, namespace=namespace)
        result.errors.extend(errors)
        for parsed in objects:
            try:
                validate(parsed.kind, parsed.name, parsed.spec, parsed.annotations)
            except Refusal as e:
                result.errors.append(DocumentError(
                    path, parsed.index, parsed.line, f'refused by the {parsed.kind} admission rules: {e}', parsed.name,
                ))
                continue
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
            result.objects.setdefault(parsed.kind, {})[parsed.name] = parsed
    return result
