"""The Git write jobs (queue default): commit one change made in NetBox to the fabric's repository and push it.

Queued by `netbox_hedgehog.signal_receivers` when a person creates, edits or deletes an object of a fabric with Git
settings; run by `netbox rqworker`. A conflict or any other Git failure fails the job with its message.
"""
from netbox_hedgehog.gitops.writer import write_deletion
from netbox_hedgehog.gitops.writer import write_object as write_instance
from netbox_hedgehog.kinds import KIND_BY_MODEL
from netbox_hedgehog.models import Fabric

__all__ = (
    'delete_object',
    'write_object',
)


def _outcome(result, what):
    if not result.commit:
        return f'{what}: Git already holds this change; nothing committed.'
    return f'{what}: committed {result.commit[:12]}' + (f' ({result.path})' if result.path else '')


def write_object(fabric_id, model_name, object_id, action, user):
    """Commit the current desired state of one created or edited object."""
    instance = KIND_BY_MODEL[model_name].model.objects.select_related('fabric').filter(pk=object_id).first()
    if instance is None or instance.fabric_id != fabric_id:
        return f'{model_name} {object_id} is gone from fabric {fabric_id}; nothing to write.'
    if not instance.fabric.has_git:
        return f'Fabric {instance.fabric.name} has no Git settings any more; nothing to write.'
    result = write_instance(instance, action, user)
    return _outcome(result, f'{action} {instance.kind} {instance.name}')


def delete_object(fabric_id, kind, name, git_file, git_digest, user):
    """Remove the document of one deleted object."""
    fabric = Fabric.objects.filter(pk=fabric_id).first()
    if fabric is None or not fabric.has_git:
        return f'Fabric {fabric_id} is gone or has no Git settings any more; nothing to write.'
    result = write_deletion(fabric, kind, name, git_file, git_digest, user)
    return _outcome(result, f'delete {kind} {name}')
