"""Targets of issue 7, the printed table, and the JSON record of a benchmark run."""
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .env import REPO_ROOT

__all__ = (
    'evaluate',
    'machine_info',
    'render',
    'write_json',
)

RESULTS_DIR = REPO_ROOT / '.bench'

# Issue 7, "Targets on this 2-core machine".
TIME_TARGETS = {('10k', 'initial'): 10.0, ('10k', 'unchanged'): 3.0, ('10k', 'changed'): 4.0}
MEMORY_TARGET = ('50k', 500.0)
THROUGHPUT_RATIO_TARGET = 20.0
QUERY_TOLERANCE = 5
SCHEDULE_TIME_TARGET = 1.0


def _verdict(ok):
    return 'PASS' if ok else 'MISS'


def _target(name, measured, ok):
    return {'target': name, 'measured': measured, 'result': _verdict(ok)}


def evaluate(results):
    """Each target of issue 7 that this run measured: {'target', 'measured', 'result' (PASS or MISS)}."""
    sizes = results['sizes']
    targets = []
    for (size, phase), limit in TIME_TARGETS.items():
        if size in sizes:
            wall = sizes[size]['phases'][phase]['wall_s']
            targets.append(_target(f'{size} {phase} sync <= {limit:g} s', f'{wall:.2f} s', wall <= limit))
    measured = [s for s in sizes if s != 'tiny']
    if len(measured) >= 2:
        smallest, largest = measured[0], measured[-1]
        for phase in sizes[smallest]['phases']:
            low = sizes[smallest]['phases'][phase]['queries']
            high = sizes[largest]['phases'][phase]['queries']
            targets.append(_target(
                f'{phase} sync: SQL queries independent of size (within {QUERY_TOLERANCE})',
                f'{low:g} at {smallest}, {high:g} at {largest}', abs(high - low) <= QUERY_TOLERANCE,
            ))
    size, limit = MEMORY_TARGET
    if size in sizes:
        peak = max(p['rss_peak_mb'] for p in sizes[size]['phases'].values())
        targets.append(_target(f'peak memory at {size} <= {limit:g} MB', f'{peak:.0f} MB (peak RSS)', peak <= limit))
    for label, rest in results.get('rest', {}).items():
        ratio = rest['ratio']
        targets.append(_target(
            f'{label}: sync throughput >= {THROUGHPUT_RATIO_TARGET:g}x REST',
            f'{ratio:.0f}x ({rest["sync_objects_per_s"]:.0f} vs {rest["objects_per_s"]:.1f} objects/s)',
            ratio >= THROUGHPUT_RATIO_TARGET,
        ))
    schedule = results.get('schedule')
    if schedule:
        big, small = schedule['runs'][-1], schedule['runs'][0]
        targets.append(_target(
            f'master job, {big["fabrics"]} fabrics ({big["due"]} due) <= {SCHEDULE_TIME_TARGET:g} s',
            f'{big["wall_s"]:.3f} s', big['wall_s'] <= SCHEDULE_TIME_TARGET,
        ))
        targets.append(_target(
            'master job: constant number of queries',
            f'{small["queries"]} ({small["fabrics"]} fabrics), {big["queries"]} ({big["fabrics"]} fabrics)',
            small['queries'] == big['queries'],
        ))
    return targets


def _row(cells, widths):
    return '  '.join(str(c).rjust(w) if i > 1 else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                  strict=True)))


def render(results):
    """The human-readable report: sync figures per size and phase, REST, master job, targets."""
    lines = [
        f'netbox-hedgehog benchmark, {results["started"]}, {results["machine"]["cpus"]} CPUs, '
        f'k8s page size {results["settings"]["k8s_page_size"]}, median of {results["settings"]["repeat"]} run(s)',
        'Each sync runs in a fresh process; "peak" is its peak RSS (VmHWM), "base" the same just before the sync '
        '(NetBox loaded).',
        '',
    ]
    header = ('size', 'phase', 'objects', 'changed', 'wall s', 'obj/s', 'queries', 'CPU s', 'base MB', 'peak MB',
              'target', 'result')
    rows = []
    for size, data in results['sizes'].items():
        for phase, p in data['phases'].items():
            limit = TIME_TARGETS.get((size, phase))
            rows.append((size, phase, p['objects'], p['changed'], f'{p["wall_s"]:.2f}', f'{p["objects_per_s"]:.0f}',
                         f'{p["queries"]:g}', f'{p["cpu_s"]:.2f}', f'{p["rss_base_mb"]:.0f}',
                         f'{p["rss_peak_mb"]:.0f}', f'<= {limit:g} s' if limit else '',
                         _verdict(p['wall_s'] <= limit) if limit else ''))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines += [_row(header, widths), *(_row(r, widths) for r in rows)]
    loads = [p['load_1m'] for data in results['sizes'].values() for p in data['phases'].values()]
    if loads:
        lines.append(f'1-minute load average before the syncs: {min(loads):.1f} to {max(loads):.1f} on '
                     f'{results["machine"]["cpus"]} CPUs (other work on the machine slows every figure down)')
    lines.append('')
    for label, rest in results.get('rest', {}).items():
        lines.append(f'REST reference {label}: {rest["objects"]} objects in {rest["requests"]} bulk POSTs of '
                     f'<= {rest["batch"]}: {rest["wall_s"]:.1f} s, {rest["objects_per_s"]:.1f} objects/s; '
                     f'sync {rest["sync_objects_per_s"]:.0f} objects/s, ratio {rest["ratio"]:.0f}x')
    if schedule := results.get('schedule'):
        for run in schedule['runs']:
            lines.append(f'Master job: {run["fabrics"]} fabrics, {run["due"]} due: {run["wall_s"]:.3f} s, '
                         f'{run["queries"]} queries, {run["enqueued"]} enqueued')
    elif 'schedule_skipped' in results:
        lines.append(f'Master job: not measured ({results["schedule_skipped"]})')
    lines += ['', 'Targets (issue 7):']
    width = max((len(t['target']) for t in results['targets']), default=0)
    lines += [f'  {t["result"]}  {t["target"].ljust(width)}  {t["measured"]}' for t in results['targets']]
    return '\n'.join(lines)


def _git_commit():
    try:
        result = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO_ROOT, capture_output=True, text=True,
                                check=False)
    except OSError:
        return None
    return result.stdout.strip() or None


def _cpu_model():
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _memory_mb():
    try:
        pages, page_size = os.sysconf('SC_PHYS_PAGES'), os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError):
        return None
    return pages * page_size // 2 ** 20


def machine_info():
    """What the figures depend on: hardware, software versions, the commit measured."""
    from django.conf import settings
    from django.db import connection

    import netbox_hedgehog

    with connection.cursor() as cursor:
        cursor.execute('SHOW server_version')
        postgres = cursor.fetchone()[0]
    return {
        'hostname': platform.node(), 'platform': platform.platform(), 'cpu': _cpu_model(), 'cpus': os.cpu_count(),
        'memory_mb': _memory_mb(), 'python': platform.python_version(), 'postgresql': postgres,
        'netbox': settings.RELEASE.version, 'plugin': netbox_hedgehog.__version__, 'git_commit': _git_commit(),
    }


def write_json(results):
    """Write the results to .bench/results-<UTC timestamp>.json and return the path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f'results-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json'
    path.write_text(json.dumps(results, indent=2, default=str) + '\n')
    return path
