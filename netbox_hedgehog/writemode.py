"""Write modes: how NetBox may change a fabric's objects.

- read-only: the cluster is the source. Creating, changing or deleting the fabric's objects (their Kubernetes part:
  fabric, name, spec, labels, annotations) is refused in the UI, the REST API and bulk views, with the same words.
- cluster: edits are applied to the fabric's Kubernetes API by a job.
- git: edits are committed to the fabric's repository by a job; kinds outside the repository's scope (the
  fabric's kinds in Git) are not tracked and read-only, as in a read-only fabric.

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


def read_only_reason(fabric, kind=None):
    """Why NetBox does not change `fabric`'s objects (of `kind`) and how to allow it, or None when it may."""
    if fabric.write_mode == WriteModeChoices.GIT and kind and fabric.git_scope and kind not in fabric.git_scope:
        return _(
            'Fabric "{fabric}" keeps only {kinds} in Git: {kind} objects are not tracked there, their source is the '
            'cluster, so NetBox does not create, change or delete them. To change them from NetBox, edit the fabric '
            'and add {kind} to its kinds in Git. Tags, custom fields and journal entries stay editable.'
        ).format(fabric=fabric.name, kinds=', '.join(fabric.git_scope), kind=kind)
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
    kind = instance.kind
    if deleting or instance._state.adding:
        return EditCheck(read_only_reason(instance.fabric, kind), True, '')
    stored = type(instance).objects.filter(pk=instance.pk).values(*KUBERNETES_FIELDS).first()
    if stored is None:
        return EditCheck(read_only_reason(instance.fabric, kind), True, '')
    if all(getattr(instance, field) == stored[field] for field in KUBERNETES_FIELDS):
        return EditCheck(None, False, '')
    fabrics = [instance.fabric]
    if stored['fabric_id'] != instance.fabric_id:
        fabrics.append(Fabric.objects.get(pk=stored['fabric_id']))
    for fabric in fabrics:
        if reason := read_only_reason(fabric, kind):
            return EditCheck(reason, True, '')
    if len(fabrics) > 1 and any(fabric.write_mode == WriteModeChoices.CLUSTER for fabric in fabrics):
        return EditCheck(_('An object cannot move to another fabric while either fabric applies edits to its '
                           'cluster: create it in the other fabric and delete it here.'), True, '')
    return EditCheck(None, True, stored['name'] if stored['name'] != instance.name else '')


def list_refusal(request, kind):
    """Why a list of `kind` offers no "Add", "Import" or "Delete selected", or None: no fabric the list is filtered
    to (no fabric at all when it is not filtered by fabric) takes edits of the kind. Computed once per request."""
    cache = request.__dict__.setdefault('_hedgehog_list_refusals', {})
    if kind not in cache:
        fabrics = Fabric.objects.restrict(request.user, 'view')
        if fabric_ids := [pk for pk in request.GET.getlist('fabric_id') if pk.isdigit()]:
            fabrics = fabrics.filter(pk__in=fabric_ids)
        refusal = None
        # A fabric applying edits to its cluster takes every kind; a Git fabric the kinds of its scope.
        if fabrics.exists() and not fabrics.filter(write_mode=WriteModeChoices.CLUSTER).exists():
            git_fabrics = fabrics.filter(write_mode=WriteModeChoices.GIT).only(
                'name', 'write_mode', 'git_url', 'git_kinds', 'git_kinds_found',
            )
            if all(read_only_reason(fabric, kind) for fabric in git_fabrics):
                fabric_list = list(fabrics.only('name', 'write_mode', 'git_url', 'git_kinds', 'git_kinds_found')[:2])
                refusal = read_only_reason(fabric_list[0], kind) if len(fabric_list) == 1 else _(
                    'No fabric takes edits of {kind} objects: they are mirrored from the cluster, so NetBox does not '
                    'create, change or delete them. To change them from NetBox, edit a fabric and set its write '
                    'mode to "Apply to cluster" or "Commit to Git" (with {kind} among its kinds in Git).'
                ).format(kind=kind)
        cache[kind] = refusal
    return cache[kind]
