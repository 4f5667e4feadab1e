"""Write a sync plan to the database with bulk statements: a bounded number of queries per kind.

Creates, updates and deletes are change-logged (ObjectChange rows sharing the run's request ID), recorded as
SyncChange rows with their diff, and kept in NetBox's global search index. New rows, their change records and
search values are made as they are planned, held in temporary files (NewRows), and streamed with COPY a kind at a
time, so that a large initial sync neither renders huge INSERT statements nor holds a kind's objects in memory.
"""
import json
import os
import uuid
from itertools import chain
from typing import NamedTuple

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from extras.models import CachedValue, CustomField, TaggedItem
from netbox.search import get_indexer

from netbox_hedgehog.choices import SyncActionChoices
from netbox_hedgehog.models import Fabric, SyncChange
from netbox_hedgehog.models.base import content_key, jsonb_text

from . import pulse
from .bulk import (
    JSONText,
    Spool,
    change_snapshots,
    constant_value,
    copy_rows,
    copy_update,
    created_snapshots,
    database,
    quoted_table,
    reserve_ids,
    row_instance,
)
from .plan import GIT_FIELDS, RESTORED_MESSAGE

__all__ = (
    'NewRows',
    'OBJECT_CHANGE_COLUMNS',
    'Writes',
    'apply_plans',
    'change_maker',
    'delete_gone',
    'delete_rows',
    'record_git_errors',
    'record_plans',
    'search_values',
    'searched_custom_fields',
    'write_kind',
)

IDENTITY_FIELDS = ('uid', 'resource_version', 'generation', 'creation_timestamp')
# What a refresh writes: the row's content is unchanged, its cluster identity (or Git digest) is not. The version a
# row's content was verified for goes with the key and digest of that content (see _refresh): never with a key left
# from other content, which an edit back to that content would make match again.
REFRESH_FIELDS = (*IDENTITY_FIELDS, 'git_digest', 'drift_diff', 'git_review_branch', 'verified_version',
                  'content_key', 'content_digest')
# The columns of the rows written with copy_rows(), in the order change_maker(), search_values() and
# _sync_changes() give them; the object's id first, where new rows' change records and search values are spooled
# before their ids are known (see NewRows).
OBJECT_CHANGE_COLUMNS = (
    'changed_object_id', 'time', 'user_id', 'user_name', 'request_id', 'action', 'changed_object_type_id',
    'object_repr', 'message', 'prechange_data', 'postchange_data',
)
SEARCH_COLUMNS = ('object_id', 'id', 'timestamp', 'object_type_id', 'field', 'type', 'weight', 'value')
SYNC_CHANGE_COLUMNS = ('run_id', 'kind', 'name', 'action', 'object_id', 'diff', 'message', 'git_file')
# The JSON content of a row: written as text encoded once (jsonb_text), reused for its change record and content key.
CONTENT_FIELDS = ('spec', 'labels', 'annotations')
NO_DIFF = JSONText('[]')


def _content_texts(obj):
    """The JSON texts of the object's spec, labels and annotations, and the content key of a row holding them ('' when
    the object keeps no digest, or when jsonb may give the content back otherwise)."""
    texts = tuple(jsonb_text(getattr(obj, name)) for name in CONTENT_FIELDS)
    if None in texts:
        return tuple(JSONText(json.dumps(getattr(obj, name))) for name in CONTENT_FIELDS), ''
    key = content_key(obj.name, *texts) if obj.content_digest else ''
    return tuple(map(JSONText, texts)), key


def _assign(instance, obj):
    instance.spec, instance.labels, instance.annotations = obj.spec, obj.labels, obj.annotations
    instance.content_digest = obj.content_digest
    instance.content_key = _content_texts(obj)[1]
    instance.verified_version = obj.verified_version
    for name in (*IDENTITY_FIELDS, *GIT_FIELDS):
        setattr(instance, name, getattr(obj, name))
    for name, value in obj.typed.items():
        setattr(instance, name, value)


