"""Write modes: how NetBox may change a fabric's objects.

- read-only: the cluster is the source. Creating, changing or deleting the fabric's objects (their Kubernetes part:
  fabric, name, spec, labels, annotations) is refused in the UI, the REST API and bulk views, with the same words.
- cluster: edits are applied to the fabric's Kubernetes API by a job.
- git: edits are committed to the fabric's repository by a job.

NetBox's own fields of an object (tags, custom fields, journal entries) stay editable in every mode.
"""
from typing import NamedTuple

from django.utils.translation import gettext as _

from netbox_hedgehog.choices import WriteModeChoices
from netbox_hedgehog.models import Fabric

__all__ = (
    'KUBERNETES_FIELDS',
    'EditCheck',
    'edit_refusal',
    'list_refusal',
    'read_only_reason',
)

# The fields of an object that are part of the Kubernetes object (the typed columns follow from spec).
KUBERNETES_FIELDS = ('fabric_id', 'name', 'spec', 'labels', 'annotations')


def read_only_reason(fabric):
    """Why NetBox does not change `fabric`'s objects and how to allow it, or None when it may."""
    if fabric.write_mode != WriteModeChoices.READ_ONLY:
        return None
    return _(
        'Fabric "{fabric}" is read-only: its objects are mirrored from the cluster, so NetBox does not create, change '
        'or delete them. To change them from NetBox, edit the fabric and set its write mode to "Apply to cluster" or '
        '"Commit to Git". Tags, custom fields and journal entries stay editable.'
    ).format(fabric=fabric.name)


class EditCheck(NamedTuple):
    reason: str | None      # why the save or deletion is refused (None: it is not)
    changes: bool           # whether it changes the Kubernetes object
    previous_name: str      # the name the object had before a rename ('' otherwise)


def edit_refusal(instance, deleting=False):
    """The EditCheck of saving (or deleting) `instance`.

    A save that changes none of the Kubernetes fields (only tags or custom fields) is never refused; finding out
    costs one query. In a fabric that applies edits to its cluster an object keeps its fabric: a move would be a
    deletion in one cluster and a creation in another.
    """
    if deleting or instance._state.adding:
        return EditCheck(read_only_reason(instance.fabric), True, '')
    stored = type(instance).objects.filter(pk=instance.pk).values(*KUBERNETES_FIELDS).first()
    if stored is None:
        return EditCheck(read_only_reason(instance.fabric), True, '')
    if all(getattr(instance, field) == stored[field] for field in KUBERNETES_FIELDS):
        return EditCheck(None, False, '')
    fabrics = [instance.fabric]
    if stored['fabric_id'] != instance.fabric_id:
        fabrics.append(Fabric.objects.get(pk=stored['fabric_id']))
    for fabric in fabrics:
        if reason := read_only_reason(fabric):
            return EditCheck(reason, True, '')
    if len(fabrics) > 1 and any(fabric.write_mode == WriteModeChoices.CLUSTER for fabric in fabrics):
        return EditCheck(_('An object cannot move to another fabric while either fabric applies edits to its '
                           'cluster: create it in the other fabric and delete it here.'), True, '')
    return EditCheck(None, True, stored['name'] if stored['name'] != instance.name else '')


def list_refusal(request):
    """Why a list of objects offers no "Add", "Import" or "Delete selected", or None: every fabric the list is
    filtered to (every fabric when it is not filtered by fabric) is read-only. Computed once per request."""
    if not hasattr(request, '_hedgehog_list_refusal'):
        fabrics = Fabric.objects.restrict(request.user, 'view')
        if fabric_ids := [pk for pk in request.GET.getlist('fabric_id') if pk.isdigit()]:
            fabrics = fabrics.filter(pk__in=fabric_ids)
        names = list(fabrics.values_list('name', flat=True)[:2])
        refusal = None
        if names and not fabrics.exclude(write_mode=WriteModeChoices.READ_ONLY).exists():
            if len(names) == 1:
                refusal = read_only_reason(Fabric(name=names[0], write_mode=WriteModeChoices.READ_ONLY))
            else:
                refusal = _(
                    'Every fabric is read-only: their objects are mirrored from the cluster, so NetBox does not '
                    'create, change or delete them. To change them from NetBox, edit a fabric and set its write mode '
                    'to "Apply to cluster" or "Commit to Git".'
                )
        request._hedgehog_list_refusal = refusal
    return request._hedgehog_list_refusal
