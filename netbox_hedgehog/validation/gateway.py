"""Admission rules and defaulting of gateway.githedgehog.com/v1alpha1: Gateway, GatewayGroup and GatewayPeering.

Unlike the fabric's other kinds, the gateway webhooks do not check the object's name; the Kubernetes API server itself
still refuses a name that is not a lowercase RFC 1123 subdomain, so that check is made here too.
"""
import copy
import re

from netbox_hedgehog.k8s_names import is_dns_subdomain

from .common import (
    Refusal,
    check_name,
    get,
    mapping,
    objects,
    parse_address,
    parse_mac,
    parse_prefix,
    strings,
    text,
    uint,
)

__all__ = (
    'DEFAULTS',
    'VALIDATORS',
)

DEFAULT_GROUP = 'default'
DEFAULT_WORKERS = 4
DEFAULT_LOG_LEVEL = 'info'
LOG_LEVELS = ('off', 'error', 'warning', 'info', 'debug', 'trace')
DEFAULT_RATE_LIMIT = (('burst', 50), ('replenishPerSecond', 5))
LINUX_IFACE_RE = re.compile(r'^[a-zA-Z][a-zA-Z0-9_.-]{0,8}[a-zA-Z0-9]$')
PCI_RE = re.compile(r'^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-9a-fA-F])$')


def default_gateway(spec):
    spec = copy.deepcopy(spec)
    if spec.get('logs') is None:
        spec['logs'] = {}
    logs = spec['logs']
    if isinstance(logs, dict):
        logs['default'] = logs.get('default') or DEFAULT_LOG_LEVEL
        if not logs.get('tags'):
            logs['tags'] = {'all': DEFAULT_LOG_LEVEL}
        rate_limit = logs.get('rateLimit')
        if isinstance(rate_limit, dict):
            for key, default in DEFAULT_RATE_LIMIT:
                rate_limit[key] = rate_limit.get(key) or default
    spec['workers'] = spec.get('workers') or DEFAULT_WORKERS
    groups = spec.get('groups')
    if isinstance(groups, list) and all(isinstance(g, dict) for g in groups):
        spec['groups'] = sorted(groups, key=lambda g: str(g.get('name') or ''))
    if not groups:
        spec['groups'] = [{'name': DEFAULT_GROUP}]
    return spec


def _host_prefix(spec, key, what):
    value = text(spec, key)
    prefix = parse_prefix(value)
    if prefix is None:
        raise Refusal(f'spec.{key}', value, f'invalid {what}')
    if prefix.network.prefixlen != 32 or prefix.version != 4:
        rule = 'must be a /32 prefix' if prefix.version == 4 else 'must be an IPv4 address'
        raise Refusal(f'spec.{key}', value, f'{what} {rule}')
    return prefix


def _check_interface(name, iface):
    where = f'spec.interfaces.{name}'
    if len(name) > 15:
        raise Refusal(where, name, 'interface name is too long')
    if not LINUX_IFACE_RE.match(name):
        raise Refusal(where, name, 'interface name must be a valid linux interface name (2-10 characters)')
    if not isinstance(iface, dict):
        raise Refusal(where, iface, 'expected an object')
    ips = strings(iface, 'ips', base=where)
    if not ips:
        raise Refusal(f'{where}.ips', ips, 'interface must have at least one IP address')
    for i, value in enumerate(ips):
        prefix = parse_prefix(value)
        if prefix is None:
            raise Refusal(f'{where}.ips[{i}]', value, 'invalid interface IP')
        if prefix.version != 4:
            raise Refusal(f'{where}.ips[{i}]', value, 'interface IP must be an IPv4 address')
    uint(iface, 'mtu', 32, base=where)
    pci, kernel = text(iface, 'pci', base=where), text(iface, 'kernel', base=where)
    if pci and kernel:
        raise Refusal(where, iface, 'interface cannot have both PCI address and kernel names')
    if pci:
        match = PCI_RE.match(pci)
        if not match:
            raise Refusal(f'{where}.pci', pci, 'PCI must be a valid PCI address (e.g. 0000:02:00.0)')
        if int(match.group(3), 16) > 0x1F:
            raise Refusal(f'{where}.pci', pci, 'invalid PCI address device (0-1F)')
        if int(match.group(4), 16) > 7:
            raise Refusal(f'{where}.pci', pci, 'invalid PCI address function (0-7)')
    if kernel:
        if not LINUX_IFACE_RE.match(kernel):
            raise Refusal(f'{where}.kernel', kernel, 'kernel name must be a valid linux interface name (2-10 '
                                                     'characters)')
        if kernel == name:
            raise Refusal(f'{where}.kernel', kernel, 'interface name cannot be the same as kernel interface name')


