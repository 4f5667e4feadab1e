"""One sync of one fabric: read the cluster, plan, apply in one transaction, record the run.

Plain Python, called by the RQ jobs, the `hedgehog_sync` command and tests; it imports no views.
"""
import gc
import json
import logging
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import psycopg
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncActionChoices, SyncRunStatusChoices
from netbox_hedgehog.crypto import CredentialError
from netbox_hedgehog.gitops import GitError, desired_state
from netbox_hedgehog.inventory import sync_inventory
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.live import agents as live_agents
from netbox_hedgehog.live import store as live_store
from netbox_hedgehog.loader import digest
from netbox_hedgehog.models import Fabric, SyncRun
from netbox_hedgehog.models.base import content_key_sql
from netbox_hedgehog.references import PORT_KIND, Only, referring_kinds, refresh_dangling
from netbox_hedgehog.validation import default_spec
from netbox_hedgehog.validation.config import fabric_config

from . import pulse, state
from .apply import NewRows, Writes, apply_plans, delete_gone, record_git_errors, record_plans, write_kind
from .bulk import quoted_table
from .client import fabric_api
from .errors import ClusterError, chain
from .fabric_settings import read_fabric_settings
from .gitplan import build_git_kind_plan
from .plan import RESTORED_MESSAGE, KindPlanner, RowIdentity, build_kind_plan
from .reader import RESTART, KindRead, kind_pages, read_cluster, read_log
from .runlog import RunLog

__all__ = (
    'create_run',
    'kind_identities',
    'plan_fabric',
    'run_sync',
    'stream_kind',
)

logger = logging.getLogger('netbox_hedgehog.sync')

# The first key of the PostgreSQL advisory lock a sync holds while it writes a fabric (the second is the fabric id).
WRITE_LOCK_CLASS = 0x4848
# The first key of the one a deletion of the fabric holds (see purge.py): a sync that finds it stops without writing.
DELETE_LOCK_CLASS = 0x4849
ANOTHER_WRITER = ('Another sync of this fabric was writing at the same moment; this one stopped without writing, so '
                  'that they never overlap.')
OVERTAKEN = ('Another sync of this fabric started while this one was still running (this one stalled longer than '
             'sync_lock_ttl); this one stopped without writing, so that it never overwrites a newer result.')
DECLARED_DEAD = ('This sync was declared dead while it ran (it stalled longer than sync_lock_ttl and its worker '
                 'could not be found); it stopped without writing.')
FABRIC_DELETED = 'The fabric was deleted during the sync.'
CONNECTION_LOST = ('The database connection was lost while {doing}; nothing of this run was kept; the next sync '
                   'retries.')


class FabricGone(Exception):
    """The fabric was deleted (or is being deleted) while its sync ran: the sync ends without writing or recording
    anything."""


def create_run(fabric, trigger, user=None, dry_run=False, queue='', job_id=''):
    return SyncRun.objects.create(fabric=fabric, trigger=trigger, user=user, dry_run=dry_run, queue=queue,
                                  job_id=job_id)


def _loaded_cleanly(fabric, commit):
    """Whether NetBox holds the desired state of `commit` from a read without errors (no need to parse it again)."""
    # Read from the database: a failed write to Git clears it while the fabric object may be older.
    if not commit or Fabric.objects.filter(pk=fabric.pk).values_list('git_commit', flat=True).first() != commit:
        return False
    run = SyncRun.objects.filter(
        fabric=fabric, dry_run=False, git_commit=commit,
        status__in=(SyncRunStatusChoices.SUCCEEDED, SyncRunStatusChoices.PARTIAL),
    ).order_by('-created').first()
    return run is not None and not run.changes.filter(action=SyncActionChoices.ERROR).exclude(git_file='').exists()


def _git_prune_blocked(fabric, desired, identities):
    """Why a read of the repository must not lead to pruning ('' when it may)."""
    if desired.errors:
        return (f'the Git repository has {len(desired.errors)} error(s); objects of the files concerned keep '
                f'their desired state (fix the files the sync run lists, with their lines, and sync again)')
    if desired.parsed and not desired.count:
        from_git = sum(1 for rows in identities.values() for identity in rows.values() if identity.git_file)
        if from_git:
            return (f'the Git repository has no Hedgehog objects under {fabric.git_path or "its root"!r} while '
                    f'NetBox holds {from_git} object(s) read from it (if the files moved, edit the fabric\'s Git '
                    f'path and sync again)')
    return ''


