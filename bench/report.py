"""Targets of issues 7, 16 (item 7) and 17 (15 with the inventory projection), the printed tables, and the JSON
record of a benchmark run."""
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from .env import REPO_ROOT
from .floor import GROUPS
from .inventory import INVENTORY_MEMORY_TARGET, INVENTORY_TIME_TARGETS
from .phases import PHASES as SPLIT

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

# Issue 17: each phase's wall time against the floor of the initial sync's rows, at the sizes named.
RATIO_TARGETS = (
    ('initial', 4.0, ('10k', '50k', '100k')),
    ('unchanged', 0.3, ('10k', '100k')),
    ('changed', 0.6, ('10k', '100k')),
)
MEMORY_SIZE = '50k'
# Issue 16, item 7: a re-sync whose only change is live state (every Agent's heartbeat moved).
LIVE_TARGETS = {('10k', 'live'): 1.0}
MEMORY_OVER_BASE_MB = 100.0
GROWTH_SIZES = ('10k', '50k')
GROWTH_MB_PER_1000 = 2.0


def _verdict(ok):
    return 'PASS' if ok else 'MISS'


def _target(name, measured, ok, issues=(7,)):
    return {'issues': issues, 'target': name, 'measured': measured, 'result': _verdict(ok)}


def _time_targets(results):
    """The wall-time limits of this run ({(size, phase): seconds}) and the issue they come from: issue 15's with the
    inventory projection on, issue 7's without."""
    if results['settings'].get('inventory'):
        return INVENTORY_TIME_TARGETS, 15
    return TIME_TARGETS, 7


def _floor_ratio(sizes, size, phase):
    """A phase's wall time over the floor of the initial sync's rows of the same size."""
    return sizes[size]['phases'][phase]['wall_s'] / sizes[size]['floor']['seconds']


def _memory_targets(sizes):
    """Issue 17's memory targets: peak over base at 50k, growth of the peak between 10k and 50k."""
    targets = []
    if MEMORY_SIZE in sizes:
        phases = sizes[MEMORY_SIZE]['phases']
        phase = max(phases, key=lambda p: phases[p]['rss_peak_mb'] - phases[p]['rss_base_mb'])
        peak, base = phases[phase]['rss_peak_mb'], phases[phase]['rss_base_mb']
        targets.append(_target(
            f'peak memory at {MEMORY_SIZE} <= base + {MEMORY_OVER_BASE_MB:g} MB',
            f'{peak:.0f} MB = base {base:.0f} MB + {peak - base:.0f} MB ({phase} sync)',
            peak - base <= MEMORY_OVER_BASE_MB, (17,),
        ))
    low, high = GROWTH_SIZES
    if low in sizes and high in sizes:
        peaks = {size: max(p['rss_peak_mb'] for p in sizes[size]['phases'].values()) for size in GROWTH_SIZES}
        objects = {size: sizes[size]['phases']['initial']['objects'] for size in GROWTH_SIZES}
        growth = (peaks[high] - peaks[low]) / (objects[high] - objects[low]) * 1000
        targets.append(_target(
            f'peak memory grows < {GROWTH_MB_PER_1000:g} MB per 1,000 objects from {low} to {high}',
            f'{growth:.2f} MB ({peaks[low]:.0f} MB at {objects[low]:,}, {peaks[high]:.0f} MB at {objects[high]:,})',
            growth < GROWTH_MB_PER_1000, (17,),
        ))
    return targets


def _ratio_targets(sizes):
    """Issue 17's time targets: each a phase's wall time over the floor measured in the same run."""
    targets = []
    for phase, limit, names in RATIO_TARGETS:
        for size in names:
            if size in sizes:
                value = _floor_ratio(sizes, size, phase)
                targets.append(_target(
                    f'{size} {phase} sync <= {limit:g}x the floor of the {size} initial sync',
                    f'{value:.2f}x ({sizes[size]["phases"][phase]["wall_s"]:.2f} s / '
                    f'{sizes[size]["floor"]["seconds"]:.2f} s)', value <= limit, (17,),
                ))
    return targets