def validate_gateway(name, spec, annotations, world, config):
    check_name(name)
    if config.enable_gateway is False:
        raise Refusal('spec', None, 'gateway support is not enabled')
    workers = uint(spec, 'workers', 8)
    if not 1 <= workers <= 64:
        raise Refusal('spec.workers', get(spec, 'workers'), 'workers should be between 1 and 64')
    logs = mapping(spec, 'logs')
    for key in ('default', *(f'tags.{t}' for t in mapping(logs, 'tags', base='spec.logs'))):
        level = get(logs, key, base='spec.logs')
        if level not in (None, '', *LOG_LEVELS):
            raise Refusal(f'spec.logs.{key}', level, f'must be one of {", ".join(LOG_LEVELS)}')
    if get(logs, 'rateLimit', base='spec.logs') is not None:
        rate_limit = mapping(logs, 'rateLimit', base='spec.logs')
        for key, _default in DEFAULT_RATE_LIMIT:
            if not uint(rate_limit, key, 32, base='spec.logs.rateLimit'):
                raise Refusal(f'spec.logs.rateLimit.{key}', rate_limit.get(key), f'log rate limit {key} must be '
                                                                                 f'greater than 0')
    protocol_ip = _host_prefix(spec, 'protocolIP', 'ProtocolIP')
    vtep_ip = _host_prefix(spec, 'vtepIP', 'VTEPIP')
    if vtep_ip.ip.is_multicast or vtep_ip.ip.is_loopback or vtep_ip.ip.is_unspecified:
        raise Refusal('spec.vtepIP', spec['vtepIP'], 'VTEPIP must be a unicast IPv4 address outside the localhost '
                                                     'range')
    mac_text = text(spec, 'vtepMAC')
    if not mac_text:
        raise Refusal('spec.vtepMAC', None, 'VTEPMAC must be set')
    mac = parse_mac(mac_text)
    if mac is None:
        raise Refusal('spec.vtepMAC', mac_text, 'invalid VTEPMAC')
    if mac == '00:00:00:00:00:00':
        raise Refusal('spec.vtepMAC', mac_text, 'VTEPMAC must not be all zeros')
    if int(mac[:2], 16) & 1:
        raise Refusal('spec.vtepMAC', mac_text, 'VTEPMAC must be a unicast MAC address')
    if not uint(spec, 'asn', 32):
        raise Refusal('spec.asn', get(spec, 'asn'), 'ASN must be set')
    uint(spec, 'vtepMTU', 32)
    uint(spec, 'flowTableCapacity', 32)
    interfaces = mapping(spec, 'interfaces')
    if not interfaces:
        raise Refusal('spec.interfaces', get(spec, 'interfaces'), 'at least one interface must be defined')
    for iface_name in sorted(interfaces):
        _check_interface(iface_name, interfaces[iface_name])
    neighbors = objects(spec, 'neighbors')
    if not neighbors:
        raise Refusal('spec.neighbors', get(spec, 'neighbors'), 'at least one BGP neighbor must be defined')
    for i, neighbor in enumerate(neighbors):
        where = f'spec.neighbors[{i}]'
        ip_text = text(neighbor, 'ip', base=where)
        text(neighbor, 'source', base=where)
        if not ip_text:
            raise Refusal(f'{where}.ip', None, 'BGP neighbor must have an IP address')
        ip = parse_address(ip_text)
        if ip is None:
            raise Refusal(f'{where}.ip', ip_text, 'invalid neighbor IP')
        if ip.version != 4:
            raise Refusal(f'{where}.ip', ip_text, 'BGP neighbor IP must be an IPv4 address')
        if ip.is_multicast or ip.is_unspecified:
            raise Refusal(f'{where}.ip', ip_text, 'BGP neighbor IP must be a unicast IPv4 address')
        if not uint(neighbor, 'asn', 32, base=where):
            raise Refusal(f'{where}.asn', neighbor.get('asn'), 'BGP neighbor must have an ASN')
    groups = objects(spec, 'groups')
    if not groups:
        raise Refusal('spec.groups', get(spec, 'groups'), 'at least one gateway group must be defined')
    seen = set()
    for i, group in enumerate(groups):
        group_name = text(group, 'name', base=f'spec.groups[{i}]')
        uint(group, 'priority', 32, base=f'spec.groups[{i}]')
        if group_name in seen:
            raise Refusal(f'spec.groups[{i}].name', group_name, f'gateway group {group_name} is duplicate')
        seen.add(group_name)
    if world is not None:
        _validate_gateway_world(name, spec, protocol_ip, vtep_ip, mac, groups, world, config)


