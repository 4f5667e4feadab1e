from django import forms
from django.utils.translation import gettext_lazy as _
from netbox.forms import NetBoxModelBulkEditForm, PrimaryModelBulkEditForm
from utilities.forms import add_blank_choice
from utilities.forms.fields import ChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect

from netbox_hedgehog import MIN_TIMING_SETTING
from netbox_hedgehog.choices import FabricStatusChoices, WriteModeChoices
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    ExternalPeering,
    Fabric,
    Gateway,
    GatewayGroup,
    GatewayPeering,
    IPv4Namespace,
    Server,
    Switch,
    SwitchGroup,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)

__all__ = (
    'ConnectionBulkEditForm',
    'ExternalAttachmentBulkEditForm',
    'ExternalBulkEditForm',
    'ExternalPeeringBulkEditForm',
    'FabricBulkEditForm',
    'GatewayBulkEditForm',
    'GatewayPeeringBulkEditForm',
    'GatewayGroupBulkEditForm',
    'IPv4NamespaceBulkEditForm',
    'ServerBulkEditForm',
    'SwitchBulkEditForm',
    'SwitchGroupBulkEditForm',
    'VLANNamespaceBulkEditForm',
    'VPCAttachmentBulkEditForm',
    'VPCBulkEditForm',
    'VPCPeeringBulkEditForm',
)


class FabricBulkEditForm(PrimaryModelBulkEditForm):
    status = ChoiceField(label=_('Status'), choices=add_blank_choice(FabricStatusChoices), required=False)
    write_mode = ChoiceField(label=_('Write mode'), choices=add_blank_choice(WriteModeChoices), required=False)
    kubernetes_namespace = forms.CharField(label=_('Namespace'), max_length=63, required=False)
    verify_tls = forms.NullBooleanField(label=_('Verify TLS'), required=False, widget=BulkEditNullBooleanSelect())
    sync_enabled = forms.NullBooleanField(
        label=_('Scheduled sync'), required=False, widget=BulkEditNullBooleanSelect()
    )
    sync_interval = forms.IntegerField(
        label=_('Sync interval'), min_value=MIN_TIMING_SETTING, required=False, help_text=_('Seconds')
    )

    model = Fabric
    fieldsets = (
        FieldSet('status', 'write_mode', 'description', name=_('Fabric')),
        FieldSet('kubernetes_namespace', 'verify_tls', name=_('Kubernetes')),
        FieldSet('sync_enabled', 'sync_interval', name=_('Sync')),
    )
    nullable_fields = ('description', 'comments')


# The Hedgehog objects take tags in bulk; everything else lives in each object's spec.

class VLANNamespaceBulkEditForm(NetBoxModelBulkEditForm):
    model = VLANNamespace


class SwitchGroupBulkEditForm(NetBoxModelBulkEditForm):
    model = SwitchGroup


class SwitchBulkEditForm(NetBoxModelBulkEditForm):
    model = Switch


class ServerBulkEditForm(NetBoxModelBulkEditForm):
    model = Server


class ConnectionBulkEditForm(NetBoxModelBulkEditForm):
    model = Connection


class IPv4NamespaceBulkEditForm(NetBoxModelBulkEditForm):
    model = IPv4Namespace


class VPCBulkEditForm(NetBoxModelBulkEditForm):
    model = VPC


class VPCAttachmentBulkEditForm(NetBoxModelBulkEditForm):
    model = VPCAttachment


class VPCPeeringBulkEditForm(NetBoxModelBulkEditForm):
    model = VPCPeering


class ExternalBulkEditForm(NetBoxModelBulkEditForm):
    model = External


class ExternalAttachmentBulkEditForm(NetBoxModelBulkEditForm):
    model = ExternalAttachment


class ExternalPeeringBulkEditForm(NetBoxModelBulkEditForm):
    model = ExternalPeering


class GatewayGroupBulkEditForm(NetBoxModelBulkEditForm):
    model = GatewayGroup


class GatewayBulkEditForm(NetBoxModelBulkEditForm):
    model = Gateway


class GatewayPeeringBulkEditForm(NetBoxModelBulkEditForm):
    model = GatewayPeering
