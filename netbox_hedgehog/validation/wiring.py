"""Admission rules and defaulting of wiring.githedgehog.com/v1beta1: Switch, SwitchGroup, Server, VLANNamespace and
Connection (SwitchProfile is owned by the fabric controller and never edited in NetBox)."""
import copy

from .common import (
    Refusal,
    check_name,
    flag,
    get,
    mapping,
    objects,
    overlapping,
    parse_address,
    parse_prefix,
    strings,
    text,
    uint,
)

__all__ = (
    'DEFAULTS',
    'DEPRECATED_CONNECTION_TYPES',
    'VALIDATORS',
    'api_ports',
    'connection_endpoints',
    'normalized_vlan_ranges',
    'ports_not_offered',
)

SWITCH_ROLES = ('spine', 'server-leaf', 'border-leaf', 'mixed-leaf')
SWITCH_ROLES_CRD = (*SWITCH_ROLES, 'virtual-edge')
LEAF_ROLES = ('server-leaf', 'border-leaf', 'mixed-leaf')
REDUNDANCY_TYPES = ('', 'mclag', 'eslag')
FEC_MODES = ('rs', 'fc', 'auto', 'disabled')
LINK_FLAP_DEFAULTS = (('flapThreshold', 3, 8, 1, 50), ('samplingInterval', 30, 32, 1, 65535),
                      ('recoveryInterval', 300, 32, 0, 65534))
CONNECTION_TYPES = ('unbundled', 'bundled', 'mclag', 'eslag', 'mclagDomain', 'fabric', 'mesh', 'gateway',
                    'vpcLoopback', 'external', 'staticExternal')
DEPRECATED_CONNECTION_TYPES = ('mclag', 'mclagDomain')
# (type, list key or None for a single "link", the two ends of a link, rule on the number of distinct switches)
LINK_SHAPES = {
    'unbundled': (None, ('server', 'switch')),
    'bundled': ('links', ('server', 'switch')),
    'eslag': ('links', ('server', 'switch')),
    'fabric': ('links', ('spine', 'leaf')),
    'mesh': ('links', ('leaf1', 'leaf2')),
    'gateway': ('links', ('switch', 'gateway')),
    'vpcLoopback': ('links', ('switch1', 'switch2')),
    'external': (None, ('switch',)),
    'staticExternal': (None, ('switch',)),
}
IPV4_CIDR_TYPES = ('fabric', 'mesh', 'gateway')
LINKS_MIN_ITEMS = {'eslag': 2, 'fabric': 1, 'mesh': 1, 'gateway': 1, 'vpcLoopback': 1}


#
# Switch
#

def default_switch(spec):
    spec = copy.deepcopy(spec)
    for key in ('portGroupSpeeds', 'portSpeeds'):
        speeds = spec.get(key)
        if isinstance(speeds, dict):
            spec[key] = {k: v.removeprefix('SPEED_') if isinstance(v, str) else v for k, v in speeds.items()}
    if not spec.get('vlanNamespaces'):
        spec['vlanNamespaces'] = ['default']
    redundancy = spec.get('redundancy')
    group = redundancy.get('group') if isinstance(redundancy, dict) else None
    groups = spec.get('groups') or []
    if group and isinstance(group, str) and isinstance(groups, list) and group not in groups:
        spec['groups'] = [*groups, group]
    flap = spec.get('linkFlapErrDisable')
    if isinstance(flap, dict):
        for key, default, *_range in LINK_FLAP_DEFAULTS:
            if flap.get(key) is None:
                flap[key] = default
    for key in ('groups', 'vlanNamespaces'):
        if isinstance(spec.get(key), list) and all(isinstance(v, str) for v in spec[key]):
            spec[key] = sorted(spec[key])
    return spec


