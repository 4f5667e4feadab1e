"""Turn one change made in NetBox into one commit on the fabric's branch, and push it.

An object read from a file is written back into that file: only its own document changes, the other documents stay
byte for byte and in their order. A new object goes to `<git path>/<kind>-<name>.yaml`; deleting the last document of
a file deletes the file. The edit is based on the version of the object NetBox last read from or wrote to Git (its
digest): when the remote changed or deleted that document since, the write is a conflict and nothing is pushed. A
push rejected because the branch moved is retried once on top of the new head. Nothing is ever force-pushed.
"""
import logging
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
    'write_deletion',
    'write_object',
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


def _defined_in(repository, head, root, kind, name):
    """The file under `root` defining (kind, name) at `head`, or ''."""
    try:
        files = repository.files(head, root)
    except GitError:
        return ''
    for path, text in sorted(files.items()):
        if find_document(split_documents(text), kind, name=name) is not None:
            return path
    return ''


def _edit_existing(repository, head, request):
    """(path, new text or None to delete the file) for an object read from a file, or None when Git already holds
    the change; raises GitConflict when the remote changed the document since the version the edit is based on."""
    path = request.git_file
    text = repository.read(head, path)
    documents = split_documents(text) if text is not None else []
    index = find_document(documents, request.kind, digest_value=request.base_digest)
    if index is None:
        current = find_document(documents, request.kind, name=request.name)
        if current is None and request.action == 'delete':
            return None
        what = 'changed' if current is not None else 'deleted'
        raise GitConflict(
            f'Conflict: {request.kind} {request.name} was {what} in {path} on branch {repository.branch!r} since '
            f'NetBox last read it, so this {request.action} was not committed and the remote was left untouched. '
            f'The next sync loads the version from Git; make the change again on top of it.'
        )
    if request.action == 'delete':
        remaining = remove_document(documents, index)
        if all(document.parse() is None for document in split_documents(remaining)):
            return path, None
        return path, remaining
    if document_digest(documents[index].parse()) == digest(request.kind, request.name, *request.content()):
        return None
    return path, replace_document(documents, index, request.manifest)


def _edit_new(repository, head, root, request):
    """(path, text) of a new file for an object that is not in Git yet."""
    kind_spec = KIND_BY_NAME[request.kind]
    if problem := name_problem(request.name):
        # Names are checked when stored; this keeps any other name (a "/" or "..") out of repository paths.
        raise GitError(f'Git: {request.kind} {request.name!r} was not written: {problem}')
    path = '/'.join(filter(None, (root, f'{kind_spec.kind.lower()}-{request.name}.yaml')))
    elsewhere = _defined_in(repository, head, root, request.kind, request.name)
    if elsewhere or repository.read(head, path) is not None:
        raise GitConflict(
            f'Conflict: {request.kind} {request.name} cannot be added as {path} on branch {repository.branch!r}: '
            + (f'it is already defined in {elsewhere}' if elsewhere else 'that file already exists')
            + '. Nothing was committed; the next sync loads the version from Git.'
        )
    return path, render(request.manifest)


def _attempt(repository, fabric, request, new_digest):
    """Fetch, make the commit on top of the remote head and push it (raises PushRejected when the branch moved)."""
    head = repository.fetch()
    if request.git_file:
        edit = _edit_existing(repository, head, request)
    elif request.action == 'delete':
        edit = None
    else:
        edit = _edit_new(repository, head, normalize_path(fabric.git_path), request)
    if edit is None:
        return WriteResult('', request.git_file, new_digest)
    path, text = edit
    _check_round_trip(repository.read(head, path), text, path, fabric.kubernetes_namespace, request)
    commit = repository.commit(head, {path: text}, request.message)
    repository.push(commit)
    logger.info('Committed "%s" to %s (%s)', request.message, safe_url(fabric.git_url), commit.hexsha[:12])
    return WriteResult(commit.hexsha, path if text is not None else '', new_digest)


def write_to_git(fabric, request):
    """Commit and push one change; returns a WriteResult, raises GitError (GitConflict for a real conflict).

    An object the fabric's admission webhooks would refuse is never committed."""
    if request.manifest is not None:
        spec, _labels, annotations = request.content()
        try:
            validate(request.kind, request.name, spec, annotations, world=FabricWorld(fabric.pk))
        except Refusal as e:
            raise GitError(f'Git: {request.kind} {request.name} is refused by the fabric\'s admission rules ({e}); '
                           f'nothing was committed.') from e
    new_digest = digest(request.kind, request.name, *request.content()) if request.manifest is not None else ''
    with fabric_repository(fabric) as repository:
        try:
            return _attempt(repository, fabric, request, new_digest)
        except PushRejected:
            logger.info('Push of %s %s rejected (the branch moved); retrying on top', request.kind, request.name)
        try:
            return _attempt(repository, fabric, request, new_digest)
        except PushRejected:
            raise GitError(f'Git: the branch {fabric.git_branch!r} of {safe_url(fabric.git_url)} moved again while '
                           f'{request.kind} {request.name} was being written; nothing was pushed.') from None


def _settle(model, pk, started, **fields):
    """Store the outcome on the row and end its pending state (unless a newer edit is already queued)."""
    model.objects.filter(pk=pk).update(**fields)
    model.objects.filter(pk=pk, git_pending_since__lte=started).update(git_pending_since=None)


def _failed(fabric, error):
    """After a failed write NetBox no longer holds the desired state of a commit: the next sync reads Git in full."""
    Fabric.objects.filter(pk=fabric.pk).update(git_commit='')
    logger.warning('Write to %s failed: %s', safe_url(fabric.git_url), error)


def write_object(instance, action, user):
    """Write a created or updated object (as NetBox holds it now) to its fabric's repository."""
    started = timezone.now()
    request = WriteRequest(action, instance.kind, instance.name, instance.to_manifest(managed_labels=False),
                           instance.git_file, instance.git_digest, user)
    model = type(instance)
    try:
        result = write_to_git(instance.fabric, request)
    except GitError as e:
        _settle(model, instance.pk, started)
        _failed(instance.fabric, e)
        raise
    _settle(model, instance.pk, started, git_file=result.path, git_digest=result.digest)
    return result


def write_deletion(fabric, kind, name, git_file, git_digest, user):
    """Remove a deleted object's document from the fabric's repository."""
    request = WriteRequest('delete', kind, name, None, git_file, git_digest, user)
    try:
        return write_to_git(fabric, request)
    except GitError as e:
        _failed(fabric, e)
        raise
