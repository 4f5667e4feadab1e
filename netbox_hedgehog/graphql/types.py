from typing import TYPE_CHECKING, Annotated

import strawberry
import strawberry_django
from netbox.graphql.scalars import BigInt
from netbox.graphql.types import NetBoxObjectType, PrimaryObjectType, register_type

from netbox_hedgehog import models
from netbox_hedgehog.live.health import health, live_state_of
from netbox_hedgehog.models.fabric import CREDENTIAL_FIELDS

if TYPE_CHECKING:
    from dcim.graphql.types import SiteType
    from tenancy.graphql.types import TenantType

from .filters import (
    ConnectionFilter,
    ExternalAttachmentFilter,
    ExternalFilter,
    ExternalPeeringFilter,
    FabricFilter,
    GatewayFilter,
    GatewayGroupFilter,
    GatewayPeeringFilter,
    IPv4NamespaceFilter,
    ServerFilter,
    SwitchFilter,
    SwitchGroupFilter,
    SwitchProfileFilter,
    VLANNamespaceFilter,
    VPCAttachmentFilter,
    VPCFilter,
    VPCPeeringFilter,
)

__all__ = (
    'ConnectionType',
    'ExternalAttachmentType',
    'ExternalPeeringType',
    'ExternalType',
    'FabricType',
    'GatewayGroupType',
    'GatewayPeeringType',
    'GatewayType',
    'IPv4NamespaceType',
    'LinkCheckType',
    'ServerType',
    'SwitchGroupType',
    'SwitchLiveStateType',
    'SwitchProfileType',
    'SwitchType',
    'VLANNamespaceType',
    'VPCAttachmentType',
    'VPCPeeringType',
    'VPCType',
)

# Python names follow NetBox's <Model>Type convention (utilities.api.get_graphql_type_for_model finds them by it);
# the schema names carry the plugin prefix so that they can never clash with a core type.
PREFIX = 'NetBoxHedgehog'

TYPES = 'netbox_hedgehog.graphql.types'
# Every kind's columns but the sync's cache of its content digest (its own bookkeeping).
CACHE = ['content_key', 'content_digest', 'verified_version']


def resource_list(model_name):
    """A fabric's objects of one kind, read through the reverse relation the kind's fabric field declares."""
    return strawberry_django.field(field_name=f'{model_name}_set')


@register_type(
    models.Fabric,
    # The encrypted credentials never leave NetBox; the *_set fields below say whether each one is stored. The cabling
    # check's digest is the sync's own bookkeeping.
    exclude=[*(stored for stored, _human in CREDENTIAL_FIELDS.values()), 'live_check_digest', 'inventory_digest'],
    filters=FabricFilter,
    pagination=True,
    name=f'{PREFIX}FabricType',
)
class FabricType(PrimaryObjectType):
    inventory_site: Annotated['SiteType', strawberry.lazy('dcim.graphql.types')] | None
    inventory_tenant: Annotated['TenantType', strawberry.lazy('tenancy.graphql.types')] | None
    vlan_namespaces: list[Annotated['VLANNamespaceType', strawberry.lazy(TYPES)]] = resource_list('vlannamespace')
    switch_groups: list[Annotated['SwitchGroupType', strawberry.lazy(TYPES)]] = resource_list('switchgroup')
    switch_profiles: list[Annotated['SwitchProfileType', strawberry.lazy(TYPES)]] = resource_list('switchprofile')
    switches: list[Annotated['SwitchType', strawberry.lazy(TYPES)]] = resource_list('switch')
    servers: list[Annotated['ServerType', strawberry.lazy(TYPES)]] = resource_list('server')
    connections: list[Annotated['ConnectionType', strawberry.lazy(TYPES)]] = resource_list('connection')
    ipv4_namespaces: list[Annotated['IPv4NamespaceType', strawberry.lazy(TYPES)]] = resource_list('ipv4namespace')
    vpcs: list[Annotated['VPCType', strawberry.lazy(TYPES)]] = resource_list('vpc')
    vpc_attachments: list[Annotated['VPCAttachmentType', strawberry.lazy(TYPES)]] = resource_list('vpcattachment')
    vpc_peerings: list[Annotated['VPCPeeringType', strawberry.lazy(TYPES)]] = resource_list('vpcpeering')
    externals: list[Annotated['ExternalType', strawberry.lazy(TYPES)]] = resource_list('external')
    external_attachments: list[Annotated['ExternalAttachmentType', strawberry.lazy(TYPES)]] = (
        resource_list('externalattachment')
    )
    external_peerings: list[Annotated['ExternalPeeringType', strawberry.lazy(TYPES)]] = (
        resource_list('externalpeering')
    )
    gateway_groups: list[Annotated['GatewayGroupType', strawberry.lazy(TYPES)]] = resource_list('gatewaygroup')
    gateways: list[Annotated['GatewayType', strawberry.lazy(TYPES)]] = resource_list('gateway')
    gateway_peerings: list[Annotated['GatewayPeeringType', strawberry.lazy(TYPES)]] = resource_list('gatewaypeering')

    @strawberry_django.field(only=['git_url', 'drift_count'])
    def drift_status(self) -> str:
        return self.drift_status

    @strawberry_django.field(only=['git_url', 'git_branch', 'git_write_branch'])
    def git_compare_url(self) -> str:
        return self.git_compare_url

    @strawberry_django.field(only=['kubeconfig_encrypted'])
    def kubeconfig_set(self) -> bool:
        return self.has_kubeconfig

    @strawberry_django.field(only=['kubernetes_token_encrypted'])
    def kubernetes_token_set(self) -> bool:
        return self.has_kubernetes_token

    @strawberry_django.field(only=['git_token_encrypted'])
    def git_token_set(self) -> bool:
        return self.has_git_token

    @strawberry_django.field(only=['git_ssh_key_encrypted'])
    def git_ssh_key_set(self) -> bool:
        return self.has_git_ssh_key


