"""The demo fabric (deploy/dev/fabric/) follows the Hedgehog API rules: every reference resolves, every port exists
and is used once, addresses sit in their subnets. The demo and the test suite both load these files."""
import copy
import ipaddress
import re
from collections import Counter, defaultdict

import pytest
import yaml

from hedgehog_devtools import fabric
from netbox_hedgehog.kinds import KIND_BY_NAME

# Front-panel ports (E1/1 .. E1/N) of the switch profiles the fabric uses.
PROFILE_PORTS = {'dell-s5248f-on': 56, 'dell-s5232f-on': 34}
SHORT_NAMES = {'VPC', 'IPv4Namespace', 'External'}
NAME_RE = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
MANAGEMENT = ipaddress.ip_network('172.30.0.0/21')
DHCP_START = ipaddress.ip_address('172.30.4.0')
PROTOCOL_IPS = ipaddress.ip_network('172.30.8.0/22')
VTEP_IPS = ipaddress.ip_network('172.30.12.0/22')
FABRIC_LINKS = ipaddress.ip_network('172.30.128.0/17')
RESERVED_VLANS = range(3000, 4000)
SERVER_CONNECTIONS = {'unbundled', 'bundled', 'eslag'}


def read(paths=fabric.FILES):
    """{kind: {name: spec}} of every document, and the problems found while reading."""
    objects, problems = defaultdict(dict), []
    for path in paths:
        for number, doc in enumerate(yaml.safe_load_all(path.read_text()), start=1):
            where = f'{path.name} document {number}'
            kind_spec = KIND_BY_NAME.get(doc.get('kind'))
            if kind_spec is None or doc.get('apiVersion') != kind_spec.api_version:
                problems.append(f'{where}: unknown {doc.get("apiVersion")} {doc.get("kind")}')
                continue
            name, namespace = doc['metadata']['name'], doc['metadata'].get('namespace')
            if namespace != 'default':
                problems.append(f'{where}: {kind_spec.kind} {name} is in namespace {namespace!r}, not "default"')
            if not NAME_RE.match(name) or (kind_spec.kind in SHORT_NAMES and len(name) > 11):
                problems.append(f'{where}: {kind_spec.kind} name {name!r} is not allowed')
            if name in objects[kind_spec.kind]:
                problems.append(f'{where}: {kind_spec.kind} {name} is defined twice')
            kind_spec.typed_fields(doc.get('spec'))
            objects[kind_spec.kind][name] = doc.get('spec') or {}
    return objects, problems


def _ip(value):
    return ipaddress.ip_interface(value)


def _vlans(objects):
    return {name: [range(r['from'], r.get('to', r['from']) + 1) for r in spec['ranges']]
            for name, spec in objects['VLANNamespace'].items()}


def check_switches(objects, problems):
    switches = objects['Switch']
    unique = defaultdict(dict)
    for name, spec in switches.items():
        group = spec.get('redundancy', {}).get('group')
        if group and (group not in objects['SwitchGroup'] or group not in spec.get('groups', [])):
            problems.append(f'Switch {name}: redundancy group {group} is not one of its existing groups')
        for ref in spec.get('groups', []):
            if ref not in objects['SwitchGroup']:
                problems.append(f'Switch {name}: SwitchGroup {ref} does not exist')
        for ref in spec.get('vlanNamespaces', []):
            if ref not in objects['VLANNamespace']:
                problems.append(f'Switch {name}: VLANNamespace {ref} does not exist')
        if spec.get('profile') not in PROFILE_PORTS:
            problems.append(f'Switch {name}: profile {spec.get("profile")} is not one this fabric knows')
        management = _ip(spec['ip'])
        if management.network != MANAGEMENT or management.ip >= DHCP_START:
            problems.append(f'Switch {name}: ip {spec["ip"]} is not a static address of {MANAGEMENT}')
        spine = spec['role'] == 'spine'
        if spine and (spec['asn'] != 65100 or 'vtepIP' in spec):
            problems.append(f'Switch {name}: a spine has ASN 65100 and no VTEP IP')
        if not spine and not 65101 <= spec['asn'] <= 65533:
            problems.append(f'Switch {name}: leaf ASN {spec["asn"]} is outside 65101-65533')
        for field, subnet in (('protocolIP', PROTOCOL_IPS), ('vtepIP', VTEP_IPS))[:1 if spine else 2]:
            address = _ip(spec.get(field, '0.0.0.0/0'))
            if address.network.prefixlen != 32 or address.ip not in subnet:
                problems.append(f'Switch {name}: {field} {spec.get(field)} is not a /32 of {subnet}')
        # An ESLAG pair shares its ASN and VTEP IP (as hhfab hydrates it); anything else is unique.
        owner = spec.get('redundancy', {}).get('group') or name
        shared = () if spine else ('asn', 'vtepIP')
        for field in ('ip', 'protocolIP', *shared):
            holder = unique[field].setdefault(spec[field], owner if field in shared else name)
            if holder != (owner if field in shared else name):
                problems.append(f'Switch {name}: {field} {spec[field]} is also used by {holder}')


