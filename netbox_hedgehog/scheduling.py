"""Queue logic of scheduled and on-demand syncs, on NetBox's own RQ queues (django-rq and rq-scheduler).

Who runs what:
- the web server and the REST API call `enqueue_sync` ("Sync now": queue `high`);
- `netbox hedgehog_scheduler` (the sidecar) keeps the master schedule and the housekeeping schedule registered with
  rq-scheduler under fixed job ids and moves them to their queues when due;
- `netbox rqworker` runs the jobs of `rq_jobs.sync`: the master job (`default`) calls `recover_stale_runs` and
  `enqueue_due_syncs`, which fans out one sync job per due fabric (`default`); housekeeping (`low`) calls
  `trim_sync_history` and `recover_stale_runs`.

Every Redis connection comes from django-rq, built from NetBox's `RQ_QUEUES`: this module knows no Redis address.

One sync in flight per fabric, in three layers:
- a fixed job id per fabric (`hedgehog-sync-fabric-<id>`, dry runs `hedgehog-dryrun-fabric-<id>`), enqueued with
  `unique=True` after a finished or dead job of that id was deleted;
- a Redis lock per fabric (`hedgehog-sync-lock-<id>`) holding the run's request id, taken before the run starts and
  living `sync_lock_ttl` seconds unless refreshed: the engine's heartbeat refreshes it after every page read from the
  cluster and before writing (no thread). A job that cannot take the lock fails its run with "another sync of this
  fabric is running" and touches nothing else;
- `recover_stale_runs`: a queued or running run whose job vanished from Redis (flushed, restarted), ended without
  finishing the run, or claims to run while the lock is gone (worker killed) is failed, and its fabric returns to a
  truthful status. The master job runs it every tick, so a killed worker is detected within
  `sync_lock_ttl + scheduler_interval` seconds; "Sync now" runs it first for its fabric.
"""
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import django_rq
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from netbox.constants import RQ_QUEUE_DEFAULT, RQ_QUEUE_HIGH, RQ_QUEUE_LOW
from redis.backoff import NoBackoff
from redis.exceptions import LockError, RedisError
from redis.retry import Retry
from rq import Worker
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices, SyncTriggerChoices
from netbox_hedgehog.models import Fabric, SyncChange, SyncRun
from netbox_hedgehog.sync import state
from netbox_hedgehog.sync.engine import create_run, run_sync
from netbox_hedgehog.sync.errors import ClusterError

__all__ = (
    'HEARTBEAT_KEY',
    'HOUSEKEEPING_JOB_ID',
    'LAST_TICK_KEY',
    'MASTER_JOB_ID',
    'EnqueueResult',
    'NextSync',
    'QueueUnavailable',
    'ScheduleStatus',
    'SyncLockLost',
    'enqueue_due_syncs',
    'enqueue_sync',
    'heartbeat_stale_after',
    'next_sync_time',
    'queue_health',
    'record_sidecar_heartbeat',
    'record_tick',
    'recover_stale_runs',
    'register_schedules',
    'run_locked',
    'run_queued_sync',
    'schedule_status',
    'sidecar_poll_interval',
    'sync_job_id',
    'sync_lock_key',
    'trim_sync_history',
    'unreachable_message',
)

MASTER_JOB_ID = 'hedgehog-master-schedule'
HOUSEKEEPING_JOB_ID = 'hedgehog-housekeeping'
MASTER_LOCK_KEY = 'hedgehog-master-lock'
HEARTBEAT_KEY = 'hedgehog:scheduler:heartbeat'
LAST_TICK_KEY = 'hedgehog:scheduler:last-tick'
# rq-scheduler's sorted set of scheduled job ids (job id -> unix time of the next run).
SCHEDULED_JOBS_KEY = 'rq:scheduler:scheduled_jobs'

SYNC_JOB = 'rq_jobs.sync.sync_fabric'
MASTER_JOB = 'rq_jobs.sync.schedule_tick'
HOUSEKEEPING_JOB = 'rq_jobs.sync.housekeeping'