def _check_switch_types(spec):
    role = text(spec, 'role')
    if not role:
        raise Refusal('spec.role', None, 'role is required')
    if role not in SWITCH_ROLES_CRD:
        raise Refusal('spec.role', role, f'must be one of {", ".join(SWITCH_ROLES_CRD)}')
    for key in ('description', 'profile', 'ip', 'vtepIP', 'protocolIP', 'boot.serial', 'boot.mac',
                'redundancy.group', 'redundancy.type'):
        text(spec, key)
    for key in ('enableAllPorts', 'roce', 'ecmp.roceQPN'):
        flag(spec, key)
    strings(spec, 'groups')
    strings(spec, 'vlanNamespaces')
    uint(spec, 'asn', 32)
    for key in ('portGroupSpeeds', 'portSpeeds', 'portBreakouts'):
        for port, value in mapping(spec, key).items():
            if not isinstance(value, str):
                raise Refusal(f'spec.{key}.{port}', value, 'expected a string')
    for port, value in mapping(spec, 'portAutoNegs').items():
        if not isinstance(value, bool):
            raise Refusal(f'spec.portAutoNegs.{port}', value, 'expected true or false')
    for port, value in mapping(spec, 'portFECs').items():
        if value not in FEC_MODES:
            raise Refusal(f'spec.portFECs.{port}', value, f'must be one of {", ".join(FEC_MODES)}')
    flap = get(spec, 'linkFlapErrDisable')
    if flap is not None:
        mapping(spec, 'linkFlapErrDisable')
        for key, _default, bits, low, high in LINK_FLAP_DEFAULTS:
            if flap.get(key) is not None:
                value = uint(flap, key, bits, base='spec.linkFlapErrDisable')
                if not low <= value <= high:
                    raise Refusal(f'spec.linkFlapErrDisable.{key}', value, f'must be from {low} to {high}')


def validate_switch(name, spec, annotations, world, config):
    check_name(name)
    _check_switch_types(spec)
    role = spec['role']
    if not strings(spec, 'vlanNamespaces'):
        raise Refusal('spec.vlanNamespaces', get(spec, 'vlanNamespaces'), 'at least one VLAN namespace required')
    if not uint(spec, 'asn', 32):
        raise Refusal('spec.asn', get(spec, 'asn'), 'ASN is required')
    if not text(spec, 'ip'):
        raise Refusal('spec.ip', None, 'IP is required')
    if not text(spec, 'protocolIP'):
        raise Refusal('spec.protocolIP', None, 'protocol IP is required')
    if role in LEAF_ROLES and config.spine_leaf and not text(spec, 'vtepIP'):
        raise Refusal('spec.vtepIP', None, 'VTEP IP is required for leaf switches in spine-leaf mode')
    if role == 'spine' and text(spec, 'vtepIP'):
        raise Refusal('spec.vtepIP', spec['vtepIP'], 'VTEP IP is not allowed for spine switches')
    if not text(spec, 'profile'):
        raise Refusal('spec.profile', None, 'profile is required')
    group, rtype = text(spec, 'redundancy.group'), text(spec, 'redundancy.type')
    if rtype not in REDUNDANCY_TYPES:
        raise Refusal('spec.redundancy.type', rtype, 'invalid redundancy type (eslag, or the deprecated mclag)')
    if group and not rtype:
        raise Refusal('spec.redundancy.type', None, 'redundancy group specified without type')
    if rtype and not group:
        raise Refusal('spec.redundancy.group', None, 'redundancy type specified without group')
    flap = get(spec, 'linkFlapErrDisable')
    if flap is not None:
        for key, *_rest in LINK_FLAP_DEFAULTS:
            if flap.get(key) is None:
                raise Refusal(f'spec.linkFlapErrDisable.{key}', None,
                              f'link-flap error-disable is enabled but no {key} provided')
    if world is not None:
        _validate_switch_references(name, spec, world)
        if config.management_subnet is not None:
            switch_hydration(name, spec, world, config)


def _validate_switch_references(name, spec, world):
    ranges = []
    for i, namespace in enumerate(spec['vlanNamespaces']):
        other = world.get('VLANNamespace', namespace)
        if other is None:
            raise Refusal(f'spec.vlanNamespaces[{i}]', namespace, f'specified VLANNamespace {namespace} does not exist')
        ranges.extend(_ranges_of(other))
    clash = vlan_ranges_overlap(ranges)
    if clash:
        raise Refusal('spec.vlanNamespaces', spec['vlanNamespaces'], f'invalid VLANNamespaces: {clash}')
    for i, group in enumerate(strings(spec, 'groups')):
        if not group:
            raise Refusal(f'spec.groups[{i}]', group, 'group name cannot be empty')
        if world.get('SwitchGroup', group) is None:
            raise Refusal(f'spec.groups[{i}]', group, f'switch group {group} does not exist')
    if world.knows('SwitchProfile') and world.get('SwitchProfile', spec['profile']) is None:
        raise Refusal('spec.profile', spec['profile'], f'switch profile {spec["profile"]} does not exist')


