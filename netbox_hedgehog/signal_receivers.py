"""Signal receivers: refuse a person's edits of a read-only fabric's objects (the UI, REST and bulk views answer with
the reason; see `writemode`); queue the job applying a person's edit to the cluster (write mode "cluster", jobs of
`rq_jobs.cluster`); keep the dangling references of a fabric's objects exact after objects are saved or deleted
(recomputed once per fabric when the transaction commits); and queue a commit when a person creates, edits or deletes
a Hedgehog object of a fabric whose write mode is Git.

`HedgehogConfig.ready()` connects the receivers to the plugin's writable kinds only (never globally; the one keeping
dangling references exact to every kind, switch profiles included). They run inside
the request's transaction and do no Git work there: they record the object's new drift, mark it as waiting for Git,
and collect the change in the transaction's batch, which queues ONE job of `rq_jobs.git` per fabric (named by its dotted
path) on the `default` queue once the transaction commits: a request's changes become one commit. The
sync writes in bulk and sends no signals; other code that saves objects without meaning to change Git (such as the
tests' YAML loader) wraps itself in `git_writes_suppressed()`. Deleting a whole fabric never removes its objects from
Git.
"""
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

import django_rq
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from netbox.constants import RQ_QUEUE_DEFAULT
from netbox.context import current_request
from redis.exceptions import RedisError
from utilities.exceptions import AbortRequest

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import DriftStatusChoices, WriteModeChoices
from netbox_hedgehog.inventory import remove_inventory
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.models.fabric import fabric_deleting
from netbox_hedgehog.references import referring_kinds, refresh_dangling
from netbox_hedgehog.sync.apply_cluster import mark_pending
from netbox_hedgehog.sync.drift import drift_of
from netbox_hedgehog.sync.purge import purge_fabric
from netbox_hedgehog.sync.state import adjust_drift_count
from netbox_hedgehog.writemode import edit_refusal

__all__ = (
    'connect',
    'git_writes_suppressed',
)

logger = logging.getLogger('netbox_hedgehog.gitops')

# The Git write job, run by `netbox rqworker`: one per request and fabric.
WRITE_JOB = 'rq_jobs.git.write_changes'
# The cluster write jobs.
APPLY_JOB = 'rq_jobs.cluster.apply_to_cluster'
DELETE_FROM_CLUSTER_JOB = 'rq_jobs.cluster.delete_from_cluster'

_suppressed = ContextVar('netbox_hedgehog_git_writes_suppressed', default=False)


@contextmanager
def git_writes_suppressed():
    """Within the block, saving or deleting objects queues no write to Git."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _username():
    request = current_request.get()
    user = getattr(request, 'user', None)
    return user.username if user is not None and user.is_authenticated else ''


def _enqueue(job, *args, description):
    """Queue `job`; False (and a log entry) when the task queue cannot be reached."""
    try:
        django_rq.get_queue(RQ_QUEUE_DEFAULT).enqueue(job, *args, job_timeout=get_setting('sync_job_timeout'),
                                                      description=description)
    except RedisError:
        logger.exception('Could not queue "%s"; the change stays in NetBox only until the next sync', description)
        return False
    return True


def _enqueue_apply(model, pk, *args, description):
    """Queue the apply of an edit to the cluster; when that fails the object says so and is no longer pending (the
    next sync puts back what the cluster holds)."""
    if not _enqueue(APPLY_JOB, *args, description=description):
        model.objects.filter(pk=pk).update(apply_pending_since=None, apply_error=(
            'The edit could not be queued for the cluster: the task queue (Redis) cannot be reached. The cluster was '
            'not changed.'
        ))


class _Batch:
    """What one transaction collects to do once when it commits (`run`, called by `done`)."""

    def __init__(self):
        self.done_already = False

    def done(self):
        self.done_already = True
        self.run()


def _batch(cls):
    """The batch of class `cls` of the current transaction, created (with its on_commit hook) by the first change in
    it, and whether the caller runs it at once (outside a transaction). A batch already run, or whose hook is no
    longer registered (its transaction or savepoint was rolled back), is not reused.

    The hook is looked up in the connection's list of on_commit callbacks, a Django internal: Django documents no way
    to tell whether a callback registered earlier is still pending in the current transaction (on_commit has no
    rollback counterpart, and transactions carry no identity), and without that a batch of a rolled-back transaction
    would be carried into the next one."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return cls(), True
    attribute = f'_hedgehog_{cls.__name__.strip("_").lower()}'
    batch = getattr(connection, attribute, None)
    if batch is None or batch.done_already or not any(func == batch.done for _s, func, _r in connection.run_on_commit):
        batch = cls()
        setattr(connection, attribute, batch)
        transaction.on_commit(batch.done)
    return batch, False