def check_ports(name, spec, connection_type, objects, used, problems):
    """The ports of one connection exist on their devices and nobody else uses them."""
    devices = {'switch': objects['Switch'], 'server': objects['Server'], 'gateway': objects['Gateway']}
    for endpoint in KIND_BY_NAME['Connection'].typed_fields(spec)['endpoints']:
        device, kind = endpoint['device'], endpoint['device_kind']
        if device not in devices[kind]:
            problems.append(f'Connection {name}: {kind} {device} does not exist')
            continue
        port = f'{device}/{endpoint["port"]}'
        if kind == 'switch':
            switch = devices[kind][device]
            number = int(endpoint['base_port'].split('/')[1])
            breakout = switch.get('portBreakouts', {}).get(endpoint['base_port'])
            lanes = int(breakout.split('x')[0]) if breakout else 1
            if not 1 <= number <= PROFILE_PORTS.get(switch.get('profile'), 0):
                problems.append(f'Connection {name}: port {port} does not exist on {switch.get("profile")}')
            elif (endpoint['breakout'] is None) != (lanes == 1) or (endpoint['breakout'] or 1) > lanes:
                problems.append(f'Connection {name}: port {port} does not match breakout {breakout}')
            # E1/4 and E1/4/1 count as the same port only when the port is not broken out.
            port = f'{device}/{endpoint["port"] if lanes > 1 else endpoint["base_port"]}'
        if port in used:
            problems.append(f'Connection {name}: port {port} is already used by {used[port]}')
        used[port] = name
        if connection_type == 'fabric' and kind == 'switch':
            role = devices[kind][device]['role']
            if (endpoint['role'] == 'spine') != (role == 'spine'):
                problems.append(f'Connection {name}: {device} ({role}) is not a {endpoint["role"]}')


def check_link_ips(name, spec, connection_type, objects, seen, problems):
    """Fabric and gateway links: both ends hold the two addresses of one /31 in the fabric link subnet."""
    for link in spec[connection_type]['links']:
        ends = [_ip(end['ip']) for end in link.values()]
        if any(end.network.prefixlen != 31 or end.ip not in FABRIC_LINKS for end in ends) \
                or ends[0].network != ends[1].network or ends[0] == ends[1]:
            problems.append(f'Connection {name}: link IPs {[str(e) for e in ends]} are not one /31 of {FABRIC_LINKS}')
        for end in ends:
            if end.ip in seen:
                problems.append(f'Connection {name}: IP {end.ip} is also used by {seen[end.ip]}')
            seen[end.ip] = name
        gateway = link.get('gateway')
        if gateway:
            device, port = gateway['port'].split('/', 1)
            interface = objects['Gateway'].get(device, {}).get('interfaces', {}).get(port)
            if interface is None or gateway['ip'] not in interface.get('ips', []):
                problems.append(f'Connection {name}: gateway {device} has no interface {port} with {gateway["ip"]}')


def check_connections(objects, problems):
    used, seen = {}, {}
    for name, spec in objects['Connection'].items():
        connection_type = KIND_BY_NAME['Connection'].typed_fields(spec)['connection_type']
        check_ports(name, spec, connection_type, objects, used, problems)
        if connection_type in ('fabric', 'gateway'):
            check_link_ips(name, spec, connection_type, objects, seen, problems)
        if connection_type == 'eslag':
            switches = {end['switch']['port'].split('/')[0] for end in spec['eslag']['links']}
            groups = {str(objects['Switch'].get(s, {}).get('redundancy')) for s in switches}
            if not 2 <= len(switches) <= 4 or len(groups) != 1 or "'type': 'eslag'" not in groups.pop():
                problems.append(f'Connection {name}: ESLAG switches {sorted(switches)} share no ESLAG group')


