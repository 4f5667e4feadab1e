"""One sync of one fabric: read the cluster, plan, apply in one transaction, record the run.

Plain Python, called by the RQ jobs, the `hedgehog_sync` command and tests; it imports no views.
"""
import logging

from django.db import transaction
from django.utils import timezone

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SyncRunStatusChoices
from netbox_hedgehog.crypto import CredentialError
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import SyncRun

from . import state
from .apply import apply_plans, record_plans
from .client import fabric_api
from .errors import ClusterError
from .plan import build_kind_plan
from .reader import read_cluster
from .runlog import RunLog

__all__ = (
    'create_run',
    'plan_fabric',
    'run_sync',
)

logger = logging.getLogger('netbox_hedgehog.sync')


def create_run(fabric, trigger, user=None, dry_run=False, queue='', job_id=''):
    return SyncRun.objects.create(fabric=fabric, trigger=trigger, user=user, dry_run=dry_run, queue=queue,
                                  job_id=job_id)


def plan_fabric(fabric, read, log):
    """Plan every kind of the fabric from a complete read.

    A kind whose CRD is missing while NetBox holds objects of it fails the sync (nothing is written). A kind that
    came back empty while NetBox holds objects of it stops all pruning for this run, unless the fabric allows
    empty kinds.
    """
    identities = {}
    for kind_spec in KINDS:
        rows = kind_spec.model.objects.filter(fabric=fabric).values_list('pk', 'name', 'uid', 'resource_version')
        identities[kind_spec.kind] = {name: (pk, uid, rv) for pk, name, uid, rv in rows}
    for kind, kind_read in read.kinds.items():
        if kind_read.missing and identities[kind]:
            raise ClusterError(f'{kind_read.error} NetBox holds {len(identities[kind])} {kind} object(s) of this '
                               f'fabric, so nothing was changed.')
    emptied = [
        kind for kind, kind_read in read.kinds.items()
        if not kind_read.items and identities[kind] and not kind_read.missing
    ]
    prune_blocked = ''
    if emptied and not fabric.allow_empty_kinds:
        prune_blocked = (
            f'the cluster returned no {", ".join(emptied)} objects while NetBox holds some; an empty answer is '
            f'treated as a broken read unless the fabric allows empty kinds'
        )
        log(f'Nothing is pruned: {prune_blocked}')
    plans = []
    for kind_spec in KINDS:
        model = kind_spec.model

        def load_rows(ids, model=model):
            return {row.pk: row for row in model.objects.filter(pk__in=ids).prefetch_related('tags')}

        plan = build_kind_plan(kind_spec, read.kinds[kind_spec.kind].items, identities[kind_spec.kind], load_rows,
                               prune_blocked)
        for name, message in plan.errors:
            log(f'{kind_spec.kind} {name}: {message}')
        plans.append(plan)
    return plans


def run_sync(run, heartbeat=lambda: None):
    """Execute `run` (a SyncRun in state queued) and return it finished. Never raises for sync failures.

    `heartbeat` is called regularly (after each page read and before writing), for callers holding an expiring
    lock; it may raise to abort the run, which then fails without writing.
    """
    fabric = run.fabric
    log = RunLog(get_setting('sync_log_lines'))
    started = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRunStatusChoices.RUNNING, started=started)
    run.status, run.started = SyncRunStatusChoices.RUNNING, started
    if not run.dry_run:
        state.mark_started(fabric.pk, started)
    log(f'{"Dry run" if run.dry_run else "Sync"} of fabric {fabric.name} started')
    plans = []
    try:
        with fabric_api(fabric) as (api, server, timeout):
            read = read_cluster(api, server, fabric.kubernetes_namespace, get_setting('k8s_page_size'), timeout,
                                log, heartbeat)
        if read.failed:
            raise ClusterError(read.error)
        plans = plan_fabric(fabric, read, log)
        heartbeat()
        with transaction.atomic():
            if not run.dry_run:
                apply_plans(fabric, run, plans, run.user)
            record_plans(run, plans)
    except (ClusterError, CredentialError) as e:
        run.error = str(e)
    except Exception as e:
        logger.exception('Sync of fabric %s failed unexpectedly', fabric.pk)
        run.error = f'Internal error during the sync ({type(e).__name__}); see the worker log for details.'
    finished = timezone.now()
    return _finish(run, fabric, plans, log, finished)


def _finish(run, fabric, plans, log, finished):
    skipped = sorted({p.prune_skipped_reason for p in plans if p.prune_skipped_reason})
    errors = sum(len(p.errors) for p in plans)
    if run.error:
        run.status = SyncRunStatusChoices.FAILED
        run.counts = {}
        log(f'Failed: {run.error}')
    else:
        run.status = SyncRunStatusChoices.PARTIAL if (skipped or errors) else SyncRunStatusChoices.SUCCEEDED
        run.counts = {p.kind_spec.kind: p.counts() for p in plans}
        run.pruned = not run.dry_run and any(p.delete for p in plans)
        run.prune_skipped_reason = '\n'.join(skipped)
        totals = {a: sum(c[a] for c in run.counts.values()) for a in ('create', 'update', 'delete', 'unchanged')}
        summary = ', '.join(f'{n} {a}' for a, n in totals.items())
        log(f'Finished: {summary}' + (f', {errors} error(s)' if errors else ''))
    run.finished = finished
    run.log = log.text()
    run.save(update_fields=('status', 'counts', 'pruned', 'prune_skipped_reason', 'error', 'finished', 'log'))
    if not run.dry_run:
        if run.error:
            state.mark_failed(fabric, finished, run.error)
        else:
            note = ''
            if errors:
                note = f'{errors} object(s) could not be interpreted; see sync run #{run.pk}.'
            elif skipped:
                note = f'Nothing was pruned; see sync run #{run.pk}.'
            state.mark_succeeded(fabric, finished, out_of_sync=bool(note), note=note)
    return run
