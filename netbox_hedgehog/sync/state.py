"""The fabric's sync state, written in one place so that it always tells the truth.

Every write is a single UPDATE of state fields (no change-log noise); the database constraints reject any
combination that would lie (for example "in sync" without a last successful sync).
"""
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Greatest

from netbox_hedgehog.choices import ConnectionStatusChoices, SyncRunStatusChoices, SyncStatusChoices
from netbox_hedgehog.models import Fabric, SyncRun

__all__ = (
    'BACKOFF_CAP',
    'BUSY_STATES',
    'adjust_drift_count',
    'backoff_delay',
    'mark_connection',
    'mark_failed',
    'mark_queued',
    'mark_started',
    'mark_succeeded',
    'settle_idle',
    'settled_status',
)

# The statuses of a fabric whose sync is queued or running.
BUSY_STATES = (SyncStatusChoices.QUEUED, SyncStatusChoices.SYNCING)
# Repeated failures wait longer and longer, up to this (or the fabric's own interval, if longer).
BACKOFF_CAP = timedelta(hours=1)


def backoff_delay(interval_seconds, failures):
    """The wait before the next scheduled try after `failures` consecutive failures (0: the plain interval)."""
    interval = timedelta(seconds=interval_seconds)
    if failures <= 0:
        return interval
    return max(interval, min(interval * (2 ** min(failures, 16)), BACKOFF_CAP))


def settled_status(fabric):
    """The status a fabric returns to when nothing is queued or running: what its last outcome says."""
    if fabric.failure_count:
        return SyncStatusChoices.FAILED
    if fabric.last_sync is None:
        return SyncStatusChoices.NEVER_SYNCED
    return SyncStatusChoices.OUT_OF_SYNC if fabric.last_sync_error else SyncStatusChoices.SYNCED


def mark_queued(fabric_ids):
    """Shown while a sync waits in a queue (one UPDATE for any number of fabrics); a running sync keeps its
    "syncing"."""
    Fabric.objects.filter(pk__in=fabric_ids).filter(~Q(sync_status=SyncStatusChoices.SYNCING)).update(
        sync_status=SyncStatusChoices.QUEUED
    )


def settle_idle(fabric_ids=None):
    """Fabrics shown as queued or syncing while no run of theirs is active (among `fabric_ids`, or all) return to
    what their last outcome says."""
    active = SyncRun.objects.filter(
        fabric=OuterRef('pk'), status__in=SyncRunStatusChoices.ACTIVE_STATES, dry_run=False
    )
    idle = Fabric.objects.filter(sync_status__in=BUSY_STATES).filter(~Exists(active))
    if fabric_ids is not None:
        idle = idle.filter(pk__in=fabric_ids)
    for fabric in idle.only('pk', 'failure_count', 'last_sync', 'last_sync_error'):
        # Conditional, so that a sync finishing meanwhile keeps the status it wrote.
        Fabric.objects.filter(pk=fabric.pk, sync_status__in=BUSY_STATES).filter(~Exists(active)).update(
            sync_status=settled_status(fabric)
        )


def mark_started(fabric_id, now):
    Fabric.objects.filter(pk=fabric_id).update(sync_status=SyncStatusChoices.SYNCING, last_sync_attempt=now)


def mark_succeeded(fabric, now, out_of_sync=False, note=''):
    status = SyncStatusChoices.OUT_OF_SYNC if out_of_sync else SyncStatusChoices.SYNCED
    Fabric.objects.filter(pk=fabric.pk).update(
        sync_status=status, last_sync=now, last_sync_error=note, failure_count=0,
        next_sync_due=now + backoff_delay(fabric.sync_interval, 0),
    )


def mark_failed(fabric, now, message):
    """A failure keeps the previous last_sync, records the error and backs the schedule off."""
    failures = Fabric.objects.filter(pk=fabric.pk).values_list('failure_count', flat=True).first() or 0
    failures += 1
    Fabric.objects.filter(pk=fabric.pk).update(
        sync_status=SyncStatusChoices.FAILED, last_sync_error=message, failure_count=failures,
        next_sync_due=now + backoff_delay(fabric.sync_interval, failures),
    )


def mark_connection(fabric, reached, message):
    """Every sync says whether it reached the cluster: reachable after a successful read, the reason otherwise."""
    status = ConnectionStatusChoices.CONNECTED if reached else ConnectionStatusChoices.FAILED
    Fabric.objects.filter(pk=fabric.pk).update(connection_status=status, connection_message=message)
    fabric.connection_status, fabric.connection_message = status, message


def adjust_drift_count(fabric, was_drifted, is_drifted):
    """Count one object's change of drift (after an edit in NetBox) on its fabric; the next sync counts afresh."""
    delta = int(is_drifted) - int(was_drifted)
    if delta:
        Fabric.objects.filter(pk=fabric.pk).update(drift_count=Greatest(F('drift_count') + delta, Value(0)))