# Seconds between two housekeeping runs, and the RQ timeout of the master and housekeeping jobs.
HOUSEKEEPING_INTERVAL = 3600
SCHEDULE_JOB_TIMEOUT = 300
# A finished sync job is deleted at once (its SyncRun holds the outcome); a failed one stays a day for the django-rq
# admin pages. Neither blocks the next sync: a job of the same id that is no longer alive is deleted first.
SYNC_RESULT_TTL = 0
SYNC_FAILURE_TTL = 86400
# How long the sidecar heartbeat and the last tick time are kept, so that --status can say how old they are.
STATUS_KEY_TTL = 7 * 86400
# Seconds to connect to the tasks Redis and to wait for each answer, and how often a command is tried again after a
# timeout or a dropped connection (see _connection).
REDIS_TIMEOUT = 3
REDIS_RETRIES = 1
# The master refreshes its lock after this many enqueued fabrics.
MASTER_LOCK_REFRESH_EVERY = 100

# What stops working when no worker listens on a queue.
QUEUE_ROLES = (
    (RQ_QUEUE_HIGH, 'syncs people ask for ("Sync now", the REST API) stay queued'),
    (RQ_QUEUE_DEFAULT, 'the master schedule and the scheduled syncs never run'),
    (RQ_QUEUE_LOW, 'housekeeping (sync history retention, recovery of dead runs) never runs'),
)

ALIVE_JOB_STATES = (JobStatus.CREATED, JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)

VANISHED = ('The sync job disappeared from the task queue before it finished (Redis was restarted or flushed); '
            'the next scheduled sync retries.')
KILLED = ('The worker running this sync stopped (killed or crashed) before it finished; '
          'the next scheduled sync retries.')
ENDED = 'The sync job ended ({status}) without finishing the run: it timed out or crashed; see the worker log.'
PROCESS_GONE = 'The process running this sync stopped (killed or crashed) before it finished.'
ANOTHER_SYNC = 'Another sync of this fabric is running (run {holder}); this one did nothing.'


class QueueUnavailable(Exception):
    """NetBox's task queue (Redis) cannot be reached, so nothing was queued or changed. The message is for people."""


class SyncLockLost(ClusterError):
    """A running sync lost its fabric lock (a stall longer than sync_lock_ttl, or Redis gone) and stops unwritten."""


@dataclass(frozen=True)
class EnqueueResult:
    """What `enqueue_sync` did: `created` is False when an earlier sync of the fabric is still queued or running,
    and `run`, `job_id` and `queue` are then that sync's."""
    run: SyncRun
    job_id: str
    queue: str
    created: bool
    message: str


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


# Names

def sync_job_id(fabric_id, dry_run=False):
    """The fixed RQ job id of a fabric's sync (dry runs have their own, so they never block a real sync)."""
    return f'hedgehog-{"dryrun" if dry_run else "sync"}-fabric-{fabric_id}'


def sync_lock_key(fabric_id, dry_run=False):
    """The Redis key of the lock held while a fabric is synced (dry runs write nothing and use their own)."""
    return f'hedgehog-{"dryrun" if dry_run else "sync"}-lock-{fabric_id}'