@strawberry.type
class HedgehogResourceMixin:
    """Fields every kind shares beyond its plain model columns."""
    fabric: Annotated['FabricType', strawberry.lazy(TYPES)]
    generation: BigInt | None

    @strawberry_django.field
    def kind(self) -> str:
        return self.kind

    @strawberry_django.field
    def api_version(self) -> str:
        return self.kind_spec().api_version


@register_type(models.VLANNamespace, exclude=CACHE, filters=VLANNamespaceFilter, pagination=True,
               name=f'{PREFIX}VLANNamespaceType')
class VLANNamespaceType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.SwitchGroup, exclude=CACHE, filters=SwitchGroupFilter, pagination=True,
               name=f'{PREFIX}SwitchGroupType')
class SwitchGroupType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.SwitchProfile, exclude=CACHE, filters=SwitchProfileFilter, pagination=True,
               name=f'{PREFIX}SwitchProfileType')
class SwitchProfileType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.Switch, exclude=CACHE, filters=SwitchFilter, pagination=True, name=f'{PREFIX}SwitchType')
class SwitchType(HedgehogResourceMixin, NetBoxObjectType):
    asn: BigInt | None
    live_state: Annotated['SwitchLiveStateType', strawberry.lazy(TYPES)] | None

    @strawberry_django.field(select_related=['live_state'])
    def health(self) -> str:
        return health(live_state_of(self))[0]

    @strawberry_django.field(select_related=['live_state'])
    def health_reason(self) -> str:
        return health(live_state_of(self))[1]


@strawberry_django.type(
    models.SwitchLiveState,
    fields=['id', 'read_at', 'heartbeat', 'agent_version', 'boot_id', 'run_id', 'applied_reason', 'applied_message',
            'reboot_required', 'nos_version', 'platform', 'hwsku', 'manufacturer', 'serial', 'interfaces',
            'bgp_neighbors', 'platform_alarms'],
    name=f'{PREFIX}SwitchLiveStateType',
)
class SwitchLiveStateType:
    """What the switch's agent reported when the fabric was last synced."""
    generation: BigInt | None
    applied_generation: BigInt | None


@strawberry_django.type(
    models.LinkCheck, fields=['id', 'port', 'expected', 'seen', 'oper', 'status'], name=f'{PREFIX}LinkCheckType',
)
class LinkCheckType:
    """The LLDP cabling check of one switch port of a connection."""
    switch: Annotated['SwitchType', strawberry.lazy(TYPES)]


@register_type(models.Server, exclude=CACHE, filters=ServerFilter, pagination=True, name=f'{PREFIX}ServerType')
class ServerType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.Connection, exclude=CACHE, filters=ConnectionFilter, pagination=True,
               name=f'{PREFIX}ConnectionType')
class ConnectionType(HedgehogResourceMixin, NetBoxObjectType):
    link_checks: list[Annotated['LinkCheckType', strawberry.lazy(TYPES)]]


@register_type(models.IPv4Namespace, exclude=CACHE, filters=IPv4NamespaceFilter, pagination=True,
               name=f'{PREFIX}IPv4NamespaceType')
class IPv4NamespaceType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.VPC, exclude=CACHE, filters=VPCFilter, pagination=True, name=f'{PREFIX}VPCType')
class VPCType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.VPCAttachment, exclude=CACHE, filters=VPCAttachmentFilter, pagination=True,
               name=f'{PREFIX}VPCAttachmentType')
class VPCAttachmentType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.VPCPeering, exclude=CACHE, filters=VPCPeeringFilter, pagination=True,
               name=f'{PREFIX}VPCPeeringType')
class VPCPeeringType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.External, exclude=CACHE, filters=ExternalFilter, pagination=True,
               name=f'{PREFIX}ExternalType')
class ExternalType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.ExternalAttachment, exclude=CACHE, filters=ExternalAttachmentFilter, pagination=True,
               name=f'{PREFIX}ExternalAttachmentType')
class ExternalAttachmentType(HedgehogResourceMixin, NetBoxObjectType):
    neighbor_asn: BigInt | None


@register_type(models.ExternalPeering, exclude=CACHE, filters=ExternalPeeringFilter, pagination=True,
               name=f'{PREFIX}ExternalPeeringType')
class ExternalPeeringType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.GatewayGroup, exclude=CACHE, filters=GatewayGroupFilter, pagination=True,
               name=f'{PREFIX}GatewayGroupType')
class GatewayGroupType(HedgehogResourceMixin, NetBoxObjectType):
    pass


@register_type(models.Gateway, exclude=CACHE, filters=GatewayFilter, pagination=True, name=f'{PREFIX}GatewayType')
class GatewayType(HedgehogResourceMixin, NetBoxObjectType):
    asn: BigInt | None


@register_type(models.GatewayPeering, exclude=CACHE, filters=GatewayPeeringFilter, pagination=True,
               name=f'{PREFIX}GatewayPeeringType')
class GatewayPeeringType(HedgehogResourceMixin, NetBoxObjectType):
    pass
