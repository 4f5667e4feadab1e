"""The fabric's own settings, as its controller reads them, turned into the FabricConfig the admission rules use.

A Hedgehog control node keeps them in the ConfigMap `fabric-ctrl-config` of namespace `fab`, key `config.yaml`
(githedgehog/fabric `api/meta` FabricConfig, written by the fabricator from the Fabricator object); the fabric's own
tools read them from there. `read_settings` keeps, of that document, the settings the rules use, checked and
normalised, under the controller's own key names (what the fabric page shows); `fabric_config` turns such settings
into a FabricConfig. Settings the document lacks stay unknown, and the rules that need them are not applied.
"""
from netbox_hedgehog.kinds import ApiResource

from .common import FabricConfig, Refusal, parse_address, parse_prefix

__all__ = (
    'CONFIG_MAP',
    'CONFIG_MAP_KEY',
    'CONFIG_MAP_LABEL',
    'CONFIG_MAP_NAME',
    'CONFIG_MAP_NAMESPACE',
    'HYDRATION_KEYS',
    'fabric_config',
    'read_settings',
)


# Where the controller's settings are: the core ConfigMap kind, the object and its key.
CONFIG_MAP = ApiResource('ConfigMap', '', 'v1', 'configmaps')
CONFIG_MAP_NAMESPACE, CONFIG_MAP_NAME, CONFIG_MAP_KEY = 'fab', 'fabric-ctrl-config', 'config.yaml'
CONFIG_MAP_LABEL = f'ConfigMap {CONFIG_MAP_NAMESPACE}/{CONFIG_MAP_NAME}'
BASE = CONFIG_MAP_KEY
# The rules of the addresses and ASNs hhfab hydrates need all of these (the controller refuses to start without any).
HYDRATION_KEYS = ('managementSubnet', 'managementDHCPStart', 'controlVIP', 'protocolSubnet', 'vtepSubnet', 'spineASN',
                  'leafASNStart', 'leafASNEnd')
FABRIC_MODES = ('spine-leaf', 'collapsed-core')


def _prefix(value, key):
    parsed = parse_prefix(value)
    if parsed is None:
        raise Refusal(f'{BASE}: {key}', value, 'expected an IP prefix such as 172.30.0.0/21')
    return str(parsed)


def _address(value, key):
    # The controller's controlVIP carries a prefix length ("172.30.0.1/32"); the DHCP start is a plain address.
    if isinstance(value, str) and '/' in value:
        return _prefix(value, key)
    if parse_address(value) is None:
        raise Refusal(f'{BASE}: {key}', value, 'expected an IP address')
    return value


def _integer(value, key, bits):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** bits:
        raise Refusal(f'{BASE}: {key}', value, f'expected an integer from 0 to {2 ** bits - 1} (uint{bits})')
    return value


def _flag(value, key):
    if not isinstance(value, bool):
        raise Refusal(f'{BASE}: {key}', value, 'expected true or false')
    return value


def _prefixes(value, key):
    if not isinstance(value, list):
        raise Refusal(f'{BASE}: {key}', value, 'expected a list of IP prefixes')
    return [_prefix(item, f'{key}[{i}]') for i, item in enumerate(value)]


def _vlan_ranges(value, key):
    """[[from, to], ...] sorted, `to: 0` meaning `to = from`, as the controller normalises them."""
    if not isinstance(value, list):
        raise Refusal(f'{BASE}: {key}', value, 'expected a list of VLAN ranges ({from, to})')
    ranges = []
    for i, item in enumerate(value):
        where = f'{key}[{i}]'
        if not isinstance(item, dict):
            raise Refusal(f'{BASE}: {where}', item, 'expected a VLAN range ({from, to})')
        start = _integer(item.get('from', 0), f'{where}.from', 16)
        end = _integer(item.get('to', 0), f'{where}.to', 16) or start
        if not 1 <= start <= end <= 4094:
            raise Refusal(f'{BASE}: {where}', item, 'expected 1 <= from <= to <= 4094')
        ranges.append([start, end])
    return sorted(ranges)