def _addr_of(value):
    parsed = parse_prefix(value) if isinstance(value, str) else None
    return parsed.ip if parsed else None


def switch_hydration(name, spec, world, config):
    """The checks of the addresses and ASNs hhfab hydrates, against the fabric settings and the other switches and
    gateways: management IP in its subnet below the DHCP range, unique /32 protocol and VTEP IPs in their subnets,
    unique leaf ASNs in the leaf range, the spine ASN."""
    role, rtype = spec.get('role'), text(spec, 'redundancy.type')
    leaf_asns, vteps, protocol_ips = set(), set(), set()
    mgmt_ips = {_addr_of(config.control_vip)}
    for other_name, other in world.of('Switch').items():
        if other_name == name or not isinstance(other, dict):
            continue
        if other.get('asn') and other.get('role') in LEAF_ROLES:
            leaf_asns.add(other['asn'])
        if other.get('vtepIP'):
            vteps.add(other['vtepIP'])
        if other.get('protocolIP'):
            protocol_ips.add(other['protocolIP'])
        mgmt_ips.add(_addr_of(other.get('ip')))
    if config.enable_gateway:
        for other in world.of('Gateway').values():
            if isinstance(other, dict):
                vteps.add(other.get('vtepIP') or None)
                protocol_ips.add(other.get('protocolIP') or None)
    if spec.get('ip'):
        ip = parse_prefix(spec['ip'])
        if ip is None:
            raise Refusal('spec.ip', spec['ip'], 'not a valid IP prefix')
        subnet = ipaddress_network(config.management_subnet)
        if ip.ip not in subnet:
            raise Refusal('spec.ip', spec['ip'], f'management IP is not in the management subnet {subnet}')
        if ip.ip >= parse_address(config.management_dhcp_start):
            raise Refusal('spec.ip', spec['ip'], f'management IP is in the management DHCP range starting at '
                                                 f'{config.management_dhcp_start}')
        if ip.ip in mgmt_ips:
            raise Refusal('spec.ip', spec['ip'], 'management IP is already in use')
    if spec.get('protocolIP'):
        _check_host_ip(spec, 'protocolIP', 'protocol IP', config.protocol_subnet, protocol_ips, rtype)
    if role in LEAF_ROLES:
        if spec.get('asn') in leaf_asns and rtype != 'mclag':
            raise Refusal('spec.asn', spec.get('asn'), 'leaf ASN is already in use')
        if not config.leaf_asn_start <= (spec.get('asn') or 0) <= config.leaf_asn_end:
            raise Refusal('spec.asn', spec.get('asn'), f'leaf ASN is not within the fabric leaf ASN range '
                                                       f'{config.leaf_asn_start}-{config.leaf_asn_end}')
    if role == 'spine' and spec.get('asn') != config.spine_asn:
        raise Refusal('spec.asn', spec.get('asn'), f'spine ASN is not the expected spine ASN {config.spine_asn}')
    if role in LEAF_ROLES:
        _check_host_ip(spec, 'vtepIP', 'VTEP IP', config.vtep_subnet, vteps, rtype)


def ipaddress_network(cidr):
    parsed = parse_prefix(cidr)
    return parsed.network if parsed else None


def _check_host_ip(spec, key, what, subnet_cidr, used, rtype):
    value = spec.get(key) or ''
    parsed = parse_prefix(value)
    if parsed is None:
        raise Refusal(f'spec.{key}', value, f'{what} is not a valid IP prefix')
    if parsed.network.prefixlen != 32:
        raise Refusal(f'spec.{key}', value, f'{what} must be a /32')
    subnet = ipaddress_network(subnet_cidr)
    if parsed.ip not in subnet:
        raise Refusal(f'spec.{key}', value, f'{what} is not in the {what.split()[0]} subnet {subnet}')
    if value in used and (key == 'protocolIP' or rtype != 'mclag'):
        raise Refusal(f'spec.{key}', value, f'{what} is already in use')


#
# SwitchGroup, Server
#

def validate_name_only(name, spec, annotations, world, config):
    check_name(name)


def validate_server(name, spec, annotations, world, config):
    check_name(name)
    text(spec, 'description')
    text(spec, 'profile')


