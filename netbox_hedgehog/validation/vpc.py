"""Admission rules and defaulting of vpc.githedgehog.com/v1beta1: IPv4Namespace, VPC, VPCAttachment, VPCPeering,
External, ExternalAttachment and ExternalPeering."""
import copy
import ipaddress
import re

from .common import (
    Refusal,
    check_name,
    flag,
    get,
    mapping,
    objects,
    overlapping,
    parse_address,
    parse_mac,
    parse_prefix,
    strings,
    text,
    uint,
)
from .wiring import connection_endpoints, normalized_vlan_ranges

__all__ = (
    'DEFAULTS',
    'VALIDATORS',
)

SHORT_NAME = 11
MAX_IPV4_NAMESPACE_SUBNETS = 10
VPC_MODES = ('', 'l3vni', 'l3flat')
VPC_INFO_EXT_PREFIX = 'ext.'
DHCP_DEFAULT_MTU = 9036
DHCP_DEFAULT_LEASE = 3600
P2P_LINK_ANNOTATION = 'fabric.githedgehog.com/p2p-link'
COMMUNITY_RE = re.compile(r'^(0|[1-9][0-9]{0,4}):(0|[1-9][0-9]{0,4})$')  # each part a uint16 without leading zeros
ACL_MIN_SEQ = 10
ACL_ACTIONS = ('permit', 'deny', 'discard', 'transit')
ACL_PROTOCOLS = ('ip', 'tcp', 'udp', 'icmp')
TCP_FLAGS = ('fin', 'syn', 'rst', 'psh', 'ack', 'urg')


#
# IPv4Namespace
#

def default_ipv4_namespace(spec):
    spec = copy.deepcopy(spec)
    if isinstance(spec.get('subnets'), list) and all(isinstance(s, str) for s in spec['subnets']):
        spec['subnets'] = sorted(spec['subnets'])
    return spec


def _reserved(config):
    return [parse_prefix(s).network for s in config.reserved_subnets or ()]


def validate_ipv4_namespace(name, spec, annotations, world, config):
    check_name(name, SHORT_NAME)
    subnets = strings(spec, 'subnets')
    networks = []
    for i, subnet in enumerate(subnets):
        prefix = parse_prefix(subnet)
        if prefix is None:
            raise Refusal(f'spec.subnets[{i}]', subnet, 'failed to parse cidr')
        networks.append(prefix.network)
    if len(networks) > MAX_IPV4_NAMESPACE_SUBNETS:
        raise Refusal('spec.subnets', subnets, f'too many subnets defined ({len(networks)}), maximum is '
                                               f'{MAX_IPV4_NAMESPACE_SUBNETS}')
    clash = overlapping(networks)
    if clash:
        raise Refusal('spec.subnets', subnets, f'subnets overlap: subnets {clash[0]} and {clash[1]} overlap')
    clash = overlapping(networks + _reserved(config))
    if clash:
        raise Refusal('spec.subnets', subnets, f'subnets overlap with reserved subnets: subnets {clash[0]} and '
                                               f'{clash[1]} overlap')


#
# VPC
#

def _options_empty(options):
    return (not options.get('pxeURL') and options.get('dnsServers') is None and options.get('timeServers') is None
            and not options.get('interfaceMTU') and not options.get('leaseTimeSeconds')
            and not options.get('disableDefaultRoute') and options.get('advertisedRoutes') is None)


def _route_key(route):
    if not isinstance(route, dict):
        return '', ''
    return str(route.get('destination') or ''), str(route.get('gateway') or '')


def _default_subnet(subnet):
    prefix = parse_prefix(subnet.get('subnet'))
    if prefix is None:
        return
    network = prefix.network
    if not subnet.get('gateway') and not subnet.get('hostBGP'):
        subnet['gateway'] = str(network.network_address + 1)
    if network.prefixlen > 30:
        return
    dhcp = subnet.get('dhcp')
    if not isinstance(dhcp, dict):
        return
    if not dhcp.get('enable'):
        dhcp.pop('range', None)
        dhcp.pop('options', None)
        return
    if not isinstance(dhcp.get('range'), dict):
        dhcp['range'] = {}
    if not dhcp['range'].get('start'):
        dhcp['range']['start'] = str(network.network_address + 2)
    if not dhcp['range'].get('end'):
        dhcp['range']['end'] = str(network.broadcast_address)
    options = dhcp.get('options')
    if isinstance(options, dict):
        if _options_empty(options):
            dhcp.pop('options')
        else:
            options['interfaceMTU'] = options.get('interfaceMTU') or DHCP_DEFAULT_MTU
            options['leaseTimeSeconds'] = options.get('leaseTimeSeconds') or DHCP_DEFAULT_LEASE
            for key in ('dnsServers', 'timeServers'):
                options[key] = sorted(options.get(key) or [], key=str)
            options['advertisedRoutes'] = sorted(options.get('advertisedRoutes') or [], key=_route_key)
    static = dhcp.get('static')
    if isinstance(static, dict):
        dhcp['static'] = {(parse_mac(mac) or mac): value for mac, value in static.items()}


