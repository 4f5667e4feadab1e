import django_filters
from dcim.models import Site
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from netbox.filtersets import BaseFilterSet, NetBoxModelFilterSet, PrimaryModelFilterSet
from tenancy.models import Tenant
from utilities.filters import MultiValueCharFilter, MultiValueNumberFilter
from utilities.filtersets import register_filterset

from .choices import (
    CablingChoices,
    ConnectionStatusChoices,
    ConnectionTypeChoices,
    DriftStatusChoices,
    ExternalTypeChoices,
    FabricDriftStatusChoices,
    FabricStatusChoices,
    SwitchHealthChoices,
    SwitchRoleChoices,
    SyncActionChoices,
    SyncRunStatusChoices,
    SyncStatusChoices,
    SyncTriggerChoices,
    VPCModeChoices,
    WriteModeChoices,
)
from .live.health import health_q
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
    LinkCheck,
    Server,
    Switch,
    SwitchGroup,
    SwitchProfile,
    SyncChange,
    SyncRun,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)

__all__ = (
    'ConnectionFilterSet',
    'ExternalAttachmentFilterSet',
    'ExternalFilterSet',
    'ExternalPeeringFilterSet',
    'FabricFilterSet',
    'GatewayFilterSet',
    'GatewayGroupFilterSet',
    'GatewayPeeringFilterSet',
    'IPv4NamespaceFilterSet',
    'ServerFilterSet',
    'SwitchFilterSet',
    'SwitchGroupFilterSet',
    'SwitchProfileFilterSet',
    'SyncChangeFilterSet',
    'SyncRunFilterSet',
    'VLANNamespaceFilterSet',
    'VPCAttachmentFilterSet',
    'VPCFilterSet',
    'VPCPeeringFilterSet',
)

# Fields every Hedgehog resource filterset offers besides its typed columns.
RESOURCE_FIELDS = (
    'id', 'name', 'uid', 'resource_version', 'generation', 'creation_timestamp', 'git_file', 'git_pending_since',
    'git_review_branch', 'apply_pending_since',
)


def contains_any(field_name):
    """A filter matching objects whose array column holds any of the given values."""
    return MultiValueCharFilter(field_name=field_name, method='filter_array_overlap')


@register_filterset
class FabricFilterSet(PrimaryModelFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=FabricStatusChoices)
    sync_status = django_filters.MultipleChoiceFilter(choices=SyncStatusChoices)
    drift_status = django_filters.MultipleChoiceFilter(choices=FabricDriftStatusChoices, method='filter_drift_status')
    connection_status = django_filters.MultipleChoiceFilter(choices=ConnectionStatusChoices)
    inventory_site_id = django_filters.ModelMultipleChoiceFilter(queryset=Site.objects.all(), label=_('Site (ID)'))
    inventory_site = django_filters.ModelMultipleChoiceFilter(
        field_name='inventory_site__slug', queryset=Site.objects.all(), to_field_name='slug', label=_('Site (slug)'),
    )
    inventory_tenant_id = django_filters.ModelMultipleChoiceFilter(queryset=Tenant.objects.all(),
                                                                   label=_('Tenant (ID)'))
    inventory_tenant = django_filters.ModelMultipleChoiceFilter(
        field_name='inventory_tenant__slug', queryset=Tenant.objects.all(), to_field_name='slug',
        label=_('Tenant (slug)'),
    )
    write_mode = django_filters.MultipleChoiceFilter(choices=WriteModeChoices)

    class Meta:
        model = Fabric
        fields = (
            'id', 'name', 'description', 'kubernetes_server', 'kubernetes_namespace', 'verify_tls', 'git_url',
            'git_branch', 'git_write_branch', 'git_review_waiting', 'git_path', 'git_author_name', 'git_author_email',
            'git_commit', 'drift_count', 'dangling_count',
            'sync_enabled', 'sync_interval', 'allow_empty_kinds', 'last_sync', 'last_sync_attempt', 'failure_count',
            'next_sync_due',
        )

    def filter_drift_status(self, queryset, name, value):
        return queryset.filter(Fabric.drift_status_q(value)) if value else queryset

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(kubernetes_server__icontains=value)
            | Q(git_url__icontains=value)
        )