def _content_digest(kind, name, apply_pending, spec, labels, annotations):
    """The digest of a row's content. A NetBox edit still on its way to the cluster (validated when it was made) is
    compared as the cluster will hold it: after the admission webhooks' defaulting."""
    if apply_pending is not None:
        spec = default_spec(kind, spec)
    return digest(kind, name, spec, labels, annotations)


# Whether a row's stored digest is its content's: its key is the content's (see HedgehogResource.content_key), and no
# NetBox edit waits to be applied (such a row is digested after the admission webhooks' defaulting).
_DIGEST_KEPT = "apply_pending_since IS NULL AND content_digest <> '' AND content_key = current_key"


def _identity_rows(model, fabric):
    """Whether a deletion of the fabric is under way (see purge.py: it holds the fabric's deletion lock while it
    waits for this sync's transaction), then the RowIdentity columns of a kind's rows, the stored digest of each row
    whose key matches its content, else NULL, the content's key and its spec, labels and annotations as JSON text
    (one query). A kind without rows gives one row: the flag, then NULLs. The key is computed once per row (the
    subquery with OFFSET 0 is not merged into the outer query)."""
    identity = 'id, name, uid, resource_version, drift_status, git_file, git_pending_since, apply_pending_since, ' \
               'verified_version'
    contents = ', '.join(f'CASE WHEN {_DIGEST_KEPT} THEN NULL ELSE {name}::text END'
                         for name in ('spec', 'labels', 'annotations'))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT flag.deleting, keyed.* FROM (SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            f"AND classid = %s::oid AND objid = %s::oid AND objsubid = 2) AS deleting) AS flag LEFT JOIN ("
            f'SELECT {identity}, CASE WHEN {_DIGEST_KEPT} THEN content_digest END, '
            f'CASE WHEN {_DIGEST_KEPT} THEN NULL ELSE current_key END, {contents} '
            f'FROM (SELECT {identity}, spec, labels, annotations, content_key, content_digest, '
            f'{content_key_sql("r")} AS current_key FROM {quoted_table(model)} AS r '
            f'WHERE fabric_id = %s OFFSET 0) AS current) AS keyed ON true ORDER BY keyed.name',
            [DELETE_LOCK_CLASS, fabric.pk, fabric.pk],
        )
        yield from cursor


def kind_identities(kind_spec, fabric):
    """{name: RowIdentity} of a kind's rows, and the (id, content key, digest) of those digested from their content.

    The content itself is not kept: its digest tells the planner whether the row is still the cluster's copy. A row
    whose stored digest is its content's is not read further; the others' content is fetched as JSON text and
    decoded a row at a time, so that a kind's rows are never all held decoded. Their digest is stored with the
    write, under the key read with the content (see HedgehogResource.content_key)."""
    kind, identities, digested = kind_spec.kind, {}, []
    for deleting, pk, name, uid, version, drift, git_file, pending, apply_pending, verified, kept, key, *content in (
            _identity_rows(kind_spec.model, fabric)):
        if deleting:
            # The sync stops, writing nothing, and the deletion goes on.
            raise FabricGone
        if pk is None:
            continue
        if kept is None:
            # The content changed since it was verified (or never was): its version says nothing of it.
            verified = ''
            kept = _content_digest(kind, name, apply_pending, *map(json.loads, content))
            if apply_pending is None:
                digested.append((pk, key, kept))
        identities[name] = RowIdentity(pk, uid, version, drift, git_file, pending, kept, apply_pending, verified)
    return identities, digested


def _missing_kind(kind_read, held):
    """The error of a kind whose CRD is missing while NetBox holds `held` objects of it."""
    return ClusterError(f'{kind_read.error} NetBox holds {held} {kind_read.kind_spec.kind} object(s) of this fabric, '
                        f'so nothing was changed.')