def default_vpc(spec):
    spec = copy.deepcopy(spec)
    spec['ipv4Namespace'] = spec.get('ipv4Namespace') or 'default'
    spec['vlanNamespace'] = spec.get('vlanNamespace') or 'default'
    subnets = spec.get('subnets')
    if isinstance(subnets, dict):
        for subnet in subnets.values():
            if isinstance(subnet, dict):
                _default_subnet(subnet)
    return spec


def _check_subnet_types(where, subnet):
    for key in ('subnet', 'gateway', 'dhcp.relay', 'dhcp.relayVPC', 'dhcp.range.start', 'dhcp.range.end',
                'dhcp.options.pxeURL'):
        text(subnet, key, base=where)
    for key in ('hostBGP', 'isolated', 'restricted', 'dhcp.enable', 'dhcp.options.disableDefaultRoute'):
        flag(subnet, key, base=where)
    uint(subnet, 'vlan', 16, base=where)
    uint(subnet, 'dhcp.options.interfaceMTU', 16, base=where)
    uint(subnet, 'dhcp.options.leaseTimeSeconds', 32, base=where)
    strings(subnet, 'dhcp.options.dnsServers', base=where)
    strings(subnet, 'dhcp.options.timeServers', base=where)
    objects(subnet, 'dhcp.options.advertisedRoutes', base=where)
    for mac, static in mapping(subnet, 'dhcp.static', base=where).items():
        if not isinstance(static, dict):
            raise Refusal(f'{where}.dhcp.static.{mac}', static, 'expected an object with an "ip"')
        text(static, 'ip', base=f'{where}.dhcp.static.{mac}')


def _validate_dhcp_server(where, subnet, network, gateway):
    dhcp = mapping(subnet, 'dhcp', base=where)
    dhcp_range = dhcp.get('range')
    if dhcp_range is None:
        raise Refusal(f'{where}.dhcp.range', None, 'dhcp range is required')
    ends = {}
    for end in ('start', 'end'):
        value = text(dhcp_range, end, base=f'{where}.dhcp.range')
        path = f'{where}.dhcp.range.{end}'
        if not value:
            raise Refusal(path, None, f'dhcp range {end} is required')
        address = parse_address(value)
        if address is None:
            raise Refusal(path, value, f'invalid dhcp range {end}')
        if address == network.network_address:
            raise Refusal(path, value, f'dhcp range {end} is equal to subnet')
        if address == gateway:
            raise Refusal(path, value, f'dhcp range {end} is equal to gateway')
        if address not in network:
            raise Refusal(path, value, f'dhcp range {end} is not in the subnet')
        ends[end] = address
    if not ends['start'] < ends['end']:
        raise Refusal(f'{where}.dhcp.range', dhcp_range, 'dhcp range start does not come before dhcp range end')
    options = dhcp.get('options')
    if options is not None:
        base = f'{where}.dhcp.options'
        for key, what in (('dnsServers', 'dns address'), ('timeServers', 'time server address')):
            for i, value in enumerate(options.get(key) or []):
                if parse_address(value) is None:
                    raise Refusal(f'{base}.{key}[{i}]', value, f'{what} is not a valid IP')
        mtu = options.get('interfaceMTU') or 0
        if mtu < 96:
            raise Refusal(f'{base}.interfaceMTU', mtu, 'MTU cannot be set smaller than 96')
        if mtu > 9036:
            raise Refusal(f'{base}.interfaceMTU', mtu, 'MTU cannot be set greater than 9036')
        if (options.get('leaseTimeSeconds') or 0) < 1:
            raise Refusal(f'{base}.leaseTimeSeconds', options.get('leaseTimeSeconds'),
                          'LeaseTimeSeconds cannot be set smaller than 1')
        for i, route in enumerate(options.get('advertisedRoutes') or []):
            path = f'{base}.advertisedRoutes[{i}]'
            destination = text(route, 'destination', base=path)
            route_gateway = text(route, 'gateway', base=path)
            if not destination:
                raise Refusal(f'{path}.destination', None, 'advertised route destination is required')
            if not route_gateway:
                raise Refusal(f'{path}.gateway', None, 'advertised route gateway is required')
            if parse_prefix(destination) is None:
                raise Refusal(f'{path}.destination', destination, 'failed to parse advertised route destination')
            address = parse_address(route_gateway)
            if address is None:
                raise Refusal(f'{path}.gateway', route_gateway, 'invalid advertised route gateway')
            if address not in network:
                raise Refusal(f'{path}.gateway', route_gateway, 'advertised route gateway is not in the subnet')
    seen = {}
    for mac, static in (dhcp.get('static') or {}).items():
        path = f'{where}.dhcp.static.{mac}'
        ip = static.get('ip') or ''
        if not ip:
            raise Refusal(f'{path}.ip', None, f'empty static IP assigned to MAC {mac}')
        if not mac:
            raise Refusal(path, ip, 'static IP assigned to empty MAC address')
        if parse_mac(mac) is None:
            raise Refusal(path, mac, f'invalid MAC {mac} for static IP {ip}')
        address = parse_address(ip)
        if address is None:
            raise Refusal(f'{path}.ip', ip, 'invalid static IP')
        if address not in network:
            raise Refusal(f'{path}.ip', ip, 'static IP is not in the subnet')
        if address == network.network_address:
            raise Refusal(f'{path}.ip', ip, 'static IP is the same as the subnet IP')
        if ip == subnet.get('gateway'):
            raise Refusal(f'{path}.ip', ip, 'static IP is the same as the gateway IP')
        if address == network.broadcast_address:
            raise Refusal(f'{path}.ip', ip, 'static IP is the same as the broadcast IP')
        if ip in seen:
            raise Refusal(f'{path}.ip', ip, f'static IP is already assigned to another MAC address ({seen[ip]})')
        seen[ip] = mac


