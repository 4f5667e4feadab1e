from collections import Counter

import django_tables2 as tables
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from netbox.tables import BaseTable, NetBoxTable, PrimaryModelTable, columns

from .choices import CablingChoices, SwitchHealthChoices
from .live.health import health, live_state_of
from .models import (
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
from .writemode import read_only_reason

__all__ = (
    'ConnectionTable',
    'ExternalAttachmentTable',
    'ExternalPeeringTable',
    'ExternalTable',
    'FabricTable',
    'GatewayGroupTable',
    'GatewayPeeringTable',
    'GatewayTable',
    'HedgehogResourceTable',
    'IPv4NamespaceTable',
    'ServerTable',
    'SwitchGroupTable',
    'SwitchProfileTable',
    'SwitchTable',
    'SyncRunTable',
    'VLANNamespaceTable',
    'VPCAttachmentTable',
    'VPCPeeringTable',
    'VPCTable',
)

# Columns of every Hedgehog kind besides its typed columns.
RESOURCE_FIELDS = (
    'pk', 'id', 'name', 'fabric', 'uid', 'resource_version', 'generation', 'creation_timestamp', 'drift_status',
    'git_file', 'dangling_references', 'tags', 'created', 'last_updated',
)


class AxisColumn(columns.ChoiceFieldColumn):
    """A fabric's status on one axis, its badge labelled with the axis ("Sync: Synced", "Drift: In sync"), so that
    the two never read as one."""

    def render(self, record, bound_column, value):
        display = getattr(record, f'get_{bound_column.name}_display')()
        return super().render(record, bound_column, escape(f'{self.verbose_name}: {display}'))


class FabricTable(PrimaryModelTable):
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    sync_status = AxisColumn(verbose_name=_('Sync'))
    last_sync = columns.DateTimeColumn(verbose_name=_('Last successful sync'))
    last_sync_attempt = columns.DateTimeColumn(verbose_name=_('Last sync attempt'))
    connection_status = columns.ChoiceFieldColumn(verbose_name=_('Connection'))
    sync_enabled = columns.BooleanColumn(verbose_name=_('Scheduled sync'))
    sync_interval = tables.Column(verbose_name=_('Interval (s)'))
    verify_tls = columns.BooleanColumn(verbose_name=_('Verify TLS'))
    drift_status = AxisColumn(verbose_name=_('Drift'), orderable=False)
    drift_count = tables.Column(verbose_name=_('Drifted objects'))
    dangling_count = tables.Column(verbose_name=_('Dangling references'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:fabric_list')

    class Meta(PrimaryModelTable.Meta):
        model = Fabric
        fields = (
            'pk', 'id', 'name', 'status', 'description', 'sync_status', 'last_sync', 'last_sync_attempt',
            'connection_status', 'sync_enabled', 'sync_interval', 'kubernetes_server', 'kubernetes_namespace',
            'verify_tls', 'git_url', 'git_branch', 'git_write_branch', 'git_review_waiting',
            'git_path', 'git_commit', 'drift_status', 'drift_count', 'dangling_count', 'owner',
            'owner_group', 'comments', 'tags', 'created', 'last_updated',
        )
        default_columns = (
            'pk', 'name', 'status', 'sync_status', 'drift_status', 'last_sync', 'connection_status', 'sync_enabled',
            'sync_interval', 'kubernetes_server',
        )


class ResourceActionsColumn(columns.ActionsColumn):
    """Edit and delete, not offered on the rows of objects NetBox does not change (a read-only fabric's, a Git
    fabric's kinds outside its Git scope: see `writemode`); their change log stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_only = columns.ActionsColumn(actions=('changelog',))

    def render(self, record, table, **kwargs):
        if isinstance(record, table.Meta.model) and read_only_reason(record.fabric, record.kind):
            return self.read_only.render(record, table, **kwargs)
        return super().render(record, table, **kwargs)


class HedgehogResourceTable(NetBoxTable):
    """The columns of every Hedgehog kind: name, fabric and the Kubernetes identity."""
    name = tables.Column(verbose_name=_('Name'), linkify=True)
    fabric = tables.Column(verbose_name=_('Fabric'), linkify=True)
    uid = tables.Column(verbose_name=_('UID'))
    resource_version = tables.Column(verbose_name=_('Resource version'))
    generation = tables.Column(verbose_name=_('Generation'))
    creation_timestamp = columns.DateTimeColumn(verbose_name=_('Created in Kubernetes'))
    drift_status = columns.ChoiceFieldColumn(verbose_name=_('Drift'))
    git_file = tables.Column(verbose_name=_('Git file'))
    dangling_references = columns.ArrayColumn(verbose_name=_('Dangling references'), orderable=False)
    actions = ResourceActionsColumn()


class VLANNamespaceTable(HedgehogResourceTable):
    ranges = columns.ArrayColumn(verbose_name=_('Ranges'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:vlannamespace_list')

    class Meta(NetBoxTable.Meta):
        model = VLANNamespace
        fields = (*RESOURCE_FIELDS, 'ranges')
        default_columns = ('pk', 'name', 'fabric', 'ranges')


class SwitchGroupTable(HedgehogResourceTable):
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:switchgroup_list')

    class Meta(NetBoxTable.Meta):
        model = SwitchGroup
        fields = RESOURCE_FIELDS
        default_columns = ('pk', 'name', 'fabric', 'tags')


class SwitchProfileTable(HedgehogResourceTable):
    port_count = tables.Column(verbose_name=_('Ports'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:switchprofile_list')
    # Switch profiles belong to the fabric controller: NetBox neither edits nor deletes them.
    actions = columns.ActionsColumn(actions=('changelog',))

    class Meta(NetBoxTable.Meta):
        model = SwitchProfile
        fields = (*RESOURCE_FIELDS, 'display_name', 'switch_silicon', 'nos_type', 'platform', 'port_count')
        default_columns = ('name', 'fabric', 'display_name', 'switch_silicon', 'nos_type', 'platform', 'port_count')


def _badge(label, color, title=''):
    return format_html('<span class="badge text-bg-{}" title="{}">{}</span>', color, title, label)


class HealthColumn(tables.Column):
    """A switch's health, evaluated now from its live state (the list selects `live_state`)."""

    def __init__(self, **kwargs):
        super().__init__(accessor='pk', orderable=False, verbose_name=_('Health'), **kwargs)

    def render(self, record):
        value, reason = health(live_state_of(record))
        return _badge(dict(SwitchHealthChoices)[value], SwitchHealthChoices.colors[value], reason)


class CablingColumn(tables.Column):
    """How many links of a connection have each LLDP check result (the list prefetches `link_checks`)."""

    def __init__(self, **kwargs):
        super().__init__(accessor='pk', orderable=False, verbose_name=_('Cabling'), **kwargs)

    def render(self, record):
        counts = Counter(check.status for check in record.link_checks.all())
        if not counts:
            return self.default
        return format_html_join(' ', '{}', (
            (_badge(f'{label} {counts[value]}', color),)
            for value, label, color in CablingChoices.CHOICES if counts[value]
        ))


class SwitchTable(HedgehogResourceTable):
    role = columns.ChoiceFieldColumn(verbose_name=_('Role'))
    health = HealthColumn()
    nos_version = tables.Column(accessor='live_state__nos_version', verbose_name=_('NOS version'))
    serial = tables.Column(accessor='live_state__serial', verbose_name=_('Serial number'))
    asn = tables.Column(verbose_name=_('ASN'))
    ip = tables.Column(verbose_name=_('Management IP'))
    groups = columns.ArrayColumn(verbose_name=_('Groups'))
    vlan_namespaces = columns.ArrayColumn(verbose_name=_('VLAN namespaces'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:switch_list')

    class Meta(NetBoxTable.Meta):
        model = Switch
        fields = (
            *RESOURCE_FIELDS, 'role', 'description', 'profile', 'asn', 'ip', 'protocol_ip', 'vtep_ip', 'groups',
            'redundancy_group', 'redundancy_type', 'vlan_namespaces', 'boot_serial', 'boot_mac', 'health',
            'nos_version', 'serial',
        )
        default_columns = (
            'pk', 'name', 'fabric', 'role', 'profile', 'asn', 'ip', 'groups', 'redundancy_group', 'redundancy_type',
            'health', 'dangling_references',
        )


class ServerTable(HedgehogResourceTable):
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:server_list')

    class Meta(NetBoxTable.Meta):
        model = Server
        fields = (*RESOURCE_FIELDS, 'description', 'profile')
        default_columns = ('pk', 'name', 'fabric', 'description')


class ConnectionTable(HedgehogResourceTable):
    connection_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    switches = columns.ArrayColumn(verbose_name=_('Switches'))
    servers = columns.ArrayColumn(verbose_name=_('Servers'))
    gateways = columns.ArrayColumn(verbose_name=_('Gateways'))
    ports = columns.ArrayColumn(verbose_name=_('Ports'), max_items=4)
    link_count = tables.Column(verbose_name=_('Links'))
    cabling = CablingColumn()
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:connection_list')

    class Meta(NetBoxTable.Meta):
        model = Connection
        fields = (
            *RESOURCE_FIELDS, 'connection_type', 'switches', 'servers', 'gateways', 'ports', 'link_count', 'vpc',
            'cabling',
        )
        default_columns = (
            'pk', 'name', 'fabric', 'connection_type', 'switches', 'servers', 'gateways', 'ports', 'link_count',
            'cabling', 'dangling_references',
        )


class IPv4NamespaceTable(HedgehogResourceTable):
    subnets = columns.ArrayColumn(verbose_name=_('Subnets'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:ipv4namespace_list')

    class Meta(NetBoxTable.Meta):
        model = IPv4Namespace
        fields = (*RESOURCE_FIELDS, 'subnets')
        default_columns = ('pk', 'name', 'fabric', 'subnets')


class VPCTable(HedgehogResourceTable):
    mode = columns.ChoiceFieldColumn(verbose_name=_('Mode'))
    subnet_names = columns.ArrayColumn(verbose_name=_('Subnet names'))
    subnets = columns.ArrayColumn(verbose_name=_('Subnets'))
    vlans = columns.ArrayColumn(verbose_name=_('VLANs'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:vpc_list')

    class Meta(NetBoxTable.Meta):
        model = VPC
        fields = (*RESOURCE_FIELDS, 'mode', 'ipv4_namespace', 'vlan_namespace', 'subnet_names', 'subnets', 'vlans')
        default_columns = (
            'pk', 'name', 'fabric', 'mode', 'ipv4_namespace', 'vlan_namespace', 'subnets', 'vlans',
            'dangling_references',
        )


class VPCAttachmentTable(HedgehogResourceTable):
    native_vlan = columns.BooleanColumn(verbose_name=_('Native VLAN'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:vpcattachment_list')

    class Meta(NetBoxTable.Meta):
        model = VPCAttachment
        fields = (*RESOURCE_FIELDS, 'vpc', 'subnet', 'connection', 'native_vlan')
        default_columns = ('pk', 'name', 'fabric', 'vpc', 'subnet', 'connection', 'native_vlan', 'dangling_references')


class VPCPeeringTable(HedgehogResourceTable):
    vpcs = columns.ArrayColumn(verbose_name=_('VPCs'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:vpcpeering_list')

    class Meta(NetBoxTable.Meta):
        model = VPCPeering
        fields = (*RESOURCE_FIELDS, 'vpcs')
        default_columns = ('pk', 'name', 'fabric', 'vpcs', 'dangling_references')


class ExternalTable(HedgehogResourceTable):
    external_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    static_prefixes = columns.ArrayColumn(verbose_name=_('Static prefixes'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:external_list')

    class Meta(NetBoxTable.Meta):
        model = External
        fields = (
            *RESOURCE_FIELDS, 'external_type', 'ipv4_namespace', 'inbound_community', 'outbound_community',
            'static_prefixes',
        )
        default_columns = (
            'pk', 'name', 'fabric', 'external_type', 'ipv4_namespace', 'inbound_community', 'outbound_community',
            'static_prefixes', 'dangling_references',
        )


class ExternalAttachmentTable(HedgehogResourceTable):
    external_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    vlan = tables.Column(verbose_name=_('VLAN'))
    neighbor_asn = tables.Column(verbose_name=_('Neighbor ASN'))
    neighbor_ip = tables.Column(verbose_name=_('Neighbor IP'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:externalattachment_list')

    class Meta(NetBoxTable.Meta):
        model = ExternalAttachment
        fields = (
            *RESOURCE_FIELDS, 'external_type', 'external', 'connection', 'vlan', 'switch_ip', 'neighbor_asn',
            'neighbor_ip',
        )
        default_columns = (
            'pk', 'name', 'fabric', 'external', 'connection', 'vlan', 'switch_ip', 'neighbor_asn', 'neighbor_ip',
            'dangling_references',
        )


class ExternalPeeringTable(HedgehogResourceTable):
    vpc_subnets = columns.ArrayColumn(verbose_name=_('VPC subnets'))
    prefixes = columns.ArrayColumn(verbose_name=_('Prefixes'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:externalpeering_list')

    class Meta(NetBoxTable.Meta):
        model = ExternalPeering
        fields = (*RESOURCE_FIELDS, 'vpc', 'vpc_subnets', 'external', 'prefixes')
        default_columns = ('pk', 'name', 'fabric', 'vpc', 'external', 'prefixes', 'dangling_references')


class GatewayGroupTable(HedgehogResourceTable):
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:gatewaygroup_list')

    class Meta(NetBoxTable.Meta):
        model = GatewayGroup
        fields = RESOURCE_FIELDS
        default_columns = ('pk', 'name', 'fabric', 'tags')


class GatewayTable(HedgehogResourceTable):
    asn = tables.Column(verbose_name=_('ASN'))
    interfaces = columns.ArrayColumn(verbose_name=_('Interfaces'))
    groups = columns.ArrayColumn(verbose_name=_('Groups'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:gateway_list')

    class Meta(NetBoxTable.Meta):
        model = Gateway
        fields = (*RESOURCE_FIELDS, 'asn', 'protocol_ip', 'vtep_ip', 'workers', 'interfaces', 'groups')
        default_columns = (
            'pk', 'name', 'fabric', 'asn', 'protocol_ip', 'vtep_ip', 'interfaces', 'groups', 'dangling_references',
        )


class GatewayPeeringTable(HedgehogResourceTable):
    vpcs = columns.ArrayColumn(verbose_name=_('VPCs'))
    prefixes = columns.ArrayColumn(verbose_name=_('Exposed prefixes'))
    tags = columns.TagColumn(url_name='plugins:netbox_hedgehog:gatewaypeering_list')

    class Meta(NetBoxTable.Meta):
        model = GatewayPeering
        fields = (*RESOURCE_FIELDS, 'gateway_group', 'vpcs', 'prefixes')
        default_columns = ('pk', 'name', 'fabric', 'gateway_group', 'vpcs', 'prefixes', 'dangling_references')


class SyncRunTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name=_('Run'))
    fabric = tables.Column(linkify=True, verbose_name=_('Fabric'))
    trigger = columns.ChoiceFieldColumn(verbose_name=_('Trigger'))
    user = tables.Column(verbose_name=_('Requested by'))
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    dry_run = columns.BooleanColumn(verbose_name=_('Dry run'))
    created = columns.DateTimeColumn(verbose_name=_('Queued'))
    finished = columns.DateTimeColumn(verbose_name=_('Finished'))
    duration = tables.Column(accessor='duration_text', orderable=False, verbose_name=_('Duration'))
    created_count = tables.Column(orderable=False, verbose_name=_('Created'))
    updated_count = tables.Column(orderable=False, verbose_name=_('Updated'))
    deleted_count = tables.Column(orderable=False, verbose_name=_('Deleted'))
    error_count = tables.Column(orderable=False, verbose_name=_('Errors'))
    error = tables.Column(verbose_name=_('Error'))

    class Meta(BaseTable.Meta):
        model = SyncRun
        fields = (
            'id', 'fabric', 'trigger', 'user', 'status', 'dry_run', 'queue', 'job_id', 'created', 'started',
            'finished', 'duration', 'created_count', 'updated_count', 'deleted_count', 'error_count', 'error',
        )
        default_columns = (
            'id', 'fabric', 'trigger', 'status', 'dry_run', 'finished', 'duration', 'created_count',
            'updated_count', 'deleted_count', 'error_count',
        )