def _emptied_reason(fabric, emptied):
    """Why nothing may be pruned when the kinds `emptied` came back empty while NetBox holds objects of them ('' when
    the fabric allows empty kinds)."""
    if not emptied or fabric.allow_empty_kinds:
        return ''
    return (f'the cluster returned no {", ".join(emptied)} objects while NetBox holds some; an empty answer is '
            f'treated as a broken read unless the fabric allows empty kinds (if the cluster really has none, edit '
            f'the fabric, turn on "allow empty kinds" and sync again)')


def _load_rows(model):
    """load_rows(ids) -> {id: instance} for a planner (one query)."""
    def load_rows(ids):
        return {row.pk: row for row in model.objects.filter(pk__in=ids)} if ids else {}
    return load_rows


def _log_plan(plan, log):
    for name, message in plan.errors:
        log(f'{plan.kind_spec.kind} {name}: {message}')
    for name in plan.restored:
        log(f'{plan.kind_spec.kind} {name}: {RESTORED_MESSAGE}')


def plan_fabric(fabric, read, log, desired):
    """Plan every kind of a fabric with Git settings from a complete read and its DesiredState.

    A kind whose CRD is missing while NetBox holds objects of it fails the sync (nothing is written). A kind that
    came back empty while NetBox holds objects of it stops all pruning for this run, unless the fabric allows
    empty kinds. So does any error in the Git repository. The read's items are consumed: each kind's are released
    once it is planned.
    """
    planned_at = timezone.now()
    identities, digested = {}, {}
    for kind_spec in KINDS:
        identities[kind_spec.kind], digested[kind_spec.kind] = kind_identities(kind_spec, fabric)
    for kind, kind_read in read.kinds.items():
        if kind_read.missing and identities[kind]:
            raise _missing_kind(kind_read, len(identities[kind]))
    emptied = [
        kind for kind, kind_read in read.kinds.items()
        if not kind_read.items and identities[kind] and not kind_read.missing
    ]
    git_blocked = _git_prune_blocked(fabric, desired, identities)
    prune_blocked = '; '.join(reason for reason in (_emptied_reason(fabric, emptied), git_blocked) if reason)
    if prune_blocked:
        log(f'Nothing is pruned: {prune_blocked}')
    # NetBox edits queued more recently than a job may run are still on their way to Git.
    pending_after = timezone.now() - timedelta(seconds=get_setting('sync_job_timeout'))
    scope = set(git_scope(fabric, desired))
    review_deleted = {}
    if desired.review_waiting:
        for key in fabric.git_review_deletions:
            kind, _slash, name = key.partition('/')
            review_deleted.setdefault(kind, set()).add(name)
    plans = []
    for kind_spec in pulse.beating(KINDS):
        load_rows = _load_rows(kind_spec.model)
        # The plan holds what is written: the kind's listed items are released once it is planned, so that a large
        # read is not held whole while the next kinds are planned.
        kind_read = read.kinds[kind_spec.kind]
        items, kind_read.items = kind_read.items, []
        if kind_spec.kind not in scope:
            # Kinds the repository does not manage are not tracked: NetBox mirrors the cluster for them.
            plan = build_kind_plan(kind_spec, items, identities[kind_spec.kind], load_rows, prune_blocked)
        else:
            plan = build_git_kind_plan(
                kind_spec, items, desired.objects(kind_spec.kind), identities[kind_spec.kind], load_rows,
                prune_blocked, git_complete=not git_blocked, pending_after=pending_after, planned_at=planned_at,
                review_open=bool(desired.review_waiting), review_deleted=review_deleted.get(kind_spec.kind, set()),
            )
        plan.digested = digested[kind_spec.kind]
        _log_plan(plan, log)
        plans.append(plan)
    return plans


