"""The benchmark's fabric generator: valid objects for the kind registry, counts as designed, consistent wiring."""
import re
from collections import Counter

import pytest

from bench.generate import SEED, generate
from bench.mutate import DELETABLE_KINDS, plan_mutations
from bench.shapes import SIZES
from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS

TINY_COUNTS = {
    'VLANNamespace': 2, 'SwitchGroup': 2, 'SwitchProfile': 2, 'Switch': 3, 'Server': 24, 'IPv4Namespace': 1,
    'GatewayGroup': 0, 'Gateway': 0, 'Connection': 28, 'VPC': 6, 'VPCAttachment': 24, 'VPCPeering': 3,
    'External': 2, 'ExternalAttachment': 4, 'ExternalPeering': 2, 'GatewayPeering': 0,
}
NAME = re.compile(r'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')


@pytest.fixture(scope='module')
def tiny():
    return generate(SIZES['tiny'])


def by_kind(objects):
    result = {k.kind: {} for k in KINDS}
    for obj in objects:
        result[obj['kind']][obj['metadata']['name']] = obj
    return result


def typed(obj):
    return KIND_BY_NAME[obj['kind']].typed_fields(obj['spec'])


def test_every_object_is_valid_for_the_kind_registry(tiny):
    for obj in tiny:
        kind_spec = KIND_BY_NAME[obj['kind']]
        assert obj['apiVersion'] == kind_spec.api_version
        assert obj['metadata']['namespace'] == 'default'
        assert NAME.fullmatch(obj['metadata']['name']), obj['metadata']['name']
        kind_spec.typed_fields(obj['spec'])
        if obj['kind'] in ('VPC', 'IPv4Namespace', 'External'):
            assert len(obj['metadata']['name']) <= 11


def test_counts_per_kind_are_as_designed(tiny):
    assert Counter(obj['kind'] for obj in tiny) == Counter({k: v for k, v in TINY_COUNTS.items() if v})
    assert SIZES['tiny'].expected_counts() == TINY_COUNTS
    assert len({(obj['kind'], obj['metadata']['name']) for obj in tiny}) == len(tiny) == 103
    assert 900 <= SIZES['1k'].total <= 1100
    assert 9000 <= SIZES['10k'].total <= 11000
    assert 45000 <= SIZES['50k'].total <= 55000


def test_connection_ports_reference_generated_devices_once(tiny):
    objects = by_kind(tiny)
    switches, servers = objects['Switch'], objects['Server']
    used = set()
    types = Counter()
    for name, conn in objects['Connection'].items():
        derived = typed(conn)
        types[derived['connection_type']] += 1
        assert set(derived['switches']) <= set(switches), name
        assert set(derived['servers']) <= set(servers), name
        for endpoint in derived['endpoints']:
            port = (endpoint['device'], endpoint['port'])
            assert port not in used, f'{name}: port {endpoint["port"]} used twice'
            used.add(port)
            if endpoint['device_kind'] == 'switch':
                # A sub-port only where the switch breaks the port out, a whole port only where it does not
                # (E1/4 and E1/4/1 are the same port).
                breakouts = switches[endpoint['device']]['spec']['portBreakouts']
                assert (endpoint['breakout'] is not None) == (endpoint['base_port'] in breakouts), endpoint
    assert types == {'fabric': 2, 'eslag': 12, 'bundled': 6, 'unbundled': 6, 'external': 2}
    for srv in servers:
        assert sum(srv in typed(c)['servers'] for c in objects['Connection'].values()) == 1


def test_references_resolve(tiny):
    objects = by_kind(tiny)
    connections = {name: typed(c) for name, c in objects['Connection'].items()}
    for switch in objects['Switch'].values():
        derived = typed(switch)
        assert derived['profile'] in objects['SwitchProfile']
        assert set(derived['groups']) <= set(objects['SwitchGroup'])
        assert set(derived['vlan_namespaces']) <= set(objects['VLANNamespace'])
    leaf_asns = [typed(s)['asn'] for s in objects['Switch'].values() if typed(s)['role'] != 'spine']
    assert len(set(leaf_asns)) == len(leaf_asns)
    vpcs = {name: typed(v) for name, v in objects['VPC'].items()}
    for attachment in objects['VPCAttachment'].values():
        derived = typed(attachment)
        assert derived['subnet'] in vpcs[derived['vpc']]['subnet_names']
        conn = connections[derived['connection']]
        assert conn['connection_type'] in ('unbundled', 'bundled', 'eslag')
        assert not (conn['connection_type'] == 'eslag' and vpcs[derived['vpc']]['mode'] == 'l3vni')
    for peering in objects['VPCPeering'].values():
        assert len(typed(peering)['vpcs']) == 2 and set(typed(peering)['vpcs']) <= set(vpcs)
    for attachment in objects['ExternalAttachment'].values():
        derived = typed(attachment)
        assert derived['external'] in objects['External']
        assert connections[derived['connection']]['connection_type'] == 'external'
    for peering in objects['ExternalPeering'].values():
        derived = typed(peering)
        assert derived['vpc'] in vpcs and derived['external'] in objects['External']
    vlans = [(v['vlan_namespace'], vlan) for v in vpcs.values() for vlan in v['vlans']]
    assert len(set(vlans)) == len(vlans)


def test_generation_is_deterministic(tiny):
    assert generate(SIZES['tiny']) == tiny
    assert generate(SIZES['tiny'], SEED + 1) != tiny


def test_mutation_plan_touches_every_kind_and_keeps_the_fabric_valid():
    objects = generate(SIZES['1k'])
    changes, deletions = plan_mutations(objects, SEED)
    kinds = {obj['kind'] for obj in objects}
    assert {kind for kind, _name in deletions} == set(DELETABLE_KINDS)
    assert {kind for kind, _name, _patch in changes} == {k for k in kinds if not KIND_BY_NAME[k].read_only}
    assert round(len(objects) * 0.005) <= len(deletions) <= round(len(objects) * 0.005) + len(DELETABLE_KINDS)
    assert round(len(objects) * 0.01) <= len(changes) <= round(len(objects) * 0.01) + len(kinds)
    assert not {(k, n) for k, n, _patch in changes} & set(deletions)
