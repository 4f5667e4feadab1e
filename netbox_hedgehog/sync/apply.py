"""Write a sync plan to the database with bulk statements: a bounded number of queries per kind.

Creates, updates and deletes are change-logged (ObjectChange rows sharing the run's request ID), recorded as
SyncChange rows with their diff, and kept in NetBox's global search index. New rows, their change records and
search values are streamed with COPY, a kind at a time, so that a large initial sync neither renders huge INSERT
statements nor holds every change record in memory.
"""
import json
import os
import uuid
from itertools import chain

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from extras.models import CachedValue, CustomField
from netbox.search import get_indexer

from netbox_hedgehog.choices import SyncActionChoices
from netbox_hedgehog.models import Fabric, SyncChange
from netbox_hedgehog.models.base import content_key, jsonb_text

from . import pulse
from .bulk import (
    JSONText,
    constant_value,
    copy_prepared,
    copy_rows,
    copy_update,
    created_snapshots,
    database,
    preparer,
    quoted_table,
    reserve_ids,
    row_instance,
)
from .plan import GIT_FIELDS, RESTORED_MESSAGE

__all__ = (
    'OBJECT_CHANGE_COLUMNS',
    'apply_plans',
    'change_maker',
    'delete_rows',
    'record_git_errors',
    'record_plans',
    'search_values',
    'searched_custom_fields',
)

IDENTITY_FIELDS = ('uid', 'resource_version', 'generation', 'creation_timestamp')
# What a refresh writes: the row's content is unchanged, its cluster identity (or Git digest) is not. The version a
# row's content was verified for goes with the key and digest of that content (see _refresh): never with a key left
# from other content, which an edit back to that content would make match again.
REFRESH_FIELDS = (*IDENTITY_FIELDS, 'git_digest', 'drift_diff', 'git_review_branch', 'verified_version',
                  'content_key', 'content_digest')
# The columns of the rows written with copy_rows(), in the order change_maker(), search_values() and
# _sync_changes() give them.
OBJECT_CHANGE_COLUMNS = (
    'time', 'user_id', 'user_name', 'request_id', 'action', 'changed_object_type_id', 'changed_object_id',
    'object_repr', 'message', 'prechange_data', 'postchange_data',
)
SEARCH_COLUMNS = ('id', 'timestamp', 'object_type_id', 'object_id', 'field', 'type', 'weight', 'value')
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


def _snapshot(instance):
    return instance.serialize_object(exclude=['last_updated'])


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
        (next(uuids), now, object_type.pk, instance.pk, value.name, value.type, value.weight, value.value)
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


def _insert(model, fabric, objects, apply_errors, now):
    """Write new rows (one query for their ids, one COPY) and set each `obj.pk`. Returns the rows as instances (see
    bulk.row_instance) with the JSON texts of their content (CONTENT_FIELDS), and the attnames whose values differ
    from row to row. `apply_errors`: the message each new row (by name) carries as its apply error ('' for none).

    What no object sets is each field's default, prepared for the database once; auto-now dates are `now`."""
    fields = model._meta.concrete_fields
    index = {f.attname: position for position, f in enumerate(fields)}
    preps = [preparer(f) for f in fields]
    defaults = {f.attname: now if getattr(f, 'auto_now', False) or getattr(f, 'auto_now_add', False)
                else f.get_default() for f in fields} | {'fabric_id': fabric.pk}
    db = database()
    template = [constant_value(f, defaults[f.attname], db) for f in fields]
    own = (model._meta.pk.attname, 'name', 'content_digest', 'content_key', 'verified_version', 'apply_error',
           *IDENTITY_FIELDS, *GIT_FIELDS)
    content = [index[name] for name in CONTENT_FIELDS]
    varying = {*own, *CONTENT_FIELDS}
    created, texts = [], []
    ids = reserve_ids(model, len(objects))

    def rows():
        for pk, obj in zip(ids, objects, strict=True):
            obj.pk = pk
            obj_texts, key = _content_texts(obj)
            values = defaults | obj.typed | {
                model._meta.pk.attname: pk, 'spec': obj.spec, 'labels': obj.labels,
                'annotations': obj.annotations, 'name': obj.name, 'content_digest': obj.content_digest,
                'content_key': key, 'verified_version': obj.verified_version,
                'apply_error': apply_errors.get(obj.name, ''),
            }
            for name in (*IDENTITY_FIELDS, *GIT_FIELDS):
                values[name] = getattr(obj, name)
            row = template.copy()
            for name in (*own, *obj.typed):
                if name in index:
                    position = index[name]
                    row[position] = preps[position](values[name], db)
            for position, text in zip(content, obj_texts, strict=True):
                row[position] = text
            varying.update(obj.typed)
            created.append(row_instance(model, values))
            texts.append(obj_texts)
            yield row

    copy_prepared(model, rows())
    return created, texts, varying


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
        return (*common, action, object_type.pk, pk, name[:200], message, pre, post)
    return change