#
# VLANNamespace
#

def _ranges_of(spec):
    out = []
    for item in (spec.get('ranges') or []) if isinstance(spec, dict) else []:
        if isinstance(item, dict):
            start, end = item.get('from') or 0, item.get('to') or 0
            out.append((start, end or start))
    return out


def normalized_vlan_ranges(spec, base='spec'):
    """[(from, to)] of a VLAN range list (`to: 0` means `to = from`), or a Refusal naming the bad range."""
    out = []
    for i, item in enumerate(objects(spec, 'ranges', base=base)):
        where = f'{base}.ranges[{i}]'
        start = uint(item, 'from', 16, base=where)
        end = uint(item, 'to', 16, base=where) or start
        if start > end:
            raise Refusal(where, item, f'invalid range {i}: from > to')
        if not 1 <= start <= 4094:
            raise Refusal(f'{where}.from', start, f'invalid range {i}: from < 1 || from > 4094')
        if not 1 <= end <= 4094:
            raise Refusal(f'{where}.to', end, f'invalid range {i}: to < 1 || to > 4094')
        out.append((start, end))
    return out


def vlan_ranges_overlap(ranges):
    ordered = sorted(ranges)
    for (a_from, a_to), (b_from, b_to) in zip(ordered, ordered[1:], strict=False):
        if a_to >= b_from:
            return f'VLAN ranges overlap: {a_from}-{a_to} and {b_from}-{b_to}'
    return None


def default_vlan_namespace(spec):
    """`to: 0` becomes `from`, and the ranges are sorted; ranges the rules refuse are left for the refusal."""
    spec = copy.deepcopy(spec)
    try:
        ranges = normalized_vlan_ranges(spec)
    except Refusal:
        return spec
    if ranges:
        items = spec['ranges']
        for item, (_start, end) in zip(items, ranges, strict=True):
            item['to'] = end
        spec['ranges'] = sorted(items, key=lambda item: (item['from'], item['to']))
    return spec


def validate_vlan_namespace(name, spec, annotations, world, config):
    check_name(name)
    items = objects(spec, 'ranges')
    if get(spec, 'ranges') is not None and not 1 <= len(items) <= 20:
        raise Refusal('spec.ranges', items, 'must list 1 to 20 ranges')
    ranges = normalized_vlan_ranges(spec)
    for reserved, what in ((config.irb_vlan_ranges, 'Fabric reserved VLANs'),
                           (config.th5_vlan_ranges, 'VLANs reserved for the TH5 workaround')):
        if reserved is not None:
            clash = vlan_ranges_overlap([*reserved, *ranges])
            if clash:
                raise Refusal('spec.ranges', items, f'ranges overlap with {what}: {clash}')


#
# SwitchProfile ports
#

DATA_PORT_NOS_PREFIX = 'Ethernet'


def api_ports(profile, switch):
    """{API port name: NOS name} of the ports a switch (spec) of `profile` (spec) offers with its breakouts: a
    management port and a port without a breakout profile as named; a port with one under its own name (its first
    lane) and as "<port>/<lane>" for each lane of the switch's breakout mode (the profile's default when the switch
    names none), numbered from the port's base NOS name plus the mode's offsets. ValueError when the switch's mode is
    one the profile does not support, or a base NOS name or offset is not a number."""
    port_profiles = profile.get('portProfiles') or {}
    breakouts = switch.get('portBreakouts') or {}
    ports = {}
    for name, port in (profile.get('ports') or {}).items():
        port = port if isinstance(port, dict) else {}
        breakout = (port_profiles.get(port.get('profile') or '') or {}).get('breakout')
        if port.get('management') or breakout is None:
            ports[name] = port.get('nos', '')
            continue
        mode = breakouts.get(name) or breakout.get('default') or ''
        supported = breakout.get('supported') or {}
        if mode not in supported:
            raise ValueError(f'port "{name}" has a breakout "{mode}" not supported by profile "{port["profile"]}"')
        base = port.get('baseNOSName') or ''
        number = base.removeprefix(DATA_PORT_NOS_PREFIX)
        if number == base or not number.isdigit():
            raise ValueError(f'port "{name}" base NOS name "{base}" is invalid')
        for lane, offset in enumerate((supported[mode] or {}).get('offsets') or [], start=1):
            try:
                nos = f'{DATA_PORT_NOS_PREFIX}{int(number) + int(offset)}'
            except ValueError:
                raise ValueError(f'port "{name}" breakout mode "{mode}" offset "{offset}" is invalid (not a '
                                 f'number)') from None
            if lane == 1:
                ports[name] = nos
            ports[f'{name}/{lane}'] = nos
    return ports


