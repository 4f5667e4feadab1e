"""Synthetic but valid Hedgehog fabrics, as the Kubernetes objects a running cluster would return.

A fabric is a spine-leaf topology split into zones (tenants). Every zone has its own VLANNamespace and
IPv4Namespace, racks of two ESLAG leaves (one SwitchGroup per pair) with servers, VPCs with subnets, VLANs and
DHCP, VPC attachments, VPC peerings, and two externals (BGP and static) attached to the leaves of the zone's
first rack (mixed-leaf role) through external connections. Spines use the `default` VLANNamespace.

Objects follow the rules of the Hedgehog API (githedgehog/fabric webhooks, hhfab hydration): hydrated switches (ASN,
management, protocol and VTEP IPs inside the fabric defaults), unique leaf ASNs, /31 pairs on fabric links,
`device/port` strings with breakout sub-ports where the switch declares the breakout, every port used once, VLANs
unique per namespace, non-overlapping VPC subnets inside their IPv4Namespace, ESLAG connections only on L2VNI VPCs,
names of VPCs, IPv4Namespaces and Externals of at most 11 characters, and the labels the webhooks set. The spine
profile is a synthetic 128-port (4x100G breakout) model so that hundreds of leaves fit on one spine tier.

Everything is deterministic: arithmetic layout, plus a seeded RNG for serials, MACs and attachment choices.
"""
import ipaddress
import math
import random

from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS, to_manifest

from .shapes import (
    EXTERNAL_PEERING_EVERY,
    FABRIC_LINKS,
    FIRST_LEAF_ASN,
    L3VNI_EVERY,
    LEAF_BREAKOUTS,
    LEAF_DOWNLINKS,
    LEAF_PROFILE,
    LEAF_UPLINKS,
    MANAGEMENT_START,
    PROTOCOL_IPS,
    SERVER_PATTERN,
    SPINE_ASN,
    SPINE_PORTS,
    SPINE_PROFILE,
    VPC_SUBNET_PREFIX,
    VTEP_IPS,
    ZONE_VLANS,
    is_border,
    rack_leaves,
    spine_name,
    zone_name,
    zone_of,
)

__all__ = (
    'SEED',
    'generate',
)

SEED = 20260801


def _labels(**groups):
    """Webhook labels: `fabric.githedgehog.com/<key>` values and `<prefix>.fabric.githedgehog.com/<name>=true`."""
    labels = {}
    for key, value in groups.items():
        if isinstance(value, list | tuple | set):
            labels.update({f'{key}.fabric.githedgehog.com/{name}': 'true' for name in sorted(value)})
        else:
            labels[f'fabric.githedgehog.com/{key.replace("_", "-")}'] = str(value)
    return labels