def _mode(value, key):
    if value not in FABRIC_MODES:
        raise Refusal(f'{BASE}: {key}', value, f'expected one of {", ".join(FABRIC_MODES)}')
    return value


def _communities(value, key):
    if not isinstance(value, dict):
        raise Refusal(f'{BASE}: {key}', value, 'expected a map of priority to community')
    return {str(priority): str(community) for priority, community in sorted(value.items(), key=lambda i: str(i[0]))}


# The settings kept, in the order the fabric page lists them: controller key -> its check and normalisation.
SETTINGS = {
    'fabricMode': _mode,
    'reservedSubnets': _prefixes,
    'vpcIRBVLANRange': _vlan_ranges,
    'th5WorkaroundVLANRange': _vlan_ranges,
    'fabricSubnet': _prefix,
    'managementSubnet': _prefix,
    'managementDHCPStart': _address,
    'controlVIP': _address,
    'protocolSubnet': _prefix,
    'vtepSubnet': _prefix,
    'spineASN': lambda value, key: _integer(value, key, 32),
    'leafASNStart': lambda value, key: _integer(value, key, 32),
    'leafASNEnd': lambda value, key: _integer(value, key, 32),
    'fabricMTU': lambda value, key: _integer(value, key, 16),
    'serverFacingMTUOffset': lambda value, key: _integer(value, key, 16),
    'vpcPeeringDisabled': _flag,
    'enableGateway': _flag,
    'gatewayCommunities': _communities,
}


def read_settings(document):
    """The settings the admission rules use of a controller config document (a mapping), checked and normalised;
    a key the document lacks (or leaves empty) is left out. Raises Refusal naming the first malformed setting."""
    if not isinstance(document, dict):
        raise Refusal(BASE, None, 'expected a YAML mapping of the fabric controller settings')
    settings = {}
    for key, check in SETTINGS.items():
        value = document.get(key)
        if value is None or value in ('', [], {}):
            continue
        settings[key] = check(value, key)
    if settings.get('leafASNStart', 0) > settings.get('leafASNEnd', 2 ** 32):
        raise Refusal(f'{BASE}: leafASNEnd', settings['leafASNEnd'], 'must be greater than or equal to leafASNStart')
    return settings


def fabric_config(settings):
    """The FabricConfig of settings kept by `read_settings` (empty settings: every setting unknown)."""
    settings = settings or {}
    hydration = all(key in settings for key in HYDRATION_KEYS)

    def hydrating(key):
        return settings[key] if hydration else None

    mtu = settings.get('fabricMTU')
    communities = settings.get('gatewayCommunities')
    return FabricConfig(
        reserved_subnets=tuple(settings['reservedSubnets']) if 'reservedSubnets' in settings else None,
        irb_vlan_ranges=tuple(map(tuple, settings['vpcIRBVLANRange'])) if 'vpcIRBVLANRange' in settings else None,
        th5_vlan_ranges=(tuple(map(tuple, settings['th5WorkaroundVLANRange']))
                         if 'th5WorkaroundVLANRange' in settings else None),
        spine_leaf=settings['fabricMode'] == 'spine-leaf' if 'fabricMode' in settings else None,
        fabric_mtu=mtu,
        server_facing_mtu_offset=settings.get('serverFacingMTUOffset', 0) if mtu is not None else None,
        fabric_subnet=settings.get('fabricSubnet'),
        management_subnet=hydrating('managementSubnet'),
        management_dhcp_start=hydrating('managementDHCPStart'),
        control_vip=hydrating('controlVIP'),
        protocol_subnet=hydrating('protocolSubnet'),
        vtep_subnet=hydrating('vtepSubnet'),
        spine_asn=hydrating('spineASN'),
        leaf_asn_start=hydrating('leafASNStart'),
        leaf_asn_end=hydrating('leafASNEnd'),
        enable_gateway=settings.get('enableGateway'),
        gateway_communities=len(communities) if communities else None,
        vpc_peering_disabled=settings.get('vpcPeeringDisabled'),
    )