def _tag_names(object_type, instances):
    """{id: tag names} of the rows `instances`, sorted as NetBox's change log lists them (one query)."""
    names = {instance.pk: [] for instance in instances}
    tagged = TaggedItem.objects.filter(content_type=object_type, object_id__in=list(names))
    for pk, name in tagged.values_list('object_id', 'tag__name'):
        names[pk].append(name)
    return {pk: sorted(tags) for pk, tags in names.items()}


def _snapshots(instances, tags):
    """Yield what NetBox's change log records of each row as it is now: its `serialize_object(exclude=
    ['last_updated'])`, with `tags[id]` (see _tag_names), made a chunk at a time (see change_snapshots)."""
    for instance, data in zip(instances, change_snapshots(instances, tags=None), strict=True):
        data['tags'] = list(tags[instance.pk])
        yield data


def delete_rows(model, object_type, ids):
    """Delete rows and what hangs off them generically (tags, journal, bookmarks...) in a few raw statements."""
    for field in model._meta.private_fields:
        if isinstance(field, GenericRelation):
            related = field.related_model._base_manager.filter(**{
                field.content_type_field_name: object_type, f'{field.object_id_field_name}__in': ids,
            })
            related._raw_delete(related.db)
    CachedValue.objects.filter(object_type=object_type, object_id__in=ids)._raw_delete(CachedValue.objects.db)
    rows = model._base_manager.filter(pk__in=ids)
    rows._raw_delete(rows.db)


def searched_custom_fields(model, instances):
    """The custom fields of `model` with a search weight, which NetBox's search backend indexes beside the fields:
    read (one query) only when one of `instances` holds custom field data. Called before the COPY of the search
    values: no other query may run while a COPY streams."""
    if not any(getattr(instance, 'custom_field_data', None) for instance in instances):
        return []
    return [cf for cf in CustomField.objects.get_for_model(model) if cf.search_weight > 0]


def search_values(model, object_type, instances, now, custom_fields=()):
    """CachedValue rows (SEARCH_COLUMNS) for the global search, built like NetBox's search backend does;
    `custom_fields`: see searched_custom_fields."""
    indexer = get_indexer(model)
    uuids = _random_uuids()
    custom_fields = list(custom_fields)
    return (
        (instance.pk, next(uuids), now, object_type.pk, value.name, value.type, value.weight, value.value)
        for instance in instances
        for value in indexer.to_cache(instance, custom_fields=custom_fields)
    )


def _random_uuids(batch=4096):
    """Random (version 4) UUIDs as `uuid.uuid4()` makes them, from one read of the system's random source per
    `batch` of them rather than one each."""
    while True:
        data = os.urandom(16 * batch)
        for start in range(0, len(data), 16):
            yield uuid.UUID(bytes=data[start:start + 16], version=4)


class Created(NamedTuple):
    """What a plan keeps of an object once its new row is written."""
    name: str
    pk: int


