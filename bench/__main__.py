"""`make bench`: measure the sync engine against the database's own floor, the REST reference and the master
schedule job; print and save figures.

    python -m bench [--sizes 1k,10k,50k] [--repeat N] [--skip-rest] [--skip-schedule] [--inventory]

`--sizes 1k,10k,50k,100k` adds a fabric of about 100k objects (not measured by default: it takes several minutes).
`--inventory` gives each bench fabric an inventory site before its initial sync, so that every sync also projects
it into NetBox's devices, interfaces, cables, IP addresses, VRFs, prefixes and VLANs (issue 15's targets).

Runs against its own database (HEDGEHOG_BENCH_DB, default netbox_hedgehog_bench, created and migrated when
needed, emptied at the start) and Redis databases 8 and 9 (HEDGEHOG_BENCH_REDIS_TASKS_DB and
HEDGEHOG_BENCH_REDIS_CACHE_DB), never the dev or test data.
"""
import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime

from .env import configure

SIZE_ORDER = ('tiny', '1k', '10k', '50k', '100k')
# The REST reference: every object of the 1k fabric, every 5th object (per kind) of the 10k one.
REST_SAMPLES = {'1k': 1, '10k': 5}


def log(message):
    """Progress on stderr, so that stdout holds only the report."""
    print(f'[{time.strftime("%H:%M:%S")}] {message}', file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m bench', description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', default='1k,10k,50k',
                        help='comma-separated fabric sizes among tiny, 1k, 10k, 50k, 100k (default: 1k,10k,50k)')
    parser.add_argument('--repeat', type=int, default=1, help='passes per size; figures are medians')
    parser.add_argument('--seed', type=int, help='generator seed (default: the fixed benchmark seed)')
    parser.add_argument('--skip-rest', action='store_true', help='do not measure the REST reference')
    parser.add_argument('--skip-schedule', action='store_true', help='do not measure the master schedule job')
    parser.add_argument('--inventory', action='store_true',
                        help="project each fabric into NetBox's own inventory (an inventory site) while measuring")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(',') if s.strip()]
    unknown = set(sizes) - set(SIZE_ORDER)
    if unknown or not sizes:
        parser.error(f'unknown sizes: {", ".join(sorted(unknown)) or "(none)"}')
    args.sizes = sorted(set(sizes), key=SIZE_ORDER.index)
    if args.repeat < 1:
        parser.error('--repeat must be at least 1')
    return args


def run(args):
    """Set the bench database up, measure, print the table and write the JSON."""
    # Imported here: they need Django, which configure() sets up for the bench database first.
    from netbox_hedgehog import get_setting

    from .env import ensure_database, wipe
    from .generate import SEED, generate
    from .measure import measure_size
    from .report import evaluate, machine_info, render, write_json
    from .rest import measure_rest, rest_sample
    from .schedule import measure_schedule
    from .shapes import SIZES

    seed = SEED if args.seed is None else args.seed
    ensure_database(log)
    wipe()
    results = {
        'started': datetime.now(UTC).isoformat(timespec='seconds'), 'machine': machine_info(),
        'settings': {'k8s_page_size': get_setting('k8s_page_size'), 'repeat': args.repeat, 'seed': seed,
                     'inventory': args.inventory},
        'sizes': {}, 'rest': {},
    }
    with tempfile.TemporaryDirectory(prefix='hedgehog-bench-') as workdir:
        for size in args.sizes:
            shape = SIZES[size]
            log(f'{size}: {shape.total} objects')
            phases, floor = measure_size(size, workdir, seed, args.repeat, log, args.inventory)
            results['sizes'][size] = {'shape': vars(shape), 'counts': shape.expected_counts(), 'phases': phases,
                                      'floor': floor}
    if not args.skip_rest:
        for size, every in REST_SAMPLES.items():
            if size not in results['sizes']:
                continue
            objects = rest_sample(generate(SIZES[size], seed), every)
            label = size if every == 1 else f'{size} (every {every}th object per kind)'
            rest = measure_rest(label, objects, log)
            rest['sync_objects_per_s'] = results['sizes'][size]['phases']['initial']['objects_per_s']
            rest['ratio'] = rest['sync_objects_per_s'] / rest['objects_per_s']
            results['rest'][label] = rest
            wipe()
    if not args.skip_schedule:
        schedule = measure_schedule(log)
        if isinstance(schedule, str):
            results['schedule_skipped'] = schedule
        else:
            results['schedule'] = schedule
        wipe()
    results['finished'] = datetime.now(UTC).isoformat(timespec='seconds')
    results['targets'] = evaluate(results)
    print(render(results))
    path = write_json(results)
    print(f'\nFigures written to {path}')


def main(argv=None):
    """Exit status 0 once the figures are printed (targets missed or not), 1 when a sync misbehaved."""
    args = parse_args(argv)
    configure()
    from .measure import BenchError
    try:
        run(args)
    except BenchError as e:
        log(f'Benchmark aborted, the sync did not behave correctly: {e}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