def evaluate(results):
    """Each target of issues 7, 16 and 17 that this run measured: {'issues', 'target', 'measured', 'result' (PASS or
    MISS)}."""
    sizes = results['sizes']
    targets = [*_ratio_targets(sizes), *_memory_targets(sizes)]
    time_targets, issue = _time_targets(results)
    for (size, phase), limit in time_targets.items():
        if size in sizes:
            wall = sizes[size]['phases'][phase]['wall_s']
            targets.append(_target(f'{size} {phase} sync <= {limit:g} s', f'{wall:.2f} s', wall <= limit, (issue,)))
    for (size, phase), limit in LIVE_TARGETS.items():
        if phase in sizes.get(size, {}).get('phases', {}):
            wall = sizes[size]['phases'][phase]['wall_s']
            targets.append(_target(f'{size} live-state-only re-sync (heartbeats moved) <= {limit:g} s',
                                   f'{wall:.2f} s', wall <= limit, (16,)))
    measured = [s for s in sizes if s != 'tiny']
    if len(measured) >= 2:
        smallest, largest = measured[0], measured[-1]
        for phase in sizes[smallest]['phases']:
            low = sizes[smallest]['phases'][phase]['queries']
            high = sizes[largest]['phases'][phase]['queries']
            targets.append(_target(
                f'{phase} sync: SQL queries independent of size (within {QUERY_TOLERANCE})',
                f'{low:g} at {smallest}, {high:g} at {largest}', abs(high - low) <= QUERY_TOLERANCE, (7, 17),
            ))
            if issue == 15:
                targets.append(_target(f'{phase} sync with the projection: SQL statements equal at every size',
                                       f'{low:g} at {smallest}, {high:g} at {largest}', high == low, (15,)))
    size, limit = INVENTORY_MEMORY_TARGET if issue == 15 else MEMORY_TARGET
    if size in sizes:
        peak = max(p['rss_peak_mb'] for p in sizes[size]['phases'].values())
        targets.append(_target(f'peak memory at {size} <= {limit:g} MB', f'{peak:.0f} MB (peak RSS)', peak <= limit,
                               (issue,)))
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
        f'k8s page size {results["settings"]["k8s_page_size"]}, median of {results["settings"]["repeat"]} run(s)'
        f'{", inventory projection on (an inventory site)" if results["settings"].get("inventory") else ""}',
        'Each sync runs in a fresh process; "peak" is its peak RSS (VmHWM), "base" the same just before the sync '
        '(NetBox loaded).',
        '',
    ]
    header = ('size', 'phase', 'objects', 'changed', 'wall s', 'obj/s', 'queries', 'CPU s', 'base MB', 'peak MB',
              'target', 'result')
    rows = []
    for size, data in results['sizes'].items():
        for phase, p in data['phases'].items():
            limit = _time_targets(results)[0].get((size, phase)) or LIVE_TARGETS.get((size, phase))
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
    lines += ['', *_floor_lines(results['sizes']), '', *_split_lines(results['sizes'])]
    width = max((len(t['target']) for t in results['targets']), default=0)
    for issue in (15, 17, 16, 7) if results['settings'].get('inventory') else (17, 16, 7):
        lines += ['', f'Targets (issue {issue}):']
        lines += [f'  {t["result"]}  {t["target"].ljust(width)}  {t["measured"]}' for t in results['targets']
                  if issue in t['issues']] or ['  none at the sizes measured']
    return '\n'.join(lines)


def _floor_lines(sizes):
    lines = ['Floor: the rows each initial sync wrote, written again with plain COPY into scratch tables (LIKE the '
             'real ones, no indexes), one transaction:']
    for size, data in sizes.items():
        floor = data['floor']
        groups = '; '.join(f'{group} {floor["groups"][group]["rows"]:,} rows {floor["groups"][group]["mb"]:.1f} MB '
                           f'{floor["groups"][group]["seconds"]:.2f} s' for group in GROUPS)
        lines.append(f'  {size}: {floor["rows"]:,} rows, {floor["mb"]:.1f} MB in {floor["seconds"]:.2f} s ({groups})')
    lines.append("Floor with NetBox's schema: the same rows COPYed into scratch tables with the real tables' indexes "
                 'and foreign keys (deferred, checked at the end), one transaction; the commit part runs from the last '
                 'row written and includes the foreign key checks:')
    for size, data in sizes.items():
        schema = data['floor']['schema']
        groups = '; '.join(f'{group} {schema["groups"][group]["rows"]:,} rows '
                           f'{schema["groups"][group]["seconds"]:.2f} s' for group in GROUPS)
        lines.append(f'  {size}: {schema["rows"]:,} rows in {schema["seconds"]:.2f} s, commit '
                     f'{schema["commit_s"]:.2f} s of which foreign key checks {schema["checks_s"]:.2f} s ({groups})')
    return lines


def _split_lines(sizes):
    """Each sync's wall time per phase (bench/phases.py) and its ratio to the floor of its size, plain and with
    NetBox's schema."""
    header = ('size', 'phase', 'wall s', *(f'{phase} s' for phase in SPLIT), 'floor s', 'ratio', 'schema floor s',
              'schema ratio')
    rows = [
        (size, phase, f'{p["wall_s"]:.2f}', *(f'{p["split_s"][name]:.2f}' for name in SPLIT),
         f'{data["floor"]["seconds"]:.2f}', f'{_floor_ratio(sizes, size, phase):.2f}x',
         f'{data["floor"]["schema"]["seconds"]:.2f}', f'{p["wall_s"] / data["floor"]["schema"]["seconds"]:.2f}x')
        for size, data in sizes.items() for phase, p in data['phases'].items()
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return ['Where the time goes (read and parse, plan, serialize change records, write; other: run record, '
            "client set-up, commit) and the ratio of the wall time to the floor and to the floor with NetBox's "
            'schema (the targets are on the floor):',
            _row(header, widths), *(_row(r, widths) for r in rows)]


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