class NewRows:
    """The new rows of one kind, made as their objects are planned (`add`, a page at a time) and written with the
    kind's other writes (see write_kind): each row, its change record and its search values wait in a Spool, so that
    the objects of a large kind are never all held; their ids are taken from the sequence once their number is
    known (one query).

    What no object sets is each field's default, prepared for the database once; auto-now dates are the run's."""

    def __init__(self, writes, kind_spec):
        model = self.model = kind_spec.model
        self.writes = writes
        self.object_type = ContentType.objects.get_for_model(model)
        self.apply_errors = writes.apply_errors(kind_spec.kind)
        pk = model._meta.pk
        # The id first (see Spool).
        fields = [pk, *(f for f in model._meta.concrete_fields if f is not pk)]
        self.index = {f.attname: position for position, f in enumerate(fields)}
        self.rows = Spool(model, [f.attname for f in fields])
        self.preps = self.rows.preps
        now = writes.now
        self.defaults = {f.attname: now if getattr(f, 'auto_now', False) or getattr(f, 'auto_now_add', False)
                         else f.get_default() for f in fields} | {'fabric_id': writes.fabric.pk}
        db = database()
        self.template = [constant_value(f, self.defaults[f.attname], db) for f in fields]
        self.own = (pk.attname, 'name', 'content_digest', 'content_key', 'verified_version', 'apply_error',
                    *IDENTITY_FIELDS, *GIT_FIELDS)
        self.content = [self.index[name] for name in CONTENT_FIELDS]
        self.varying = {*self.own, *CONTENT_FIELDS}
        self.names = []
        self.changes = Spool(ObjectChange, OBJECT_CHANGE_COLUMNS)
        self.search = Spool(CachedValue, SEARCH_COLUMNS)

    def add(self, objects):
        """Make the rows of new objects (ObjectStates), their change records and search values."""
        model, db, pk = self.model, database(), self.model._meta.pk.attname
        created, texts = [], []
        for obj in objects:
            # The row's id is its position until write() knows the ids.
            position = len(self.names)
            self.names.append(obj.name)
            obj_texts, key = _content_texts(obj)
            values = self.defaults | obj.typed | {
                pk: position, 'spec': obj.spec, 'labels': obj.labels, 'annotations': obj.annotations,
                'name': obj.name, 'content_digest': obj.content_digest, 'content_key': key,
                'verified_version': obj.verified_version, 'apply_error': self.apply_errors.get(obj.name, ''),
            }
            for name in (*IDENTITY_FIELDS, *GIT_FIELDS):
                values[name] = getattr(obj, name)
            row = self.template.copy()
            for name in (*self.own, *obj.typed):
                if name in self.index:
                    column = self.index[name]
                    row[column] = self.preps[column](values[name], db)
            for column, text in zip(self.content, obj_texts, strict=True):
                row[column] = text
            self.varying.update(obj.typed)
            self.rows.add_prepared(row)
            created.append(row_instance(model, values))
            texts.append(obj_texts)
        change, object_type = self.writes.change, self.object_type
        for instance, snapshot in zip(created, created_snapshots(created, self.varying, CONTENT_FIELDS, texts),
                                      strict=True):
            self.changes.add(change(ObjectChangeActionChoices.ACTION_CREATE, object_type, instance.pk, instance.name,
                                    None, snapshot))
        for row in search_values(model, object_type, created, self.writes.now):
            self.search.add(row)

    def close(self):
        """Drop the rows made (when they are not written)."""
        for spool in (self.rows, self.changes, self.search):
            spool.close()


def _keep_digests(model, digested):
    """Store the digests the plan computed from rows' content, each under the key read with that content (one
    statement): the pair holds whatever the row holds now (see HedgehogResource.content_key). Their content is not
    known to be the cluster's: no version is verified for it (see _keep_verified)."""
    ids, keys, digests = (list(column) for column in zip(*digested, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quoted_table(model)} AS r SET content_key = d.key, content_digest = d.digest, "
            f"verified_version = '' FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS d(id, key, digest) "
            f"WHERE r.id = d.id",
            [ids, keys, digests],
        )


