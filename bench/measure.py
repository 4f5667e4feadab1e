"""The sync measurements of one fabric size: initial sync, re-sync without change, re-sync after 1% changes and
0.5% deletions, each in a fresh process against the test server over HTTPS with paging, each checked for
correctness (run counts and NetBox's rows per kind against the cluster) before its figures are kept.
"""
import json
import statistics
import subprocess
import sys
from collections import Counter

from netbox_hedgehog.kinds import KINDS

from .cluster import Cluster
from .env import REPO_ROOT, wipe
from .mutate import apply_mutations, list_objects, plan_mutations

__all__ = (
    'PHASES',
    'BenchError',
    'measure_size',
)

PHASES = ('initial', 'unchanged', 'changed')


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


def _cluster_counts(objects):
    counts = Counter(obj['kind'] for obj in objects)
    return {k.kind: counts.get(k.kind, 0) for k in KINDS}


def measure_once(size, workdir, seed, log):
    """One pass over the phases for `size` with a fresh server and fabric; returns {phase: figures}."""
    from netbox_hedgehog.models import Fabric

    with Cluster(size, workdir, seed) as cluster:
        total = cluster.count
        fabric = Fabric.objects.create(name=f'bench-{size}', kubeconfig=cluster.kubeconfig)
        results = {}
        log(f'  {size}: initial sync of {total} objects')
        results['initial'] = figures = _sync(fabric.pk)
        _expect(figures, 'initial', create=total, update=0, delete=0, error=0)
        objects = list_objects(cluster.kubeconfig)
        _check_rows(fabric, _cluster_counts(objects))

        log(f'  {size}: re-sync, nothing changed')
        results['unchanged'] = figures = _sync(fabric.pk)
        _expect(figures, 'unchanged', create=0, update=0, delete=0, unchanged=total)

        changes, deletions = plan_mutations(objects, seed)
        log(f'  {size}: {len(changes)} objects changed and {len(deletions)} deleted through the API; re-sync')
        apply_mutations(cluster.kubeconfig, changes, deletions)
        results['changed'] = figures = _sync(fabric.pk)
        _expect(figures, 'changed', create=0, update=len(changes), delete=len(deletions), error=0)
        _check_rows(fabric, _cluster_counts(list_objects(cluster.kubeconfig)))

    for phase, figures in results.items():
        figures['objects'] = total if phase != 'changed' else total - len(deletions)
        figures['changed'] = {'initial': total, 'unchanged': 0, 'changed': len(changes) + len(deletions)}[phase]
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
    summary['samples'] = samples
    return summary


def measure_size(size, workdir, seed, repeat, log):
    """Every phase of `size`, `repeat` times; returns {phase: summary}."""
    passes = [measure_once(size, workdir, seed, log) for _ in range(repeat)]
    return {phase: summarise([p[phase] for p in passes]) for phase in PHASES}
