"""One sync of one fabric in a fresh process, measured; prints the figures as one JSON line.

    python -m bench.syncrun FABRIC_ID

A fresh process per sync makes its peak RSS (VmHWM) the peak of that sync alone; `rss_base_mb` is the peak RSS
after NetBox and the plugin are loaded and the fabric is read, just before the sync starts. The wall time
covers `create_run` and `run_sync` (read over HTTPS with paging, plan, apply, run record), not the start-up; it is
split into the sync's phases by `bench.phases`. SQL statements are counted by verb, COPY included.
"""
import json
import os
import resource
import sys
import time
from collections import Counter
from unittest import mock

from .phases import PhaseClock

__all__ = (
    'measure_sync',
)


def _rss_mb():
    """Peak resident set size of this process so far, in MB.

    Linux: VmHWM of /proc/self/status. Not ru_maxrss, which a process inherits from its parent through fork and
    exec, so that a child of a large parent would report the parent's size.
    """
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_sync(fabric_id):
    """Run one sync of the fabric; return wall time and its split per phase, CPU time, SQL statements by verb, RSS,
    the run's id and counts (the Hedgehog kinds' and the inventory projection's apart), and the machine's 1-minute
    load average just before (other work on the machine slows the sync down)."""
    import psycopg
    from django.db import connection

    from netbox_hedgehog.choices import SyncTriggerChoices
    from netbox_hedgehog.models import Fabric
    from netbox_hedgehog.sync.engine import create_run, run_sync

    statements = Counter()

    def count(execute, sql, params, many, context):
        statements[sql.lstrip().split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    copy = psycopg.Cursor.copy

    def count_copy(cursor, statement, *args, **kwargs):
        # COPY goes to psycopg directly, past Django's execute wrappers.
        statements['COPY'] += 1
        return copy(cursor, statement, *args, **kwargs)

    fabric = Fabric.objects.get(pk=fabric_id)
    clock = PhaseClock()
    load = os.getloadavg()[0]
    rss_base, cpu_start = _rss_mb(), _cpu_s()
    with connection.execute_wrapper(count), mock.patch.object(psycopg.Cursor, 'copy', count_copy), clock.patched():
        start = time.perf_counter()
        run = run_sync(create_run(fabric, SyncTriggerChoices.COMMAND))
        wall = time.perf_counter() - start
    actions = ('create', 'update', 'delete', 'unchanged', 'error')
    # The run counts the projection's NetBox models ("NetBox dcim.device", ...) beside the Hedgehog kinds.
    totals, projected = ({action: sum(counts.get(action, 0) for label, counts in run.counts.items()
                                      if label.startswith('NetBox ') == inventory) for action in actions}
                         for inventory in (False, True))
    return {
        'run_id': run.pk, 'status': run.status, 'error': run.error, 'wall_s': wall, 'split_s': clock.split(wall),
        'cpu_s': _cpu_s() - cpu_start,
        'queries': sum(statements.values()), 'queries_by_verb': dict(statements),
        'rss_base_mb': rss_base, 'rss_peak_mb': _rss_mb(), 'counts': totals, 'inventory_counts': projected,
        'load_1m': load,
    }


def main():
    from .env import configure
    configure()
    print(json.dumps(measure_sync(int(sys.argv[1]))), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