def stream_kind(fabric, kind_spec, pages, writes, log):
    """Plan one kind of a fabric without Git settings (NetBox mirrors the cluster) from its `pages` (see
    reader.kind_pages) as they come, and write it (`writes`, a Writes; None for a dry run, which writes nothing).
    Nothing is pruned here: the plan's deletions wait until every kind was read (see _stream_kinds). Returns the
    plan and the number of rows the kind had."""
    identities, digested = kind_identities(kind_spec, fabric)
    planner, new_rows = KindPlanner(kind_spec, identities), None
    try:
        for page in pages:
            if page is RESTART:
                # The list starts over: what was planned of its earlier pages is dropped.
                planner = KindPlanner(kind_spec, identities)
                if new_rows is not None:
                    new_rows.close()
                    new_rows = None
                continue
            planner.add(page)
            if writes is not None and planner.plan.create:
                # New rows are made as they come, and the objects are released.
                new_rows = new_rows or NewRows(writes, kind_spec)
                new_rows.add(planner.plan.create)
                planner.plan.create = []
        plan = planner.finish(_load_rows(kind_spec.model))
        plan.digested = digested
        if writes is not None:
            write_kind(writes, plan, new_rows)
    except BaseException:
        if new_rows is not None:
            new_rows.close()
        raise
    _log_plan(plan, log)
    return plan, len(identities)


def git_scope(fabric, desired):
    """The kinds the fabric's repository manages: those the fabric names, else those found in the repository."""
    return list(fabric.git_kinds) or _kinds_in_repository(fabric, desired)


def _kinds_in_repository(fabric, desired):
    """The kinds the commit just read holds (those found at the last read when it was not parsed again)."""
    if not desired.parsed:
        return list(fabric.git_kinds_found)
    found = sorted(kind for kind, objects in desired.kinds.items() if objects)
    if desired.errors or not found:
        # A file that could not be read may hold a kind, and an empty read is more often a wrong path than a
        # repository emptied on purpose: the kinds found before stay.
        return sorted({*found, *fabric.git_kinds_found})
    return found


def _record_git_state(fabric, desired, plans):
    """Store the commit read, the kinds found in it and the drift count on the fabric (or clear them once Git
    settings are gone)."""
    if desired is not None:
        found = {'git_kinds_found': _kinds_in_repository(fabric, desired)} if desired.parsed else {}
        # Once nothing waits for review, no deletion does either.
        ended = {} if desired.review_waiting else {'git_review_deletions': []}
        Fabric.objects.filter(pk=fabric.pk).update(git_commit=desired.commit, drift_count=sum(p.drifted for p in plans),
                                                   git_review_waiting=desired.review_waiting or 0, **found, **ended)
    elif fabric.git_commit or fabric.drift_count or fabric.git_review_waiting:
        Fabric.objects.filter(pk=fabric.pk).update(git_commit='', drift_count=0, git_review_waiting=0,
                                                   git_review_deletions=[])


def _refresh_references(fabric, plans):
    """Recompute the dangling references this run's writes can have changed (nothing when it changed nothing).
    Objects that appeared or went change the marks of the objects naming them, and an object changed in place (it
    keeps its name) its own; a switch's change also those of the connections naming it (their ports are judged
    against its profile and breakouts). Every row of a kind is recomputed where that is what can move: a kind naming
    a kind only the controller creates (its first or last object changes them all, see World) or its own kind when
    objects of it appeared or went, and every connection after a switch profile appeared, changed or went."""
    kinds, ids, switches, names, whole = {}, {}, set(), {}, set()

    def recompute(k, everything=False):
        kinds[k.kind] = k
        if everything:
            whole.add(k.kind)

    for plan in plans:
        kind_spec = plan.kind_spec
        written = [created.pk for created in plan.create] + [row.pk for row, _obj, _changes in plan.update]
        moved = {created.name for created in plan.create} | {name for _pk, name in plan.delete}
        for k in referring_kinds(kind_spec):
            if k is kind_spec:
                if moved and kind_spec.model_name in k.references.values():
                    recompute(k, everything=True)
                elif written:
                    ids.setdefault(k.kind, set()).update(written)
                    recompute(k)
                continue
            if k.kind == PORT_KIND and kind_spec.kind == 'SwitchProfile':
                if moved or plan.update:
                    recompute(k, everything=True)
            elif moved and kind_spec.read_only:
                recompute(k, everything=True)
            elif moved:
                for column, target in k.references.items():
                    if target == kind_spec.model_name:
                        names.setdefault(k.kind, {}).setdefault(column, set()).update(moved)
                recompute(k)
            if plan.update and k.kind == PORT_KIND and kind_spec.kind == 'Switch':
                switches.update(row.name for row, _obj, _changes in plan.update)
                recompute(k)
    if kinds:
        only = {kind: Only(frozenset(ids.get(kind, ())), frozenset(switches if kind == PORT_KIND else ()),
                           {column: frozenset(held) for column, held in names.get(kind, {}).items()})
                for kind in kinds if kind not in whole}
        refresh_dangling(fabric.pk, list(kinds.values()), only)


