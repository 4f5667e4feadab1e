from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from netbox.graphql.filters import NetBoxModelFilter, PrimaryModelFilter, register_filter
from strawberry.scalars import ID
from strawberry_django import BaseFilterLookup, DatetimeFilterLookup, FilterLookup, StrFilterLookup

from netbox_hedgehog import models

if TYPE_CHECKING:
    from dcim.graphql.filters import SiteFilter
    from netbox.graphql.filter_lookups import (
        BigIntegerLookup,
        IntegerArrayLookup,
        IntegerLookup,
        JSONFilter,
        StringArrayLookup,
    )
    from tenancy.graphql.filters import TenantFilter

    from .enums import (
        ConnectionStatusEnum,
        ConnectionTypeEnum,
        DriftStatusEnum,
        ExternalTypeEnum,
        FabricDriftStatusEnum,
        FabricStatusEnum,
        SwitchRoleEnum,
        SyncStatusEnum,
        VPCModeEnum,
    )

__all__ = (
    'ConnectionFilter',
    'ExternalAttachmentFilter',
    'ExternalFilter',
    'ExternalPeeringFilter',
    'FabricFilter',
    'GatewayFilter',
    'GatewayGroupFilter',
    'GatewayPeeringFilter',
    'IPv4NamespaceFilter',
    'ServerFilter',
    'SwitchFilter',
    'SwitchGroupFilter',
    'SwitchProfileFilter',
    'VLANNamespaceFilter',
    'VPCAttachmentFilter',
    'VPCFilter',
    'VPCPeeringFilter',
)

# Python names follow NetBox's <Model>Filter convention (its GraphQL test case finds them by it); the schema names
# carry the plugin prefix so that they can never clash with a core filter.
PREFIX = 'NetBoxHedgehog'

LOOKUPS = 'netbox.graphql.filter_lookups'
ENUMS = 'netbox_hedgehog.graphql.enums'

StringArray = Annotated['StringArrayLookup', strawberry.lazy(LOOKUPS)] | None
IntegerArray = Annotated['IntegerArrayLookup', strawberry.lazy(LOOKUPS)] | None
Integer = Annotated['IntegerLookup', strawberry.lazy(LOOKUPS)] | None
BigInteger = Annotated['BigIntegerLookup', strawberry.lazy(LOOKUPS)] | None
JSON = Annotated['JSONFilter', strawberry.lazy(LOOKUPS)] | None