class _Builder:
    """Accumulates the objects of one fabric in kind-table order (referenced kinds first)."""

    def __init__(self, shape, seed):
        self.shape = shape
        self.rng = random.Random(seed)
        self.objects = {k.kind: [] for k in KINDS}
        self.leaf_ports = {}
        self.spine_ports = {}
        self.link_ips = iter(FABRIC_LINKS)

    def add(self, kind, name, spec, labels=None, annotations=None):
        """Append one object of `kind` as its manifest."""
        self.objects[kind].append(to_manifest(KIND_BY_NAME[kind], name, spec, labels, annotations))

    def serial(self):
        """A switch serial number."""
        return ''.join(self.rng.choice('0123456789ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(20))

    def mac(self):
        """A switch MAC address (ZTP identity)."""
        return '0c:20:12:' + ':'.join(f'{self.rng.randrange(256):02x}' for _ in range(3))

    def port(self, switch):
        """The next free downlink port of a leaf, as "<leaf>/E1/N/M"."""
        return f'{switch}/{self.leaf_ports[switch].pop(0)}'

    # Wiring

    def profiles(self):
        """The two SwitchProfiles in use: a real leaf model and the synthetic spine."""
        leaf_ports = {
            f'E1/{n}': {'nos': f'Ethernet{4 * (n - 1)}', 'baseNOSName': f'Ethernet{4 * (n - 1)}', 'label': str(n),
                        'profile': 'QSFP28-100G'}
            for n in range(1, 33)
        }
        self.add('SwitchProfile', LEAF_PROFILE, {
            'displayName': 'Celestica DS3000', 'switchSilicon': 'Broadcom TD3-X7 3.2T', 'nosType': 'sonic-bcm-base',
            'platform': 'x86_64-cel_seastone_2-r0', 'maxPorts': 128,
            'features': {'subinterfaces': True, 'acls': True, 'l2vni': True, 'l3vni': True, 'roce': False,
                         'eslag': True, 'ecmpRoCEQPN': False},
            'ports': leaf_ports,
            'portProfiles': {'QSFP28-100G': {'breakout': {'default': '1x100G', 'supported': {
                '1x100G': {'offsets': ['0']}, '4x25G': {'offsets': ['0', '1', '2', '3']}}}}},
        })
        spine_ports = {
            f'E1/{n}': {'nos': f'Ethernet{8 * (n - 1)}', 'baseNOSName': f'Ethernet{8 * (n - 1)}', 'label': str(n),
                        'profile': 'QSFP-DD-400G'}
            for n in range(1, 129)
        }
        self.add('SwitchProfile', SPINE_PROFILE, {
            'displayName': 'Synthetic 128x400G spine', 'switchSilicon': 'Broadcom TH5', 'nosType': 'sonic-bcm-base',
            'platform': 'x86_64-bench_spine-r0', 'maxPorts': 512,
            'features': {'subinterfaces': True, 'acls': True, 'l2vni': True, 'l3vni': True, 'eslag': False},
            'ports': spine_ports,
            'portProfiles': {'QSFP-DD-400G': {'breakout': {'default': '1x400G', 'supported': {
                '1x400G': {'offsets': ['0']}, '4x100G': {'offsets': ['0', '2', '4', '6']}}}}},
        })

    def namespaces(self):
        """The spines' `default` VLANNamespace, and each zone's VLANNamespace and IPv4Namespace."""
        self.add('VLANNamespace', 'default', {'ranges': [{'from': 1000, 'to': 2999}]})
        for zone in range(1, self.shape.zones + 1):
            self.add('VLANNamespace', zone_name(zone), {'ranges': [{'from': ZONE_VLANS[0], 'to': ZONE_VLANS[1]}]})
            self.add('IPv4Namespace', zone_name(zone), {'subnets': [f'10.{zone}.0.0/16']})

    def switch(self, index, name, role, groups=(), redundancy=None, vlan_namespace='default', vtep=True,
               breakouts=None):
        """One hydrated Switch (ASN, management, protocol and VTEP IPs) with its webhook labels."""
        spec = {
            'role': role,
            'description': f'{role} {name}',
            'profile': SPINE_PROFILE if role == 'spine' else LEAF_PROFILE,
            'groups': sorted(groups),
            'vlanNamespaces': [vlan_namespace],
            'asn': SPINE_ASN if role == 'spine' else FIRST_LEAF_ASN + index,
            'ip': f'{MANAGEMENT_START + index}/21',
            'protocolIP': f'{PROTOCOL_IPS[index + 1]}/32',
            'portBreakouts': breakouts or {},
            'boot': {'serial': self.serial(), 'mac': self.mac()},
        }
        if redundancy:
            spec['redundancy'] = {'group': redundancy, 'type': 'eslag'}
        if vtep:
            spec['vtepIP'] = f'{VTEP_IPS[index + 1]}/32'
        if not spec['groups']:
            del spec['groups']
        labels = _labels(profile=spec['profile'], switchgroup=spec.get('groups', []), vlanns=[vlan_namespace])
        self.add('Switch', name, spec, labels, {'type.hhfab.githedgehog.com': 'hw'})

    def topology(self):
        """The `border` group, spines, racks (ESLAG group and two leaves each) and the fabric connections."""
        shape = self.shape
        self.add('SwitchGroup', 'border', {})
        for s in range(1, shape.spines + 1):
            name = spine_name(s)
            used = shape.leaves * shape.fabric_links
            breakouts = {f'E1/{n}': '4x100G' for n in range(1, math.ceil(used / 4) + 1)}
            self.switch(shape.leaves + s - 1, name, 'spine', vtep=False, breakouts=breakouts)
            self.spine_ports[name] = list(SPINE_PORTS)
        for rack in range(1, shape.racks + 1):
            zone = zone_of(shape, rack)
            group = f'eslag-{rack:04}'
            border = is_border(shape, rack)
            self.add('SwitchGroup', group, {})
            for leaf in rack_leaves(rack):
                index = int(leaf.split('-')[1]) - 1
                self.switch(index, leaf, 'mixed-leaf' if border else 'server-leaf',
                            groups=[group, 'border'] if border else [group], redundancy=group,
                            vlan_namespace=zone_name(zone), breakouts=dict(LEAF_BREAKOUTS))
                self.leaf_ports[leaf] = list(LEAF_DOWNLINKS)
        self.fabric_connections()

    def fabric_connections(self):
        """One fabric Connection per spine and leaf, with /31 IPs on both ends of every link."""
        shape = self.shape
        uplinks = {leaf: list(LEAF_UPLINKS) for leaf in self.leaf_ports}
        for s in range(1, shape.spines + 1):
            spine = spine_name(s)
            for leaf in self.leaf_ports:
                links = []
                for _ in range(shape.fabric_links):
                    spine_ip, leaf_ip = next(self.link_ips), next(self.link_ips)
                    links.append({
                        'spine': {'port': f'{spine}/{self.spine_ports[spine].pop(0)}', 'ip': f'{spine_ip}/31'},
                        'leaf': {'port': f'{leaf}/{uplinks[leaf].pop(0)}', 'ip': f'{leaf_ip}/31'},
                    })
                self.add('Connection', f'{spine}--fabric--{leaf}', {'fabric': {'links': links}},
                         _labels(connection_type='fabric', switch=[spine, leaf]))

    def servers(self):
        """Servers and their connections; returns [(connection name, connection type, zone)]."""
        shape = self.shape
        connections = []
        number = 0
        for rack in range(1, shape.racks + 1):
            leaf_a, leaf_b = rack_leaves(rack)
            for slot in range(shape.servers_per_rack):
                number += 1
                server = f'server-{number:05}'
                ctype = SERVER_PATTERN[slot % len(SERVER_PATTERN)]
                leaf = (leaf_a, leaf_b)[(slot // len(SERVER_PATTERN) + slot) % 2]
                self.add('Server', server, {'description': f'rack {rack} slot {slot + 1}'})
                if ctype == 'eslag':
                    name = f'{server}--eslag--{leaf_a}--{leaf_b}'
                    body = {'links': [
                        {'server': {'port': f'{server}/enp2s1'}, 'switch': {'port': self.port(leaf_a)}},
                        {'server': {'port': f'{server}/enp2s2'}, 'switch': {'port': self.port(leaf_b)}},
                    ]}
                    switches = [leaf_a, leaf_b]
                elif ctype == 'bundled':
                    name = f'{server}--bundled--{leaf}'
                    body = {'links': [
                        {'server': {'port': f'{server}/enp2s1'}, 'switch': {'port': self.port(leaf)}},
                        {'server': {'port': f'{server}/enp2s2'}, 'switch': {'port': self.port(leaf)}},
                    ]}
                    switches = [leaf]
                else:
                    name = f'{server}--unbundled--{leaf}'
                    body = {'link': {'server': {'port': f'{server}/enp2s1'}, 'switch': {'port': self.port(leaf)}}}
                    switches = [leaf]
                self.add('Connection', name, {ctype: body},
                         _labels(connection_type=ctype, switch=switches, server=[server]))
                connections.append((name, ctype, zone_of(shape, rack)))
        return connections

    # VPCs

    def vpcs(self):
        """VPCs of every zone; returns {zone: [(vpc name, [subnet names], l3vni)]}."""
        shape = self.shape
        zones = {}
        number = 0
        for zone in range(1, shape.zones + 1):
            network = ipaddress.IPv4Network(f'10.{zone}.0.0/16')
            subnets = network.subnets(new_prefix=VPC_SUBNET_PREFIX)
            zones[zone] = []
            for index in range(shape.vpcs_per_zone):
                number += 1
                name = f'vpc-{number:05}'
                l3vni = index % L3VNI_EVERY == L3VNI_EVERY - 1
                spec = {'ipv4Namespace': zone_name(zone), 'vlanNamespace': zone_name(zone), 'subnets': {}}
                if l3vni:
                    spec['mode'] = 'l3vni'
                names = []
                for k in range(1, shape.subnets_per_vpc + 1):
                    cidr = next(subnets)
                    base = cidr.network_address
                    subnet_name = f'subnet-{k:02}'
                    names.append(subnet_name)
                    spec['subnets'][subnet_name] = {
                        'subnet': str(cidr),
                        'gateway': str(base + 1),
                        'vlan': ZONE_VLANS[0] + index * shape.subnets_per_vpc + k - 1,
                        'dhcp': {'enable': True, 'range': {'start': str(base + 10), 'end': str(base + 50)}},
                    }
                if len(names) >= 2:
                    spec['permit'] = [names[:2]]
                self.add('VPC', name, spec, _labels(ipv4ns=zone_name(zone), vlanns=zone_name(zone)))
                zones[zone].append((name, names, l3vni))
        return zones

    def attachments(self, connections, zone_vpcs):
        """Each server connection joins `attachments_per_connection` VPCs of its zone (ESLAG: L2VNI VPCs only)."""
        candidates = {
            (zone, eslag): [v for v in vpcs if not (eslag and v[2])]
            for zone, vpcs in zone_vpcs.items() for eslag in (False, True)
        }
        for connection, ctype, zone in connections:
            chosen = self.rng.sample(candidates[zone, ctype == 'eslag'], self.shape.attachments_per_connection)
            for vpc, subnets, _l3vni in chosen:
                subnet = self.rng.choice(subnets)
                spec = {'connection': connection, 'subnet': f'{vpc}/{subnet}'}
                self.add('VPCAttachment', f'{vpc}--{connection}', spec,
                         _labels(vpc=vpc, subnet=subnet, connection=connection))

    def peerings(self, zone_vpcs):
        """Consecutive VPCs of a zone peer pairwise (first subnet of one side, all subnets of the other)."""
        for vpcs in zone_vpcs.values():
            for (a, a_subnets, _), (b, _b_subnets, _) in zip(vpcs[0::2], vpcs[1::2], strict=False):
                self.add('VPCPeering', f'{a}--{b}', {'permit': [{a: {'subnets': [a_subnets[0]]}, b: {}}]},
                         {**_labels(vpc1=a, vpc2=b), **_labels(vpc=[a, b])})

    def externals(self, zone_vpcs):
        """Per zone: a BGP and a static External, attached on both leaves of the border rack, and peerings of
        every 4th VPC with the BGP one."""
        shape = self.shape
        for zone in range(1, shape.zones + 1):
            bgp, static = f'bgp-{zone:02}', f'static-{zone:02}'
            self.add('External', bgp, {'ipv4Namespace': zone_name(zone), 'inboundCommunity': f'65102:{zone}',
                                       'outboundCommunity': f'{zone}:65102'}, _labels(ipv4ns=zone_name(zone)))
            self.add('External', static, {'ipv4Namespace': zone_name(zone),
                                          'static': {'prefixes': [f'192.168.{zone}.0/24']}},
                     _labels(ipv4ns=zone_name(zone)))
            border_rack = (zone - 1) * shape.racks_per_zone + 1
            for side, leaf in enumerate(rack_leaves(border_rack)):
                connection = f'{leaf}--external--edge-{zone:02}'
                self.add('Connection', connection, {'external': {'link': {'switch': {'port': self.port(leaf)}}}},
                         _labels(connection_type='external', switch=[leaf]))
                self.add('ExternalAttachment', f'{leaf}--{bgp}', {
                    'external': bgp, 'connection': connection,
                    'switch': {'vlan': 100, 'ip': f'100.{zone}.{side}.2/24'},
                    'neighbor': {'asn': 64102, 'ip': f'100.{zone}.{side}.6'},
                }, _labels(connection=connection, external=bgp))
                self.add('ExternalAttachment', f'{leaf}--{static}', {
                    'external': static, 'connection': connection, 'switch': {}, 'neighbor': {},
                    'static': {'remoteIP': f'100.{zone}.{side + 100}.6', 'vlan': 200,
                               'ip': f'100.{zone}.{side + 100}.2/24'},
                }, _labels(connection=connection, external=static))
            for vpc, subnets, _l3vni in zone_vpcs[zone][::EXTERNAL_PEERING_EVERY]:
                self.add('ExternalPeering', f'{vpc}--{bgp}', {'permit': {
                    'vpc': {'name': vpc, 'subnets': [subnets[0]]},
                    'external': {'name': bgp, 'prefixes': [{'prefix': '0.0.0.0/0'}]},
                }}, _labels(vpc=vpc, external=bgp))


def generate(shape, seed=SEED):
    """Every object of a fabric of `shape`, as Kubernetes manifests in kind-table order."""
    builder = _Builder(shape, seed)
    builder.profiles()
    builder.namespaces()
    builder.topology()
    connections = builder.servers()
    zone_vpcs = builder.vpcs()
    builder.externals(zone_vpcs)
    builder.attachments(connections, zone_vpcs)
    builder.peerings(zone_vpcs)
    return [obj for kind_spec in KINDS for obj in builder.objects[kind_spec.kind]]