def _settings_changed(fabric, settings):
    """Whether the fabric settings just read (a SettingsRead, or None when not read) differ from those stored."""
    return settings is not None and settings.settings is not None and (
        (settings.settings, settings.source) != (fabric.fabric_settings, fabric.fabric_settings_source))


def _admission_config(fabric, settings):
    """The FabricConfig to judge Git documents by: the settings just read, else those stored."""
    if settings is not None and settings.settings is not None:
        return fabric_config(settings.settings)
    return fabric.admission_config


def _never(commit):
    return False


def _fence(run):
    """First thing in the write transaction: this run may write only while no other sync of the fabric writes (a
    PostgreSQL advisory lock held until commit; another sync trying meanwhile stops without writing)."""
    if not run.dry_run:
        with connection.cursor() as cursor:
            cursor.execute('SELECT pg_try_advisory_xact_lock(%s, %s)', [WRITE_LOCK_CLASS, run.fabric_id])
            if not cursor.fetchone()[0]:
                raise ClusterError(ANOTHER_WRITER)


def _check_current(run):
    """In the write transaction, before it commits: the run's own row still exists (runs go only with their fabric),
    says it is running (it was not declared dead meanwhile), and no other sync of the fabric started since this one
    (it would hold newer data). Its row stays locked until commit."""
    newer = Q(fabric_id=run.fabric_id, dry_run=False, started__gte=run.started) if not run.dry_run else Q(pk=None)
    statuses = dict(SyncRun.objects.select_for_update(no_key=True).filter(Q(pk=run.pk) | newer)
                    .values_list('pk', 'status'))
    if run.pk not in statuses:
        raise FabricGone
    if statuses[run.pk] != SyncRunStatusChoices.RUNNING:
        raise ClusterError(DECLARED_DEAD)
    if len(statuses) > 1:
        raise ClusterError(OVERTAKEN)


def _connection_lost(exc):
    """Whether `exc` means the database connection broke (terminated backend, server restart, network, or PostgreSQL's
    `idle_in_transaction_session_timeout` ending the write transaction while the cluster answered)."""
    return any(
        (isinstance(item, psycopg.OperationalError | psycopg.InterfaceError)
         and (item.sqlstate is None or item.sqlstate.startswith(('08', '57P'))))
        or isinstance(item, psycopg.errors.IdleInTransactionSessionTimeout)
        for item in chain(exc)
    )


