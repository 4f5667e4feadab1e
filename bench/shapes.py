"""The dimensions of the benchmark's synthetic fabrics, their expected object counts, and their naming.

A fabric is a spine-leaf topology split into zones (tenants); see generate.py for what each part holds.
"""
import ipaddress
import math
from dataclasses import dataclass

from netbox_hedgehog.kinds import KINDS

__all__ = (
    'SIZES',
    'FabricShape',
    'is_border',
    'rack_leaves',
    'spine_name',
    'zone_name',
    'zone_of',
)

LEAF_PROFILE = 'celestica-ds3000'
SPINE_PROFILE = 'bench-spine-128'
SPINE_ASN = 65100
FIRST_LEAF_ASN = 65101
LAST_LEAF_ASN = 65533
ZONE_VLANS = (1000, 2999)
MANAGEMENT_START = ipaddress.IPv4Address('172.30.0.10')
MANAGEMENT_DHCP_START = ipaddress.IPv4Address('172.30.4.0')
PROTOCOL_IPS = ipaddress.IPv4Network('172.30.8.0/22')
VTEP_IPS = ipaddress.IPv4Network('172.30.12.0/22')
FABRIC_LINKS = ipaddress.IPv4Network('172.30.128.0/17')
VPC_SUBNET_PREFIX = 26

# Leaf ports: E1/1-E1/16 broken out 4x25G for servers and external links, E1/25-E1/32 (100G) as uplinks.
LEAF_BREAKOUTS = {f'E1/{n}': '4x25G' for n in range(1, 17)}
LEAF_DOWNLINKS = [f'E1/{n}/{m}' for n in range(1, 17) for m in range(1, 5)]
LEAF_UPLINKS = [f'E1/{n}' for n in range(25, 33)]
# Spine ports: E1/1-E1/128, each broken out 4x100G.
SPINE_PORTS = [f'E1/{n}/{m}' for n in range(1, 129) for m in range(1, 5)]

# Per block of 8 servers: 4 dual-homed over ESLAG, 2 bundled (LAG to one leaf), 2 unbundled (one link).
SERVER_PATTERN = ('eslag',) * 4 + ('bundled',) * 2 + ('unbundled',) * 2
# Every 5th VPC of a zone is L3VNI (ESLAG connections attach only to L2VNI VPCs).
L3VNI_EVERY = 5
# Every 4th VPC of a zone peers with the zone's BGP external.
EXTERNAL_PEERING_EVERY = 4


@dataclass(frozen=True)
class FabricShape:
    """The dimensions of one synthetic fabric; `expected_counts()` gives its objects per kind."""
    spines: int
    zones: int
    racks_per_zone: int
    servers_per_rack: int
    vpcs_per_rack: int
    subnets_per_vpc: int
    attachments_per_connection: int

    def __post_init__(self):
        if self.servers_per_rack % len(SERVER_PATTERN):
            raise ValueError(f'servers_per_rack must be a multiple of {len(SERVER_PATTERN)}')
        if self.leaves > LAST_LEAF_ASN - FIRST_LEAF_ASN + 1:
            raise ValueError('more leaves than leaf ASNs')
        if MANAGEMENT_START + self.spines + self.leaves > MANAGEMENT_DHCP_START:
            raise ValueError('more switches than management IPs below the DHCP range')
        if self.vpcs_per_zone * self.subnets_per_vpc > ZONE_VLANS[1] - ZONE_VLANS[0] + 1:
            raise ValueError('more VPC subnets in a zone than VLANs in its namespace')
        if self.vpcs_per_zone * self.subnets_per_vpc > 2 ** (VPC_SUBNET_PREFIX - 16):
            raise ValueError('more VPC subnets in a zone than fit its /16')
        if self.leaves * self.fabric_links > len(SPINE_PORTS) or self.spines * self.fabric_links > len(LEAF_UPLINKS):
            raise ValueError('not enough fabric ports')
        if self.servers_per_rack * 7 // 8 + 1 > len(LEAF_DOWNLINKS):
            raise ValueError('not enough leaf ports for the servers of a rack')

    @property
    def racks(self):
        return self.zones * self.racks_per_zone

    @property
    def leaves(self):
        return 2 * self.racks

    @property
    def vpcs_per_zone(self):
        return self.racks_per_zone * self.vpcs_per_rack

    @property
    def fabric_links(self):
        """Links per spine-leaf connection: two while the spines have the ports for it, else one."""
        return 2 if 2 * self.leaves <= len(SPINE_PORTS) else 1

    def expected_counts(self):
        """Objects per kind (every kind of the registry), computed from the shape alone."""
        servers = self.racks * self.servers_per_rack
        counts = {
            'VLANNamespace': self.zones + 1,
            'SwitchGroup': self.racks + 1,
            'SwitchProfile': 2,
            'Switch': self.spines + self.leaves,
            'Server': servers,
            'IPv4Namespace': self.zones,
            'Connection': servers + self.spines * self.leaves + 2 * self.zones,
            'VPC': self.zones * self.vpcs_per_zone,
            'VPCAttachment': servers * self.attachments_per_connection,
            'VPCPeering': self.zones * (self.vpcs_per_zone // 2),
            'External': 2 * self.zones,
            'ExternalAttachment': 4 * self.zones,
            'ExternalPeering': self.zones * math.ceil(self.vpcs_per_zone / EXTERNAL_PEERING_EVERY),
        }
        return {k.kind: counts.get(k.kind, 0) for k in KINDS}

    @property
    def total(self):
        return sum(self.expected_counts().values())


SIZES = {
    'tiny': FabricShape(spines=1, zones=1, racks_per_zone=1, servers_per_rack=24, vpcs_per_rack=6,
                        subnets_per_vpc=2, attachments_per_connection=1),
    '1k': FabricShape(spines=2, zones=1, racks_per_zone=4, servers_per_rack=56, vpcs_per_rack=7,
                      subnets_per_vpc=3, attachments_per_connection=2),
    '10k': FabricShape(spines=4, zones=4, racks_per_zone=10, servers_per_rack=56, vpcs_per_rack=7,
                       subnets_per_vpc=3, attachments_per_connection=2),
    '50k': FabricShape(spines=4, zones=5, racks_per_zone=40, servers_per_rack=56, vpcs_per_rack=7,
                       subnets_per_vpc=3, attachments_per_connection=2),
    '100k': FabricShape(spines=4, zones=5, racks_per_zone=38, servers_per_rack=72, vpcs_per_rack=7,
                        subnets_per_vpc=3, attachments_per_connection=5),
}


def zone_name(zone):
    return f'zone-{zone:02}'


def spine_name(number):
    return f'spine-{number:02}'


def rack_leaves(rack):
    """The two ESLAG leaves of a rack (racks and leaves count from 1)."""
    return f'leaf-{2 * rack - 1:04}', f'leaf-{2 * rack:04}'


def zone_of(shape, rack):
    return (rack - 1) // shape.racks_per_zone + 1


def is_border(shape, rack):
    """The first rack of each zone carries the zone's external links."""
    return (rack - 1) % shape.racks_per_zone == 0
