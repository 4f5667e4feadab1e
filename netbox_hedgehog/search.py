from netbox.search import SearchIndex

from . import models


class HedgehogIndex(SearchIndex):
    """Indexes list columns (ports, subnets, VLANs...) as space-separated values, so each one is found on its own."""

    @staticmethod
    def get_field_value(instance, field_name):
        value = getattr(instance, field_name)
        if isinstance(value, list):
            return ' '.join(str(item) for item in value) or None
        return SearchIndex.get_field_value(instance, field_name)


class FabricIndex(SearchIndex):
    """Credentials are never indexed: none of the encrypted columns is listed."""
    model = models.Fabric
    fields = (
        ('name', 100),
        ('kubernetes_server', 300),
        ('git_url', 300),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('status', 'sync_status', 'description')


class VLANNamespaceIndex(HedgehogIndex):
    model = models.VLANNamespace
    fields = (
        ('name', 100),
        ('ranges', 500),
    )
    display_attrs = ('fabric', 'ranges')


class SwitchGroupIndex(HedgehogIndex):
    model = models.SwitchGroup
    fields = (
        ('name', 100),
    )
    display_attrs = ('fabric',)


class SwitchProfileIndex(HedgehogIndex):
    model = models.SwitchProfile
    fields = (
        ('name', 100),
        ('display_name', 150),
        ('platform', 300),
        ('switch_silicon', 300),
    )
    display_attrs = ('fabric', 'display_name', 'nos_type')


class SwitchIndex(HedgehogIndex):
    model = models.Switch
    fields = (
        ('name', 100),
        ('boot_serial', 150),
        ('boot_mac', 150),
        ('ip', 200),
        ('protocol_ip', 250),
        ('vtep_ip', 250),
        ('asn', 300),
        ('profile', 400),
        ('description', 500),
    )
    display_attrs = ('fabric', 'role', 'profile', 'description')


class ServerIndex(HedgehogIndex):
    model = models.Server
    fields = (
        ('name', 100),
        ('profile', 400),
        ('description', 500),
    )
    display_attrs = ('fabric', 'description')


class ConnectionIndex(HedgehogIndex):
    model = models.Connection
    fields = (
        ('name', 100),
        ('ports', 300),
        ('vpc', 500),
    )
    display_attrs = ('fabric', 'connection_type')


class IPv4NamespaceIndex(HedgehogIndex):
    model = models.IPv4Namespace
    fields = (
        ('name', 100),
        ('subnets', 300),
    )
    display_attrs = ('fabric', 'subnets')


class VPCIndex(HedgehogIndex):
    model = models.VPC
    fields = (
        ('name', 100),
        ('subnets', 300),
        ('vlans', 400),
        ('subnet_names', 500),
    )
    display_attrs = ('fabric', 'mode', 'subnets')


class VPCAttachmentIndex(HedgehogIndex):
    model = models.VPCAttachment
    fields = (
        ('name', 100),
        ('connection', 400),
        ('vpc', 400),
    )
    display_attrs = ('fabric', 'vpc', 'subnet', 'connection')


class VPCPeeringIndex(HedgehogIndex):
    model = models.VPCPeering
    fields = (
        ('name', 100),
        ('vpcs', 400),
    )
    display_attrs = ('fabric', 'vpcs')


class ExternalIndex(HedgehogIndex):
    model = models.External
    fields = (
        ('name', 100),
        ('static_prefixes', 300),
        ('inbound_community', 400),
        ('outbound_community', 400),
    )
    display_attrs = ('fabric', 'external_type')


class ExternalAttachmentIndex(HedgehogIndex):
    model = models.ExternalAttachment
    fields = (
        ('name', 100),
        ('switch_ip', 250),
        ('neighbor_ip', 250),
        ('neighbor_asn', 300),
        ('connection', 400),
    )
    display_attrs = ('fabric', 'external', 'connection', 'vlan')


class ExternalPeeringIndex(HedgehogIndex):
    model = models.ExternalPeering
    fields = (
        ('name', 100),
        ('prefixes', 300),
    )
    display_attrs = ('fabric', 'vpc', 'external')


class GatewayGroupIndex(HedgehogIndex):
    model = models.GatewayGroup
    fields = (
        ('name', 100),
    )
    display_attrs = ('fabric',)


class GatewayIndex(HedgehogIndex):
    model = models.Gateway
    fields = (
        ('name', 100),
        ('protocol_ip', 250),
        ('vtep_ip', 250),
        ('asn', 300),
        ('interfaces', 500),
    )
    display_attrs = ('fabric', 'workers')


class GatewayPeeringIndex(HedgehogIndex):
    model = models.GatewayPeering
    fields = (
        ('name', 100),
        ('prefixes', 300),
    )
    display_attrs = ('fabric', 'gateway_group', 'vpcs')


indexes = (
    FabricIndex,
    VLANNamespaceIndex,
    SwitchGroupIndex,
    SwitchProfileIndex,
    SwitchIndex,
    ServerIndex,
    ConnectionIndex,
    IPv4NamespaceIndex,
    VPCIndex,
    VPCAttachmentIndex,
    VPCPeeringIndex,
    ExternalIndex,
    ExternalAttachmentIndex,
    ExternalPeeringIndex,
    GatewayGroupIndex,
    GatewayIndex,
    GatewayPeeringIndex,
)
