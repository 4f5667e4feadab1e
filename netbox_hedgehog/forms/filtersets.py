from django import forms
from django.utils.translation import gettext_lazy as _
from netbox.forms import NetBoxModelFilterSetForm, PrimaryModelFilterSetForm
from netbox.forms.mixins import SavedFiltersMixin
from utilities.forms import BOOLEAN_WITH_BLANK_CHOICES, FilterForm
from utilities.forms.fields import DynamicModelMultipleChoiceField, TagFilterField
from utilities.forms.rendering import FieldSet

from netbox_hedgehog.choices import (
    CablingChoices,
    ConnectionStatusChoices,
    ConnectionTypeChoices,
    DriftStatusChoices,
    ExternalTypeChoices,
    FabricDriftStatusChoices,
    FabricStatusChoices,
    RedundancyTypeChoices,
    SwitchHealthChoices,
    SwitchRoleChoices,
    SyncRunStatusChoices,
    SyncStatusChoices,
    SyncTriggerChoices,
    VPCModeChoices,
)
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
    SwitchProfile,
    SyncRun,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)

__all__ = (
    'ConnectionFilterForm',
    'ExternalAttachmentFilterForm',
    'ExternalFilterForm',
    'ExternalPeeringFilterForm',
    'FabricFilterForm',
    'GatewayFilterForm',
    'GatewayPeeringFilterForm',
    'GatewayGroupFilterForm',
    'HedgehogResourceFilterForm',
    'IPv4NamespaceFilterForm',
    'ServerFilterForm',
    'SwitchFilterForm',
    'SwitchGroupFilterForm',
    'SwitchProfileFilterForm',
    'SyncRunFilterForm',
    'VLANNamespaceFilterForm',
    'VPCAttachmentFilterForm',
    'VPCFilterForm',
    'VPCPeeringFilterForm',
)


def _boolean(label):
    return forms.NullBooleanField(label=label, required=False, widget=forms.Select(choices=BOOLEAN_WITH_BLANK_CHOICES))


def _text(label, help_text=None):
    return forms.CharField(label=label, required=False, help_text=help_text)


class FabricFilterForm(PrimaryModelFilterSetForm):
    model = Fabric
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('status', name=_('Fabric')),
        FieldSet('kubernetes_namespace', 'connection_status', 'verify_tls', name=_('Kubernetes')),
        FieldSet('sync_enabled', 'sync_status', name=_('Sync')),
        FieldSet('drift_status', name=_('Drift')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    status = forms.MultipleChoiceField(label=_('Status'), choices=FabricStatusChoices, required=False)
    kubernetes_namespace = _text(_('Namespace'))
    connection_status = forms.MultipleChoiceField(
        label=_('Connection status'), choices=ConnectionStatusChoices, required=False
    )
    verify_tls = _boolean(_('Verify TLS'))
    sync_enabled = _boolean(_('Scheduled sync'))
    sync_status = forms.MultipleChoiceField(label=_('Sync'), choices=SyncStatusChoices, required=False)
    drift_status = forms.MultipleChoiceField(label=_('Drift'), choices=FabricDriftStatusChoices, required=False)
    tag = TagFilterField(model)


class HedgehogResourceFilterForm(NetBoxModelFilterSetForm):
    """The filters of every Hedgehog kind: a search, the fabric, the drift (fabrics with Git settings), dangling
    references and tags."""
    fabric_id = DynamicModelMultipleChoiceField(label=_('Fabric'), queryset=Fabric.objects.all(), required=False)
    drift_status = forms.MultipleChoiceField(label=_('Drift'), choices=DriftStatusChoices, required=False)
    has_dangling_references = _boolean(_('Has dangling references'))


class VLANNamespaceFilterForm(HedgehogResourceFilterForm):
    model = VLANNamespace
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('range', name=_('VLAN namespace')),
    )
    range = _text(_('Range'), _('A range as written in the namespace, such as 1000-2999'))
    tag = TagFilterField(model)


class SwitchGroupFilterForm(HedgehogResourceFilterForm):
    model = SwitchGroup
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
    )
    tag = TagFilterField(model)


