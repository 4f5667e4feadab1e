"""The master schedule job (`rq_jobs.sync.schedule_tick`): 1,000 fabrics of which 10% are due, and 100 of which 10
are due to show that its query count does not grow with the number of fabrics.

The tick runs in this process as an RQ worker would run it, against the bench's own Redis database (8), which is
flushed around every measurement so that no job survives from one run to the next; no worker listens there, so
the queued syncs never run. One unmeasured tick over no fabric warms the imports and connections first, as in a
long-running worker. The figures are the median of `REPEAT` ticks, each over freshly created fabrics.
"""
import statistics
import time
from datetime import timedelta

from .env import REDIS_TASKS_DB, wipe

__all__ = (
    'measure_schedule',
)

RUNS = ((100, 10), (1000, 100))
REPEAT = 3


def _redis():
    import django_rq
    from netbox.constants import RQ_QUEUE_DEFAULT

    connection = django_rq.get_connection(RQ_QUEUE_DEFAULT)
    database = connection.connection_pool.connection_kwargs.get('db')
    if str(database) != REDIS_TASKS_DB:
        raise RuntimeError(f'refusing to flush Redis database {database}: not the bench database {REDIS_TASKS_DB}')
    return connection, django_rq.get_queue(RQ_QUEUE_DEFAULT, connection=connection)


def _fabrics(total, due):
    from django.utils import timezone

    from netbox_hedgehog.models import Fabric

    now = timezone.now()
    Fabric.objects.bulk_create([
        Fabric(name=f'bench-sched-{n:04}', sync_enabled=True, sync_interval=300,
               next_sync_due=now - timedelta(minutes=1) if n < due else now + timedelta(hours=1))
        for n in range(total)
    ])


def _tick(schedule_tick, queue):
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        schedule_tick()
        wall = time.perf_counter() - start
    return {'wall_s': wall, 'queries': queries, 'enqueued': queue.count}


def measure_schedule(log):
    """Figures of the master job ({'runs': [...]}), or why it could not be measured (a string)."""
    try:
        from rq_jobs.sync import schedule_tick
    except ImportError as e:
        return f'rq_jobs.sync.schedule_tick is not available ({e})'
    redis, queue = _redis()
    redis.flushdb()
    wipe()
    _tick(schedule_tick, queue)
    runs = []
    for total, due in RUNS:
        log(f'  master job: {total} fabrics, {due} due')
        samples = []
        for _ in range(REPEAT):
            _fabrics(total, due)
            sample = _tick(schedule_tick, queue)
            if sample['enqueued'] != due:
                raise RuntimeError(f'the master job queued {sample["enqueued"]} syncs, expected {due}')
            samples.append(sample)
            redis.flushdb()
            wipe()
        runs.append({'fabrics': total, 'due': due, 'enqueued': due,
                     'wall_s': statistics.median(s['wall_s'] for s in samples),
                     'queries': max(s['queries'] for s in samples), 'samples': samples})
    return {'runs': runs}
