"""Recovery of dead runs: is a job still working on its run, and failing the queued or running runs nobody works on
any more (Redis flushed or restarted, worker killed, job timed out or crashed).

The master job runs `recover_stale_runs` every tick, so a killed worker is detected within
`sync_lock_ttl + scheduler_interval` seconds; "Sync now" runs it first for its fabric; housekeeping runs it hourly.
A run whose lock expired while the worker running it still lives is never declared dead (see _worker_alive).
"""
import os
import socket
from datetime import timedelta

from django.utils import timezone
from rq import Worker
from rq.job import Job, JobStatus

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices
from netbox_hedgehog.models import Fabric, SyncRun
from netbox_hedgehog.sync import state

from . import queues

__all__ = (
    'PROCESS_GONE',
    'job_request_id',
    'job_verdict',
    'recover_stale_runs',
)

ALIVE_JOB_STATES = (JobStatus.CREATED, JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)

VANISHED = ('The sync job disappeared from the task queue before it finished (Redis was restarted or flushed); '
            'the next scheduled sync retries.')
KILLED = ('The worker running this sync stopped (killed or crashed) before it finished; '
          'the next scheduled sync retries.')
ENDED = 'The sync job ended ({status}) without finishing the run: it timed out or crashed; see the worker log.'
PROCESS_GONE = 'The process running this sync stopped (killed or crashed) before it finished.'


def job_request_id(job):
    """The request id of the run a sync job works on ('' for a job that is not one of ours)."""
    try:
        return str((job.kwargs or {}).get('request_id', ''))
    except Exception:
        return ''


def _worker_alive(job):
    """Whether the worker process running a started job still lives: on this host its process is asked directly;
    elsewhere its registration in Redis counts, which RQ lets expire 90 s after the last heartbeat of a worker busy
    with a job."""
    if not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=job.connection)
    if worker is None or worker.get_current_job_id() != job.id:
        return False
    if worker.pid and worker.hostname == socket.gethostname():
        try:
            os.kill(worker.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def job_verdict(job, request_id, lock_token, now):
    """'' while `job` is (or will be) working on run `request_id`; otherwise why not, in words for the run's error.

    A run holding its fabric lock is alive whatever its job looks like. A started job whose run does not hold the
    lock is given sync_lock_ttl seconds from its start to take it (it does so first thing), so that a job starting
    right now is never taken for dead; after that it is alive as long as the worker running it is (a step of the
    sync may outlast the lock, which the sync then takes again).
    """
    if request_id and lock_token == request_id:
        return ''
    if job is None or not request_id or job_request_id(job) != request_id:
        return VANISHED
    status = job.get_status(refresh=False)
    if status in ALIVE_JOB_STATES:
        return ''
    if status == JobStatus.STARTED:
        grace = timedelta(seconds=get_setting('sync_lock_ttl'))
        if job.started_at is None or now - job.started_at < grace or _worker_alive(job):
            return ''
        return KILLED
    return ENDED.format(status=getattr(status, 'value', status))


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
        with queues.redis_errors('dead sync runs could not be checked'):
            connection = connection or queues.redis_connection()
            jobs = dict(zip(job_ids, Job.fetch_many(job_ids, connection=connection), strict=True))
            tokens = connection.mget([queues.sync_lock_key(run.fabric_id, run.dry_run) for run in runs])
        grace = timedelta(seconds=get_setting('sync_lock_ttl'))
        for run, token in zip(runs, tokens, strict=True):
            request_id, token = str(run.request_id), queues.decode(token)
            if run.job_id:
                reason = job_verdict(jobs[run.job_id], request_id, token, now)
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