class HedgehogResourceFilterSet(NetBoxModelFilterSet):
    """Filters common to every Hedgehog kind: fabric (by id or name) and a name/label search."""
    fabric_id = django_filters.ModelMultipleChoiceFilter(queryset=Fabric.objects.all(), label=_('Fabric (ID)'))
    fabric = django_filters.ModelMultipleChoiceFilter(
        field_name='fabric__name', queryset=Fabric.objects.all(), to_field_name='name', label=_('Fabric (name)'),
    )
    drift_status = django_filters.MultipleChoiceFilter(choices=DriftStatusChoices)
    has_dangling_references = django_filters.BooleanFilter(method='filter_dangling',
                                                           label=_('Has dangling references'))
    dangling_references = MultiValueCharFilter(field_name='dangling_references', method='filter_array_overlap',
                                               label=_('Dangling reference'))

    def filter_dangling(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(dangling_references=[]) if value else queryset.filter(dangling_references=[])

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(uid__iexact=value.strip()))

    def filter_array_overlap(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(**{f'{name}__overlap': value})


@register_filterset
class SwitchGroupFilterSet(HedgehogResourceFilterSet):
    class Meta:
        model = SwitchGroup
        fields = RESOURCE_FIELDS


@register_filterset
class GatewayGroupFilterSet(HedgehogResourceFilterSet):
    class Meta:
        model = GatewayGroup
        fields = RESOURCE_FIELDS


@register_filterset
class VLANNamespaceFilterSet(HedgehogResourceFilterSet):
    range = contains_any('ranges')

    class Meta:
        model = VLANNamespace
        fields = RESOURCE_FIELDS


@register_filterset
class SwitchProfileFilterSet(HedgehogResourceFilterSet):
    class Meta:
        model = SwitchProfile
        fields = (*RESOURCE_FIELDS, 'display_name', 'switch_silicon', 'nos_type', 'platform', 'port_count')


@register_filterset
class SwitchFilterSet(HedgehogResourceFilterSet):
    role = django_filters.MultipleChoiceFilter(choices=SwitchRoleChoices)
    group = contains_any('groups')
    vlan_namespace = contains_any('vlan_namespaces')
    # Live state (netbox_hedgehog.live): health is evaluated at query time, see live/health.py.
    health = django_filters.MultipleChoiceFilter(choices=SwitchHealthChoices, method='filter_health',
                                                 label=_('Health'))
    nos_version = MultiValueCharFilter(field_name='live_state__nos_version', label=_('NOS version'))
    serial = MultiValueCharFilter(field_name='live_state__serial', label=_('Serial number (reported)'))

    class Meta:
        model = Switch
        fields = (
            *RESOURCE_FIELDS, 'description', 'profile', 'redundancy_group', 'redundancy_type', 'asn', 'ip',
            'protocol_ip', 'vtep_ip', 'boot_serial', 'boot_mac',
        )

    def filter_health(self, queryset, name, value):
        return queryset.filter(health_q(value)) if value else queryset


@register_filterset
class ServerFilterSet(HedgehogResourceFilterSet):
    class Meta:
        model = Server
        fields = (*RESOURCE_FIELDS, 'description', 'profile')


@register_filterset
class ConnectionFilterSet(HedgehogResourceFilterSet):
    connection_type = django_filters.MultipleChoiceFilter(choices=ConnectionTypeChoices)
    switch = contains_any('switches')
    server = contains_any('servers')
    gateway = contains_any('gateways')
    port = contains_any('ports')
    device = MultiValueCharFilter(method='filter_device', label=_('Device (switch, server or gateway)'))
    cabling = django_filters.MultipleChoiceFilter(choices=CablingChoices, method='filter_cabling',
                                                  label=_('Cabling (a link with this LLDP check)'))

    class Meta:
        model = Connection
        fields = (*RESOURCE_FIELDS, 'link_count', 'vpc')

    def filter_device(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(switches__overlap=value) | Q(servers__overlap=value) | Q(gateways__overlap=value))

    def filter_cabling(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=LinkCheck.objects.filter(status__in=value).values('connection_id'))


@register_filterset
class IPv4NamespaceFilterSet(HedgehogResourceFilterSet):
    subnet = contains_any('subnets')

    class Meta:
        model = IPv4Namespace
        fields = RESOURCE_FIELDS


@register_filterset
class VPCFilterSet(HedgehogResourceFilterSet):
    mode = django_filters.MultipleChoiceFilter(choices=VPCModeChoices)
    subnet = contains_any('subnets')
    subnet_name = contains_any('subnet_names')
    vlan = MultiValueNumberFilter(field_name='vlans', method='filter_array_overlap')

    class Meta:
        model = VPC
        fields = (*RESOURCE_FIELDS, 'ipv4_namespace', 'vlan_namespace')


@register_filterset
class VPCAttachmentFilterSet(HedgehogResourceFilterSet):
    # Attachments whose connection reaches any of the named servers or switches (in the attachment's fabric).
    server = MultiValueCharFilter(method='filter_connection_device', field_name='servers', label=_('Server'))
    switch = MultiValueCharFilter(method='filter_connection_device', field_name='switches', label=_('Switch'))

    class Meta:
        model = VPCAttachment
        fields = (*RESOURCE_FIELDS, 'vpc', 'subnet', 'connection', 'native_vlan')

    def filter_connection_device(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Connection.objects.filter(
            fabric=OuterRef('fabric'), name=OuterRef('connection'), **{f'{name}__overlap': value},
        )))