class _GitBatch(_Batch):
    """The Git writes of one transaction, per fabric; queued as one job per fabric when the transaction commits."""

    def __init__(self):
        super().__init__()
        self.changes = {}       # fabric pk -> {key: change}, in the order made
        self.names = {}         # fabric pk -> fabric name
        self.user = _username()

    def add(self, fabric, key, change, label):
        self.names[fabric.pk] = fabric.name
        # An object saved twice in one request is written once, with its first action (create stays create).
        self.changes.setdefault(fabric.pk, {}).setdefault(key, (change, label))

    def run(self):
        for fabric_pk, changes in self.changes.items():
            summary = next(iter(changes.values()))[1] if len(changes) == 1 else f'{len(changes)} changes'
            _enqueue(WRITE_JOB, fabric_pk, [change for change, _label in changes.values()], self.user,
                     description=f'Git: {summary} in fabric {self.names[fabric_pk]}')


def _git_write(fabric, instance, action, change):
    """Add a change to the Git batch of the current transaction (queued at once outside a transaction)."""
    batch, now = _batch(_GitBatch)
    batch.add(fabric, (change[0], instance.kind, instance.pk), change, f'{action} {instance.kind} {instance.name}')
    if now:
        batch.done()


class _ReferencesBatch(_Batch):
    """The kinds of each fabric whose dangling references one transaction's saves and deletions may have changed:
    recomputed once per fabric when it commits (set-based, see references.py). The saved objects then show their
    own marks (the REST answer is rendered after the view's transaction commits)."""

    def __init__(self):
        super().__init__()
        self.kinds = {}         # fabric pk -> {kind: KindSpec}
        self.saved = {}         # model -> {pk: [instances]}

    def add(self, fabric_id, kind_specs, instance=None):
        self.kinds.setdefault(fabric_id, {}).update((k.kind, k) for k in kind_specs)
        if instance is not None:
            self.saved.setdefault(type(instance), {}).setdefault(instance.pk, []).append(instance)

    def run(self):
        with transaction.atomic():
            for fabric_id, kinds in self.kinds.items():
                refresh_dangling(fabric_id, list(kinds.values()))
            for model, instances in self.saved.items():
                for pk, marks in model.objects.filter(pk__in=list(instances)).values_list('pk', 'dangling_references'):
                    for instance in instances[pk]:
                        instance.dangling_references = marks


def _deleting_fabric(origin):
    """Whether a deletion cascades from deleting a fabric (or a queryset of fabrics)."""
    return isinstance(origin, Fabric) or getattr(origin, 'model', None) is Fabric


def check_save(sender, instance, raw=False, **kwargs):
    """A person's save of an object of a read-only fabric is refused unless it leaves the Kubernetes object as is;
    in a fabric that applies edits to its cluster, a save that changes it is marked for `object_applied`."""
    if raw or current_request.get() is None:
        return
    check = edit_refusal(instance)
    if check.reason:
        raise AbortRequest(check.reason)
    if check.changes and instance.fabric.write_mode == WriteModeChoices.CLUSTER:
        instance._hedgehog_apply = check


def check_delete(sender, instance, origin=None, **kwargs):
    """A person's deletion of an object of a read-only fabric is refused (deleting the fabric itself is not)."""
    if current_request.get() is None or _deleting_fabric(origin):
        return
    if reason := edit_refusal(instance, deleting=True).reason:
        raise AbortRequest(reason)


def object_applied(sender, instance, created, raw=False, **kwargs):
    """Queue the job applying a person's edit to the fabric's cluster; the object is pending apply meanwhile."""
    check = instance.__dict__.pop('_hedgehog_apply', None)
    if raw or check is None:
        return
    # What the cluster holds under the old name of a renamed object, for the job to delete once the new one exists.
    previous = (check.previous_name, instance.uid, instance.resource_version) if check.previous_name else None
    mark_pending(instance)
    fabric = instance.fabric
    action = 'create' if created else f'rename {check.previous_name} to' if previous else 'update'
    transaction.on_commit(partial(
        _enqueue_apply, sender, instance.pk, fabric.pk, sender._meta.model_name, instance.pk, previous,
        description=f'Cluster: {action} {instance.kind} {instance.name} in fabric {fabric.name}',
    ))


def object_removed(sender, instance, origin=None, **kwargs):
    """Queue the job deleting a person's deleted object from the fabric's cluster (when NetBox read it there)."""
    if current_request.get() is None or _deleting_fabric(origin) or not instance.uid:
        return
    fabric = Fabric.objects.filter(pk=instance.fabric_id).first()
    if fabric is None or fabric.write_mode != WriteModeChoices.CLUSTER:
        return
    transaction.on_commit(partial(
        _enqueue, DELETE_FROM_CLUSTER_JOB, fabric.pk, instance.kind, instance.name, instance.uid,
        instance.resource_version, description=f'Cluster: delete {instance.kind} {instance.name} in fabric '
                                               f'{fabric.name}',
    ))


