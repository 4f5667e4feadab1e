"""The sync jobs: one fabric's sync (queues high/default), the master schedule tick (default), housekeeping (low).

Queued by `netbox_hedgehog.scheduling` and by rq-scheduler through `netbox hedgehog_scheduler`, run by
`netbox rqworker`.
"""
from rq import get_current_job

from netbox_hedgehog import scheduling

__all__ = (
    'housekeeping',
    'schedule_tick',
    'sync_fabric',
)


def sync_fabric(fabric_id, request_id, trigger, user_id=None, dry_run=False):
    """Sync one fabric, recorded as the SyncRun of `request_id`, holding the fabric's lock."""
    job = get_current_job()
    run = scheduling.run_queued_sync(fabric_id, request_id, trigger, user_id, dry_run,
                                     queue=job.origin if job else '', job_id=job.id if job else '')
    if run is None:
        return f'Fabric {fabric_id} no longer exists; nothing to sync.'
    return f'Sync run #{run.pk} of fabric {fabric_id}: {run.status}'


def schedule_tick():
    """The master job, every scheduler_interval seconds: fail dead runs, then queue one sync per due fabric."""
    scheduling.record_tick()
    recovered = scheduling.recover_stale_runs()
    queued = scheduling.enqueue_due_syncs()
    return f'{len(queued)} sync(s) queued, {len(recovered)} dead run(s) failed'


def housekeeping():
    """Hourly: apply the sync-history retention and fail dead runs."""
    deleted = scheduling.trim_sync_history()
    recovered = scheduling.recover_stale_runs()
    return f'{deleted} old sync run(s) deleted, {len(recovered)} dead run(s) failed'