@register_filterset
class VPCPeeringFilterSet(HedgehogResourceFilterSet):
    vpc = contains_any('vpcs')

    class Meta:
        model = VPCPeering
        fields = RESOURCE_FIELDS


@register_filterset
class ExternalFilterSet(HedgehogResourceFilterSet):
    external_type = django_filters.MultipleChoiceFilter(choices=ExternalTypeChoices)
    static_prefix = contains_any('static_prefixes')

    class Meta:
        model = External
        fields = (*RESOURCE_FIELDS, 'ipv4_namespace', 'inbound_community', 'outbound_community')


@register_filterset
class ExternalAttachmentFilterSet(HedgehogResourceFilterSet):
    external_type = django_filters.MultipleChoiceFilter(choices=ExternalTypeChoices)

    class Meta:
        model = ExternalAttachment
        fields = (*RESOURCE_FIELDS, 'external', 'connection', 'vlan', 'switch_ip', 'neighbor_asn', 'neighbor_ip')


@register_filterset
class ExternalPeeringFilterSet(HedgehogResourceFilterSet):
    vpc_subnet = contains_any('vpc_subnets')
    prefix = contains_any('prefixes')

    class Meta:
        model = ExternalPeering
        fields = (*RESOURCE_FIELDS, 'vpc', 'external')


@register_filterset
class GatewayFilterSet(HedgehogResourceFilterSet):
    interface = contains_any('interfaces')
    group = contains_any('groups')

    class Meta:
        model = Gateway
        fields = (*RESOURCE_FIELDS, 'asn', 'protocol_ip', 'vtep_ip', 'workers')


@register_filterset
class GatewayPeeringFilterSet(HedgehogResourceFilterSet):
    vpc = contains_any('vpcs')
    prefix = contains_any('prefixes')

    class Meta:
        model = GatewayPeering
        fields = (*RESOURCE_FIELDS, 'gateway_group')


class SyncRunFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method='search', label=_('Search'))
    fabric_id = django_filters.ModelMultipleChoiceFilter(queryset=Fabric.objects.all(), label=_('Fabric (ID)'))
    fabric = django_filters.ModelMultipleChoiceFilter(
        field_name='fabric__name', queryset=Fabric.objects.all(), to_field_name='name', label=_('Fabric (name)'),
    )
    status = django_filters.MultipleChoiceFilter(choices=SyncRunStatusChoices)
    trigger = django_filters.MultipleChoiceFilter(choices=SyncTriggerChoices)

    class Meta:
        model = SyncRun
        fields = ('id', 'request_id', 'dry_run', 'queue', 'job_id', 'created', 'started', 'finished', 'pruned',
                  'git_commit')

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(fabric__name__icontains=value) | Q(error__icontains=value))


class SyncChangeFilterSet(BaseFilterSet):
    run_id = django_filters.ModelMultipleChoiceFilter(queryset=SyncRun.objects.all(), label=_('Sync run (ID)'))
    action = django_filters.MultipleChoiceFilter(choices=SyncActionChoices)

    class Meta:
        model = SyncChange
        fields = ('id', 'kind', 'name', 'object_id')
