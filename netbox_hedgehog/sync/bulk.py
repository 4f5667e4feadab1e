"""Bulk writes streamed with PostgreSQL COPY, and NetBox's change-log snapshot computed for many objects at once.

`bulk_create` renders one INSERT statement holding every value as a parameter, and `bulk_update` a CASE expression
per field and row, in batches: both cost more Python time and memory than the rows themselves once a kind holds
thousands of objects, and the batches make the statement count grow with them. COPY streams the rows instead. Values go
through the same field methods an INSERT uses (`pre_save`, `get_db_prep_save`), so what lands in the table is
what `save()` would have written.
"""
import json

from django.core import serializers
from django.db import connection

from netbox_hedgehog.models.base import UNLOGGED_FIELDS

from . import pulse

__all__ = (
    'change_snapshots',
    'copy_instances',
    'copy_rows',
    'copy_update',
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


def _fields(model, names):
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in names]


def _copy(table, fields, rows):
    """Stream `rows` (lists of database values for `fields`) into `table` with one COPY."""
    quote = connection.ops.quote_name
    statement = f'COPY {quote(table)} ({", ".join(quote(f.column) for f in fields)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in pulse.beating(rows):
            copy.write_row(row)


def copy_instances(model, instances):
    """Insert unsaved `instances` of `model`, primary keys set (see reserve_ids), with one COPY, each value as
    `save()` would write it (`pre_save` included)."""
    fields = model._meta.concrete_fields
    _copy(model._meta.db_table, fields, (
        [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields] for instance in instances
    ))


def copy_rows(model, names, rows):
    """Insert `rows` (tuples of Python values for the fields `names`, by attname) with one COPY, without building a
    model instance per row. Every column without a database default must be named."""
    fields = _fields(model, names)
    preps = [f.get_db_prep_save for f in fields]
    _copy(model._meta.db_table, fields,
          ([prep(value, connection) for prep, value in zip(preps, row, strict=True)] for row in rows))


def copy_update(model, instances, names):
    """Write the fields `names` (by attname) of saved `instances` in four statements however many there are: COPY
    the new values into a temporary table shaped like the model's, then one UPDATE ... FROM it."""
    fields = [model._meta.pk, *_fields(model, names)]
    temporary = f'hedgehog_update_{model._meta.db_table}'
    quote = connection.ops.quote_name
    table, new = quote(model._meta.db_table), quote(temporary)
    columns = [quote(f.column) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE {new} AS SELECT {", ".join(columns)} FROM {table} WITH NO DATA')
        _copy(temporary, fields, (
            [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields] for instance in instances
        ))
        assignments = ', '.join(f'{column} = new.{column}' for column in columns[1:])
        cursor.execute(f'UPDATE {table} SET {assignments} FROM {new} AS new WHERE {table}.{columns[0]} = '
                       f'new.{columns[0]}')
        cursor.execute(f'DROP TABLE {new}')


def change_snapshots(instances):
    """The `postchange_data` of each saved instance: exactly what NetBox's
    `serialize_object(instance, resolve_tags=False, extra={'tags': []}, exclude=['last_updated', *UNLOGGED_FIELDS])`
    returns (same serializer, same JSON round trip), from one serializer call per chunk of instances instead of one per
    object."""
    snapshots = []
    for start in pulse.beating(range(0, len(instances), SNAPSHOT_CHUNK)):
        for entry in json.loads(serializers.serialize('json', instances[start:start + SNAPSHOT_CHUNK])):
            data = entry['fields']
            if 'custom_field_data' in data:
                data['custom_fields'] = data.pop('custom_field_data')
            data.pop('last_updated', None)
            for name in UNLOGGED_FIELDS:
                data.pop(name, None)
            data['tags'] = []
            snapshots.append(data)
    return snapshots