def check_vpcs(objects, problems):
    vlan_ranges = _vlans(objects)
    vlans, subnets = {}, {}
    for name, spec in objects['VPC'].items():
        ipv4 = objects['IPv4Namespace'].get(spec.get('ipv4Namespace', 'default'))
        ranges = vlan_ranges.get(spec.get('vlanNamespace', 'default'))
        if ipv4 is None or ranges is None:
            problems.append(f'VPC {name}: its IPv4Namespace or VLANNamespace does not exist')
            continue
        for subnet_name, subnet in spec['subnets'].items():
            where = f'VPC {name} subnet {subnet_name}'
            network = ipaddress.ip_network(subnet['subnet'])
            if not any(network.subnet_of(ipaddress.ip_network(s)) for s in ipv4['subnets']):
                problems.append(f'{where}: {network} is outside its IPv4Namespace')
            for other, holder in subnets.items():
                if network.overlaps(other):
                    problems.append(f'{where}: {network} overlaps {holder}')
            subnets[network] = where
            vlan = subnet['vlan']
            if not any(vlan in r for r in ranges) or vlan in RESERVED_VLANS or vlan in vlans:
                problems.append(f'{where}: VLAN {vlan} is outside its namespace, reserved or taken')
            vlans[vlan] = where
            addresses = [subnet.get('gateway'), *subnet.get('dhcp', {}).get('range', {}).values()]
            if any(a and ipaddress.ip_address(a) not in network for a in addresses):
                problems.append(f'{where}: gateway or DHCP range outside {network}')


def check_attachments(objects, problems):
    attached = Counter()
    for name, spec in objects['VPCAttachment'].items():
        vpc_name, _, subnet = spec['subnet'].partition('/')
        vpc = objects['VPC'].get(vpc_name, {})
        if (subnet or 'default') not in vpc.get('subnets', {}):
            problems.append(f'VPCAttachment {name}: subnet {spec["subnet"]} does not exist')
        connection = objects['Connection'].get(spec['connection'])
        connection_type = connection and KIND_BY_NAME['Connection'].typed_fields(connection)['connection_type']
        if connection_type not in SERVER_CONNECTIONS:
            problems.append(f'VPCAttachment {name}: connection {spec["connection"]} is not a server connection')
        elif connection_type == 'eslag' and vpc.get('mode', '') not in ('', 'l2vni'):
            problems.append(f'VPCAttachment {name}: an ESLAG connection needs an L2VNI VPC')
        attached[spec['connection'], spec['subnet']] += 1
    problems += [f'connection {c} is attached to {s} twice' for (c, s), n in attached.items() if n > 1]
    for name, spec in objects['VPCPeering'].items():
        for entry in spec['permit']:
            if len(entry) != 2:
                problems.append(f'VPCPeering {name}: a permit entry names {len(entry)} VPCs, not 2')
            for vpc_name, permit in entry.items():
                known = objects['VPC'].get(vpc_name, {}).get('subnets', {})
                if not known or not set(permit.get('subnets', [])) <= set(known):
                    problems.append(f'VPCPeering {name}: VPC {vpc_name} or its subnets do not exist')


def check_externals(objects, problems):
    for name, spec in objects['External'].items():
        if spec.get('ipv4Namespace', 'default') not in objects['IPv4Namespace']:
            problems.append(f'External {name}: its IPv4Namespace does not exist')
    vlans = Counter()
    for name, spec in objects['ExternalAttachment'].items():
        external = objects['External'].get(spec['external'])
        connection = objects['Connection'].get(spec['connection'], {})
        if external is None or 'external' not in connection:
            problems.append(f'ExternalAttachment {name}: external or external connection does not exist')
            continue
        if ('static' in external) != ('static' in spec):
            problems.append(f'ExternalAttachment {name}: static and BGP are mixed with External {spec["external"]}')
        vlans[spec['connection'], (spec.get('static') or spec['switch'])['vlan']] += 1
    problems += [f'VLAN {v} is used twice on connection {c}' for (c, v), n in vlans.items() if n > 1]
    for name, spec in objects['ExternalPeering'].items():
        vpc, external = spec['permit']['vpc'], spec['permit']['external']
        known = objects['VPC'].get(vpc['name'], {}).get('subnets', {})
        if not known or not set(vpc.get('subnets', [])) <= set(known) or external['name'] not in objects['External']:
            problems.append(f'ExternalPeering {name}: its VPC, subnets or External do not exist')