def _validate_subnet(subnet_name, subnet, config):
    """The network of one VPC subnet, after its own rules; returns (network, vlan or None for hostBGP)."""
    where = f'spec.subnets.{subnet_name}'
    if not isinstance(subnet, dict):
        raise Refusal(where, subnet, 'expected an object')
    _check_subnet_types(where, subnet)
    cidr = subnet.get('subnet') or ''
    if not cidr:
        raise Refusal(f'{where}.subnet', None, 'missing subnet')
    prefix = parse_prefix(cidr)
    if prefix is None:
        raise Refusal(f'{where}.subnet', cidr, 'failed to parse subnet')
    network = ipaddress.ip_network(f'{prefix.ip}/{prefix.network.prefixlen}', strict=False)
    if network.prefixlen > 30:
        raise Refusal(f'{where}.subnet', cidr, f'prefix length {network.prefixlen} is too large, must be <= 30')
    for reserved in _reserved(config):
        if reserved.version == network.version and reserved.overlaps(network):
            raise Refusal(f'{where}.subnet', cidr, f'subnet is reserved (overlaps {reserved})')
    dhcp = mapping(subnet, 'dhcp', base=where)
    enabled = bool(dhcp.get('enable'))
    gateway, vlan = None, None
    if subnet.get('hostBGP'):
        if enabled:
            raise Refusal(f'{where}.dhcp.enable', True, 'dhcp should not be enabled for hostBGP subnets')
    else:
        if not subnet.get('gateway'):
            raise Refusal(f'{where}.gateway', None, 'gateway is required')
        gateway = parse_address(subnet['gateway'])
        if gateway is None:
            raise Refusal(f'{where}.gateway', subnet['gateway'], 'gateway is not a valid IP address')
        if gateway not in network:
            raise Refusal(f'{where}.gateway', subnet['gateway'], 'gateway is not in the subnet')
        vlan = subnet.get('vlan') or 0
        if not vlan:
            raise Refusal(f'{where}.vlan', subnet.get('vlan'), 'vlan is required')
    relay = dhcp.get('relay') or ''
    if relay and enabled:
        raise Refusal(f'{where}.dhcp', dhcp, 'dhcp relay and dhcp server cannot be enabled at the same time')
    if relay:
        if parse_prefix(relay) is None:
            raise Refusal(f'{where}.dhcp.relay', relay, 'failed to parse dhcp relay (expected an IP with a prefix '
                                                        'length)')
    elif dhcp.get('relayVPC'):
        raise Refusal(f'{where}.dhcp.relayVPC', dhcp['relayVPC'], 'dhcp relay VPC specified but dhcp relay is not '
                                                                  'enabled')
    options = dhcp.get('options')
    if options is not None and not enabled:
        for key, test, what in (('pxeURL', bool, 'pxeURL'), ('dnsServers', bool, 'DNSServer'),
                                ('timeServers', bool, 'TimeServer'), ('interfaceMTU', bool, 'InterfaceMTU'),
                                ('leaseTimeSeconds', bool, 'LeaseTimeSeconds'),
                                ('disableDefaultRoute', bool, 'DisableDefaultRoute'),
                                ('advertisedRoutes', bool, 'AdvertisedRoutes')):
            if test(options.get(key)):
                raise Refusal(f'{where}.dhcp.options.{key}', options[key], f'{what} is set but dhcp is disabled')
    if enabled:
        _validate_dhcp_server(where, subnet, network, gateway)
    else:
        dhcp_range = dhcp.get('range')
        if isinstance(dhcp_range, dict) and (dhcp_range.get('start') or dhcp_range.get('end')):
            raise Refusal(f'{where}.dhcp.range', dhcp_range, 'dhcp range start or end is set but dhcp is disabled')
        if dhcp.get('static'):
            raise Refusal(f'{where}.dhcp.static', dhcp['static'], 'static IPs are not supported when DHCP is '
                                                                  'disabled')
    return network, vlan


