"""The Git write job (queue default): commit the changes one request made in NetBox to the fabric's repository.

Queued by `netbox_hedgehog.signal_receivers` once per request (a single edit, or a bulk edit, delete or import) and
fabric whose write mode is Git; run by `netbox rqworker`. A conflict or any other Git failure fails the job with its
message, and nothing of the request is pushed.
"""
from collections import defaultdict

from netbox_hedgehog.gitops.writer import write_changes as write_to_repository
from netbox_hedgehog.kinds import KIND_BY_MODEL
from netbox_hedgehog.models import Fabric

__all__ = (
    'write_changes',
)


def write_changes(fabric_id, changes, user):
    """Commit the changes of one request in one commit.

    `changes`: ('save', model name, object id, action) for a created or edited object (its current desired state is
    written), ('delete', kind, name, git file, git digest) for a deleted one."""
    fabric = Fabric.objects.filter(pk=fabric_id).first()
    if fabric is None or not fabric.has_git:
        return f'Fabric {fabric_id} is gone or has no Git settings any more; nothing to write.'
    ids = defaultdict(list)
    for change in changes:
        if change[0] == 'save':
            ids[change[1]].append(change[2])
    loaded = {
        model_name: KIND_BY_MODEL[model_name].model.objects.filter(fabric=fabric).in_bulk(pks)
        for model_name, pks in ids.items()
    }
    writes, gone = [], []
    for change in changes:
        if change[0] != 'save':
            writes.append(change)
            continue
        _save, model_name, object_id, action = change
        instance = loaded[model_name].get(object_id)
        if instance is None:
            gone.append(f'{model_name} {object_id}')
            continue
        instance.fabric = fabric
        writes.append(('save', instance, action))
    notes = [f'gone from fabric {fabric.name}, not written: {", ".join(gone)}'] if gone else []
    if writes:
        results = write_to_repository(fabric, writes, user)
        commit = next((result.commit for result in results if result.commit), '')
        branch = fabric.git_write_branch or fabric.git_branch
        notes.insert(0, f'{len(writes)} change(s) committed as {commit[:12]} on branch {branch}' if commit
                     else 'Git already holds these changes; nothing committed')
    return '; '.join(notes) or 'Nothing to write.'