def _keep_verified(model, verified):
    """Store the version each row's unchanged content was found equal to in the cluster (one statement)."""
    ids, versions = (list(column) for column in zip(*verified, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {quoted_table(model)} AS r SET verified_version = v.version '
            f'FROM unnest(%s::bigint[], %s::text[]) AS v(id, version) WHERE r.id = v.id',
            [ids, versions],
        )


def _refresh(instance, obj):
    """Set what a refresh writes (REFRESH_FIELDS) on the loaded row `instance` from `obj`, whose content it holds."""
    for name in (*IDENTITY_FIELDS, 'git_digest', 'drift_diff', 'git_review_branch'):
        setattr(instance, name, getattr(obj, name))
    if obj.verified_version:
        instance.content_digest, instance.content_key = obj.content_digest, _content_texts(obj)[1]
    # Without a key of this very content, no version is verified for it.
    instance.verified_version = obj.verified_version if instance.content_key else ''
    return instance


def change_maker(user, request_id, message, now):
    """A function returning the ObjectChange row (OBJECT_CHANGE_COLUMNS) of one change made by `user` (None: the
    sync) in request `request_id`."""
    common = (now, user.pk if user else None, user.username if user else 'hedgehog-sync', request_id)
    message = message[:200]

    def change(action, object_type, pk, name, pre, post):
        return (pk, *common, action, object_type.pk, name[:200], message, pre, post)
    return change


def _sync_changes(run, plans):
    """SyncChange rows (SYNC_CHANGE_COLUMNS) of everything the plans do."""
    for plan in plans:
        kind = plan.kind_spec.kind
        restored = set(plan.restored)
        for obj in plan.create:
            # Written: a Created entry; a dry run's new objects have no row.
            pk = obj.pk if isinstance(obj, Created) else None
            yield run.pk, kind, obj.name, SyncActionChoices.CREATE, pk, NO_DIFF, '', ''
        for instance, obj, changes in plan.update:
            message = RESTORED_MESSAGE if obj.name in restored else ''
            yield run.pk, kind, obj.name, SyncActionChoices.UPDATE, instance.pk, changes, message, ''
        for pk, name in plan.delete:
            yield run.pk, kind, name, SyncActionChoices.DELETE, pk, NO_DIFF, '', ''
        for name, message in plan.errors:
            yield run.pk, kind, name, SyncActionChoices.ERROR, None, NO_DIFF, message, ''


def record_plans(run, plans):
    """SyncChange rows for everything the plans do (used for real and dry runs alike), streamed with one COPY."""
    if any(plan.create or plan.update or plan.delete or plan.errors for plan in plans):
        copy_rows(SyncChange, SYNC_CHANGE_COLUMNS, _sync_changes(run, plans))


def _keep_edits(model, plan):
    """Lock the rows a Git fabric's plan rewrites or deletes, and leave out those a person edited since the plan was
    made: their edit is on its way to Git and wins (one query)."""
    ids = [row.pk for row, *_rest in plan.update + plan.refresh] + [pk for pk, _name in plan.delete]
    if not ids:
        return
    edited = {
        pk for pk, since in model.objects.select_for_update().filter(pk__in=ids).values_list('pk', 'git_pending_since')
        if since is not None and since >= plan.planned_at
    }
    if edited:
        kept = len(plan.update) + len(plan.refresh) + len(plan.delete)
        plan.update = [entry for entry in plan.update if entry[0].pk not in edited]
        plan.refresh = [entry for entry in plan.refresh if entry[0].pk not in edited]
        plan.delete = [entry for entry in plan.delete if entry[0] not in edited]
        plan.unchanged += kept - len(plan.update) - len(plan.refresh) - len(plan.delete)


def record_git_errors(run, errors):
    """An error SyncChange for each document of the repository that could not be loaded (DocumentError)."""
    SyncChange.objects.bulk_create([
        SyncChange(run=run, kind='', name=error.name[:253], action=SyncActionChoices.ERROR, message=str(error),
                   git_file=error.source[:500])
        for error in errors
    ])


def _refused_deletions(fabric):
    """{kind: {name: message}} of the deletions the fabric's cluster refused (sync/apply_cluster.py): an object
    NetBox deleted that the cluster kept comes back with the API server's message as its apply error."""
    failures = Fabric.objects.filter(pk=fabric.pk).values_list('cluster_delete_failures', flat=True).first() or []
    refused = {}
    for failure in failures:
        refused.setdefault(failure['kind'], {}).setdefault(failure['name'], failure['message'])
    return refused


class Writes:
    """What the writes of one run share: their time, the maker of their change records, and the deletions the
    fabric's cluster refused (read once, when a kind first has new rows)."""

    def __init__(self, fabric, run, user=None):
        self.fabric = fabric
        self.now = timezone.now()
        self.change = change_maker(user, run.request_id, f'Hedgehog sync run #{run.pk}', self.now)
        self._refused = None

    def apply_errors(self, kind):
        """{name: message} of the objects of `kind` whose deletion the cluster refused: their new rows carry it."""
        if self._refused is None:
            self._refused = _refused_deletions(self.fabric)
        return self._refused.get(kind, {})


def write_kind(writes, plan, new_rows=None):
    """Write what a kind's plan creates (its `new_rows`, made from the objects the plan planned to create), updates
    and refreshes, with the digests and versions it verified (call inside a transaction). Deletions wait for
    delete_gone. The plan's creates are then `Created` entries.

    The caller's lock is kept alive throughout (pulse.beat() per object and per row streamed)."""
    model = plan.kind_spec.model
    if plan.digested:
        # First, so that the rows written below get the digest of what they are written with.
        _keep_digests(model, plan.digested)
    if plan.verified:
        _keep_verified(model, plan.verified)
    if plan.confirmed:
        # The cluster now shows these NetBox edits: they are no longer pending apply.
        model.objects.filter(pk__in=plan.confirmed).update(apply_pending_since=None, apply_error='')
    if plan.planned_at is not None:
        _keep_edits(model, plan)
    if not (new_rows or plan.update or plan.refresh):
        return
    pulse.beat()
    now, change = writes.now, writes.change
    # Django's ContentType cache: no query per kind once warm.
    object_type = ContentType.objects.get_for_model(model)
    ids, created_search, created_changes = [], (), ()
    if new_rows:
        ids = reserve_ids(model, len(new_rows.names))
        _copy_chunks(model, new_rows.rows, ids)
        created_search, created_changes = new_rows.search.chunks(ids), new_rows.changes.chunks(ids)
        plan.create = [Created(name, pk) for name, pk in zip(new_rows.names, ids, strict=True)]

    updated = [instance for instance, _obj, _changes in plan.update]
    tags = _tag_names(object_type, updated) if updated else {}
    before = list(_snapshots(updated, tags))
    for instance, obj, _changes in pulse.beating(plan.update):
        _assign(instance, obj)
        instance.last_updated = now
    object_changes = [
        change(ObjectChangeActionChoices.ACTION_UPDATE, object_type, instance.pk, instance.name, pre, post)
        for instance, pre, post in zip(updated, before, _snapshots(updated, tags), strict=True)
    ]
    refreshed = [_refresh(instance, obj) for instance, obj in plan.refresh]
    if updated:
        fields = ['spec', 'labels', 'annotations', 'content_digest', 'content_key', 'verified_version',
                  'last_updated', *IDENTITY_FIELDS, *GIT_FIELDS, *plan.update[0][1].typed]
        copy_update(model, updated, fields)
        CachedValue.objects.filter(object_type=object_type, object_id__in=[i.pk for i in updated])._raw_delete(
            CachedValue.objects.db)
    if refreshed:
        copy_update(model, refreshed, REFRESH_FIELDS)
    if ids or updated:
        copy_rows(CachedValue, SEARCH_COLUMNS, chain(created_search, search_values(
            model, object_type, updated, now, searched_custom_fields(model, updated))))
    if ids or object_changes:
        copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, chain(created_changes, object_changes))