def validate_vpc(name, spec, annotations, world, config):
    check_name(name, SHORT_NAME)
    if name.startswith(VPC_INFO_EXT_PREFIX):
        raise Refusal('metadata.name', name, f'vpc name cannot start with {VPC_INFO_EXT_PREFIX!r}')
    for key in ('ipv4Namespace', 'vlanNamespace'):
        if not text(spec, key):
            raise Refusal(f'spec.{key}', None, f'{key} is required')
    flag(spec, 'defaultIsolated')
    flag(spec, 'defaultRestricted')
    subnets = mapping(spec, 'subnets')
    if not subnets:
        raise Refusal('spec.subnets', get(spec, 'subnets'), 'at least one subnet is required')
    if len(subnets) > 20:
        raise Refusal('spec.subnets', sorted(subnets), 'too many subnets, max is 20')
    mode = text(spec, 'mode')
    if mode not in VPC_MODES:
        raise Refusal('spec.mode', mode, 'invalid mode, must be one of "" (L2VNI), l3vni')
    if mode == 'l3flat':
        raise Refusal('spec.mode', mode, 'L3Flat mode is not supported yet')
    networks, vlans = [], {}
    for subnet_name in sorted(subnets):
        network, vlan = _validate_subnet(subnet_name, subnets[subnet_name], config)
        networks.append(network)
        if vlan is not None:
            if vlan in vlans:
                raise Refusal(f'spec.subnets.{subnet_name}.vlan', vlan,
                              f'duplicate subnet VLANs (subnet {vlans[vlan]} has it too)')
            vlans[vlan] = subnet_name
    clash = overlapping(networks)
    if clash:
        raise Refusal('spec.subnets', None, f'failed to verify no overlap subnets: subnets {clash[0]} and '
                                            f'{clash[1]} overlap')
    permits = get(spec, 'permit') or []
    if not isinstance(permits, list):
        raise Refusal('spec.permit', permits, 'expected a list of lists of subnet names')
    for idx, permit in enumerate(permits):
        if not isinstance(permit, list) or not all(isinstance(s, str) for s in permit):
            raise Refusal(f'spec.permit[{idx}]', permit, 'expected a list of subnet names')
        if len(permit) < 2:
            raise Refusal(f'spec.permit[{idx}]', permit, 'each permit policy must have at least 2 subnets in it')
        for subnet_name in permit:
            if subnet_name not in subnets:
                raise Refusal(f'spec.permit[{idx}]', permit, f'permit policy #{idx}: subnet {subnet_name} not found')
        if len(set(permit)) != len(permit):
            raise Refusal(f'spec.permit[{idx}]', permit, f'permit policy #{idx}: duplicate subnets')
    for idx, route in enumerate(objects(spec, 'staticRoutes')):
        where = f'spec.staticRoutes[{idx}]'
        prefix_text = text(route, 'prefix', base=where)
        if not prefix_text:
            raise Refusal(f'{where}.prefix', None, f'static route #{idx}: prefix is required')
        prefix = parse_prefix(prefix_text)
        if prefix is None:
            raise Refusal(f'{where}.prefix', prefix_text, f'static route #{idx}: failed to parse prefix')
        if prefix.ip != prefix.network.network_address:
            raise Refusal(f'{where}.prefix', prefix_text, f'static route #{idx}: prefix is invalid: inconsistent IP '
                                                          f'address and mask')
        if not strings(route, 'nextHops', base=where):
            raise Refusal(f'{where}.nextHops', None, f'static route #{idx}: at least one next hop is required')
    if world is not None:
        _validate_vpc_world(name, spec, subnets, networks, world)


def _validate_vpc_world(name, spec, subnets, networks, world):
    ipv4_ns = world.get('IPv4Namespace', spec['ipv4Namespace'])
    if ipv4_ns is None:
        raise Refusal('spec.ipv4Namespace', spec['ipv4Namespace'], f'IPv4Namespace {spec["ipv4Namespace"]} not found')
    vlan_ns = world.get('VLANNamespace', spec['vlanNamespace'])
    if vlan_ns is None:
        raise Refusal('spec.vlanNamespace', spec['vlanNamespace'], f'VLANNamespace {spec["vlanNamespace"]} not found')
    ns_networks = [p.network for p in map(parse_prefix, ipv4_ns.get('subnets') or []) if p is not None]
    try:
        ranges = normalized_vlan_ranges(vlan_ns)
    except Refusal:
        ranges = []
    for subnet_name in sorted(subnets):
        subnet = subnets[subnet_name]
        network = parse_prefix(subnet['subnet']).network
        if not any(network.version == outer.version and network.subnet_of(outer) for outer in ns_networks):
            raise Refusal(f'spec.subnets.{subnet_name}.subnet', subnet['subnet'],
                          f"vpc subnet doesn't belong to the IPv4Namespace {spec['ipv4Namespace']}")
        vlan = subnet.get('vlan') or 0
        if not subnet.get('hostBGP') and not any(start <= vlan <= end for start, end in ranges):
            raise Refusal(f'spec.subnets.{subnet_name}.vlan', vlan,
                          f"vpc subnet vlan doesn't belong to the VLANNamespace {spec['vlanNamespace']}")
        relay_vpc = get(subnet, 'dhcp.relayVPC')
        if relay_vpc and world.get('VPC', relay_vpc) is None:
            raise Refusal(f'spec.subnets.{subnet_name}.dhcp.relayVPC', relay_vpc, f'dhcp relay VPC {relay_vpc} not '
                                                                                  f'found')
    for other_name, other in sorted(world.of('VPC').items()):
        if other_name == name or not isinstance(other, dict):
            continue
        other_subnets = other.get('subnets') or {}
        if (other.get('ipv4Namespace') or 'default') == spec['ipv4Namespace']:
            for other_subnet in other_subnets.values():
                other_prefix = parse_prefix((other_subnet or {}).get('subnet'))
                for network in networks:
                    if other_prefix is not None and network.overlaps(other_prefix.network):
                        raise Refusal('spec.subnets', str(network), f'subnet {network} overlaps with subnet '
                                                                    f'{other_subnet["subnet"]} of VPC {other_name}')
        if (other.get('vlanNamespace') or 'default') == spec['vlanNamespace']:
            for other_subnet in other_subnets.values():
                other_subnet = other_subnet or {}
                for subnet_name in sorted(subnets):
                    subnet = subnets[subnet_name]
                    vlan = subnet.get('vlan') or 0
                    if vlan != (other_subnet.get('vlan') or 0):
                        continue
                    if vlan == 0 and (subnet.get('hostBGP') or other_subnet.get('hostBGP')):
                        continue
                    raise Refusal(f'spec.subnets.{subnet_name}.vlan', vlan, f'vlan {vlan} is already used by other '
                                                                            f'VPC ({other_name})')


