"""The rq-scheduler schedules: the master schedule and housekeeping, registered under fixed job ids by the sidecar
(`netbox hedgehog_scheduler`), the sidecar heartbeat and last tick kept in Redis, and when a fabric is synced next.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from django.utils import timezone
from netbox.constants import RQ_QUEUE_DEFAULT, RQ_QUEUE_LOW
from rq.job import Job

from netbox_hedgehog import get_setting
from netbox_hedgehog.sync import state

from . import queues

__all__ = (
    'HEARTBEAT_KEY',
    'HOUSEKEEPING_JOB_ID',
    'LAST_TICK_KEY',
    'MASTER_JOB_ID',
    'SCHEDULED_JOBS_KEY',
    'NextSync',
    'ScheduleStatus',
    'heartbeat_stale_after',
    'next_sync_time',
    'record_sidecar_heartbeat',
    'record_tick',
    'register_schedules',
    'schedule_status',
    'sidecar_poll_interval',
)

MASTER_JOB_ID = 'hedgehog-master-schedule'
HOUSEKEEPING_JOB_ID = 'hedgehog-housekeeping'
HEARTBEAT_KEY = 'hedgehog:scheduler:heartbeat'
LAST_TICK_KEY = 'hedgehog:scheduler:last-tick'
# rq-scheduler's sorted set of scheduled job ids (job id -> unix time of the next run).
SCHEDULED_JOBS_KEY = 'rq:scheduler:scheduled_jobs'

MASTER_JOB = 'rq_jobs.sync.schedule_tick'
HOUSEKEEPING_JOB = 'rq_jobs.sync.housekeeping'

# Seconds between two housekeeping runs, and the RQ timeout of the master and housekeeping jobs.
HOUSEKEEPING_INTERVAL = 3600
SCHEDULE_JOB_TIMEOUT = 300
# How long the sidecar heartbeat and the last tick time are kept, so that --status can say how old they are.
STATUS_KEY_TTL = 7 * 86400


@dataclass(frozen=True)
class NextSync:
    """When the schedule next syncs a fabric: `when` (None when not known to the minute) and `text` for people."""
    when: datetime | None
    text: str


@dataclass(frozen=True)
class ScheduleStatus:
    """The state of the schedules in Redis, as `netbox hedgehog_scheduler --status` and `queue_health` report it."""
    registered: bool
    next_run: datetime | None
    housekeeping_registered: bool
    housekeeping_next_run: datetime | None
    last_tick: datetime | None
    heartbeat: datetime | None


@dataclass(frozen=True)
class _Schedule:
    """A repeating job registered with rq-scheduler; `interval` returns its period in seconds."""
    job_id: str
    func: str
    queue: str
    interval: Callable[[], int]
    description: str


SCHEDULES = (
    _Schedule(MASTER_JOB_ID, MASTER_JOB, RQ_QUEUE_DEFAULT, partial(get_setting, 'scheduler_interval'),
              'Hedgehog: master schedule (queue the due fabric syncs)'),
    _Schedule(HOUSEKEEPING_JOB_ID, HOUSEKEEPING_JOB, RQ_QUEUE_LOW, lambda: HOUSEKEEPING_INTERVAL,
              'Hedgehog: housekeeping (sync history retention, dead runs)'),
)


def sidecar_poll_interval():
    """Seconds between two loops of the sidecar: at most half a tick, so ticks start on time and a vanished schedule
    is registered again within one tick; at most 10 s, at least 1 s."""
    return max(1, min(10, get_setting('scheduler_interval') // 2))


def heartbeat_stale_after():
    """Seconds without a sidecar heartbeat after which the sidecar counts as stopped."""
    return 3 * sidecar_poll_interval() + 10


def register_schedules(scheduler, missing_only=False):
    """Register the master and housekeeping schedules with rq-scheduler under their fixed job ids, first run now;
    return the ids registered.

    Registering again replaces the entry (same id), so restarts never add a second one. With `missing_only`, only
    a schedule whose sorted-set entry or job hash is gone (Redis flushed or restarted, someone cleared it) is
    registered. The repeating jobs keep their results forever (result_ttl -1): an expiring job hash would kill the
    schedule silently.
    """
    connection = scheduler.connection
    if missing_only:
        with connection.pipeline() as pipe:
            for schedule in SCHEDULES:
                pipe.zscore(SCHEDULED_JOBS_KEY, schedule.job_id)
                pipe.exists(Job.key_for(schedule.job_id))
            found = pipe.execute()
        wanted = [s for i, s in enumerate(SCHEDULES) if found[2 * i] is None or not found[2 * i + 1]]
    else:
        wanted = SCHEDULES
    for schedule in wanted:
        scheduler.schedule(
            datetime.now(UTC), schedule.func, interval=schedule.interval(), id=schedule.job_id,
            queue_name=schedule.queue, timeout=SCHEDULE_JOB_TIMEOUT, result_ttl=-1, description=schedule.description,
        )
    return [schedule.job_id for schedule in wanted]


def record_tick(connection=None):
    """Note the time of a master tick (shown by --status and checked by queue_health)."""
    (connection or queues.redis_connection()).set(LAST_TICK_KEY, time.time(), ex=STATUS_KEY_TTL)


def record_sidecar_heartbeat(connection=None):
    """Note that a sidecar loop ran just now."""
    (connection or queues.redis_connection()).set(HEARTBEAT_KEY, time.time(), ex=STATUS_KEY_TTL)


def schedule_status(connection=None):
    """Read the schedules, the last tick and the sidecar heartbeat from Redis (one round trip)."""
    connection = connection or queues.redis_connection()
    with connection.pipeline() as pipe:
        for schedule in SCHEDULES:
            pipe.zscore(SCHEDULED_JOBS_KEY, schedule.job_id)
            pipe.exists(Job.key_for(schedule.job_id))
        pipe.get(LAST_TICK_KEY)
        pipe.get(HEARTBEAT_KEY)
        master_at, master_job, housekeeping_at, housekeeping_job, last_tick, heartbeat = pipe.execute()
    return ScheduleStatus(
        registered=master_at is not None and bool(master_job),
        next_run=queues.timestamp(master_at),
        housekeeping_registered=housekeeping_at is not None and bool(housekeeping_job),
        housekeeping_next_run=queues.timestamp(housekeeping_at),
        last_tick=queues.timestamp(last_tick),
        heartbeat=queues.timestamp(heartbeat),
    )



def next_sync_time(fabric, now=None):
    """When the schedule next syncs `fabric`, for its page."""
    now = now or timezone.now()
    if not fabric.sync_enabled:
        return NextSync(None, 'Not scheduled: scheduled sync is off for this fabric.')
    if fabric.sync_status in state.BUSY_STATES:
        return NextSync(None, 'A sync is queued or running now; the next one follows its interval.')
    if fabric.next_sync_due is None or fabric.next_sync_due <= now:
        return NextSync(None, f'At the next scheduler tick (within {get_setting("scheduler_interval")} s).')
    text = f'{timezone.localtime(fabric.next_sync_due):%Y-%m-%d %H:%M:%S %Z}'
    if fabric.failure_count:
        text += f' (retrying with backoff after {fabric.failure_count} failed attempt(s))'
    return NextSync(fabric.next_sync_due, text)
