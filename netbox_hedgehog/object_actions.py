"""Buttons for the sync operations on fabrics; each needs the netbox_hedgehog.sync_fabric permission."""
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from netbox.object_actions import ObjectAction

__all__ = (
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