def object_saved(sender, instance, created, raw=False, **kwargs):
    if raw or _suppressed.get():
        return
    fabric = instance.fabric
    if fabric.write_mode != WriteModeChoices.GIT:
        return
    status, changes = drift_of(instance.desired, instance.observed, in_git=True)
    now = timezone.now()
    sender.objects.filter(pk=instance.pk).update(drift_status=status, drift_diff=changes, git_pending_since=now)
    adjust_drift_count(fabric, instance.drift_status in DriftStatusChoices.DRIFTED,
                       status in DriftStatusChoices.DRIFTED)
    instance.drift_status, instance.drift_diff, instance.git_pending_since = status, changes, now
    model_name = sender._meta.model_name
    action = 'create' if created else 'update'
    _git_write(fabric, instance, action, ('save', model_name, instance.pk, action))


def object_deleted(sender, instance, origin=None, **kwargs):
    if _suppressed.get() or _deleting_fabric(origin):
        return
    fabric = Fabric.objects.filter(pk=instance.fabric_id).first()
    if fabric is None or fabric.write_mode != WriteModeChoices.GIT:
        return
    adjust_drift_count(fabric, instance.drift_status in DriftStatusChoices.DRIFTED, False)
    if not instance.git_file:
        return
    _git_write(fabric, instance, 'delete',
               ('delete', instance.kind, instance.name, instance.git_file, instance.git_digest))


def references_changed(sender, instance, raw=False, origin=None, **kwargs):
    """After an object is saved or deleted: the dangling references of the kinds that can name it are recomputed once
    per fabric when the transaction commits (at once outside one); the saved instance then shows its own."""
    if raw or _deleting_fabric(origin):
        return
    kind_spec = sender.kind_spec()
    batch, now = _batch(_ReferencesBatch)
    batch.add(instance.fabric_id, referring_kinds(kind_spec),
              instance if kind_spec.references and kwargs.get('signal') is post_save else None)
    if now:
        batch.done()


def fabric_saved(sender, instance, created, raw=False, **kwargs):
    """Clearing (or changing) a fabric's inventory site removes what its projection created and forgets what it
    adopted; with a new site the next sync projects the fabric there."""
    before = getattr(instance, '_prechange_snapshot', None) or {}
    if not raw and not created and before.get('inventory_site') not in (None, instance.inventory_site_id):
        remove_inventory(instance)


def fabric_deleting_purge(sender, fabric, **kwargs):
    """As a fabric is deleted (see `fabric_deleting`): remove its objects and history in bulk, in step with a running
    sync, then what its inventory projection created (what it adopted stays). Returns the note on the sync."""
    note = purge_fabric(fabric)
    remove_inventory(fabric)
    return note


def connect():
    """Connect the handlers to every kind people may write (not the controller-owned switch profiles), and the
    fabric's handlers (bulk removal of a deleted fabric, its inventory projection)."""
    fabric_deleting.connect(fabric_deleting_purge, sender=Fabric, dispatch_uid='hedgehog-fabric-purge')
    post_save.connect(fabric_saved, sender=Fabric, dispatch_uid='hedgehog-inventory-fabric-save')
    for kind_spec in KINDS:
        post_save.connect(references_changed, sender=kind_spec.model,
                          dispatch_uid=f'hedgehog-references-save-{kind_spec.kind}')
        post_delete.connect(references_changed, sender=kind_spec.model,
                            dispatch_uid=f'hedgehog-references-delete-{kind_spec.kind}')
        if kind_spec.read_only:
            continue
        pre_save.connect(check_save, sender=kind_spec.model, dispatch_uid=f'hedgehog-write-mode-save-{kind_spec.kind}')
        pre_delete.connect(check_delete, sender=kind_spec.model,
                           dispatch_uid=f'hedgehog-write-mode-delete-{kind_spec.kind}')
        post_save.connect(object_saved, sender=kind_spec.model, dispatch_uid=f'hedgehog-git-save-{kind_spec.kind}')
        post_save.connect(object_applied, sender=kind_spec.model,
                          dispatch_uid=f'hedgehog-cluster-save-{kind_spec.kind}')
        post_delete.connect(object_removed, sender=kind_spec.model,
                            dispatch_uid=f'hedgehog-cluster-delete-{kind_spec.kind}')
        post_delete.connect(object_deleted, sender=kind_spec.model,
                            dispatch_uid=f'hedgehog-git-delete-{kind_spec.kind}')
