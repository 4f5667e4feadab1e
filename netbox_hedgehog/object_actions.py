"""Buttons for the sync operations on fabrics (each needs the netbox_hedgehog.sync_fabric permission), and the
buttons of Hedgehog objects, which a read-only fabric does not offer (see `writemode`)."""
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from netbox.object_actions import (
    AddObject,
    BulkDelete,
    BulkEdit,
    BulkExport,
    BulkImport,
    CloneObject,
    DeleteObject,
    EditObject,
    ObjectAction,
)

from netbox_hedgehog.writemode import list_refusal, read_only_reason

__all__ = (
    'RESOURCE_ACTIONS',
    'RESOURCE_LIST_ACTIONS',
    'BulkSyncFabrics',
    'DryRunFabric',
    'SyncFabric',
    'TestConnection',
)


class _PostAction(ObjectAction):
    """A button submitting a POST form to the action's view."""
    template_name = 'netbox_hedgehog/buttons/post_action.html'
    permissions_required = {'sync'}
    url_kwargs = ['pk']
    icon = 'mdi-sync'
    color = 'primary'

    @classmethod
    def get_context(cls, context, obj):
        return {'csrf_token': get_token(context['request']), 'icon': cls.icon, 'color': cls.color}


class SyncFabric(_PostAction):
    name = 'sync'
    label = _('Sync now')


class DryRunFabric(_PostAction):
    name = 'dry_run'
    label = _('Dry run')
    icon = 'mdi-file-compare'
    color = 'secondary'


class TestConnection(_PostAction):
    name = 'test_connection'
    label = _('Test connection')
    icon = 'mdi-lan-check'
    color = 'cyan'


class BulkSyncFabrics(ObjectAction):
    """"Sync selected" on the fabric list."""
    name = 'bulk_sync'
    label = _('Sync Selected')
    multi = True
    permissions_required = {'sync'}
    template_name = 'netbox_hedgehog/buttons/bulk_sync.html'


def _read_only_line(reason):
    return format_html('<span class="text-secondary small me-2"><i class="mdi mdi-lock-outline"></i> {}</span>',
                       reason)


class ResourceClone(CloneObject):
    """Clone, not offered for an object of a read-only fabric."""

    @classmethod
    def render(cls, context, obj, **kwargs):
        if read_only_reason(obj.fabric, obj.kind):
            return ''
        return super().render(context, obj, **kwargs)


class ResourceDelete(DeleteObject):
    """Delete; for an object of a read-only fabric, the line saying why it is not offered and how to allow it."""

    @classmethod
    def render(cls, context, obj, **kwargs):
        if reason := read_only_reason(obj.fabric, obj.kind):
            return _read_only_line(reason)
        return super().render(context, obj, **kwargs)


class ResourceAdd(AddObject):
    """Add; on a list of read-only fabrics' objects, the line saying why it is not offered and how to allow it."""

    @classmethod
    def render(cls, context, obj, **kwargs):
        if reason := list_refusal(context['request'], obj.kind_spec().kind):
            return _read_only_line(reason)
        return super().render(context, obj, **kwargs)


class _OfferedWhenEditable:
    """A list button not offered when no fabric the list shows takes edits of its kind (see `list_refusal`)."""

    @classmethod
    def render(cls, context, obj, **kwargs):
        if list_refusal(context['request'], obj.kind_spec().kind):
            return ''
        return super().render(context, obj, **kwargs)


class ResourceImport(_OfferedWhenEditable, BulkImport):
    pass


class ResourceBulkEdit(_OfferedWhenEditable, BulkEdit):
    pass


class ResourceBulkDelete(_OfferedWhenEditable, BulkDelete):
    pass


# The buttons of a Hedgehog object's page and of a kind's list. On the object's page "Edit" stays: tags and custom
# fields are editable in every mode (the edit form of a read-only fabric's object shows its Kubernetes part
# disabled). A list of objects NetBox does not change offers no "Add", "Import", "Edit selected" or "Delete selected",
# and its rows no edit or delete (tables.ResourceActionsColumn).
RESOURCE_ACTIONS = (ResourceClone, EditObject, ResourceDelete)
RESOURCE_LIST_ACTIONS = (ResourceAdd, ResourceImport, BulkExport, ResourceBulkEdit, ResourceBulkDelete)
