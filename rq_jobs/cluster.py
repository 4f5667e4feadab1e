"""The cluster write jobs (queue default): apply one change made in NetBox to the fabric's Kubernetes API.

Queued by `netbox_hedgehog.signal_receivers` when a person creates, edits or deletes an object of a fabric whose
write mode is "cluster"; run by `netbox rqworker`. A webhook refusal, a conflict or any other failure fails the job
with the API server's message (kept on the object's page) and changes nothing in the cluster.
"""
from netbox_hedgehog.choices import WriteModeChoices
from netbox_hedgehog.kinds import KIND_BY_MODEL, KIND_BY_NAME
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.sync.apply_cluster import apply_deletion, apply_object

__all__ = (
    'apply_to_cluster',
    'delete_from_cluster',
)


def apply_to_cluster(fabric_id, model_name, object_id, previous=None):
    """Create or update one object in the cluster as NetBox now holds it; `previous` (name, uid, resourceVersion)
    is what the cluster holds under the old name of a renamed object."""
    model = KIND_BY_MODEL[model_name].model
    instance = model.objects.select_related('fabric').filter(pk=object_id, fabric_id=fabric_id).first()
    if instance is None:
        return f'{model_name} {object_id} is gone from fabric {fabric_id}; nothing to apply.'
    if instance.fabric.write_mode != WriteModeChoices.CLUSTER:
        model.objects.filter(pk=object_id).update(apply_pending_since=None)
        return f'Fabric {instance.fabric.name} no longer applies edits to its cluster; nothing applied.'
    done = apply_object(instance, previous)
    return f'{instance.kind} {instance.name} {done} in the cluster of fabric {instance.fabric.name}.'


def delete_from_cluster(fabric_id, kind, name, uid, resource_version):
    """Delete one object from the cluster if it is still the version NetBox read."""
    fabric = Fabric.objects.filter(pk=fabric_id).first()
    if fabric is None or fabric.write_mode != WriteModeChoices.CLUSTER:
        return f'Fabric {fabric_id} is gone or no longer applies edits to its cluster; nothing deleted.'
    apply_deletion(fabric, KIND_BY_NAME[kind], name, uid, resource_version)
    return f'{kind} {name} deleted from the cluster of fabric {fabric.name}.'