def _validate_gateway_world(name, spec, protocol_ip, vtep_ip, mac, groups, world, config):
    protocol_ips, vtep_ips, macs, members = set(), set(), set(), {}

    def add_address(found, value):
        prefix = parse_prefix(value) if isinstance(value, str) else None
        if prefix is not None:
            found.add(prefix.ip)

    for other_name, other in world.of('Gateway').items():
        if other_name == name or not isinstance(other, dict):
            continue
        add_address(protocol_ips, other.get('protocolIP'))
        add_address(vtep_ips, other.get('vtepIP'))
        if parse_mac(other.get('vtepMAC')):
            macs.add(parse_mac(other['vtepMAC']))
        for group in other.get('groups') or []:
            if isinstance(group, dict):
                members[group.get('name')] = members.get(group.get('name'), 0) + 1
    for other in world.of('Switch').values():
        if isinstance(other, dict):
            add_address(protocol_ips, other.get('protocolIP'))
            add_address(vtep_ips, other.get('vtepIP'))
    if protocol_ip.ip in protocol_ips:
        raise Refusal('spec.protocolIP', spec['protocolIP'], 'gateway protocol IP is already in use')
    if vtep_ip.ip in vtep_ips:
        raise Refusal('spec.vtepIP', spec['vtepIP'], 'gateway VTEP IP is already in use')
    if mac in macs:
        raise Refusal('spec.vtepMAC', spec['vtepMAC'], 'gateway VTEP MAC is already in use')
    for i, group in enumerate(groups):
        group_name = group.get('name') or ''
        if world.get('GatewayGroup', group_name) is None:
            raise Refusal(f'spec.groups[{i}].name', group_name, f'gateway group {group_name} not found')
        limit = config.gateway_communities
        if limit and members.get(group_name, 0) >= limit:
            raise Refusal(f'spec.groups[{i}].name', group_name, f'gateway group {group_name} already has too many '
                                                                f'members ({members[group_name]}), max is {limit}')


def validate_gateway_group(name, spec, annotations, world, config):
    check_name(name)
    if config.enable_gateway is False:
        raise Refusal('spec', None, 'gateway support is not enabled')


#
# GatewayPeering
#

DEFAULT_IDLE_TIMEOUT = '2m0s'  # masquerade and port forwarding: 2 minutes, as Kubernetes writes a duration
PEERING_NAT_PROTOCOLS = ('', 'tcp', 'udp')
PEERING_ACL_DEFAULTS = ('deny', 'deny-unless-exposed')
PEERING_ACL_ACTIONS = ('allow', 'deny')
PEERING_ACL_SCOPES = ('flow', 'packet')
PEERING_ACL_PROTOCOLS = ('tcp', 'udp', '')
EXTERNAL_PREFIX = 'ext.'
NAT_KINDS = (('static', 'stateless'), ('masquerade', 'stateful'), ('portForward', 'stateful'))


def default_gateway_peering(spec):
    """Like the webhook, defaults nothing unless the peering names exactly two VPCs."""
    spec = copy.deepcopy(spec)
    peering = spec.get('peering')
    if not isinstance(peering, dict) or len(peering) != 2:
        return spec
    for entry in peering.values():
        exposes = entry.get('expose') if isinstance(entry, dict) else None
        for expose in exposes if isinstance(exposes, list) else []:
            nat = expose.get('nat') if isinstance(expose, dict) else None
            for key in ('masquerade', 'portForward'):
                if isinstance(nat, dict) and isinstance(nat.get(key), dict) and not nat[key].get('idleTimeout'):
                    nat[key]['idleTimeout'] = DEFAULT_IDLE_TIMEOUT
    spec['gatewayGroup'] = spec.get('gatewayGroup') or DEFAULT_GROUP
    acl = spec.get('acl')
    if isinstance(acl, dict):
        acl['default'] = acl.get('default') or 'deny-unless-exposed'
        for rule in acl.get('rules') if isinstance(acl.get('rules'), list) else []:
            if isinstance(rule, dict):
                rule['scope'] = rule.get('scope') or 'flow'
    return spec