#
# Connection
#

def connection_type(spec):
    present = [k for k in CONNECTION_TYPES if spec.get(k) is not None]
    if not present:
        raise Refusal('spec', spec, 'exactly one connection type must be used')
    if len(present) > 1:
        raise Refusal('spec', sorted(present), 'exactly one connection type must be used')
    return present[0]


def _links(spec, ctype):
    body = mapping(spec, ctype)
    list_key, _roles = LINK_SHAPES[ctype]
    if list_key is None:
        return [(f'spec.{ctype}.link', mapping(body, 'link', base=f'spec.{ctype}'))]
    return [(f'spec.{ctype}.{list_key}[{i}]', link)
            for i, link in enumerate(objects(body, list_key, base=f'spec.{ctype}'))]


def connection_endpoints(spec):
    """(type, switches, servers, gateways, [(path, "<device>/<port>")]) of a Connection, checked against the
    per-type link rules; deprecated MCLAG connections give no endpoints."""
    ctype = connection_type(spec)
    if ctype in DEPRECATED_CONNECTION_TYPES:
        return ctype, [], [], [], []
    _list_key, roles = LINK_SHAPES[ctype]
    switches, servers, gateways, ports = set(), set(), set(), []
    links = _links(spec, ctype)
    for where, link in links:
        for role in roles:
            port = text(link, f'{role}.port', base=where)
            device = port.split('/', 1)[0]
            {'server': servers, 'gateway': gateways}.get(role, switches).add(device)
            ports.append((f'{where}.{role}.port', port))
    unique = len({p for _w, p in ports})
    label = {'vpcLoopback': 'vpc-loopback'}.get(ctype, ctype)
    where = f'spec.{ctype}'
    if ctype == 'unbundled':
        _count(switches, 1, where, 'one switch must be used for unbundled connection')
        _count(servers, 1, where, 'one server must be used for unbundled connection')
        if unique != 2:
            raise Refusal(where, spec[ctype], 'two unique ports must be used for unbundled connection')
    elif ctype in ('bundled', 'eslag'):
        if ctype == 'bundled':
            _count(switches, 1, where, 'one switch must be used for bundled connection')
        elif not 1 <= len(switches) <= 4:
            rule = 'at least one switch' if not switches else 'at most four switches'
            raise Refusal(where, sorted(switches), f'{rule} must be used for eslag connection')
        _count(servers, 1, where, f'one server must be used for {ctype} connection')
    elif ctype in ('fabric', 'mesh'):
        _count(switches, 2, where, f'two switches must be used for {ctype} connection')
    elif ctype in ('gateway', 'vpcLoopback'):
        _count(switches, 1, where, f'one switches must be used for {label} connection')
    if ctype not in ('unbundled', 'external', 'staticExternal') and unique != len(ports):
        raise Refusal(where, [p for _w, p in ports], f'unique ports must be used for {label} connection')
    for path, port in ports:
        parts = port.split('/', 1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise Refusal(path, port, f'invalid port name {port}, should be "<device>/<port>" format')
    return ctype, sorted(switches), sorted(servers), sorted(gateways), ports


def _count(devices, expected, where, rule):
    if len(devices) != expected:
        raise Refusal(where, sorted(devices), rule)


def _check_static_external(spec, config):
    where = 'spec.staticExternal.link.switch'
    link = mapping(spec, 'staticExternal.link.switch')
    ip = parse_prefix(text(link, 'ip', base=where))
    if ip is None:
        raise Refusal(f'{where}.ip', link.get('ip'), 'failed to parse cidr (expected an IPv4 address with a prefix '
                                                     'length)')
    next_hop = parse_address(text(link, 'nextHop', base=where))
    if next_hop is None:
        raise Refusal(f'{where}.nextHop', link.get('nextHop'), 'failed to parse next hop')
    if next_hop not in ip.network:
        raise Refusal(f'{where}.nextHop', link.get('nextHop'), f'next hop is not in cidr {ip.network}')
    uint(link, 'vlan', 16, base=where)
    text(spec, 'staticExternal.withinVPC')
    subnets = strings(link, 'subnets', base=where)
    networks = []
    for i, subnet in enumerate(subnets):
        prefix = parse_prefix(subnet)
        if prefix is None:
            raise Refusal(f'{where}.subnets[{i}]', subnet, 'failed to parse cidr')
        if subnet == '0.0.0.0/0':
            if len(subnets) > 1:
                raise Refusal(f'{where}.subnets', subnets, 'default route should be the only subnet')
            break
        if prefix.ip != prefix.network.network_address:
            raise Refusal(f'{where}.subnets[{i}]', subnet, 'invalid subnet: inconsistent IP address and mask')
        networks.append(prefix.network)
    clash = overlapping(networks)
    if clash:
        raise Refusal(f'{where}.subnets', subnets, f'subnets overlap: subnets {clash[0]} and {clash[1]} overlap')
    if config.reserved_subnets is not None:
        reserved = [parse_prefix(s).network for s in config.reserved_subnets]
        clash = overlapping(networks + reserved)
        if clash:
            raise Refusal(f'{where}.subnets', subnets, f'subnets overlap with reserved subnets: subnets {clash[0]} '
                                                       f'and {clash[1]} overlap')


def validate_connection(name, spec, annotations, world, config):
    check_name(name)
    ctype = connection_type(spec)
    if ctype in DEPRECATED_CONNECTION_TYPES:
        return  # accepted with a warning: "MCLAG is deprecated and no longer supported"
    if ctype in ('unbundled', 'bundled'):
        mtu = uint(spec, f'{ctype}.mtu', 16)
        if config.fabric_mtu is not None and mtu > config.fabric_mtu - config.server_facing_mtu_offset:
            raise Refusal(f'spec.{ctype}.mtu', mtu, f'{ctype} connection mtu {mtu} is greater than fabric mtu '
                                                    f'{config.fabric_mtu} - server facing mtu offset '
                                                    f'{config.server_facing_mtu_offset}')
    if ctype in ('bundled', 'eslag'):
        flag(spec, f'{ctype}.fallback')
    _ctype, switches, servers, _gateways, ports = connection_endpoints(spec)
    least = LINKS_MIN_ITEMS.get(ctype, 0)
    if len(get(spec, f'{ctype}.links') or []) < least:
        raise Refusal(f'spec.{ctype}.links', get(spec, f'{ctype}.links'),
                      f'a {ctype} connection needs at least {least} link{"s" if least > 1 else ""}')
    if ctype in IPV4_CIDR_TYPES:
        for where, link in _links(spec, ctype):
            for role in LINK_SHAPES[ctype][1]:
                ip = text(link, f'{role}.ip', base=where)
                if ip and (parse_prefix(ip) is None or parse_prefix(ip).version != 4):
                    raise Refusal(f'{where}.{role}.ip', ip, 'expected an IPv4 address with a prefix length')
    if ctype == 'staticExternal':
        _check_static_external(spec, config)
    if ctype in ('eslag', 'gateway') and config.spine_leaf is False:
        raise Refusal(f'spec.{ctype}', None, f'{ctype} connection is not allowed in current fabric configuration')
    if world is not None:
        _validate_connection_world(name, spec, ctype, switches, servers, ports, world, config)


def _validate_connection_world(name, spec, ctype, switches, servers, ports, world, config):
    r_group, r_type = '', ''
    for switch in switches:
        other = world.get('Switch', switch)
        if other is None:
            raise Refusal(f'spec.{ctype}', switch, f'switch {switch} not found')
        if ctype == 'eslag':
            redundancy = other.get('redundancy') or {}
            if redundancy.get('group'):
                if r_group and r_group != redundancy['group']:
                    raise Refusal(f'spec.{ctype}', switch, f'all switches in ESLAG connection should belong to the '
                                                           f'same redundancy group, found {switch} in {r_group}')
                r_group = redundancy['group']
            if redundancy.get('type'):
                if r_type and r_type != redundancy['type']:
                    raise Refusal(f'spec.{ctype}', switch, f'all switches in ESLAG connection should belong to the '
                                                           f'same redundancy type, found {switch} in {r_type}')
                r_type = redundancy['type']
        if world.knows('SwitchProfile'):
            _check_profile_ports(ctype, switch, other, ports, world)
    if ctype == 'eslag':
        if not r_group:
            raise Refusal('spec.eslag', switches, 'all switches in ESLAG connection should have redundancy group')
        if r_type != 'eslag':
            raise Refusal('spec.eslag', switches, f'all switches in ESLAG connection should have ESLAG redundancy '
                                                  f'type, found {r_type}')
    for server in servers:
        if world.get('Server', server) is None:
            raise Refusal(f'spec.{ctype}', server, f'server {server} not found')
    mine = {}
    for path, port in ports:
        mine[port] = path
        if port.count('/') == 2:
            mine[port + '/1'] = path
    fabric_ips = set()
    for other_name, other in world.of('Connection').items():
        if other_name == name or not isinstance(other, dict):
            continue
        try:
            other_type, _s, _v, _g, other_ports = connection_endpoints(other)
        except Refusal:
            continue
        for _where, port in other_ports:
            if port in mine or (port.count('/') == 2 and port + '/1' in mine):
                raise Refusal(mine.get(port) or mine[port + '/1'], port,
                              f'port {port} is already used by other connection {other_name}')
        if other_type in IPV4_CIDR_TYPES:
            for _where, link in _links(other, other_type):
                for role in LINK_SHAPES[other_type][1]:
                    address = _addr_of((link.get(role) or {}).get('ip'))
                    if address is not None:
                        fabric_ips.add(address)
    if ctype in IPV4_CIDR_TYPES and config.fabric_subnet is not None:
        _check_link_ips(name, spec, ctype, fabric_ips, ipaddress_network(config.fabric_subnet))


def _check_profile_ports(ctype, switch, spec, ports, world):
    """Each port the connection names on `switch` is one its profile offers for its breakouts."""
    profile_name = spec.get('profile')
    profile = world.get('SwitchProfile', profile_name)
    if profile is None:
        raise Refusal(f'spec.{ctype}', switch, f'switch profile {profile_name} not found')
    try:
        allowed = api_ports(profile, spec)
    except ValueError as e:
        raise Refusal(f'spec.{ctype}', switch, f'failed to get NOS port mapping for switch {switch}: {e}') from None
    for path, port in ports_not_offered(switch, allowed, ports)[:1]:
        raise Refusal(path, port, f'port {port} is not allowed for switch {switch}')


def ports_not_offered(switch, offered, ports):
    """The (path, "<device>/<port>") of `ports` on `switch` that are not among `offered` (its `api_ports`)."""
    return [(path, port) for path, port in ports
            if port.partition('/')[0] == switch and port.partition('/')[2] not in offered]


def _check_link_ips(name, spec, ctype, fabric_ips, fabric_subnet):
    first_role, second_role = LINK_SHAPES[ctype][1]
    for idx, (where, link) in enumerate(_links(spec, ctype)):
        values = [text(link, f'{role}.ip', base=where) for role in (first_role, second_role)]
        if not all(values):
            continue
        prefixes = []
        for role, value in zip((first_role, second_role), values, strict=True):
            prefix = parse_prefix(value)
            path = f'{where}.{role}.ip'
            if prefix is None:
                raise Refusal(path, value, f'parsing {ctype} connection {name} link {idx} {role} IP')
            if prefix.network.prefixlen != 31:
                raise Refusal(path, value, f'{ctype} connection {name} link {idx} {role} IP is not a /31')
            if prefix.ip not in fabric_subnet:
                raise Refusal(path, value, f'{ctype} connection {name} link {idx} {role} IP is not in the fabric '
                                           f'subnet {fabric_subnet}')
            if prefix.ip in fabric_ips:
                raise Refusal(path, value, f'{ctype} connection {name} link {idx} {role} IP is already in use')
            fabric_ips.add(prefix.ip)
            prefixes.append(prefix)
        if prefixes[0].network != prefixes[1].network:
            raise Refusal(where, values, f'{ctype} connection {name} link {idx} {first_role} IP and {second_role} '
                                         f'IP are not in the same subnet')


DEFAULTS = {
    'Switch': default_switch,
    'VLANNamespace': default_vlan_namespace,
}

VALIDATORS = {
    'Switch': validate_switch,
    'SwitchGroup': validate_name_only,
    'Server': validate_server,
    'VLANNamespace': validate_vlan_namespace,
    'Connection': validate_connection,
}