def problems_of(objects, problems=()):
    problems = list(problems)
    for check in (check_switches, check_connections, check_vpcs, check_attachments, check_externals):
        check(objects, problems)
    return problems


def test_every_reference_resolves_and_every_rule_holds():
    objects, problems = read()
    assert problems_of(objects, problems) == []


def test_the_fabric_has_what_the_demo_shows():
    objects, _problems = read()
    switches = objects['Switch'].values()
    assert sum(s['role'] == 'spine' for s in switches) >= 2
    assert sum(s['role'] != 'spine' for s in switches) == 4
    assert Counter(s.get('redundancy', {}).get('group') for s in switches)['eslag-1'] == 2
    assert len(objects['Server']) == 8
    types = Counter(KIND_BY_NAME['Connection'].typed_fields(c)['connection_type']
                    for c in objects['Connection'].values())
    assert {'unbundled', 'bundled', 'eslag', 'fabric', 'gateway', 'external'} <= set(types)
    ports = [p for c in objects['Connection'].values() for p in KIND_BY_NAME['Connection'].typed_fields(c)['ports']]
    assert any(re.fullmatch(r'leaf-0\d/E1/\d+/\d', p) for p in ports), 'no breakout port in use'
    assert (len(objects['VPC']), len(objects['VPCPeering']), len(objects['GatewayGroup']), len(objects['Gateway'])) \
        == (3, 1, 1, 1)
    assert len(objects['VPCAttachment']) >= 3 and len(objects['ExternalAttachment']) >= 2
    assert len(objects['ExternalPeering']) >= 1
    assert all(objects[kind] for kind in ('VLANNamespace', 'IPv4Namespace'))


def _broken(change):
    objects, _problems = read()
    objects = copy.deepcopy(objects)
    change(objects)
    return problems_of(objects)


@pytest.mark.parametrize('change,message', [
    (lambda o: o['VPCAttachment']['vpc-1--server-03--bundled--leaf-01'].update(connection='server-03--bundled'),
     'VPCAttachment vpc-1--server-03--bundled--leaf-01: connection server-03--bundled is not a server connection'),
    (lambda o: o['VPCAttachment']['vpc-2--server-04--unbundled--leaf-02'].update(subnet='vpc-2/nope'),
     'VPCAttachment vpc-2--server-04--unbundled--leaf-02: subnet vpc-2/nope does not exist'),
    (lambda o: o['Server'].pop('server-08'),
     'Connection server-08--unbundled--leaf-04: server server-08 does not exist'),
    (lambda o: o['Connection']['server-05--unbundled--leaf-03']['unbundled']['link']['switch'].update(
        port='leaf-03/E1/55/2'),
     'Connection server-07--unbundled--leaf-03: port leaf-03/E1/55/2 is already used by '
     'server-05--unbundled--leaf-03'),
    (lambda o: o['Connection']['server-08--unbundled--leaf-04']['unbundled']['link']['switch'].update(
        port='leaf-04/E1/55/1'),
     'Connection server-08--unbundled--leaf-04: port leaf-04/E1/55/1 does not match breakout None'),
    (lambda o: o['VPC']['vpc-2']['subnets']['default'].update(vlan=1001),
     'VPC vpc-2 subnet default: VLAN 1001 is outside its namespace, reserved or taken'),
    (lambda o: o['ExternalPeering']['vpc-1--internet']['permit']['external'].update(name='nowhere'),
     'ExternalPeering vpc-1--internet: its VPC, subnets or External do not exist'),
])
def test_a_broken_reference_is_found(change, message):
    assert message in _broken(change)
