"""Bulk inserts streamed with PostgreSQL COPY, and NetBox's change-log snapshot computed for many objects at once.

`bulk_create` renders one INSERT statement holding every value as a parameter, which costs more Python time and
memory than the rows themselves once a kind holds thousands of objects. COPY streams the rows instead. Values go
through the same field methods an INSERT uses (`pre_save`, `get_db_prep_save`), so what lands in the table is
what `save()` would have written.
"""
import json

from django.core import serializers
from django.db import connection

__all__ = (
    'change_snapshots',
    'copy_instances',
    'reserve_ids',
)

# Objects serialized per call: bounds the JSON text held at once.
SNAPSHOT_CHUNK = 1000


def reserve_ids(model, count):
    """Take `count` primary keys from the table's sequence (one query), for rows written with COPY."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)',
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_instances(model, instances, with_pk=True):
    """Insert unsaved `instances` of `model` with one COPY; their primary keys are set (`with_pk`) or left to the
    database's default. Returns how many rows were written."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    statement = (f'COPY {quote(model._meta.db_table)} ({", ".join(quote(f.column) for f in fields)}) '
                 f'FROM STDIN')
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for instance in instances:
            copy.write_row([f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields])
            written += 1
    return written


def change_snapshots(instances):
    """The `postchange_data` of each saved instance: exactly what NetBox's
    `serialize_object(instance, resolve_tags=False, extra={'tags': []}, exclude=['last_updated'])` returns (same
    serializer, same JSON round trip), from one serializer call per chunk of instances instead of one per object."""
    snapshots = []
    for start in range(0, len(instances), SNAPSHOT_CHUNK):
        for entry in json.loads(serializers.serialize('json', instances[start:start + SNAPSHOT_CHUNK])):
            data = entry['fields']
            if 'custom_field_data' in data:
                data['custom_fields'] = data.pop('custom_field_data')
            data.pop('last_updated', None)
            data['tags'] = []
            snapshots.append(data)
    return snapshots
