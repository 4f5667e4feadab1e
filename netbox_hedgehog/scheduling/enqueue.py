"""Enqueueing syncs: "Sync now" (`enqueue_sync`, queue `high`) and the master job's fan-out to the due fabrics
(`enqueue_due_syncs`, queue `default`).

Each fabric's sync has a fixed job id (`hedgehog-sync-fabric-<id>`, dry runs `hedgehog-dryrun-fabric-<id>`),
enqueued with `unique=True` after a finished or dead job of that id was deleted, so a fabric never has two queued.
"""
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from netbox.constants import RQ_QUEUE_DEFAULT, RQ_QUEUE_HIGH
from redis.exceptions import LockError
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices, SyncTriggerChoices
from netbox_hedgehog.models import Fabric, SyncRun
from netbox_hedgehog.sync import state
from netbox_hedgehog.sync.engine import create_run

from . import queues
from .recovery import job_request_id, job_verdict, recover_stale_runs
from .runner import claim_run

__all__ = (
    'MASTER_LOCK_KEY',
    'EnqueueResult',
    'enqueue_due_syncs',
    'enqueue_sync',
)

MASTER_LOCK_KEY = 'hedgehog-master-lock'
SYNC_JOB = 'rq_jobs.sync.sync_fabric'
# A finished sync job is deleted at once (its SyncRun holds the outcome); a failed one stays a day for the django-rq
# admin pages. Neither blocks the next sync: a job of the same id that is no longer alive is deleted first.
SYNC_RESULT_TTL = 0
SYNC_FAILURE_TTL = 86400
# The master refreshes its lock after this many enqueued fabrics.
MASTER_LOCK_REFRESH_EVERY = 100


@dataclass(frozen=True)
class EnqueueResult:
    """What `enqueue_sync` did: `created` is False when an earlier sync of the fabric is still queued or running,
    and `run`, `job_id` and `queue` are then that sync's."""
    run: SyncRun
    job_id: str
    queue: str
    created: bool
    message: str


def _run_of_job(job):
    kwargs = job.kwargs
    return claim_run(kwargs['fabric_id'], kwargs['request_id'], kwargs['trigger'], kwargs.get('user_id'),
                     kwargs.get('dry_run', False), job.origin, job.id)


def _in_flight(connection, fabric_id, dry_run, now):
    """The run of the fabric's sync that is queued or running, or None. A job of the fabric's id that is no longer
    alive is deleted, so that it never blocks the next enqueue."""
    job_id = queues.sync_job_id(fabric_id, dry_run)
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        job = None
    token = queues.decode(connection.get(queues.sync_lock_key(fabric_id, dry_run)))
    if job is not None:
        if not job_verdict(job, job_request_id(job), token, now):
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
def enqueue_sync(fabric, trigger, user=None, dry_run=False, queue=None):
    """Queue one sync of `fabric`, unless one is already queued or running: that one is returned (created=False).

    The queue defaults to 'high' for syncs people ask for and 'default' for scheduled ones. The fabric shows
    "queued" from the moment the run exists. Raises QueueUnavailable (with nothing written) when Redis cannot be
    reached.
    """
    queue_name = queue or (RQ_QUEUE_DEFAULT if trigger == SyncTriggerChoices.SCHEDULE else RQ_QUEUE_HIGH)
    what = 'dry run' if dry_run else 'sync'
    job_id = queues.sync_job_id(fabric.pk, dry_run)
    with queues.redis_errors(f'the {what} of fabric {fabric} was not queued'):
        connection = queues.redis_connection()
        recover_stale_runs(fabric_ids=[fabric.pk], connection=connection)
        rq_queue = queues.rq_queue(queue_name, connection)
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
    raise queues.QueueUnavailable(f'The {what} of fabric {fabric} was not queued: other syncs of it were being '
                                  f'queued at the same moment. Try again.')


def enqueue_due_syncs(now=None):
    """The master job's fan-out: queue one scheduled sync on 'default' for every due fabric; return the new runs.

    Due: sync enabled, next_sync_due unset or past (the engine sets it from the interval and the failure backoff),
    and nothing queued or running. A constant number of SQL queries whatever the number of fabrics; the Redis round
    trips are per fabric. A master lock and the unique per-fabric job ids make two masters at once harmless.
    """
    now = now or timezone.now()
    with queues.redis_errors('scheduled syncs were not queued'):
        connection = queues.redis_connection()
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
    job_ids = [queues.sync_job_id(pk) for pk, _name in due]
    jobs = Job.fetch_many(job_ids, connection=connection)
    tokens = connection.mget([queues.sync_lock_key(pk) for pk, _name in due])
    targets, dead = [], []
    for (pk, name), job, token in zip(due, jobs, tokens, strict=True):
        if job is not None:
            if not job_verdict(job, job_request_id(job), queues.decode(token), now):
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
        SyncRun(fabric_id=pk, trigger=SyncTriggerChoices.SCHEDULE, queue=RQ_QUEUE_DEFAULT,
                job_id=queues.sync_job_id(pk))
        for pk, _name in targets
    ]
    rq_queue = queues.rq_queue(RQ_QUEUE_DEFAULT, connection)
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
