"""The sync measurements of one fabric size: initial sync, re-sync without change, re-sync after 1% changes and
0.5% deletions, re-sync after every switch's Agent moved its heartbeat (live state only), each in a fresh process
against the test server over HTTPS with paging, each checked for correctness (run counts and NetBox's rows per kind
against the cluster, the heartbeats stored) before its figures are kept; and the database's floor for the initial
sync's rows, plain and with NetBox's schema (bench.floor).
"""
import json
import statistics
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

from netbox_hedgehog.kinds import KINDS

from .agents import heartbeat, heartbeat_patches
from .cluster import Cluster
from .env import REPO_ROOT, wipe
from .inventory import inventory_sync, project_inventory
from .mutate import apply_mutations, list_objects, plan_mutations
from .phases import PHASES as SPLIT

__all__ = (
    'PHASES',
    'BenchError',
    'measure_fabric',
    'measure_size',
)

PHASES = ('initial', 'unchanged', 'changed', 'live')


class BenchError(RuntimeError):
    """A sync that failed or did not do exactly what the cluster called for: its figures would mean nothing."""


def _sync(fabric_id):
    result = subprocess.run([sys.executable, '-m', 'bench.syncrun', str(fabric_id)], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise BenchError(f'the sync process failed:\n{result.stderr[-3000:]}')
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures['status'] != 'succeeded':
        raise BenchError(f'sync {figures["status"]}: {figures["error"]}')
    return figures


def _expect(figures, phase, **expected):
    counts = {action: figures['counts'][action] for action in expected}
    if counts != expected:
        raise BenchError(f'{phase} sync did {counts}, expected {expected}')


def _check_rows(fabric, cluster_counts):
    stored = {k.kind: k.model.objects.filter(fabric=fabric).count() for k in KINDS}
    if stored != cluster_counts:
        raise BenchError(f'NetBox holds {stored}, the cluster {cluster_counts}')


def _check_heartbeats(fabric, beat):
    """Every switch has its live state, with the heartbeat its Agent reported last."""
    from django.utils.dateparse import parse_datetime

    from netbox_hedgehog.models import Switch, SwitchLiveState

    beats = dict(SwitchLiveState.objects.filter(fabric=fabric).values_list('switch__name', 'heartbeat'))
    switches = set(Switch.objects.filter(fabric=fabric).values_list('name', flat=True))
    stale = sorted(name for name in switches if beats.get(name) != parse_datetime(beat))
    if stale:
        raise BenchError(f'{len(stale)} switch(es) without the new heartbeat in NetBox, e.g. {stale[0]}')


def _cluster_counts(objects):
    counts = Counter(obj['kind'] for obj in objects)
    return {k.kind: counts.get(k.kind, 0) for k in KINDS}


def measure_fabric(fabric, kubeconfig, total, seed, sync, workdir, log, label):
    """The phases of one fabric whose cluster holds `total` objects, each sync done by `sync(fabric_id)` (returning
    the figures of bench.syncrun) and checked; the database's floors are measured after the initial sync.
    Returns ({phase: figures}, floor)."""
    from netbox_hedgehog.models import Switch, SyncRun

    from .floor import measure_floor

    results = {}
    log(f'  {label}: initial sync of {total} objects')
    results['initial'] = figures = sync(fabric.pk)
    _expect(figures, 'initial', create=total, update=0, delete=0, error=0)
    objects = list_objects(kubeconfig)
    _check_rows(fabric, _cluster_counts(objects))
    log(f'  {label}: the floor: the rows of the initial sync written again with COPY, plain and with NetBox\'s schema')
    floor = measure_floor(fabric, SyncRun.objects.get(pk=figures['run_id']), workdir)

    log(f'  {label}: re-sync, nothing changed')
    results['unchanged'] = figures = sync(fabric.pk)
    _expect(figures, 'unchanged', create=0, update=0, delete=0, unchanged=total)

    changes, deletions = plan_mutations(objects, seed)
    log(f'  {label}: {len(changes)} objects changed and {len(deletions)} deleted through the API; re-sync')
    apply_mutations(kubeconfig, changes, deletions)
    results['changed'] = figures = sync(fabric.pk)
    _expect(figures, 'changed', create=0, update=len(changes), delete=len(deletions), error=0)
    _check_rows(fabric, _cluster_counts(list_objects(kubeconfig)))

    switches = sorted(Switch.objects.filter(fabric=fabric).values_list('name', flat=True))
    beat = heartbeat(datetime.now(UTC) + timedelta(minutes=1))
    log(f'  {label}: the heartbeats of {len(switches)} Agents moved; re-sync (live state only)')
    apply_mutations(kubeconfig, heartbeat_patches(switches, beat), [])
    results['live'] = figures = sync(fabric.pk)
    _expect(figures, 'live', create=0, update=0, delete=0, error=0)
    _check_heartbeats(fabric, beat)

    for phase, figures in results.items():
        figures['objects'] = total if phase in ('initial', 'unchanged') else total - len(deletions)
        figures['changed'] = {'initial': total, 'unchanged': 0, 'changed': len(changes) + len(deletions),
                              'live': 0}[phase]
    return results, floor


def measure_once(size, workdir, seed, log, inventory=False):
    """One pass over the phases for `size` with a fresh server and fabric (projected into NetBox's inventory with
    `inventory`); returns ({phase: figures}, floor)."""
    from netbox_hedgehog.models import Fabric

    with Cluster(size, workdir, seed) as cluster:
        fabric = Fabric.objects.create(name=f'bench-{size}', kubeconfig=cluster.kubeconfig)
        sync = _sync
        if inventory:
            project_inventory(fabric, size)
            sync = inventory_sync(_sync, BenchError)
        results = measure_fabric(fabric, cluster.kubeconfig, cluster.count, seed, sync, workdir, log, size)
    wipe()
    return results


def summarise(samples):
    """Median of every figure over the repeats of one phase, with the samples kept alongside."""
    keys = ('wall_s', 'cpu_s', 'queries', 'rss_base_mb', 'rss_peak_mb')
    summary = {key: statistics.median(s[key] for s in samples) for key in keys}
    summary['rss_peak_mb'] = max(s['rss_peak_mb'] for s in samples)
    summary['load_1m'] = max(s['load_1m'] for s in samples)
    summary['objects'] = samples[0]['objects']
    summary['changed'] = samples[0]['changed']
    summary['objects_per_s'] = summary['objects'] / summary['wall_s']
    summary['queries_by_verb'] = samples[0]['queries_by_verb']
    summary['counts'] = samples[0]['counts']
    summary['inventory_counts'] = samples[0]['inventory_counts']
    summary['split_s'] = {phase: statistics.median(s['split_s'][phase] for s in samples) for phase in SPLIT}
    summary['samples'] = samples
    return summary


def _median_groups(samples):
    """Each group's figures of the first sample, with the median of its seconds over the samples."""
    return {
        group: {**samples[0]['groups'][group],
                'seconds': statistics.median(s['groups'][group]['seconds'] for s in samples)}
        for group in samples[0]['groups']
    }


def summarise_floor(samples):
    """Median seconds of the floors measured (in all and per group), rows and sizes (equal in every pass); the same
    for the floor with NetBox's schema, with the median of its commit and of its foreign key checks."""
    schemas = [s['schema'] for s in samples]
    schema = {key: statistics.median(s[key] for s in schemas) for key in ('seconds', 'commit_s', 'checks_s')}
    return {'seconds': statistics.median(s['seconds'] for s in samples), 'rows': samples[0]['rows'],
            'mb': samples[0]['mb'], 'groups': _median_groups(samples), 'samples': [s['seconds'] for s in samples],
            'schema': {**schema, 'rows': schemas[0]['rows'], 'groups': _median_groups(schemas),
                       'samples': [s['seconds'] for s in schemas]}}


def measure_size(size, workdir, seed, repeat, log, inventory=False):
    """Every phase of `size`, `repeat` times; returns ({phase: summary}, floor summary)."""
    passes = [measure_once(size, workdir, seed, log, inventory) for _ in range(repeat)]
    phases = {phase: summarise([figures[phase] for figures, _floor in passes]) for phase in PHASES}
    return phases, summarise_floor([floor for _figures, floor in passes])