def sidecar_poll_interval():
    """Seconds between two loops of the sidecar: at most half a tick, so ticks start on time and a vanished schedule
    is registered again within one tick; at most 10 s, at least 1 s."""
    return max(1, min(10, get_setting('scheduler_interval') // 2))


# Redis access

def _connection():
    """NetBox's tasks Redis, as django-rq builds it from RQ_QUEUES (all three queues share it).

    Connecting and every answer take at most REDIS_TIMEOUT seconds (or less where NetBox's REDIS['tasks']['KWARGS']
    ask for less), tried REDIS_RETRIES more times: the fabric page, the status API and the Sync now button must
    report a Redis host that does not answer within seconds, where redis-py's own retries would wait about a
    minute. (Nothing here issues blocking commands.)
    """
    connection = django_rq.get_connection(RQ_QUEUE_DEFAULT)
    kwargs = connection.connection_pool.connection_kwargs
    for name in ('socket_connect_timeout', 'socket_timeout'):
        kwargs[name] = min(kwargs.get(name) or REDIS_TIMEOUT, REDIS_TIMEOUT)
    kwargs['retry'] = Retry(NoBackoff(), REDIS_RETRIES)
    return connection


def _queue(name, connection):
    # Enqueue at once, also inside a transaction: callers order their writes around the enqueue themselves, and the
    # job copes with starting before they commit (it gets or creates its run by request id).
    return django_rq.get_queue(name, connection=connection, commit_mode='auto')


def unreachable_message(error, consequence):
    """A plain-words report that Redis cannot be reached, with the library's detail last."""
    return (f"NetBox cannot reach its task queue (the Redis server of its REDIS['tasks'] setting), so {consequence}. "
            f'Check that Redis is running and reachable from NetBox. Detail: {error}')


@contextmanager
def _redis_errors(consequence):
    try:
        yield
    except RedisError as e:
        raise QueueUnavailable(unreachable_message(e, consequence)) from e


def _lock(connection, fabric_id, dry_run):
    return connection.lock(sync_lock_key(fabric_id, dry_run), timeout=get_setting('sync_lock_ttl'), blocking=False,
                           thread_local=False)


def _decode(value):
    return value.decode() if isinstance(value, bytes) else value


def _request_id(job):
    """The request id of the run a sync job works on ('' for a job that is not one of ours)."""
    try:
        return str((job.kwargs or {}).get('request_id', ''))
    except Exception:
        return ''


def _timestamp(value):
    return datetime.fromtimestamp(float(value), UTC) if value is not None else None


# Is a job (still) working on a run?

def _job_verdict(job, request_id, lock_token, now):
    """'' while `job` is (or will be) working on run `request_id`; otherwise why not, in words for the run's error.

    A run holding its fabric lock is alive whatever its job looks like. A started job whose run does not hold the
    lock is given sync_lock_ttl seconds from its start to take it (it does so first thing), so that a job starting
    right now is never taken for dead.
    """
    if request_id and lock_token == request_id:
        return ''
    if job is None or not request_id or _request_id(job) != request_id:
        return VANISHED
    status = job.get_status(refresh=False)
    if status in ALIVE_JOB_STATES:
        return ''
    if status == JobStatus.STARTED:
        grace = timedelta(seconds=get_setting('sync_lock_ttl'))
        if job.started_at is None or now - job.started_at < grace:
            return ''
        return KILLED
    return ENDED.format(status=getattr(status, 'value', status))


def _claim_run(fabric_id, request_id, trigger, user_id, dry_run, queue, job_id):
    """The SyncRun of a request id, created here when its enqueuer has not committed it (it then waits for that
    commit on the unique request id and finds the enqueuer's row)."""
    run, _created = SyncRun.objects.select_related('fabric').get_or_create(
        request_id=request_id,
        defaults={'fabric_id': fabric_id, 'trigger': trigger, 'user_id': user_id, 'dry_run': dry_run,
                  'queue': queue, 'job_id': job_id},
    )
    return run


def _run_of_job(job):
    kwargs = job.kwargs
    return _claim_run(kwargs['fabric_id'], kwargs['request_id'], kwargs['trigger'], kwargs.get('user_id'),
                      kwargs.get('dry_run', False), job.origin, job.id)


def _in_flight(connection, fabric_id, dry_run, now):
    """The run of the fabric's sync that is queued or running, or None. A job of the fabric's id that is no longer
    alive is deleted, so that it never blocks the next enqueue."""
    job_id = sync_job_id(fabric_id, dry_run)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        job = None
    token = _decode(connection.get(sync_lock_key(fabric_id, dry_run)))
    if job is not None:
        if not _job_verdict(job, _request_id(job), token, now):
            return _run_of_job(job)
        job.delete()
    if token:
        # Held by a sync started outside the queue (`netbox hedgehog_sync`).
        return SyncRun.objects.filter(request_id=token, status__in=SyncRunStatusChoices.ACTIVE_STATES).first()
    return None


def _enqueue_job(queue, run, fabric_name):
    queue.enqueue_call(
        SYNC_JOB,
        kwargs={'fabric_id': run.fabric_id, 'request_id': str(run.request_id), 'trigger': run.trigger,
                'user_id': run.user_id, 'dry_run': run.dry_run},
        job_id=run.job_id, unique=True, timeout=get_setting('sync_job_timeout'), result_ttl=SYNC_RESULT_TTL,
        failure_ttl=SYNC_FAILURE_TTL,
        description=f'Hedgehog: {"dry run" if run.dry_run else "sync"} of fabric {fabric_name} (run {run.pk})',
    )


# "Sync now" and the master's fan-out

def enqueue_sync(fabric, trigger, user=None, dry_run=False, queue=None):
    """Queue one sync of `fabric`, unless one is already queued or running: that one is returned (created=False).

    The queue defaults to 'high' for syncs people ask for and 'default' for scheduled ones. The fabric shows
    "queued" from the moment the run exists. Raises QueueUnavailable (with nothing written) when Redis cannot be
    reached.
    """
    queue_name = queue or (RQ_QUEUE_DEFAULT if trigger == SyncTriggerChoices.SCHEDULE else RQ_QUEUE_HIGH)
    what = 'dry run' if dry_run else 'sync'
    job_id = sync_job_id(fabric.pk, dry_run)
    with _redis_errors(f'the {what} of fabric {fabric} was not queued'):
        connection = _connection()
        recover_stale_runs(fabric_ids=[fabric.pk], connection=connection)
        rq_queue = _queue(queue_name, connection)
        # A duplicate means another enqueuer won the race: look again (its job is then found in flight).
        for _attempt in range(3):
            if existing := _in_flight(connection, fabric.pk, dry_run, timezone.now()):
                doing = 'running' if existing.status == SyncRunStatusChoices.RUNNING else 'queued'
                return EnqueueResult(existing, existing.job_id, existing.queue, False,
                                     f'A {what} of fabric {fabric} is already {doing} (run #{existing.pk}).')
            try:
                with transaction.atomic():
                    if not dry_run:
                        state.mark_queued([fabric.pk])
                    run = create_run(fabric, trigger, user=user, dry_run=dry_run, queue=queue_name, job_id=job_id)
                    _enqueue_job(rq_queue, run, fabric.name)
            except DuplicateJobError:
                continue
            return EnqueueResult(run, job_id, queue_name, True,
                                 f'The {what} of fabric {fabric} was queued on "{queue_name}" (run #{run.pk}).')
    raise QueueUnavailable(f'The {what} of fabric {fabric} was not queued: other syncs of it were being queued at '
                           f'the same moment. Try again.')


def enqueue_due_syncs(now=None):
    """The master job's fan-out: queue one scheduled sync on 'default' for every due fabric; return the new runs.

    Due: sync enabled, next_sync_due unset or past (the engine sets it from the interval and the failure backoff),
    and nothing queued or running. A constant number of SQL queries whatever the number of fabrics; the Redis round
    trips are per fabric. A master lock and the unique per-fabric job ids make two masters at once harmless.
    """
    now = now or timezone.now()
    with _redis_errors('scheduled syncs were not queued'):
        connection = _connection()
        master_lock = connection.lock(MASTER_LOCK_KEY, timeout=get_setting('scheduler_interval'), blocking=False,
                                      thread_local=False)
        if not master_lock.acquire(blocking=False):
            return []
        try:
            return _fan_out(connection, master_lock, now)
        finally:
            try:
                master_lock.release()
            except LockError:
                pass


def _fan_out(connection, master_lock, now):
    due = list(
        Fabric.objects.filter(sync_enabled=True)
        .filter(Q(next_sync_due__isnull=True) | Q(next_sync_due__lte=now))
        .exclude(sync_status__in=state.BUSY_STATES)
        .order_by('pk')
        .values_list('pk', 'name')
    )
    if not due:
        return []
    job_ids = [sync_job_id(pk) for pk, _name in due]
    jobs = Job.fetch_many(job_ids, connection=connection)
    tokens = connection.mget([sync_lock_key(pk) for pk, _name in due])
    targets, dead = [], []
    for (pk, name), job, token in zip(due, jobs, tokens, strict=True):
        if job is not None:
            if not _job_verdict(job, _request_id(job), _decode(token), now):
                continue
            dead.append(job)
        targets.append((pk, name))
    if dead:
        with connection.pipeline() as pipe:
            for job in dead:
                job.delete(pipeline=pipe)
            pipe.execute()
    if not targets:
        return []
    names = dict(targets)
    runs = [
        SyncRun(fabric_id=pk, trigger=SyncTriggerChoices.SCHEDULE, queue=RQ_QUEUE_DEFAULT, job_id=sync_job_id(pk))
        for pk, _name in targets
    ]
    rq_queue = _queue(RQ_QUEUE_DEFAULT, connection)
    duplicates = []
    with transaction.atomic():
        SyncRun.objects.bulk_create(runs)
        state.mark_queued(list(names))
        for count, run in enumerate(runs, start=1):
            try:
                _enqueue_job(rq_queue, run, names[run.fabric_id])
            except DuplicateJobError:
                # Queued meanwhile by "Sync now": that sync stands, this run never existed.
                duplicates.append(run.pk)
            if count % MASTER_LOCK_REFRESH_EVERY == 0:
                master_lock.reacquire()
        if duplicates:
            # Fresh runs without changes: a plain DELETE (no per-object signals) keeps the query count constant.
            SyncRun.objects.filter(pk__in=duplicates)._raw_delete(SyncRun.objects.db)
    return [run for run in runs if run.pk not in duplicates]


# Running a queued sync

@contextmanager
def _holding_lock(fabric_id, dry_run, token):
    """Take the fabric's sync lock for `token` (a run's request id); yields (the lock or None when another holds
    it, the Redis connection)."""
    connection = _connection()
    lock = _lock(connection, fabric_id, dry_run)
    with _redis_errors('the sync could not take its fabric lock and did not run'):
        acquired = lock.acquire(blocking=False, token=token)
    try:
        yield (lock if acquired else None), connection
    finally:
        if acquired:
            try:
                lock.release()
            except (LockError, RedisError):
                # Expired or Redis gone: the lock is free or frees itself at its TTL.
                pass


def _refresh_lock(lock):
    """The engine's heartbeat: keep the fabric lock for another sync_lock_ttl seconds, or abort the run."""
    try:
        lock.reacquire()
    except (LockError, RedisError) as e:
        raise SyncLockLost(
            'This sync lost its fabric lock (it stalled longer than sync_lock_ttl, or Redis could not be reached) '
            'and stopped without writing, so that it never overlaps another sync of the fabric.'
        ) from e


def _fail_queued_run(run, message):
    """Fail a run that never started (a running or finished one is left alone); the fabric is not touched."""
    SyncRun.objects.filter(pk=run.pk, status=SyncRunStatusChoices.QUEUED).update(
        status=SyncRunStatusChoices.FAILED, finished=timezone.now(), error=message,
    )
    run.refresh_from_db()


def _execute(run, lock, lock_redis):
    if lock is None:
        with _redis_errors('the sync did not run'):
            holder = _decode(lock_redis.get(sync_lock_key(run.fabric_id, run.dry_run)))
        other = SyncRun.objects.filter(request_id=holder).values_list('pk', flat=True).first() if holder else None
        _fail_queued_run(run, ANOTHER_SYNC.format(holder=f'#{other}' if other else 'outside the queue'))
        return run
    if run.status != SyncRunStatusChoices.QUEUED:
        # Already done: RQ ran this job a second time, or recover_stale_runs failed the run meanwhile.
        return run
    return run_sync(run, heartbeat=partial(_refresh_lock, lock))


def run_queued_sync(fabric_id, request_id, trigger, user_id=None, dry_run=False, queue='', job_id=''):
    """Run the sync a job was queued for, holding the fabric's lock; return its SyncRun (None: fabric deleted)."""
    if not Fabric.objects.filter(pk=fabric_id).exists():
        return None
    with _holding_lock(fabric_id, dry_run, request_id) as (lock, connection):
        run = _claim_run(fabric_id, request_id, trigger, user_id, dry_run, queue, job_id)
        return _execute(run, lock, connection)


def run_locked(run):
    """Run `run` (queued, created by the caller) in this process, holding the fabric's lock like a queued sync.

    Raises QueueUnavailable, with the run failed, when Redis (which holds the lock) cannot be reached.
    """
    try:
        with _holding_lock(run.fabric_id, run.dry_run, str(run.request_id)) as (lock, connection):
            return _execute(run, lock, connection)
    except QueueUnavailable as e:
        _fail_queued_run(run, str(e))
        raise


# Recovery of dead runs

def recover_stale_runs(fabric_ids=None, now=None, connection=None):
    """Fail the queued or running runs nobody works on any more and return them; then put fabrics shown as queued or
    syncing without any such run back to their settled status.

    A run with a job is stale when the job vanished (Redis flushed), ended without finishing the run, or is started
    while the fabric lock is not held for the run sync_lock_ttl seconds after its start (worker killed). A run
    without a job (`netbox hedgehog_sync`) is stale when the lock is not held for it sync_lock_ttl seconds after it
    was created. The fabric of a stale run is failed through the state module: last_sync is kept, the error
    recorded, and the schedule backs off.
    """
    now = now or timezone.now()
    runs = SyncRun.objects.filter(status__in=SyncRunStatusChoices.ACTIVE_STATES).select_related('fabric')
    if fabric_ids is not None:
        runs = runs.filter(fabric_id__in=fabric_ids)
    runs = list(runs)
    stale = []
    if runs:
        job_ids = sorted({run.job_id for run in runs if run.job_id})
        with _redis_errors('dead sync runs could not be checked'):
            connection = connection or _connection()
            jobs = dict(zip(job_ids, Job.fetch_many(job_ids, connection=connection), strict=True))
            tokens = connection.mget([sync_lock_key(run.fabric_id, run.dry_run) for run in runs])
        grace = timedelta(seconds=get_setting('sync_lock_ttl'))
        for run, token in zip(runs, tokens, strict=True):
            request_id, token = str(run.request_id), _decode(token)
            if run.job_id:
                reason = _job_verdict(jobs[run.job_id], request_id, token, now)
            else:
                reason = PROCESS_GONE if token != request_id and now - run.created >= grace else ''
            if reason:
                stale.append((run, reason))
    stale_pks = {run.pk for run, _reason in stale}
    busy_fabrics = {run.fabric_id for run in runs if run.pk not in stale_pks and not run.dry_run}
    for run, reason in stale:
        _fail_stale_run(run, reason, now, fail_fabric=not run.dry_run and run.fabric_id not in busy_fabrics)
    state.settle_idle(fabric_ids)
    return [run for run, _reason in stale]


def _fail_stale_run(run, reason, now, fail_fabric):
    updated = SyncRun.objects.filter(pk=run.pk, status__in=SyncRunStatusChoices.ACTIVE_STATES).update(
        status=SyncRunStatusChoices.FAILED, finished=now, error=reason,
    )
    run.status, run.finished, run.error = SyncRunStatusChoices.FAILED, now, reason
    if updated and fail_fabric and Fabric.objects.filter(pk=run.fabric_id, sync_status__in=state.BUSY_STATES).exists():
        state.mark_failed(run.fabric, now, reason)


# Housekeeping

def trim_sync_history(now=None):
    """Delete finished runs beyond the newest `sync_history_per_fabric` of each fabric and those older than
    `sync_history_days` days (0: no age limit), with their changes; return how many runs were deleted.

    Two DELETE statements whatever the amount: SyncChange is the only model referencing SyncRun, and plain deletes
    skip Django's per-object collection and signals.
    """
    now = now or timezone.now()
    ranked = (
        SyncRun.objects.annotate(
            position=Window(RowNumber(), partition_by=F('fabric_id'), order_by=(F('created').desc(), F('pk').desc()))
        )
        .filter(position__gt=get_setting('sync_history_per_fabric'))
        .values('pk')
    )
    doomed = Q(pk__in=ranked)
    if days := get_setting('sync_history_days'):
        doomed |= Q(created__lt=now - timedelta(days=days))
    runs = SyncRun.objects.exclude(status__in=SyncRunStatusChoices.ACTIVE_STATES).filter(doomed)
    with transaction.atomic():
        SyncChange.objects.filter(run__in=runs.values('pk'))._raw_delete(SyncChange.objects.db)
        return runs._raw_delete(SyncRun.objects.db)


# The schedules

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
    (connection or _connection()).set(LAST_TICK_KEY, time.time(), ex=STATUS_KEY_TTL)


def record_sidecar_heartbeat(connection=None):
    """Note that a sidecar loop ran just now."""
    (connection or _connection()).set(HEARTBEAT_KEY, time.time(), ex=STATUS_KEY_TTL)


def schedule_status(connection=None):
    """Read the schedules, the last tick and the sidecar heartbeat from Redis (one round trip)."""
    connection = connection or _connection()
    with connection.pipeline() as pipe:
        for schedule in SCHEDULES:
            pipe.zscore(SCHEDULED_JOBS_KEY, schedule.job_id)
            pipe.exists(Job.key_for(schedule.job_id))
        pipe.get(LAST_TICK_KEY)
        pipe.get(HEARTBEAT_KEY)
        master_at, master_job, housekeeping_at, housekeeping_job, last_tick, heartbeat = pipe.execute()
    return ScheduleStatus(
        registered=master_at is not None and bool(master_job),
        next_run=_timestamp(master_at),
        housekeeping_registered=housekeeping_at is not None and bool(housekeeping_job),
        housekeeping_next_run=_timestamp(housekeeping_at),
        last_tick=_timestamp(last_tick),
        heartbeat=_timestamp(heartbeat),
    )


def heartbeat_stale_after():
    """Seconds without a sidecar heartbeat after which the sidecar counts as stopped."""
    return 3 * sidecar_poll_interval() + 10


def queue_health():
    """Plain-words problems that keep syncs from running (an empty list when all is well): Redis unreachable, no
    worker on a queue, the sidecar stopped, the master schedule missing or not ticking."""
    try:
        connection = _connection()
        connection.ping()
        workers = Worker.all(connection=connection)
        status = schedule_status(connection)
    except RedisError as e:
        return [unreachable_message(e, 'no sync can be queued or run')]
    problems = []
    listening = {name for worker in workers for name in worker.queue_names()}
    for name, consequence in QUEUE_ROLES:
        if name not in listening:
            problems.append(f'No worker is listening on the "{name}" queue, so {consequence}: '
                            f'start `netbox rqworker`.')
    now = timezone.now()
    if status.heartbeat is None:
        problems.append('The scheduler sidecar (`netbox hedgehog_scheduler`) is not running, so scheduled syncs do '
                        'not start: run it next to the workers.')
    elif (age := (now - status.heartbeat).total_seconds()) > heartbeat_stale_after():
        problems.append(f'The scheduler sidecar (`netbox hedgehog_scheduler`) last reported {int(age)} s ago, so '
                        f'scheduled syncs do not start: check that it is running.')
    if not status.registered:
        problems.append('The periodic sync schedule is not registered in Redis, so no fabric is synced on schedule: '
                        'start `netbox hedgehog_scheduler` (it registers the schedule, and registers it again when '
                        'it vanishes).')
    elif status.last_tick is not None:
        interval = get_setting('scheduler_interval')
        age = (now - status.last_tick).total_seconds()
        if age > 2 * interval + sidecar_poll_interval() + 10:
            problems.append(f'The master schedule last ran {int(age)} s ago although it should run every '
                            f'{interval} s, so scheduled syncs are late: check the workers on the "default" queue.')
    return problems


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
