"""What every kind's admission rules share: the refusal, typed access to a spec, names, addresses and MACs.

Parsing follows the fabric's Go code: a prefix is "<address>/<bits>" (an address alone is not one, a host address
with bits such as 10.0.1.5/24 is), addresses have no leading zeros, integers have the width of the Go field they fill.
"""
import ipaddress
import json
from dataclasses import dataclass, field

from netbox_hedgehog.k8s_names import SUBDOMAIN_MAX, is_dns_subdomain
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.specfields import SpecFields

__all__ = (
    'FabricConfig',
    'Refusal',
    'World',
    'check_name',
    'flag',
    'get',
    'mapping',
    'objects',
    'overlapping',
    'parse_address',
    'parse_mac',
    'parse_prefix',
    'strings',
    'text',
    'uint',
)

UINT_BITS = {8: 255, 16: 65535, 32: 4294967295}


def _shown(value):
    text_value = json.dumps(value, sort_keys=True, default=str)
    return text_value if len(text_value) <= 120 else text_value[:117] + '...'


class Refusal(ValueError):
    """A spec the fabric's admission webhooks refuse: the field path, the value found there and the rule."""

    def __init__(self, path, value, rule):
        self.path, self.value, self.rule = path, value, rule
        shown = '' if value is None else f' = {_shown(value)}'
        super().__init__(f'{path}{shown}: {rule}')


@dataclass(frozen=True)
class FabricConfig:
    """The fabric settings some rules depend on; a rule whose setting is unknown (None) is not applied."""
    reserved_subnets: tuple = None           # CIDRs no VPC, namespace or static route may overlap
    irb_vlan_ranges: tuple = None            # ((from, to), ...) reserved for VPC IRBs
    th5_vlan_ranges: tuple = None            # ((from, to), ...) reserved for the TH5 workaround
    spine_leaf: bool = None                  # fabric mode: True for spine-leaf
    fabric_mtu: int = None
    server_facing_mtu_offset: int = None
    fabric_subnet: str = None                # where /31 link addresses live
    management_subnet: str = None
    management_dhcp_start: str = None
    control_vip: str = None
    protocol_subnet: str = None
    vtep_subnet: str = None
    spine_asn: int = None
    leaf_asn_start: int = None
    leaf_asn_end: int = None
    enable_gateway: bool = None
    gateway_communities: int = None          # how many gateway communities are configured (members per group)
    vpc_peering_disabled: bool = None


@dataclass
class World:
    """The other objects of the fabric, for the rules that span objects: {kind: {name: spec}}.

    A kind only the fabric controller creates (switch profiles) is unknown while the World holds none of it (a cluster
    that serves none, a repository that names them only): the rules that need it are then not applied."""
    objects: dict = field(default_factory=dict)

    def of(self, kind):
        return self.objects.get(kind) or {}

    def knows(self, kind):
        return not KIND_BY_NAME[kind].read_only or bool(self.of(kind))

    def get(self, kind, name):
        return self.of(kind).get(name)


#
# Typed access: the value at a path, or a Refusal naming the path when it has the wrong type.
#

_fields = SpecFields(lambda path, value, expected: Refusal(path, value, f'expected {expected}'))
get, text, flag = _fields.get, _fields.text, _fields.flag
strings, mapping, objects = _fields.strings, _fields.mapping, _fields.objects


def uint(spec, path, bits, base='spec'):
    """An unsigned integer of `bits` bits, as the Go field it fills (0 when absent)."""
    value = _fields.integer(spec, path, base, absent=0, expected=f'an integer (uint{bits})')
    if not 0 <= value <= UINT_BITS[bits]:
        raise Refusal(f'{base}.{path}', value, f'must be an integer from 0 to {UINT_BITS[bits]} (uint{bits})')
    return value


#
# Names, addresses, MACs
#

def check_name(name, max_length=None):
    """metadata.name: a lowercase RFC 1123 subdomain, and at most `max_length` characters for the kinds that say so."""
    if not is_dns_subdomain(name) or len(name) > SUBDOMAIN_MAX:
        raise Refusal('metadata.name', name, 'name does not match a lowercase RFC 1123 subdomain (lowercase letters, '
                                             'digits, "-" and "." only, starting and ending with a letter or digit)')
    if max_length is not None and len(name) > max_length:
        raise Refusal('metadata.name', name, f'name is too long, must be <= {max_length} characters')


def parse_address(value):
    """An IPv4 or IPv6 address, or None when `value` is not one."""
    if not isinstance(value, str) or '/' in value or '%' in value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def parse_prefix(value):
    """An ip_interface (address and prefix length; `.network` is the masked prefix), or None."""
    if not isinstance(value, str) or value.count('/') != 1:
        return None
    address, bits = value.split('/')
    if not bits.isdigit() or (len(bits) > 1 and bits[0] == '0') or parse_address(address) is None:
        return None
    parsed_address = ipaddress.ip_address(address)
    if int(bits) > parsed_address.max_prefixlen:
        return None
    return ipaddress.ip_interface(f'{address}/{bits}')


_MAC_GROUPS = {':': 2, '-': 2, '.': 4}


def parse_mac(value):
    """A MAC address (6, 8 or 20 bytes, as Go's net.ParseMAC reads it) in its canonical lowercase colon form, or
    None."""
    if not isinstance(value, str):
        return None
    for separator, width in _MAC_GROUPS.items():
        groups = value.split(separator)
        if len(groups) < 2:
            continue
        if not all(len(g) == width and all(c in '0123456789abcdefABCDEF' for c in g) for g in groups):
            return None
        raw = ''.join(groups).lower()
        if len(raw) // 2 not in (6, 8, 20):
            return None
        return ':'.join(raw[i:i + 2] for i in range(0, len(raw), 2))
    return None


def overlapping(networks):
    """The first pair of overlapping networks of a list, or None."""
    for i, first in enumerate(networks):
        for second in networks[i + 1:]:
            if first.version == second.version and first.overlaps(second):
                return first, second
    return None