class SwitchProfileFilterForm(HedgehogResourceFilterForm):
    model = SwitchProfile
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('display_name', 'nos_type', 'platform', 'switch_silicon', name=_('Switch profile')),
    )
    display_name = _text(_('Display name'))
    nos_type = _text(_('NOS type'))
    platform = _text(_('Platform'))
    switch_silicon = _text(_('Switch silicon'))
    tag = TagFilterField(model)


class SwitchFilterForm(HedgehogResourceFilterForm):
    model = Switch
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('role', 'profile', 'group', 'vlan_namespace', name=_('Switch')),
        FieldSet('redundancy_group', 'redundancy_type', name=_('Redundancy')),
        FieldSet('asn', 'ip', 'protocol_ip', 'vtep_ip', name=_('Addressing')),
        FieldSet('boot_serial', 'boot_mac', name=_('Boot')),
        FieldSet('health', 'nos_version', 'serial', name=_('Live state')),
    )
    role = forms.MultipleChoiceField(label=_('Role'), choices=SwitchRoleChoices, required=False)
    profile = _text(_('Profile'))
    group = _text(_('Group'))
    vlan_namespace = _text(_('VLAN namespace'))
    redundancy_group = _text(_('Redundancy group'))
    redundancy_type = forms.MultipleChoiceField(
        label=_('Redundancy type'), choices=RedundancyTypeChoices, required=False
    )
    asn = forms.IntegerField(label=_('ASN'), required=False, min_value=0)
    ip = _text(_('Management IP'), _('As written in the spec, such as 172.30.0.8/21'))
    protocol_ip = _text(_('Protocol IP'))
    vtep_ip = _text(_('VTEP IP'))
    boot_serial = _text(_('Serial'))
    boot_mac = _text(_('Boot MAC'))
    health = forms.MultipleChoiceField(label=_('Health'), choices=SwitchHealthChoices, required=False)
    nos_version = _text(_('NOS version'))
    serial = _text(_('Serial number'), _('As the switch reports it'))
    tag = TagFilterField(model)


class ServerFilterForm(HedgehogResourceFilterForm):
    model = Server
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
    )
    tag = TagFilterField(model)


class ConnectionFilterForm(HedgehogResourceFilterForm):
    model = Connection
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('connection_type', 'device', 'switch', 'server', 'gateway', 'port', 'vpc', name=_('Connection')),
        FieldSet('cabling', name=_('Live state')),
    )
    connection_type = forms.MultipleChoiceField(label=_('Type'), choices=ConnectionTypeChoices, required=False)
    device = _text(_('Device'), _('Name of a switch, server or gateway'))
    switch = _text(_('Switch'))
    server = _text(_('Server'))
    gateway = _text(_('Gateway'))
    port = _text(_('Port'), _('As written in the spec, such as leaf-01/E1/1'))
    vpc = _text(_('Within VPC'))
    cabling = forms.MultipleChoiceField(label=_('Cabling'), choices=CablingChoices, required=False)
    tag = TagFilterField(model)


class IPv4NamespaceFilterForm(HedgehogResourceFilterForm):
    model = IPv4Namespace
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('subnet', name=_('IPv4 namespace')),
    )
    subnet = _text(_('Subnet'), _('As written in the namespace, such as 10.0.0.0/16'))
    tag = TagFilterField(model)


class VPCFilterForm(HedgehogResourceFilterForm):
    model = VPC
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('mode', 'ipv4_namespace', 'vlan_namespace', name=_('VPC')),
        FieldSet('subnet', 'subnet_name', 'vlan', name=_('Subnets')),
    )
    mode = forms.MultipleChoiceField(label=_('Mode'), choices=VPCModeChoices, required=False)
    ipv4_namespace = _text(_('IPv4 namespace'))
    vlan_namespace = _text(_('VLAN namespace'))
    subnet = _text(_('Subnet'), _('A subnet CIDR, such as 10.0.1.0/24'))
    subnet_name = _text(_('Subnet name'))
    vlan = forms.IntegerField(label=_('VLAN'), required=False, min_value=1, max_value=4094)
    tag = TagFilterField(model)


