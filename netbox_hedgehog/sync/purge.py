"""Deleting a fabric's objects and sync history in bulk, in a few statements per kind whatever their number, with a
change record per object streamed with COPY, and in step with a sync of the fabric.

A sync writes a fabric inside one transaction holding the fabric's advisory write lock (engine._fence), and locks
its run's row before it commits (engine._check_current). A deletion first takes the fabric's advisory deletion lock,
which a sync looks for with each kind's identities (engine._identity_rows): it stops there, writing nothing (a sync
of a fabric without Git settings reads and writes in its transaction, so this is how it gives way). A deletion that
finds a sync writing waits for that transaction to end; a sync still reading or planning outside its transaction
(Git fabrics) is stopped too, because it finds its run gone with the fabric. A stopped sync ends without writing,
leaving one line in the worker log.
Objects deleted with their fabric are never removed from Git.
"""
import uuid

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from netbox.context import current_request

from netbox_hedgehog.choices import SyncRunStatusChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import LinkCheck, SwitchLiveState, SyncChange, SyncRun

from .apply import OBJECT_CHANGE_COLUMNS, change_maker, delete_rows
from .bulk import change_snapshots, copy_rows
from .engine import DELETE_LOCK_CLASS, WRITE_LOCK_CLASS

__all__ = (
    'purge_fabric',
)

# Objects loaded at once to write their change records.
CHUNK = 2000


def _wait_for_writer(fabric):
    """Take the fabric's write lock and its runs' rows until the caller's transaction ends, waiting for a sync
    writing the fabric; return whether one was."""
    with connection.cursor() as cursor:
        # Seen by a sync before its next kind (engine._identity_rows): it stops, and its write lock is free.
        cursor.execute('SELECT pg_advisory_xact_lock(%s, %s)', [DELETE_LOCK_CLASS, fabric.pk])
        cursor.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', [WRITE_LOCK_CLASS, fabric.pk])
        if cursor.fetchone()[0]:
            waited = False
        else:
            cursor.execute('SELECT pg_advisory_xact_lock(%s, %s)', [WRITE_LOCK_CLASS, fabric.pk])
            waited = True
    # A dry run writes no objects, only its changes: it holds its run's row until it commits.
    list(SyncRun.objects.select_for_update().filter(fabric=fabric).values_list('pk', flat=True))
    return waited


def _note(fabric, waited, active):
    runs = ', '.join(f'#{pk}' for pk in active)
    if waited:
        return (f'The deletion of fabric {fabric} waited for its sync (run {runs}), which was writing, to stop or '
                f'finish.')
    if active:
        return (f'The sync of fabric {fabric} that was queued or running (run {runs}) was stopped: it ends without '
                f'writing.')
    return ''


def purge_fabric(fabric):
    """Delete the fabric's objects and sync runs (call inside a transaction, before deleting the fabric itself);
    return a sentence saying how a sync of the fabric was handled ('' when none was queued or running)."""
    active = list(SyncRun.objects.filter(fabric=fabric, status__in=SyncRunStatusChoices.ACTIVE_STATES)
                  .order_by('pk').values_list('pk', flat=True))
    waited = _wait_for_writer(fabric)
    request = current_request.get()
    user = getattr(request, 'user', None)
    change = change_maker(user if user is not None and user.is_authenticated else None,
                          getattr(request, 'id', None) or uuid.uuid4(), f'Deleted with fabric {fabric}',
                          timezone.now())
    # The live state refers to switches and connections: it goes first.
    for model in (LinkCheck, SwitchLiveState):
        model.objects.filter(fabric=fabric)._raw_delete(model.objects.db)
    for kind_spec in KINDS:
        model = kind_spec.model
        object_type = ContentType.objects.get_for_model(model)
        ids = list(model.objects.filter(fabric=fabric).values_list('pk', flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = list(model.objects.filter(pk__in=ids[start:start + CHUNK]).order_by('pk'))
            copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, (
                change(ObjectChangeActionChoices.ACTION_DELETE, object_type, instance.pk, instance.name, snapshot,
                       None)
                for instance, snapshot in zip(chunk, change_snapshots(chunk), strict=True)
            ))
        if ids:
            delete_rows(model, object_type, ids)
    runs = SyncRun.objects.filter(fabric=fabric)
    SyncChange.objects.filter(run__in=runs.values('pk'))._raw_delete(SyncChange.objects.db)
    runs._raw_delete(SyncRun.objects.db)
    return _note(fabric, waited, active)