#
# VPCAttachment
#

def default_vpc_attachment(spec):
    spec = copy.deepcopy(spec)
    subnet = spec.get('subnet')
    if isinstance(subnet, str) and subnet and '/' not in subnet:
        spec['subnet'] = f'{subnet}/default'
    return spec


def validate_vpc_attachment(name, spec, annotations, world, config):
    check_name(name)
    subnet = text(spec, 'subnet')
    flag(spec, 'nativeVLAN')
    if not subnet:
        raise Refusal('spec.subnet', None, 'subnet is required')
    vpc_name, _, subnet_name = subnet.partition('/')
    if not vpc_name:
        raise Refusal('spec.subnet', subnet, 'subnet should be in <vpc>/<subnet> format, vpc is missing')
    if '/' not in subnet:
        raise Refusal('spec.subnet', subnet, 'subnet should be in <vpc>/<subnet> format, subnet is missing')
    connection = text(spec, 'connection')
    if not connection:
        raise Refusal('spec.connection', None, 'connection is required')
    p2p = (annotations or {}).get(P2P_LINK_ANNOTATION)
    if p2p is not None:
        path = f'metadata.annotations.{P2P_LINK_ANNOTATION}'
        if p2p == '':
            raise Refusal(path, p2p, 'empty p2p link annotation subnet')
        prefix = parse_prefix(p2p)
        if prefix is None:
            raise Refusal(path, p2p, 'p2p link annotation subnet should be a valid prefix')
        if prefix.version != 4 or prefix.network.prefixlen != 31:
            raise Refusal(path, p2p, 'p2p link annotation subnet must be a valid IPv4 /31 prefix')
    if world is not None:
        _validate_attachment_world(name, spec, vpc_name, subnet_name, connection, world)


def _validate_attachment_world(name, spec, vpc_name, subnet_name, connection, world):
    vpc = world.get('VPC', vpc_name)
    if vpc is None:
        raise Refusal('spec.subnet', spec['subnet'], f'vpc {vpc_name} not found')
    subnet = (vpc.get('subnets') or {}).get(subnet_name)
    if subnet is None:
        raise Refusal('spec.subnet', spec['subnet'], f'subnet {subnet_name} not found in vpc {vpc_name}')
    conn = world.get('Connection', connection)
    if conn is None:
        raise Refusal('spec.connection', connection, f'connection {connection} not found')
    mode = vpc.get('mode') or ''
    if conn.get('eslag') is not None and mode != '':
        raise Refusal('spec.connection', connection, f'vpc mode {mode} is not supported for ESLAG connections')
    if subnet.get('hostBGP') and conn.get('unbundled') is None:
        raise Refusal('spec.connection', connection, 'only unbundled links can be used to attach to a hostBGP '
                                                     'subnet')
    if all(conn.get(k) is None for k in ('unbundled', 'bundled', 'eslag')):
        raise Refusal('spec.connection', connection, 'vpc can be attached only to Unbundled, Bundled or ESLAG '
                                                     'connections')
    try:
        _t, switches, _s, _g, _p = connection_endpoints(conn)
    except Refusal as e:
        raise Refusal('spec.connection', connection, f'failed to get endpoints for connection: {e}') from e
    vlan_namespace = vpc.get('vlanNamespace') or 'default'
    for switch_name in switches:
        switch = world.get('Switch', switch_name)
        if switch is None:
            raise Refusal('spec.connection', connection, f'switch {switch_name} used in connection not found')
        if vlan_namespace not in (switch.get('vlanNamespaces') or ['default']):
            raise Refusal('spec.connection', connection, f"switch {switch_name} used in connection doesn't have "
                                                         f'vlan namespace {vlan_namespace}')
        profile = world.get('SwitchProfile', switch.get('profile'))
        if profile is not None:
            features = profile.get('features') or {}
            needed = ('l2vni', 'l3vni') if mode == '' else ('l3vni',)
            if not all(features.get(f) for f in needed):
                raise Refusal('spec.connection', connection, f'vpc mode {mode or "l2vni"} is not supported on switch '
                                                             f'profile {switch.get("profile")}')
    for other_name, other in sorted(world.of('VPCAttachment').items()):
        if other_name == name or not isinstance(other, dict) or other.get('connection') != connection:
            continue
        if default_vpc_attachment(other).get('subnet') == spec['subnet']:
            raise Refusal('spec.subnet', spec['subnet'], f'connection {connection} already attached to vpc subnet '
                                                         f'{spec["subnet"]} (by {other_name})')
        if spec.get('nativeVLAN') and other.get('nativeVLAN'):
            raise Refusal('spec.nativeVLAN', True, f'connection {connection} already attached with native VLAN (by '
                                                   f'{other_name})')


