"""Housekeeping of the sync history: the retention of finished runs and their changes."""
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices
from netbox_hedgehog.models import SyncChange, SyncRun

__all__ = (
    'trim_sync_history',
)


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