@contextmanager
def _old_objects_frozen():
    """Within the block, Python's cyclic garbage collector leaves alone the objects that existed before it (NetBox,
    Django and the plugin loaded: hundreds of thousands of objects). A sync allocates objects by the thousand, which
    triggers collections; without this, each full collection walks all of NetBox again, a quarter of a re-sync's
    time. The sync's own objects are still collected as usual."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_sync(run, heartbeat=None):
    """Execute `run` (a SyncRun in state queued) and return it finished. Never raises for sync failures.

    `heartbeat` (a pulse.Pulse) keeps the caller's expiring lock while the run reads, plans and writes; it may raise
    to abort the run, which then fails without writing. Whatever happens, the write transaction commits only after
    the lock was confirmed (see also _fence).
    """
    with _old_objects_frozen():
        return _run_sync(run, heartbeat)


class _Progress:
    """How far a run got: whether it reached the cluster (a read succeeded), and what it was doing."""

    def __init__(self):
        self.reached = False
        self.doing = 'reading NetBox\'s objects'


def _run_sync(run, heartbeat):
    fabric = run.fabric
    log = RunLog(get_setting('sync_log_lines'))
    started = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRunStatusChoices.RUNNING, started=started)
    run.status, run.started = SyncRunStatusChoices.RUNNING, started
    if not run.dry_run:
        state.mark_started(fabric.pk, started)
    log(f'{"Dry run" if run.dry_run else "Sync"} of fabric {fabric.name} started')
    plans, desired, inventory_counts, progress = [], None, {}, _Progress()
    try:
        with pulse.installed(heartbeat), fabric_api(fabric) as (api, server, timeout):
            if fabric.has_git:
                plans, desired, inventory_counts = _sync_git(run, fabric, api, server, timeout, log, progress)
            else:
                plans, inventory_counts = _sync_streamed(run, fabric, api, server, timeout, log, progress)
    except FabricGone:
        run.error = FABRIC_DELETED
    except (ClusterError, CredentialError, GitError) as e:
        run.error = str(e)
        if not progress.reached and isinstance(e, ClusterError | CredentialError):
            state.mark_connection(fabric, False, run.error)
    except Exception as e:
        if _connection_lost(e):
            logger.warning('Sync of fabric %s: the database connection was lost (%s)', fabric.pk, type(e).__name__)
            run.error = CONNECTION_LOST.format(doing=progress.doing)
            # The next query opens a new connection.
            connection.close()
        else:
            logger.exception('Sync of fabric %s failed unexpectedly', fabric.pk)
            run.error = f'Internal error during the sync ({type(e).__name__}); see the worker log for details.'
    if progress.reached and run.error != FABRIC_DELETED:
        # Said once the write transaction ended, committed or not.
        state.mark_connection(fabric, True, f'Read by sync run #{run.pk}.')
    finished = timezone.now()
    return _finish(run, fabric, plans, log, finished, desired.errors if desired else [], inventory_counts)


def _read_live(fabric, api, server, timeout, log):
    """The fabric's Agents and settings (see live.agents and fabric_settings): their reads never fail the sync."""
    agents = live_agents.read_agents(api, server, fabric.kubernetes_namespace, get_setting('k8s_page_size'), timeout,
                                     log)
    return agents, read_fabric_settings(api, server, timeout, log)


def _sync_git(run, fabric, api, server, timeout, log, progress):
    """A fabric with Git settings: every kind is read, then the repository, then everything is planned and written
    in one transaction. Returns the plans, the DesiredState and the inventory's counts."""
    read = read_cluster(api, server, fabric.kubernetes_namespace, get_setting('k8s_page_size'), timeout, log)
    if read.failed:
        raise ClusterError(read.error)
    agents, settings = _read_live(fabric, api, server, timeout, log)
    progress.reached = True
    pulse.confirm()
    # Documents are judged under the settings just read; a commit judged under other settings is read again.
    loaded = partial(_loaded_cleanly, fabric) if not _settings_changed(fabric, settings) else _never
    desired = desired_state(fabric, log, loaded, read.specs(), _admission_config(fabric, settings))
    run.git_commit = desired.commit
    pulse.confirm()
    plans = plan_fabric(fabric, read, log, desired)
    del read    # the plans hold what is written; a large read need not stay in memory meanwhile
    pulse.confirm()
    progress.doing = 'writing'
    with transaction.atomic():
        _fence(run)
        _check_current(run)
        if not run.dry_run:
            apply_plans(fabric, run, plans, run.user)
        return plans, desired, _after_writes(run, fabric, plans, desired, agents, settings, log)


def _sync_streamed(run, fabric, api, server, timeout, log, progress):
    """A fabric without Git settings: inside one write transaction, each kind is read page by page, planned and
    written as its pages come, so that a large fabric is never held whole; what is pruned is decided once every
    kind was read. Returns the plans and the inventory's counts."""
    progress.doing = 'writing'
    with transaction.atomic():
        _fence(run)
        plans = _stream_kinds(run, fabric, api, server, timeout, log, progress)
        agents, settings = _read_live(fabric, api, server, timeout, log)
        counts = _after_writes(run, fabric, plans, None, agents, settings, log)
        # Last: the run is still the fabric's current one, its row locked until commit.
        _check_current(run)
        return plans, counts