def check_port(path, value):
    """A port ("80") or port range ("8000-8080") of 1-65535."""
    if not isinstance(value, str) or value.strip() != value or ',' in value or not value:
        raise Refusal(path, value, 'a port must be a single port or range such as 80 or 8000-8080')
    parts = [part.strip() for part in value.split('-')] if '-' in value else [value]
    if len(parts) > 2 or not all(part.isdigit() and 1 <= int(part) <= 65535 for part in parts):
        raise Refusal(path, value, 'ports must be between 1 and 65535, a range written as start-end')
    if len(parts) == 2 and int(parts[0]) > int(parts[1]):
        raise Refusal(path, value, 'invalid port range: start port is greater than end port')


def _check_blocks(where, vpc, expose):
    for key, allowed in (('ips', ('cidr', 'not', 'vpcSubnet')), ('as', ('cidr', 'not'))):
        for i, block in enumerate(objects(expose, key, base=where)):
            path = f'{where}.{key}[{i}]'
            for field in ('cidr', 'not'):
                value = text(block, field, base=path)
                if value and parse_prefix(value) is None:
                    raise Refusal(f'{path}.{field}', value,
                                  f'invalid CIDR in peering expose {key.upper()} of VPC {vpc}')
            subnet = text(block, 'vpcSubnet', base=path) if key == 'ips' else ''
            if subnet and vpc.startswith(EXTERNAL_PREFIX):
                raise Refusal(f'{path}.vpcSubnet', subnet, f'external {vpc[len(EXTERNAL_PREFIX):]} cannot have an IP '
                                                           f'block with VPC Subnets specified')
            if sum(1 for field in allowed if block.get(field)) != 1:
                raise Refusal(path, block, f'exactly one of {", ".join(allowed)} must be set in peering expose '
                                           f'{key.upper()} of VPC {vpc}')


def _check_nat(where, vpc, nat, sides):
    kinds = [(key, side) for key, side in NAT_KINDS if nat.get(key) is not None]
    if len(kinds) != 1:
        raise Refusal(f'{where}.nat', nat, f'exactly one of masquerade, static, or portForward must be set in NAT '
                                           f'section for peering expose of VPC {vpc}')
    sides.setdefault(vpc, set()).add(kinds[0][1])
    if kinds[0][0] == 'portForward':
        ports = objects(nat, 'portForward.ports', base=f'{where}.nat')
        if not ports:
            raise Refusal(f'{where}.nat.portForward.ports', None, f'at least one port forwarding rule must be set in '
                                                                  f'NAT section for peering expose of VPC {vpc}')
        for i, entry in enumerate(ports):
            path = f'{where}.nat.portForward.ports[{i}]'
            check_port(f'{path}.port', entry.get('port', ''))
            check_port(f'{path}.as', entry.get('as', ''))
            if entry.get('proto', '') not in PEERING_NAT_PROTOCOLS:
                raise Refusal(f'{path}.proto', entry.get('proto'), 'invalid protocol (tcp, udp or empty)')