def _copy_chunks(model, spool, ids):
    """Write the rows of `spool` into the model's table (see Spool.chunks)."""
    copy_rows(model, [f.attname for f in spool.fields], spool.chunks(ids))


def delete_gone(writes, plans):
    """Delete the rows the plans found gone from the cluster, change-logged (call inside a transaction, after every
    kind's write_kind: whether anything may be pruned is known once every kind was read)."""
    for plan in plans:
        if not plan.delete:
            continue
        pulse.beat()
        model = plan.kind_spec.model
        object_type = ContentType.objects.get_for_model(model)
        delete_rows(model, object_type, [pk for pk, _name in plan.delete])
        copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, (
            writes.change(ObjectChangeActionChoices.ACTION_DELETE, object_type, pk, name,
                          {'name': name, 'fabric': writes.fabric.pk}, None)
            for pk, name in plan.delete
        ))


def apply_plans(fabric, run, plans, user=None):
    """Apply complete plans (call inside a transaction). Returns nothing; raises on any database error."""
    writes = Writes(fabric, run, user)
    for plan in plans:
        new_rows = None
        if plan.create:
            new_rows = NewRows(writes, plan.kind_spec)
            new_rows.add(plan.create)
        write_kind(writes, plan, new_rows)
    delete_gone(writes, plans)
