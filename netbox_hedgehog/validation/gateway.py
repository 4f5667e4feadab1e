"""Admission rules and defaulting of gateway.githedgehog.com/v1alpha1: Gateway and GatewayGroup.

Unlike the fabric's other kinds, the gateway webhooks do not check the object's name; the Kubernetes API server itself
still refuses a name that is not a lowercase RFC 1123 subdomain, so that check is made here too.
"""
import copy
import re

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


DEFAULTS = {
    'Gateway': default_gateway,
}

VALIDATORS = {
    'Gateway': validate_gateway,
    'GatewayGroup': validate_gateway_group,
}