#
# VPCPeering
#

def _peering_vpcs(spec):
    permits = get(spec, 'permit')
    if permits is not None and not isinstance(permits, list):
        raise Refusal('spec.permit', permits, 'expected a list of objects keyed by VPC name')
    vpcs = []
    for idx, permit in enumerate(permits or []):
        if not isinstance(permit, dict):
            raise Refusal(f'spec.permit[{idx}]', permit, 'expected an object keyed by VPC name')
        if len(permit) != 2:
            raise Refusal(f'spec.permit[{idx}]', sorted(permit), f'each permit policy must have exactly 2 VPCs (idx '
                                                                 f'{idx})')
        for vpc_name, peer in permit.items():
            where = f'spec.permit[{idx}].{vpc_name}'
            if peer is not None and not isinstance(peer, dict):
                raise Refusal(where, peer, 'expected an object with "subnets"')
            strings(peer or {}, 'subnets', base=where)
            if vpc_name not in vpcs:
                vpcs.append(vpc_name)
    if len(vpcs) != 2:
        raise Refusal('spec.permit', sorted(vpcs), 'VPCPeering must have exactly 2 VPCs')
    if len(permits) > 10:
        raise Refusal('spec.permit', None, f'must have 1 to 10 entries, has {len(permits)}')
    return sorted(vpcs)


def validate_vpc_peering(name, spec, annotations, world, config):
    check_name(name)
    if config.vpc_peering_disabled:
        raise Refusal('spec', None, 'vpc peering is not allowed')
    remote = text(spec, 'remote')
    if remote:
        raise Refusal('spec.remote', remote, 'remote field is deprecated and no longer supported')
    vpcs = _peering_vpcs(spec)
    if world is None:
        return
    found = {}
    for vpc_name in vpcs:
        vpc = world.get('VPC', vpc_name)
        if vpc is None:
            raise Refusal('spec.permit', vpc_name, f'vpc {vpc_name} not found')
        found[vpc_name] = vpc
    first, second = (found[v] for v in vpcs)
    if (first.get('ipv4Namespace') or 'default') != (second.get('ipv4Namespace') or 'default'):
        raise Refusal('spec.permit', vpcs, 'VPCs must be in the same IPv4 namespace')
    if (first.get('vlanNamespace') or 'default') != (second.get('vlanNamespace') or 'default'):
        raise Refusal('spec.permit', vpcs, 'VPCs must be in the same VLAN namespace')
    for idx, permit in enumerate(spec['permit']):
        for vpc_name, peer in permit.items():
            for subnet in (peer or {}).get('subnets') or []:
                if subnet not in (found[vpc_name].get('subnets') or {}):
                    raise Refusal(f'spec.permit[{idx}].{vpc_name}.subnets', subnet,
                                  f'subnet {subnet} not found in VPC {vpc_name}')


#
# External, ExternalAttachment, ExternalPeering
#

def default_external(spec):
    spec = copy.deepcopy(spec)
    spec['ipv4Namespace'] = spec.get('ipv4Namespace') or 'default'
    return spec


def validate_external(name, spec, annotations, world, config):
    check_name(name, SHORT_NAME)
    if not text(spec, 'ipv4Namespace'):
        raise Refusal('spec.ipv4Namespace', None, 'IPv4Namespace is required')
    inbound, outbound = text(spec, 'inboundCommunity'), text(spec, 'outboundCommunity')
    static = get(spec, 'static')
    if static is None:
        for key, value in (('inboundCommunity', inbound), ('outboundCommunity', outbound)):
            match = COMMUNITY_RE.match(value)
            if value and not (match and all(int(part) <= 65535 for part in match.groups())):
                raise Refusal(f'spec.{key}', value, 'not a valid community, example 50000:50001')
    else:
        mapping(spec, 'static')
        if inbound or outbound:
            raise Refusal('spec', None, 'inboundCommunity and outboundCommunity must be empty when static '
                                        'configuration is present')
        prefixes = strings(spec, 'static.prefixes')
        if not prefixes:
            raise Refusal('spec.static.prefixes', prefixes, 'at least one prefix must be specified for static '
                                                            'externals')
        networks = []
        for i, value in enumerate(prefixes):
            prefix = parse_prefix(value)
            if prefix is None:
                raise Refusal(f'spec.static.prefixes[{i}]', value, 'invalid prefix in static external configuration')
            networks.append(prefix.network)
        clash = overlapping(networks)
        if clash:
            raise Refusal('spec.static.prefixes', prefixes, f'static prefixes {clash[0]} and {clash[1]} overlap '
                                                            f'with each other')
    if world is not None and world.get('IPv4Namespace', spec['ipv4Namespace']) is None:
        raise Refusal('spec.ipv4Namespace', spec['ipv4Namespace'], f'IPv4Namespace {spec["ipv4Namespace"]} not '
                                                                   f'found')