def _sync_changes(run, plans):
    """SyncChange rows (SYNC_CHANGE_COLUMNS) of everything the plans do."""
    for plan in plans:
        kind = plan.kind_spec.kind
        restored = set(plan.restored)
        for obj in plan.create:
            yield run.pk, kind, obj.name, SyncActionChoices.CREATE, obj.pk, NO_DIFF, '', ''
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


def apply_plans(fabric, run, plans, user=None):
    """Apply the plans (call inside a transaction). Returns nothing; raises on any database error.

    The caller's lock is kept alive throughout (pulse.beat() per object and per row streamed)."""
    now = timezone.now()
    change = change_maker(user, run.request_id, f'Hedgehog sync run #{run.pk}', now)
    refused = _refused_deletions(fabric) if any(plan.create for plan in plans) else {}
    for plan in plans:
        model = plan.kind_spec.model
        if plan.digested:
            # First, so that the rows written below get the digest of what they are written with.
            _keep_digests(model, plan.digested)
        if plan.verified:
            _keep_verified(model, plan.verified)
        if plan.confirmed:
            # The cluster now shows these NetBox edits: they are no longer pending apply.
            model.objects.filter(pk__in=plan.confirmed).update(apply_pending_since=None, apply_error='')
        if not (plan.create or plan.update or plan.refresh or plan.delete):
            continue
        pulse.beat()
        if plan.planned_at is not None:
            _keep_edits(model, plan)
        # Django's ContentType cache: no query per kind once warm.
        object_type = ContentType.objects.get_for_model(model)
        object_changes = []

        created, texts, varying = (_insert(model, fabric, plan.create, refused.get(plan.kind_spec.kind, {}), now)
                                   if plan.create else ([], [], ()))
        # Streamed to the COPY below: a new row's snapshot is made as its change record is written.
        created_changes = (
            change(ObjectChangeActionChoices.ACTION_CREATE, object_type, instance.pk, instance.name, None, snapshot)
            for instance, snapshot in zip(created, created_snapshots(created, varying, CONTENT_FIELDS, texts),
                                          strict=True)
        )

        updated = []
        for instance, obj, _changes in pulse.beating(plan.update):
            pre = _snapshot(instance)
            _assign(instance, obj)
            instance.last_updated = now
            updated.append(instance)
            object_changes.append(change(ObjectChangeActionChoices.ACTION_UPDATE, object_type, instance.pk,
                                         instance.name, pre, _snapshot(instance)))
        refreshed = [_refresh(instance, obj) for instance, obj in plan.refresh]
        if updated:
            fields = ['spec', 'labels', 'annotations', 'content_digest', 'content_key', 'verified_version',
                      'last_updated', *IDENTITY_FIELDS, *GIT_FIELDS, *plan.update[0][1].typed]
            copy_update(model, updated, fields)
            CachedValue.objects.filter(object_type=object_type, object_id__in=[i.pk for i in updated])._raw_delete(
                CachedValue.objects.db)
        if refreshed:
            copy_update(model, refreshed, REFRESH_FIELDS)

        if plan.delete:
            ids = [pk for pk, _name in plan.delete]
            for pk, name in plan.delete:
                object_changes.append(change(ObjectChangeActionChoices.ACTION_DELETE, object_type, pk, name,
                                             {'name': name, 'fabric': fabric.pk}, None))
            delete_rows(model, object_type, ids)

        if created or updated:
            copy_rows(CachedValue, SEARCH_COLUMNS, search_values(model, object_type, created + updated, now,
                                                                 searched_custom_fields(model, updated)))
        if created or object_changes:
            copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, chain(created_changes, object_changes))
        # A kind's instances are not held while the next kind's are built.
        del created, texts, created_changes, updated
