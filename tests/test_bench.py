"""The benchmark: its fabric generator (valid objects for the kind registry, counts as designed, consistent wiring),
the database floor, the split of a sync's time per phase, and the ratio targets it prints."""
import importlib
import re
import tempfile
from collections import Counter

import pytest
from django.db import connection

from bench.agents import agents
from bench.floor import GROUPS, SCHEMA
from bench.generate import SEED, generate
from bench.measure import measure_fabric, summarise, summarise_floor
from bench.mutate import DELETABLE_KINDS, plan_mutations
from bench.phases import PHASE_FUNCTIONS, PHASES, PhaseClock
from bench.report import evaluate, render
from bench.shapes import SIZES
from bench.syncrun import measure_sync
from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS
from netbox_hedgehog.models import Fabric
from tests.cluster import ClusterTestCase

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
    assert 95000 <= SIZES['100k'].total <= 105000


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


class FakeClock:
    """A clock the test moves by hand, so that the time charged to each phase is exact."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


CLOCK = FakeClock()


def fake_serializer(count):
    CLOCK.now += 2.0
    return list(range(count))


def fake_rows(count):
    for number in range(count):
        CLOCK.now += 0.5
        yield number


def fake_write(count):
    CLOCK.now += 1.0
    serialized = fake_serializer(count)
    written = []
    for row in fake_rows(count):
        CLOCK.now += 0.25
        written.append(row)
    CLOCK.now += 1.0
    return serialized + written


def test_phase_clock_charges_exclusive_time_generators_included():
    clock, original = PhaseClock(CLOCK), fake_write
    functions = (('write', __name__, 'fake_write'), ('serialize', __name__, 'fake_serializer'),
                 ('serialize', __name__, 'fake_rows'))
    start = CLOCK.now
    with clock.patched(functions):
        assert fake_write(4) == [0, 1, 2, 3, 0, 1, 2, 3]
    CLOCK.now += 3.0
    # write: 1 + 4 x 0.25 + 1 of its own; serialize: 2 for the list, 4 x 0.5 while the rows were pulled.
    assert clock.split(CLOCK.now - start) == {'read': 0.0, 'plan': 0.0, 'serialize': 4.0, 'write': 3.0, 'other': 3.0}
    # Outside the block the functions are the originals again.
    assert fake_write is original


def test_every_phase_function_is_where_the_engine_calls_it():
    for _phase, module, path in PHASE_FUNCTIONS:
        owner = importlib.import_module(module)
        for name in path.split('.'):
            owner = getattr(owner, name, None)
        assert callable(owner), f'{module}.{path}'
    with pytest.raises(LookupError, match=r'tests\.test_bench\.gone no longer exists: .* update PHASE_FUNCTIONS'):
        with PhaseClock().patched((('plan', __name__, 'gone'),)):
            pass


def _results(size, phases, floor):
    return {
        'started': '2026-12-06T00:00:00+00:00', 'machine': {'cpus': 2},
        'settings': {'k8s_page_size': 500, 'repeat': 1}, 'rest': {},
        'sizes': {size: {'phases': phases, 'floor': floor}},
    }


def _figures(wall, peak=300.0, base=180.0):
    return {'wall_s': wall, 'rss_peak_mb': peak, 'rss_base_mb': base, 'objects': 10000, 'changed': 0,
            'queries': 88, 'objects_per_s': 10000 / wall, 'cpu_s': wall, 'load_1m': 1.0,
            'split_s': {phase: wall / len(PHASES) for phase in PHASES}}


FLOOR = {'seconds': 2.0, 'rows': 40000, 'mb': 32.0,
         'groups': {group: {'rows': 10000, 'mb': 8.0, 'seconds': 0.5} for group in GROUPS},
         'schema': {'seconds': 4.0, 'commit_s': 1.0, 'checks_s': 0.9, 'rows': 40000,
                    'groups': {group: {'rows': 10000, 'seconds': 0.75} for group in GROUPS}}}


def test_ratio_targets_pass_up_to_their_limit_and_miss_beyond():
    passing = _results('10k', {'initial': _figures(8.0), 'unchanged': _figures(0.6), 'changed': _figures(1.2)}, FLOOR)
    missing = _results('10k', {'initial': _figures(8.2), 'unchanged': _figures(0.62), 'changed': _figures(1.22)},
                       FLOOR)
    verdicts = {t['target']: (t['result'], t['measured']) for t in evaluate(passing)}
    # On the plain floor (2 s), not on the floor with NetBox's schema (4 s).
    assert verdicts == {
        '10k initial sync <= 4x the floor of the 10k initial sync': ('PASS', '4.00x (8.00 s / 2.00 s)'),
        '10k unchanged sync <= 0.3x the floor of the 10k initial sync': ('PASS', '0.30x (0.60 s / 2.00 s)'),
        '10k changed sync <= 0.6x the floor of the 10k initial sync': ('PASS', '0.60x (1.20 s / 2.00 s)'),
        '10k initial sync <= 10 s': ('PASS', '8.00 s'),
        '10k unchanged sync <= 3 s': ('PASS', '0.60 s'),
        '10k changed sync <= 4 s': ('PASS', '1.20 s'),
    }
    assert [t['result'] for t in evaluate(missing) if 17 in t['issues']] == ['MISS'] * 3


def test_live_state_target_is_printed_for_issue_16():
    phases = {'initial': _figures(8.0), 'unchanged': _figures(0.6), 'changed': _figures(1.2)}
    for wall, verdict in ((1.0, 'PASS'), (1.01, 'MISS')):
        results = _results('10k', {**phases, 'live': _figures(wall)}, FLOOR)
        results['targets'] = evaluate(results)
        assert [(t['target'], t['result']) for t in results['targets'] if 16 in t['issues']] == [
            ('10k live-state-only re-sync (heartbeats moved) <= 1 s', verdict)]
        report = render(results).splitlines()
        assert report[report.index('Targets (issue 16):') + 1].split()[0] == verdict


def test_every_switch_has_an_agent_whose_lldp_verifies_every_planned_link(tiny):
    from netbox_hedgehog.live.agents import parse_agent
    from netbox_hedgehog.live.cabling import check_fabric

    objects = by_kind(tiny)
    live = dict(parse_agent(agent) for agent in agents(tiny))
    assert set(live) == set(objects['Switch'])
    profiles = {name: sw['spec']['profile'] for name, sw in objects['Switch'].items()}
    checks = check_fabric([(name, c['spec']) for name, c in objects['Connection'].items()], profiles,
                          {name: p['spec'] for name, p in objects['SwitchProfile'].items()},
                          {name: state['interfaces'] for name, state in live.items()})
    planned = [c for c in checks if c.connection]
    assert planned and Counter(c.status for c in checks) == Counter(
        {'verified': sum(1 for c in planned if c.status != 'external'),
         'external': sum(1 for c in planned if c.status == 'external')})
    for name, state in live.items():
        assert state['applied_generation'] == state['generation'] == 1, name
        ports = state['interfaces']
        up = {port for port, iface in ports.items() if iface['oper'] == 'up'}
        assert up == {c.port for c in planned if c.switch == name}, name
        assert len(ports) > len(up), name   # ports no connection names are there, down


def test_memory_targets_over_base_and_growth_per_thousand_objects():
    results = _results('10k', {'initial': _figures(8.0, peak=250.0), 'unchanged': _figures(0.6, peak=200.0),
                               'changed': _figures(1.2, peak=210.0)}, FLOOR)
    big = {**_figures(30.0, peak=280.0, base=180.0), 'objects': 50000}
    results['sizes']['50k'] = {'phases': {'initial': big, 'unchanged': _figures(3.0, peak=250.0, base=190.0),
                                          'changed': _figures(4.0, peak=260.0, base=190.0)}, 'floor': FLOOR}
    verdicts = {t['target']: (t['result'], t['measured']) for t in evaluate(results) if 17 in t['issues']}
    assert verdicts['peak memory at 50k <= base + 100 MB'] == ('PASS', '280 MB = base 180 MB + 100 MB (initial sync)')
    assert verdicts['peak memory grows < 2 MB per 1,000 objects from 10k to 50k'] == (
        'PASS', '0.75 MB (250 MB at 10,000, 280 MB at 50,000)')
    big['rss_peak_mb'] = 331.0
    verdicts = {t['target']: t['result'] for t in evaluate(results) if 17 in t['issues']}
    assert verdicts['peak memory at 50k <= base + 100 MB'] == 'MISS'
    assert verdicts['peak memory grows < 2 MB per 1,000 objects from 10k to 50k'] == 'MISS'


class BenchmarkPassTest(ClusterTestCase):
    """One pass of the benchmark over the tiny fabric, each sync measured in this process."""

    def test_floor_split_and_ratios_are_measured_and_printed(self):
        objects = generate(SIZES['tiny'])
        for obj in [*objects, *agents(objects)]:
            self.kube.put(obj)
        kubeconfig = self.kube.kubeconfig()
        fabric = Fabric.objects.create(name='bench-tiny', kubeconfig=kubeconfig)
        with tempfile.TemporaryDirectory() as workdir:
            phases, floor = measure_fabric(fabric, kubeconfig, len(objects), SEED, measure_sync, workdir,
                                           lambda message: None, 'tiny')

        # The floor wrote again exactly the rows the initial sync wrote, and left no scratch table behind.
        groups = {group: figures['rows'] for group, figures in floor['groups'].items()}
        assert groups['objects'] == groups['change records'] == groups['sync changes'] == 103
        assert groups['search values'] >= 103
        assert floor['rows'] == sum(groups.values())
        assert floor['seconds'] > 0 and floor['mb'] > 0
        # The floor with NetBox's schema wrote the same rows again, into tables with the real ones' indexes and
        # deferred foreign keys, checked before its commit; both floors' scratch tables are gone.
        schema = floor['schema']
        assert {group: figures['rows'] for group, figures in schema['groups'].items()} == groups
        assert schema['rows'] == floor['rows']
        assert schema['seconds'] >= schema['commit_s'] >= schema['checks_s'] > 0
        with connection.cursor() as cursor:
            cursor.execute('SELECT count(*) FROM pg_namespace WHERE nspname = %s', [SCHEMA])
            assert cursor.fetchone()[0] == 0

        # Every sync's wall time is split over the phases; nothing is serialized when nothing changed.
        for phase, figures in phases.items():
            split = figures['split_s']
            assert set(split) == set(PHASES), phase
            assert min(split.values()) >= 0, (phase, split)
            assert sum(split.values()) == pytest.approx(figures['wall_s']), phase
            assert split['read'] > 0 and split['plan'] > 0, (phase, split)
        assert phases['initial']['split_s']['serialize'] > 0 and phases['initial']['split_s']['write'] > 0
        assert phases['unchanged']['split_s']['serialize'] == 0
        assert phases['changed']['split_s']['serialize'] > 0
        # Heartbeats moved: live state only, nothing of the fabric's objects written.
        assert phases['live']['counts'] == {'create': 0, 'update': 0, 'delete': 0, 'error': 0,
                                            'unchanged': phases['live']['objects']}
        assert phases['live']['split_s']['serialize'] == 0

        results = _results('tiny', {phase: summarise([figures]) for phase, figures in phases.items()},
                           summarise_floor([floor]))
        results['targets'] = evaluate(results)
        report = render(results).splitlines()
        floor_line = next(line for line in report if line.startswith('  tiny: '))
        assert re.fullmatch(
            rf'  tiny: {floor["rows"]:,} rows, \d+\.\d MB in \d+\.\d\d s \(objects 103 rows \d+\.\d MB \d+\.\d\d s; '
            rf'change records 103 rows .*; search values {groups["search values"]} rows .*; sync changes 103 rows .*\)',
            floor_line)
        number = r'\d+\.\d\d'
        heading = next(i for i, line in enumerate(report) if line.startswith("Floor with NetBox's schema: "))
        assert re.fullmatch(
            rf'  tiny: {floor["rows"]:,} rows in {number} s, commit {number} s of which foreign key checks {number} s '
            rf'\(objects 103 rows {number} s; change records 103 rows {number} s; '
            rf'search values {groups["search values"]} rows {number} s; sync changes 103 rows {number} s\)',
            report[heading + 1])
        split_table = report[next(i for i, line in enumerate(report) if line.startswith('Where the time goes')):]
        assert split_table[1].split() == ['size', 'phase', 'wall', 's', 'read', 's', 'plan', 's', 'serialize', 's',
                                          'write', 's', 'other', 's', 'floor', 's', 'ratio', 'schema', 'floor',
                                          's', 'schema', 'ratio']
        for phase in ('initial', 'unchanged', 'changed', 'live'):
            row = next(line.split() for line in split_table if line.split()[:2] == ['tiny', phase])
            assert all(re.fullmatch(number, cell) for cell in [*row[2:-3], row[-2]]), row
            wall, floor_s, schema_s = float(row[2]), float(row[-4]), float(row[-2])
            assert row[-3] == f'{phases[phase]["wall_s"] / floor["seconds"]:.2f}x'
            assert row[-1] == f'{phases[phase]["wall_s"] / schema["seconds"]:.2f}x'
            assert wall == round(phases[phase]['wall_s'], 2) and floor_s == round(floor['seconds'], 2)
            assert schema_s == round(schema['seconds'], 2)
        assert report[report.index('Targets (issue 17):') + 1] == '  none at the sizes measured'


def test_inventory_runs_are_judged_by_issue_15s_targets():
    results = _results('10k', {'initial': _figures(14.0), 'unchanged': _figures(1.6), 'changed': _figures(3.0)}, FLOOR)
    results['sizes']['1k'] = {'phases': {phase: {**_figures(1.0), 'queries': 89 if phase == 'initial' else 88}
                                         for phase in ('initial', 'unchanged', 'changed')}, 'floor': FLOOR}
    results['sizes'] = {size: results['sizes'][size] for size in ('1k', '10k')}
    results['settings']['inventory'] = True
    results['targets'] = evaluate(results)
    verdicts = {t['target']: (t['result'], t['measured']) for t in results['targets'] if 15 in t['issues']}
    assert verdicts == {
        '10k initial sync <= 15 s': ('PASS', '14.00 s'),
        '10k unchanged sync <= 1.5 s': ('MISS', '1.60 s'),
        '10k changed sync <= 3 s': ('PASS', '3.00 s'),
        'initial sync with the projection: SQL statements equal at every size': ('MISS', '89 at 1k, 88 at 10k'),
        'unchanged sync with the projection: SQL statements equal at every size': ('PASS', '88 at 1k, 88 at 10k'),
        'changed sync with the projection: SQL statements equal at every size': ('PASS', '88 at 1k, 88 at 10k'),
    }
    # Issue 7's time limits are for the sync without the projection: not applied to this run.
    assert not [t for t in results['targets'] if 7 in t['issues'] and t['target'].endswith(' s')]
    report = render(results).splitlines()
    assert report[0].endswith(', inventory projection on (an inventory site)')
    row = next(line.split() for line in report if line.split()[:2] == ['10k', 'unchanged'])
    assert row[-4:] == ['<=', '1.5', 's', 'MISS']
    assert report[report.index('Targets (issue 15):') + 2] == (
        f'  MISS  {"10k unchanged sync <= 1.5 s".ljust(max(len(t["target"]) for t in results["targets"]))}  1.60 s')


class InventoryBenchmarkPassTest(ClusterTestCase):
    """`make bench --inventory` over the tiny fabric, each sync measured in this process: the projection is
    written by the initial sync, left alone by the unchanged one, and checked."""

    def test_the_projection_is_measured_and_checked(self):
        from dcim.models import Device

        from bench.inventory import inventory_sync, project_inventory
        from bench.measure import BenchError

        objects = generate(SIZES['tiny'])
        for obj in [*objects, *agents(objects)]:
            self.kube.put(obj)
        kubeconfig = self.kube.kubeconfig()
        fabric = Fabric.objects.create(name='bench-tiny', kubeconfig=kubeconfig)
        project_inventory(fabric, 'tiny')
        sync = inventory_sync(measure_sync, BenchError)
        with tempfile.TemporaryDirectory() as workdir:
            phases, _floor = measure_fabric(fabric, kubeconfig, len(objects), SEED, sync, workdir,
                                            lambda message: None, 'tiny')

        devices = TINY_COUNTS['Switch'] + TINY_COUNTS['Server'] + TINY_COUNTS['Gateway']
        assert Device.objects.filter(site__name='bench-tiny').count() == devices
        initial = phases['initial']
        assert initial['counts']['create'] == len(objects)      # the Hedgehog objects alone
        assert initial['inventory_counts']['create'] > devices and initial['inventory_counts']['error'] == 0
        assert phases['unchanged']['inventory_counts'] == {'create': 0, 'update': 0, 'delete': 0, 'error': 0,
                                                           'unchanged': initial['inventory_counts']['create']}

        # A sync that leaves the fabric as it is but writes to the projection (restoring a managed field edited in
        # NetBox) is refused.
        device = Device.objects.filter(site__name='bench-tiny').first()
        Device.objects.filter(pk=device.pk).update(description='edited in NetBox')
        with pytest.raises(BenchError, match=r"the sync did \{'update': 1\} in the inventory, expected none"):
            sync(fabric.pk)