def _is_cidr(value):
    return parse_prefix(value) is not None


def validate_acl(spec):
    statements = objects(spec, 'inboundACL.statements')
    seen = set()
    for i, statement in enumerate(statements):
        where = f'spec.inboundACL.statements[{i}]'
        seq = uint(statement, 'seq', 16, base=where)
        if seq < ACL_MIN_SEQ:
            raise Refusal(f'{where}.seq', seq, f'sequence number {seq} is reserved for security rules (user-defined '
                                               f'rules must use seq >= {ACL_MIN_SEQ})')
        if seq in seen:
            raise Refusal(f'{where}.seq', seq, f'duplicate sequence number {seq}')
        seen.add(seq)
        action, protocol = statement.get('action'), statement.get('protocol')
        if action not in ACL_ACTIONS:
            raise Refusal(f'{where}.action', action, f'invalid action in statement {seq} (one of '
                                                     f'{", ".join(ACL_ACTIONS)})')
        if protocol not in ACL_PROTOCOLS:
            raise Refusal(f'{where}.protocol', protocol, f'invalid protocol in statement {seq} (one of '
                                                         f'{", ".join(ACL_PROTOCOLS)})')
        for key in ('srcPrefix', 'dstPrefix'):
            value = text(statement, key, base=where)
            if not value:
                raise Refusal(f'{where}.{key}', None, f'{key} is required in statement {seq}')
            if value != 'any' and not _is_cidr(value):
                raise Refusal(f'{where}.{key}', value, f'invalid {key} in statement {seq}')
        filters = get(statement, 'tcpFilters', base=where)
        if filters is not None:
            filters = mapping(statement, 'tcpFilters', base=where)
            if protocol != 'tcp':
                raise Refusal(f'{where}.tcpFilters', filters, f'tcpFilters can only be used with tcp protocol in '
                                                              f'statement {seq}')
            names = [f for f in TCP_FLAGS] + [f'not{f.capitalize()}' for f in TCP_FLAGS]
            if filters.get('established') and any(filters.get(f) for f in names):
                raise Refusal(f'{where}.tcpFilters', filters, f'established is mutually exclusive with individual '
                                                              f'TCP flags in statement {seq}')
            if any(filters.get(f) and filters.get(f'not{f.capitalize()}') for f in TCP_FLAGS):
                raise Refusal(f'{where}.tcpFilters', filters, f'contradictory TCP flags (flag and its negation) in '
                                                              f'statement {seq}')
        for key in ('icmpType', 'icmpCode'):
            if statement.get(key) is not None:
                uint(statement, key, 8, base=where)
                if protocol != 'icmp':
                    raise Refusal(f'{where}.{key}', statement[key], f'icmpType/icmpCode can only be used with icmp '
                                                                    f'protocol in statement {seq}')
        begin = uint(statement, 'portRangeBegin', 16, base=where)
        end = uint(statement, 'portRangeEnd', 16, base=where)
        if begin or end:
            if protocol not in ('tcp', 'udp'):
                raise Refusal(f'{where}.portRangeBegin', begin, f'portRange can only be used with tcp or udp '
                                                                f'protocol in statement {seq}')
            if not begin:
                raise Refusal(f'{where}.portRangeBegin', begin, f'portRangeBegin must be >= 1 in statement {seq}')
            if begin > end:
                raise Refusal(f'{where}.portRangeBegin', begin, f'portRangeBegin must be <= portRangeEnd in '
                                                                f'statement {seq}')


def validate_external_attachment(name, spec, annotations, world, config):
    check_name(name)
    external, connection = text(spec, 'external'), text(spec, 'connection')
    if not external:
        raise Refusal('spec.external', None, 'external is required')
    if not connection:
        raise Refusal('spec.connection', None, 'connection is required')
    switch_ip, switch_vlan = text(spec, 'switch.ip'), uint(spec, 'switch.vlan', 16)
    neighbor_ip, neighbor_asn = text(spec, 'neighbor.ip'), uint(spec, 'neighbor.asn', 32)
    static = get(spec, 'static')
    if static is None:
        if not switch_ip:
            raise Refusal('spec.switch.ip', None, 'switch.ip is required')
        if not _is_cidr(switch_ip):
            raise Refusal('spec.switch.ip', switch_ip, 'switch.ip is not a valid IP CIDR')
        if not neighbor_asn:
            raise Refusal('spec.neighbor.asn', get(spec, 'neighbor.asn'), 'neighbor.asn is required')
        if not neighbor_ip:
            raise Refusal('spec.neighbor.ip', None, 'neighbor.ip is required')
        if parse_address(neighbor_ip) is None:
            raise Refusal('spec.neighbor.ip', neighbor_ip, 'neighbor.ip is not a valid IP address')
    else:
        mapping(spec, 'static')
        if switch_ip or switch_vlan:
            raise Refusal('spec.switch', get(spec, 'switch'), 'switch parameters must not be set for static '
                                                              'external attachment')
        if neighbor_asn or neighbor_ip:
            raise Refusal('spec.neighbor', get(spec, 'neighbor'), 'neighbor parameters must not be set for static '
                                                                  'external attachment')
        remote_ip, ip, proxy = text(spec, 'static.remoteIP'), text(spec, 'static.ip'), flag(spec, 'static.proxy')
        uint(spec, 'static.vlan', 16)
        if not remote_ip:
            raise Refusal('spec.static.remoteIP', None, 'static.remoteIP is required for static external attachment')
        if parse_address(remote_ip) is None:
            raise Refusal('spec.static.remoteIP', remote_ip, 'static.remoteIP is not a valid IP address')
        if bool(ip) == proxy:
            raise Refusal('spec.static', static, 'either static.ip or static.proxy must be set for static external '
                                                 'attachment')
        if ip and not _is_cidr(ip):
            raise Refusal('spec.static.ip', ip, 'static.ip is not a valid IP CIDR')
    validate_acl(spec)
    if world is not None:
        _validate_external_attachment_world(name, spec, external, connection, world)