class VPCAttachmentFilterForm(HedgehogResourceFilterForm):
    model = VPCAttachment
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('vpc', 'subnet', 'connection', 'native_vlan', 'server', 'switch', name=_('Attachment')),
    )
    vpc = _text(_('VPC'))
    subnet = _text(_('Subnet name'))
    connection = _text(_('Connection'))
    native_vlan = _boolean(_('Native VLAN'))
    server = _text(_('Server'))
    switch = _text(_('Switch'))
    tag = TagFilterField(model)


class VPCPeeringFilterForm(HedgehogResourceFilterForm):
    model = VPCPeering
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('vpc', name=_('Peering')),
    )
    vpc = _text(_('VPC'))
    tag = TagFilterField(model)


class ExternalFilterForm(HedgehogResourceFilterForm):
    model = External
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('external_type', 'ipv4_namespace', 'inbound_community', 'outbound_community', 'static_prefix',
                 name=_('External')),
    )
    external_type = forms.MultipleChoiceField(label=_('Type'), choices=ExternalTypeChoices, required=False)
    ipv4_namespace = _text(_('IPv4 namespace'))
    inbound_community = _text(_('Inbound community'))
    outbound_community = _text(_('Outbound community'))
    static_prefix = _text(_('Static prefix'))
    tag = TagFilterField(model)


class ExternalAttachmentFilterForm(HedgehogResourceFilterForm):
    model = ExternalAttachment
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('external_type', 'external', 'connection', 'vlan', name=_('Attachment')),
        FieldSet('switch_ip', 'neighbor_asn', 'neighbor_ip', name=_('BGP')),
    )
    external_type = forms.MultipleChoiceField(label=_('Type'), choices=ExternalTypeChoices, required=False)
    external = _text(_('External'))
    connection = _text(_('Connection'))
    vlan = forms.IntegerField(label=_('VLAN'), required=False, min_value=0, max_value=4094)
    switch_ip = _text(_('Switch IP'))
    neighbor_asn = forms.IntegerField(label=_('Neighbor ASN'), required=False, min_value=0)
    neighbor_ip = _text(_('Neighbor IP'))
    tag = TagFilterField(model)


class ExternalPeeringFilterForm(HedgehogResourceFilterForm):
    model = ExternalPeering
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('vpc', 'vpc_subnet', 'external', 'prefix', name=_('Peering')),
    )
    vpc = _text(_('VPC'))
    vpc_subnet = _text(_('VPC subnet'))
    external = _text(_('External'))
    prefix = _text(_('Prefix'))
    tag = TagFilterField(model)


class GatewayGroupFilterForm(HedgehogResourceFilterForm):
    model = GatewayGroup
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
    )
    tag = TagFilterField(model)


class GatewayFilterForm(HedgehogResourceFilterForm):
    model = Gateway
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('group', 'interface', name=_('Gateway')),
        FieldSet('asn', 'protocol_ip', 'vtep_ip', name=_('Addressing')),
    )
    group = _text(_('Group'))
    interface = _text(_('Interface'))
    asn = forms.IntegerField(label=_('ASN'), required=False, min_value=0)
    protocol_ip = _text(_('Protocol IP'))
    vtep_ip = _text(_('VTEP IP'))
    tag = TagFilterField(model)


class GatewayPeeringFilterForm(HedgehogResourceFilterForm):
    model = GatewayPeering
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag', 'fabric_id', 'drift_status', 'has_dangling_references'),
        FieldSet('gateway_group', 'vpc', 'prefix', name=_('Peering')),
    )
    gateway_group = _text(_('Gateway group'))
    vpc = _text(_('VPC'))
    prefix = _text(_('Exposed prefix'))
    tag = TagFilterField(model)


class SyncRunFilterForm(SavedFiltersMixin, FilterForm):
    model = SyncRun
    fieldsets = (
        FieldSet('q', 'filter_id'),
        FieldSet('fabric_id', 'status', 'trigger', 'dry_run', name=_('Sync run')),
    )
    fabric_id = DynamicModelMultipleChoiceField(label=_('Fabric'), queryset=Fabric.objects.all(), required=False)
    status = forms.MultipleChoiceField(label=_('Status'), choices=SyncRunStatusChoices, required=False)
    trigger = forms.MultipleChoiceField(label=_('Trigger'), choices=SyncTriggerChoices, required=False)
    dry_run = _boolean(_('Dry run'))