def _stream_kinds(run, fabric, api, server, timeout, log, progress):
    """Read, plan and (but for a dry run) write every kind (see stream_kind), then prune (delete_gone) unless a kind
    came back empty while NetBox holds objects of it."""
    writes = None if run.dry_run else Writes(fabric, run, run.user)
    plans, emptied = [], []
    for kind_spec in KINDS:
        read = KindRead(kind_spec)
        pages = kind_pages(api, server, fabric.kubernetes_namespace, kind_spec, get_setting('k8s_page_size'),
                           timeout, log, read)
        try:
            plan, held = stream_kind(fabric, kind_spec, pages, writes, log)
        except ClusterError as e:
            log(f'{kind_spec.kind}: {e}')
            raise
        log(read_log(read))
        if read.missing and held:
            progress.reached = True
            raise _missing_kind(read, held)
        if not read.count and held and not read.missing:
            emptied.append(kind_spec.kind)
        plans.append(plan)
        pulse.confirm()
    progress.reached = True
    prune_blocked = _emptied_reason(fabric, emptied)
    if prune_blocked:
        log(f'Nothing is pruned: {prune_blocked}')
        for plan in plans:
            if plan.delete:
                plan.prune_skipped_reason, plan.delete = prune_blocked, []
    if writes is not None:
        delete_gone(writes, plans)
    return plans


def _after_writes(run, fabric, plans, desired, agents, settings, log):
    """The rest of a run's write transaction once its plans are written: references, Git state, live state,
    settings, the run's SyncChanges and the inventory. Returns the inventory's counts."""
    if not run.dry_run:
        _refresh_references(fabric, plans)
        _record_git_state(fabric, desired, plans)
        live_store.store(fabric, agents, timezone.now())
        if _settings_changed(fabric, settings):
            Fabric.objects.filter(pk=fabric.pk).update(fabric_settings=settings.settings,
                                                       fabric_settings_source=settings.source)
    record_plans(run, plans)
    counts = sync_inventory(fabric, run, plans, log, run.user, agents)
    if desired is not None:
        record_git_errors(run, desired.errors)
    pulse.confirm()
    return counts


def _finish(run, fabric, plans, log, finished, git_errors, inventory_counts):
    skipped = sorted({p.prune_skipped_reason for p in plans if p.prune_skipped_reason})
    errors = sum(len(p.errors) for p in plans) + sum(c['error'] for c in inventory_counts.values())
    if run.error:
        run.status = SyncRunStatusChoices.FAILED
        run.counts = {}
        log(f'Failed: {run.error}')
    else:
        run.status = (SyncRunStatusChoices.PARTIAL if (skipped or errors or git_errors)
                      else SyncRunStatusChoices.SUCCEEDED)
        run.counts = {p.kind_spec.kind: p.counts() for p in plans} | inventory_counts
        run.pruned = not run.dry_run and any(p.delete for p in plans)
        run.prune_skipped_reason = '\n'.join(skipped)
        totals = {a: sum(c[a] for c in run.counts.values()) for a in ('create', 'update', 'delete', 'unchanged')}
        summary = ', '.join(f'{n} {a}' for a, n in totals.items())
        log(f'Finished: {summary}' + (f', {errors} error(s)' if errors else '')
            + (f', {len(git_errors)} error(s) in the Git repository' if git_errors else ''))
    run.finished = finished
    run.log = log.text()
    # A run of a fabric deleted meanwhile is not recorded: the deletion takes it (or took it) with the fabric.
    recorded = run.error != FABRIC_DELETED and SyncRun.objects.filter(pk=run.pk).update(
        status=run.status, counts=run.counts, pruned=run.pruned, prune_skipped_reason=run.prune_skipped_reason,
        error=run.error, finished=finished, log=run.log, git_commit=run.git_commit,
    )
    if not recorded:
        # The fabric was deleted meanwhile, and its runs with it.
        logger.warning('Fabric %s (%s) was deleted during sync run %s; the sync ended without writing.', fabric.pk,
                       fabric.name, run.pk)
        return run
    if not run.dry_run:
        if run.error:
            state.mark_failed(fabric, finished, run.error)
        else:
            note = ''
            if git_errors:
                note = f'{len(git_errors)} error(s) in the Git repository; see sync run #{run.pk}.'
            elif errors:
                note = f'{errors} object(s) could not be interpreted; see sync run #{run.pk}.'
            elif skipped:
                note = f'Nothing was pruned: {"; ".join(skipped)}. See sync run #{run.pk}.'
            state.mark_succeeded(fabric, finished, out_of_sync=bool(note), note=note)
    return run