def _attachment_vlan(spec):
    return (get(spec, 'static.vlan') if spec.get('static') is not None else get(spec, 'switch.vlan')) or 0


def _validate_external_attachment_world(name, spec, external, connection, world):
    ext = world.get('External', external)
    if ext is None:
        raise Refusal('spec.external', external, f'external {external} not found')
    if spec.get('static') is not None and ext.get('static') is None:
        raise Refusal('spec.static', spec['static'], f'external attachment is static but external {external} is not')
    if spec.get('static') is None and ext.get('static') is not None:
        raise Refusal('spec.external', external, f'external attachment is not static but external {external} is')
    conn = world.get('Connection', connection)
    if conn is None:
        raise Refusal('spec.connection', connection, f'connection {connection} not found')
    if conn.get('external') is None:
        raise Refusal('spec.connection', connection, f'connection {connection} is not external')
    vlan = _attachment_vlan(spec)
    for other_name, other in sorted(world.of('ExternalAttachment').items()):
        if other_name != name and isinstance(other, dict) and other.get('connection') == connection \
                and _attachment_vlan(other) == vlan:
            raise Refusal('spec', vlan, f'connection {connection} already has an external attachment with VLAN '
                                        f'{vlan} ({other_name})')


def default_external_peering(spec):
    spec = copy.deepcopy(spec)
    vpc = get(spec, 'permit.vpc') if isinstance(spec.get('permit'), dict) else None
    if isinstance(vpc, dict) and isinstance(vpc.get('subnets'), list) and all(
            isinstance(s, str) for s in vpc['subnets']):
        vpc['subnets'] = sorted(vpc['subnets'])
    external = get(spec, 'permit.external') if isinstance(spec.get('permit'), dict) else None
    if isinstance(external, dict) and isinstance(external.get('prefixes'), list) and all(
            isinstance(p, dict) for p in external['prefixes']):
        external['prefixes'] = sorted(external['prefixes'], key=lambda p: str(p.get('prefix') or ''))
    return spec


def validate_external_peering(name, spec, annotations, world, config):
    check_name(name)
    vpc_name, external = text(spec, 'permit.vpc.name'), text(spec, 'permit.external.name')
    subnets = strings(spec, 'permit.vpc.subnets')
    if not vpc_name:
        raise Refusal('spec.permit.vpc.name', None, 'vpc.name is required')
    if not external:
        raise Refusal('spec.permit.external.name', None, 'external.name is required')
    for i, item in enumerate(objects(spec, 'permit.external.prefixes')):
        if not text(item, 'prefix', base=f'spec.permit.external.prefixes[{i}]'):
            raise Refusal(f'spec.permit.external.prefixes[{i}].prefix', None, 'external.prefixes.prefix is required')
    if world is None:
        return
    vpc = world.get('VPC', vpc_name)
    if vpc is None:
        raise Refusal('spec.permit.vpc.name', vpc_name, f'vpc {vpc_name} not found')
    ext = world.get('External', external)
    if ext is None:
        raise Refusal('spec.permit.external.name', external, f'external {external} not found')
    vpc_ns, ext_ns = vpc.get('ipv4Namespace') or 'default', ext.get('ipv4Namespace') or 'default'
    if vpc_ns != ext_ns:
        raise Refusal('spec.permit', None, f"vpc's IPv4 namespace {vpc_ns} is different from the external's IPv4 "
                                           f'namespace {ext_ns}')
    for i, subnet in enumerate(subnets):
        if subnet not in (vpc.get('subnets') or {}):
            raise Refusal(f'spec.permit.vpc.subnets[{i}]', subnet, f'vpc {vpc_name} does not have subnet {subnet}')


DEFAULTS = {
    'IPv4Namespace': default_ipv4_namespace,
    'VPC': default_vpc,
    'VPCAttachment': default_vpc_attachment,
    'External': default_external,
    'ExternalPeering': default_external_peering,
}

VALIDATORS = {
    'IPv4Namespace': validate_ipv4_namespace,
    'VPC': validate_vpc,
    'VPCAttachment': validate_vpc_attachment,
    'VPCPeering': validate_vpc_peering,
    'External': validate_external,
    'ExternalAttachment': validate_external_attachment,
    'ExternalPeering': validate_external_peering,
}