@register_filter(models.Fabric, lookups=True, name=f'{PREFIX}FabricFilter')
class FabricFilter(PrimaryModelFilter):
    # The encrypted credential columns are deliberately not filterable.
    name: StrFilterLookup | None = strawberry_django.filter_field()
    status: BaseFilterLookup[Annotated['FabricStatusEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    kubernetes_server: StrFilterLookup | None = strawberry_django.filter_field()
    kubernetes_namespace: StrFilterLookup | None = strawberry_django.filter_field()
    verify_tls: FilterLookup[bool] | None = strawberry_django.filter_field()
    git_url: StrFilterLookup | None = strawberry_django.filter_field()
    git_branch: StrFilterLookup | None = strawberry_django.filter_field()
    git_write_branch: StrFilterLookup | None = strawberry_django.filter_field()
    git_review_waiting: Integer = strawberry_django.filter_field()
    git_path: StrFilterLookup | None = strawberry_django.filter_field()
    git_author_name: StrFilterLookup | None = strawberry_django.filter_field()
    git_author_email: StrFilterLookup | None = strawberry_django.filter_field()
    git_commit: StrFilterLookup | None = strawberry_django.filter_field()
    drift_count: Integer = strawberry_django.filter_field()
    dangling_count: Integer = strawberry_django.filter_field()
    sync_enabled: FilterLookup[bool] | None = strawberry_django.filter_field()
    sync_interval: Integer = strawberry_django.filter_field()
    allow_empty_kinds: FilterLookup[bool] | None = strawberry_django.filter_field()
    sync_status: BaseFilterLookup[Annotated['SyncStatusEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    last_sync: DatetimeFilterLookup | None = strawberry_django.filter_field()
    last_sync_attempt: DatetimeFilterLookup | None = strawberry_django.filter_field()
    last_sync_error: StrFilterLookup | None = strawberry_django.filter_field()
    failure_count: Integer = strawberry_django.filter_field()
    next_sync_due: DatetimeFilterLookup | None = strawberry_django.filter_field()
    connection_status: BaseFilterLookup[Annotated['ConnectionStatusEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    connection_message: StrFilterLookup | None = strawberry_django.filter_field()

    @strawberry_django.filter_field
    def drift_status(self, value: list[Annotated['FabricDriftStatusEnum', strawberry.lazy(ENUMS)]], prefix: str):
        """The Drift axis, derived from the Git settings and the drift count (see Fabric.drift_status)."""
        return models.Fabric.drift_status_q([item.value for item in value], prefix)

    inventory_site: Annotated['SiteFilter', strawberry.lazy('dcim.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    inventory_site_id: ID | None = strawberry_django.filter_field()
    inventory_tenant: Annotated['TenantFilter', strawberry.lazy('tenancy.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    inventory_tenant_id: ID | None = strawberry_django.filter_field()


@dataclass
class HedgehogResourceFilter(NetBoxModelFilter):
    """Filters every kind offers: its fabric, name, spec and metadata (JSON path lookups), Kubernetes identity and
    GitOps state."""
    fabric: Annotated['FabricFilter', strawberry.lazy('netbox_hedgehog.graphql.filters')] | None = (
        strawberry_django.filter_field()
    )
    fabric_id: ID | None = strawberry_django.filter_field()
    name: StrFilterLookup | None = strawberry_django.filter_field()
    spec: JSON = strawberry_django.filter_field()
    labels: JSON = strawberry_django.filter_field()
    annotations: JSON = strawberry_django.filter_field()
    uid: StrFilterLookup | None = strawberry_django.filter_field()
    resource_version: StrFilterLookup | None = strawberry_django.filter_field()
    generation: BigInteger = strawberry_django.filter_field()
    creation_timestamp: DatetimeFilterLookup | None = strawberry_django.filter_field()
    drift_status: BaseFilterLookup[Annotated['DriftStatusEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    observed: JSON = strawberry_django.filter_field()
    git_file: StrFilterLookup | None = strawberry_django.filter_field()
    git_pending_since: DatetimeFilterLookup | None = strawberry_django.filter_field()
    git_review_branch: StrFilterLookup | None = strawberry_django.filter_field()
    # {length: 0} finds the objects whose references all resolve, NOT {length: 0} those with a dangling one.
    dangling_references: StringArray = strawberry_django.filter_field()


@register_filter(models.VLANNamespace, lookups=True, name=f'{PREFIX}VLANNamespaceFilter')
class VLANNamespaceFilter(HedgehogResourceFilter):
    ranges: StringArray = strawberry_django.filter_field()


@register_filter(models.SwitchGroup, lookups=True, name=f'{PREFIX}SwitchGroupFilter')
class SwitchGroupFilter(HedgehogResourceFilter):
    pass


@register_filter(models.SwitchProfile, lookups=True, name=f'{PREFIX}SwitchProfileFilter')
class SwitchProfileFilter(HedgehogResourceFilter):
    display_name: StrFilterLookup | None = strawberry_django.filter_field()
    switch_silicon: StrFilterLookup | None = strawberry_django.filter_field()
    nos_type: StrFilterLookup | None = strawberry_django.filter_field()
    platform: StrFilterLookup | None = strawberry_django.filter_field()
    port_count: Integer = strawberry_django.filter_field()


@register_filter(models.Switch, lookups=True, name=f'{PREFIX}SwitchFilter')
class SwitchFilter(HedgehogResourceFilter):
    role: BaseFilterLookup[Annotated['SwitchRoleEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    description: StrFilterLookup | None = strawberry_django.filter_field()
    profile: StrFilterLookup | None = strawberry_django.filter_field()
    groups: StringArray = strawberry_django.filter_field()
    redundancy_group: StrFilterLookup | None = strawberry_django.filter_field()
    redundancy_type: StrFilterLookup | None = strawberry_django.filter_field()
    vlan_namespaces: StringArray = strawberry_django.filter_field()
    asn: BigInteger = strawberry_django.filter_field()
    ip: StrFilterLookup | None = strawberry_django.filter_field()
    protocol_ip: StrFilterLookup | None = strawberry_django.filter_field()
    vtep_ip: StrFilterLookup | None = strawberry_django.filter_field()
    boot_serial: StrFilterLookup | None = strawberry_django.filter_field()
    boot_mac: StrFilterLookup | None = strawberry_django.filter_field()
    breakouts: JSON = strawberry_django.filter_field()


@register_filter(models.Server, lookups=True, name=f'{PREFIX}ServerFilter')
class ServerFilter(HedgehogResourceFilter):
    description: StrFilterLookup | None = strawberry_django.filter_field()
    profile: StrFilterLookup | None = strawberry_django.filter_field()


@register_filter(models.Connection, lookups=True, name=f'{PREFIX}ConnectionFilter')
class ConnectionFilter(HedgehogResourceFilter):
    connection_type: BaseFilterLookup[Annotated['ConnectionTypeEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    switches: StringArray = strawberry_django.filter_field()
    servers: StringArray = strawberry_django.filter_field()
    gateways: StringArray = strawberry_django.filter_field()
    ports: StringArray = strawberry_django.filter_field()
    link_count: Integer = strawberry_django.filter_field()
    vpc: StrFilterLookup | None = strawberry_django.filter_field()


@register_filter(models.IPv4Namespace, lookups=True, name=f'{PREFIX}IPv4NamespaceFilter')
class IPv4NamespaceFilter(HedgehogResourceFilter):
    subnets: StringArray = strawberry_django.filter_field()


@register_filter(models.VPC, lookups=True, name=f'{PREFIX}VPCFilter')
class VPCFilter(HedgehogResourceFilter):
    mode: BaseFilterLookup[Annotated['VPCModeEnum', strawberry.lazy(ENUMS)]] | None = strawberry_django.filter_field()
    ipv4_namespace: StrFilterLookup | None = strawberry_django.filter_field()
    vlan_namespace: StrFilterLookup | None = strawberry_django.filter_field()
    subnet_names: StringArray = strawberry_django.filter_field()
    subnets: StringArray = strawberry_django.filter_field()
    vlans: IntegerArray = strawberry_django.filter_field()


@register_filter(models.VPCAttachment, lookups=True, name=f'{PREFIX}VPCAttachmentFilter')
class VPCAttachmentFilter(HedgehogResourceFilter):
    vpc: StrFilterLookup | None = strawberry_django.filter_field()
    subnet: StrFilterLookup | None = strawberry_django.filter_field()
    connection: StrFilterLookup | None = strawberry_django.filter_field()
    native_vlan: FilterLookup[bool] | None = strawberry_django.filter_field()


@register_filter(models.VPCPeering, lookups=True, name=f'{PREFIX}VPCPeeringFilter')
class VPCPeeringFilter(HedgehogResourceFilter):
    vpcs: StringArray = strawberry_django.filter_field()


@register_filter(models.External, lookups=True, name=f'{PREFIX}ExternalFilter')
class ExternalFilter(HedgehogResourceFilter):
    external_type: BaseFilterLookup[Annotated['ExternalTypeEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    ipv4_namespace: StrFilterLookup | None = strawberry_django.filter_field()
    inbound_community: StrFilterLookup | None = strawberry_django.filter_field()
    outbound_community: StrFilterLookup | None = strawberry_django.filter_field()
    static_prefixes: StringArray = strawberry_django.filter_field()


@register_filter(models.ExternalAttachment, lookups=True, name=f'{PREFIX}ExternalAttachmentFilter')
class ExternalAttachmentFilter(HedgehogResourceFilter):
    external_type: BaseFilterLookup[Annotated['ExternalTypeEnum', strawberry.lazy(ENUMS)]] | None = (
        strawberry_django.filter_field()
    )
    external: StrFilterLookup | None = strawberry_django.filter_field()
    connection: StrFilterLookup | None = strawberry_django.filter_field()
    vlan: Integer = strawberry_django.filter_field()
    switch_ip: StrFilterLookup | None = strawberry_django.filter_field()
    neighbor_asn: BigInteger = strawberry_django.filter_field()
    neighbor_ip: StrFilterLookup | None = strawberry_django.filter_field()


@register_filter(models.ExternalPeering, lookups=True, name=f'{PREFIX}ExternalPeeringFilter')
class ExternalPeeringFilter(HedgehogResourceFilter):
    vpc: StrFilterLookup | None = strawberry_django.filter_field()
    vpc_subnets: StringArray = strawberry_django.filter_field()
    external: StrFilterLookup | None = strawberry_django.filter_field()
    prefixes: StringArray = strawberry_django.filter_field()


@register_filter(models.GatewayGroup, lookups=True, name=f'{PREFIX}GatewayGroupFilter')
class GatewayGroupFilter(HedgehogResourceFilter):
    pass


@register_filter(models.Gateway, lookups=True, name=f'{PREFIX}GatewayFilter')
class GatewayFilter(HedgehogResourceFilter):
    asn: BigInteger = strawberry_django.filter_field()
    protocol_ip: StrFilterLookup | None = strawberry_django.filter_field()
    vtep_ip: StrFilterLookup | None = strawberry_django.filter_field()
    workers: Integer = strawberry_django.filter_field()
    interfaces: StringArray = strawberry_django.filter_field()
    groups: StringArray = strawberry_django.filter_field()


@register_filter(models.GatewayPeering, lookups=True, name=f'{PREFIX}GatewayPeeringFilter')
class GatewayPeeringFilter(HedgehogResourceFilter):
    gateway_group: StrFilterLookup | None = strawberry_django.filter_field()
    vpcs: StringArray = strawberry_django.filter_field()
    prefixes: StringArray = strawberry_django.filter_field()
