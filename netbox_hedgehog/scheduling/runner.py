"""Running a sync under its fabric lock: a Redis lock per fabric (`hedgehog-sync-lock-<id>`) holding the run's
request id, taken before the run starts and living `sync_lock_ttl` seconds unless refreshed by the engine's heartbeat
(a `sync.pulse.Pulse`, at most every sync_lock_ttl / BEATS_PER_TTL seconds while the run reads, plans and writes, and
right before it commits). A job that cannot take the lock fails its run with "another sync of this fabric is running"
and touches nothing else.
"""
from contextlib import contextmanager
from functools import partial

from django.utils import timezone
from redis.exceptions import LockError, RedisError

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices
from netbox_hedgehog.models import Fabric, SyncRun
from netbox_hedgehog.sync import pulse
from netbox_hedgehog.sync.engine import run_sync
from netbox_hedgehog.sync.errors import ClusterError

from . import queues

__all__ = (
    'SyncLockLost',
    'claim_run',
    'run_locked',
    'run_queued_sync',
)

ANOTHER_SYNC = 'Another sync of this fabric is running (run {holder}); this one did nothing.'
# How many times a running sync refreshes its lock within sync_lock_ttl, at most (the lock survives a pause of up to
# (BEATS_PER_TTL - 1) / BEATS_PER_TTL of the TTL between two beats).
BEATS_PER_TTL = 5


class SyncLockLost(ClusterError):
    """A running sync lost its fabric lock (a stall longer than sync_lock_ttl, or Redis gone) and stops unwritten."""


def claim_run(fabric_id, request_id, trigger, user_id, dry_run, queue, job_id):
    """The SyncRun of a request id, created here when its enqueuer has not committed it (it then waits for that
    commit on the unique request id and finds the enqueuer's row)."""
    run, _created = SyncRun.objects.select_related('fabric').get_or_create(
        request_id=request_id,
        defaults={'fabric_id': fabric_id, 'trigger': trigger, 'user_id': user_id, 'dry_run': dry_run,
                  'queue': queue, 'job_id': job_id},
    )
    return run


@contextmanager
def _holding_lock(fabric_id, dry_run, token):
    """Take the fabric's sync lock for `token` (a run's request id); yields (the lock or None when another holds
    it, the Redis connection)."""
    connection = queues.redis_connection()
    lock = connection.lock(queues.sync_lock_key(fabric_id, dry_run), timeout=get_setting('sync_lock_ttl'),
                           blocking=False, thread_local=False)
    with queues.redis_errors('the sync could not take its fabric lock and did not run'):
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
    """The engine's heartbeat: keep the fabric lock for another sync_lock_ttl seconds, or abort the run.

    A lock that expired during a step longer than its TTL (a slow Git fetch, a stalled machine) is taken again when
    no other sync took it meanwhile; the write transaction checks that no other sync started since (engine._fence).
    """
    try:
        try:
            lock.reacquire()
        except LockError:
            if not lock.redis.set(lock.name, lock.local.token, nx=True, px=int(lock.timeout * 1000)):
                raise
    except (LockError, RedisError) as e:
        raise SyncLockLost(
            'This sync lost its fabric lock to another sync (it stalled longer than sync_lock_ttl), or Redis could '
            'not be reached; it stopped without writing, so that it never overlaps another sync of the fabric.'
        ) from e


def _fail_queued_run(run, message):
    """Fail a run that never started (a running or finished one is left alone); the fabric is not touched."""
    SyncRun.objects.filter(pk=run.pk, status=SyncRunStatusChoices.QUEUED).update(
        status=SyncRunStatusChoices.FAILED, finished=timezone.now(), error=message,
    )
    run.refresh_from_db()


def _execute(run, lock, lock_redis):
    if lock is None:
        with queues.redis_errors('the sync did not run'):
            holder = queues.decode(lock_redis.get(queues.sync_lock_key(run.fabric_id, run.dry_run)))
        other = SyncRun.objects.filter(request_id=holder).values_list('pk', flat=True).first() if holder else None
        _fail_queued_run(run, ANOTHER_SYNC.format(holder=f'#{other}' if other else 'outside the queue'))
        return run
    if run.status != SyncRunStatusChoices.QUEUED:
        # Already done: RQ ran this job a second time, or recover_stale_runs failed the run meanwhile.
        return run
    every = get_setting('sync_lock_ttl') / BEATS_PER_TTL
    return run_sync(run, heartbeat=pulse.Pulse(partial(_refresh_lock, lock), every))


def run_queued_sync(fabric_id, request_id, trigger, user_id=None, dry_run=False, queue='', job_id=''):
    """Run the sync a job was queued for, holding the fabric's lock; return its SyncRun (None: fabric deleted)."""
    if not Fabric.objects.filter(pk=fabric_id).exists():
        return None
    with _holding_lock(fabric_id, dry_run, request_id) as (lock, connection):
        run = claim_run(fabric_id, request_id, trigger, user_id, dry_run, queue, job_id)
        return _execute(run, lock, connection)


def run_locked(run):
    """Run `run` (queued, created by the caller) in this process, holding the fabric's lock like a queued sync.

    Raises QueueUnavailable, with the run failed, when Redis (which holds the lock) cannot be reached.
    """
    try:
        with _holding_lock(run.fabric_id, run.dry_run, str(run.request_id)) as (lock, connection):
            return _execute(run, lock, connection)
    except queues.QueueUnavailable as e:
        _fail_queued_run(run, str(e))
        raise