def _check_peering_acl(acl, vpcs):
    if acl.get('default') not in PEERING_ACL_DEFAULTS:
        raise Refusal('spec.acl.default', acl.get('default'), f'invalid default action in ACL (one of '
                                                              f'{", ".join(PEERING_ACL_DEFAULTS)})')
    for i, rule in enumerate(objects(acl, 'rules', base='spec.acl')):
        where = f'spec.acl.rules[{i}]'
        name = text(rule, 'name', base=where)
        if name and (len(name) > 64 or not is_dns_subdomain(name)):
            raise Refusal(f'{where}.name', name,
                          'invalid rule name: a lowercase RFC 1123 name of at most 64 characters')
        if rule.get('action') not in PEERING_ACL_ACTIONS:
            raise Refusal(f'{where}.action', rule.get('action'), 'invalid action in ACL rule (allow or deny)')
        if rule.get('scope', 'flow') not in PEERING_ACL_SCOPES:
            raise Refusal(f'{where}.scope', rule.get('scope'), 'invalid scope in ACL rule (flow or packet)')
        origin, target = text(rule, 'from', base=where), text(rule, 'to', base=where)
        if not origin and not target:
            raise Refusal(where, rule, 'at least one of from and to must be specified in ACL rule')
        for key, value in (('from', origin), ('to', target)):
            if value and value not in vpcs:
                raise Refusal(f'{where}.{key}', value, f'it has to match one of the two VPCs of the peering: {vpcs}')
        for side in ('src', 'dst'):
            for j, endpoint in enumerate(objects(rule, f'match.{side}', base=where)):
                path = f'{where}.match.{side}[{j}]'
                cidr, subnet = text(endpoint, 'cidr', base=path), text(endpoint, 'vpcSubnet', base=path)
                if cidr and subnet:
                    raise Refusal(path, endpoint, 'at most one of cidr and vpcSubnet can be specified')
                if cidr and parse_prefix(cidr) is None:
                    raise Refusal(f'{path}.cidr', cidr, 'invalid CIDR in ACL rule')
                for k, port in enumerate(strings(endpoint, 'ports', base=path)):
                    check_port(f'{path}.ports[{k}]', port)
        protocol = get(rule, 'match.proto', base=where) or ''
        numeric = isinstance(protocol, str) and re.fullmatch(r'[+-]?[0-9]+', protocol) is not None
        if protocol not in PEERING_ACL_PROTOCOLS and not numeric:
            raise Refusal(f'{where}.match.proto', protocol,
                          'invalid protocol in ACL rule (tcp, udp, a number or empty)')


def validate_gateway_peering(name, spec, annotations, world, config):
    check_name(name)
    if config.enable_gateway is False:
        raise Refusal('spec', None, 'gateway support is not enabled')
    if not text(spec, 'gatewayGroup'):
        raise Refusal('spec.gatewayGroup', None, 'gateway group must be specified')
    peering = mapping(spec, 'peering')
    if len(peering) != 2:
        raise Refusal('spec.peering', sorted(peering), f'peering must have exactly 2 VPCs, got {len(peering)}')
    vpcs = sorted(peering)
    sides = {}
    for vpc in vpcs:
        entry = peering[vpc]
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise Refusal(f'spec.peering.{vpc}', entry, 'expected an object with "expose"')
        for i, expose in enumerate(objects(entry, 'expose', base=f'spec.peering.{vpc}')):
            where = f'spec.peering.{vpc}.expose[{i}]'
            default = expose.get('default', False)
            if not isinstance(default, bool):
                raise Refusal(f'{where}.default', default, 'expected true or false')
            if default and (expose.get('ips') or expose.get('as') or expose.get('nat') is not None):
                raise Refusal(where, expose, f'default flag should be the only thing set in expose of VPC {vpc}')
            if not expose.get('ips') and not default:
                raise Refusal(f'{where}.ips', None, f'at least one IP block must be specified in peering expose of '
                                                    f'VPC {vpc}')
            _check_blocks(where, vpc, expose)
            nat = get(expose, 'nat', base=where)
            if bool(expose.get('as')) == (nat is None):
                raise Refusal(where, expose, f'expose.As and expose.NAT must both be set or both be empty in peering '
                                             f'expose of VPC {vpc}')
            if nat is not None:
                _check_nat(where, vpc, mapping(expose, 'nat', base=where), sides)
    first, second = (sides.get(vpc, set()) for vpc in vpcs)
    if 'stateful' in first and 'stateful' in second:
        raise Refusal('spec.peering', vpcs, 'unsupported configuration, only one side of a peering can use stateful '
                                            'NAT (i.e. masquerade or portForward)')
    if ('stateless' in first and 'stateful' in second) or ('stateless' in second and 'stateful' in first):
        raise Refusal('spec.peering', vpcs, 'unsupported configuration, one side of a peering using static NAT cannot '
                                            'peer with a side using stateful NAT')
    if get(spec, 'acl') is not None:
        _check_peering_acl(mapping(spec, 'acl'), vpcs)
    if world is not None:
        _validate_gateway_peering_world(name, spec, vpcs, world)


def _exposed_networks(entry):
    out = []
    for expose in (entry or {}).get('expose') or []:
        if expose.get('default'):
            continue
        blocks = expose.get('as') or expose.get('ips') or []
        out.extend(p.network for p in (parse_prefix(block.get('cidr')) for block in blocks) if p is not None)
    return out


def _validate_gateway_peering_world(name, spec, vpcs, world):
    group = spec['gatewayGroup']
    if world.get('GatewayGroup', group) is None:
        raise Refusal('spec.gatewayGroup', group, f'gateway group {group} not found')
    peering = spec['peering']
    for origin in vpcs:
        target = vpcs[1] if origin == vpcs[0] else vpcs[0]
        ours = _exposed_networks(peering[origin])
        for other_name, other in sorted(world.of('GatewayPeering').items()):
            other_peering = (other or {}).get('peering') or {}
            if other_name == name or target not in other_peering:
                continue
            for other_origin, other_entry in other_peering.items():
                if other_origin == target:
                    continue
                for existing in _exposed_networks(other_entry):
                    for network in ours:
                        if network.version == existing.version and network.overlaps(existing):
                            raise Refusal(f'spec.peering.{origin}', str(network), f'overlap between existing exposed '
                                                                                  f'CIDR {existing} (of {other_name}) '
                                                                                  f'and new exposed CIDR {network}')
    found = {}
    for vpc in vpcs:
        if peering[vpc] is None:
            continue
        if vpc.startswith(EXTERNAL_PREFIX):
            if world.get('External', vpc[len(EXTERNAL_PREFIX):]) is None:
                raise Refusal(f'spec.peering.{vpc}', vpc, f'external {vpc[len(EXTERNAL_PREFIX):]} not found')
            continue
        vpc_spec = world.get('VPC', vpc)
        if vpc_spec is None:
            raise Refusal(f'spec.peering.{vpc}', vpc, f'VPC {vpc} not found')
        found[vpc] = vpc_spec
        subnets = vpc_spec.get('subnets') or {}
        networks = [p.network for p in (parse_prefix((s or {}).get('subnet')) for s in subnets.values()) if p]
        for i, expose in enumerate(peering[vpc].get('expose') or []):
            if expose.get('default'):
                continue
            for j, block in enumerate(expose.get('ips') or []):
                path = f'spec.peering.{vpc}.expose[{i}].ips[{j}]'
                prefix = parse_prefix(block.get('cidr')) if block.get('cidr') else None
                if prefix is not None and not any(prefix.network.version == n.version
                                                  and prefix.network.subnet_of(n) for n in networks):
                    raise Refusal(f'{path}.cidr', block['cidr'], f'CIDR is not part of VPC {vpc}')
                if block.get('vpcSubnet') and block['vpcSubnet'] not in subnets:
                    raise Refusal(f'{path}.vpcSubnet', block['vpcSubnet'], f'VPC subnet referenced in peering expose '
                                                                           f'does not exist in VPC {vpc}')
    for i, rule in enumerate((spec.get('acl') or {}).get('rules') or []):
        origin, target = rule.get('from') or '', rule.get('to') or ''
        if not origin:
            origin = vpcs[1] if vpcs[0] == target else vpcs[0]
        elif not target:
            target = vpcs[1] if vpcs[0] == origin else vpcs[0]
        for side, vpc in (('src', origin), ('dst', target)):
            for j, endpoint in enumerate((rule.get('match') or {}).get(side) or []):
                subnet = endpoint.get('vpcSubnet')
                if not subnet:
                    continue
                path = f'spec.acl.rules[{i}].match.{side}[{j}].vpcSubnet'
                if vpc not in found:
                    raise Refusal(path, subnet, f'VPC subnet referenced in ACL rule but the corresponding peering '
                                                f'entry {vpc!r} is not a VPC')
                if subnet not in (found[vpc].get('subnets') or {}):
                    raise Refusal(path, subnet, f'VPC subnet referenced in ACL rule does not exist in VPC {vpc}')


DEFAULTS = {
    'Gateway': default_gateway,
    'GatewayPeering': default_gateway_peering,
}

VALIDATORS = {
    'Gateway': validate_gateway,
    'GatewayGroup': validate_gateway_group,
    'GatewayPeering': validate_gateway_peering,
}
