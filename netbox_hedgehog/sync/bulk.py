"""Bulk writes streamed with PostgreSQL COPY, and NetBox's change-log snapshot computed for many objects at once.

`bulk_create` renders one INSERT statement holding every value as a parameter, and `bulk_update` a CASE expression
per field and row, in batches: both cost more Python time and memory than the rows themselves once a kind holds
thousands of objects, and the batches make the statement count grow with them. COPY streams the rows instead. Values go
through the same field methods an INSERT uses (`pre_save`, `get_db_prep_save`), so what lands in the table is
what `save()` would have written.
"""
import json
import tempfile
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.base import ModelState
from psycopg.copy import Copy, FileWriter

from netbox_hedgehog.models.base import UNLOGGED_FIELDS

from . import pulse

__all__ = (
    'JSONText',
    'Spool',
    'change_snapshots',
    'constant_value',
    'copy_instances',
    'copy_rows',
    'copy_update',
    'created_snapshots',
    'database',
    'instance_maker',
    'preparer',
    'quoted_table',
    'reserve_ids',
    'row_instance',
    'written_instances',
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
    """Stream `rows` into `table` with one COPY: lists of database values for `fields`, or bytes holding whole rows
    already in COPY's text format (see Spool)."""
    quote = connection.ops.quote_name
    statement = f'COPY {quote(table)} ({", ".join(quote(f.column) for f in fields)}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in pulse.beating(rows):
            if type(row) is bytes:
                copy.write(row)
            else:
                copy.write_row(row)


def database():
    """The default database connection itself: `django.db.connection` is a proxy that looks it up again on every use
    (one attribute of a thread-local per value prepared)."""
    return connections[DEFAULT_DB_ALIAS]


# Fields whose database value (on PostgreSQL) is the Python value itself when it is of the type named here: their
# get_db_prep_save converts other values only (strings to numbers, naive datetimes to aware ones...). The copy skips
# Django's chain of prep methods for such values.
_PLAIN = {
    models.CharField: str, models.TextField: str, models.BooleanField: bool, models.IntegerField: int,
    models.BigIntegerField: int, models.PositiveIntegerField: int, models.PositiveBigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveSmallIntegerField: int, models.AutoField: int, models.BigAutoField: int, models.ForeignKey: int,
    models.UUIDField: uuid.UUID, models.DateTimeField: datetime,
}


# What a field does to a value on its way to the database: a subclass of a field of _PLAIN that overrides none of it
# (NetBox's CachedValueField, a TextField) is as plain.
_PREP_METHODS = ('get_prep_value', 'get_db_prep_value', 'get_db_prep_save')


def _prepares_as(field, cls):
    """Whether `field` prepares values for the database exactly as its base class `cls` does."""
    return all(getattr(type(field), name) is getattr(cls, name) for name in _PREP_METHODS)


def _plain_type(field):
    """The Python type whose values `field` writes as they are (see _PLAIN), or None."""
    for cls in type(field).__mro__:
        if cls in _PLAIN:
            return _PLAIN[cls] if _prepares_as(field, cls) else None
    return None


class JSONText(str):
    """A value already encoded as JSON text: written to a JSON column as it is (what its JSON encoding would be)."""


# The JSON text of empty containers, which most JSON columns of a sync's rows hold.
_EMPTY_JSON = {dict: JSONText('{}'), list: JSONText('[]')}


def _array_literal(items):
    """PostgreSQL's text of a one-dimensional array of strings or integers (`items`, without None), every element
    quoted: what a COPY reads as that array."""
    return '{' + ','.join('"' + str(item).replace('\\', '\\\\').replace('"', '\\"') + '"' for item in items) + '}'


def _array_preparer(field, prep):
    """`prep` for an array field, but a list of its plain elements (strings or integers, see _PLAIN) becomes its array
    literal: COPY (the only writer of prepared values) reads it from its text, and psycopg's list dumper, which
    inspects every element, took half the time of formatting a sync's rows."""
    element = _plain_type(field.base_field)
    if element not in (str, int) or not _prepares_as(field, ArrayField):
        return prep

    def array_prep(value, db):
        if type(value) is list and all(type(item) is element for item in value):
            return _array_literal(value)
        return prep(value, db)
    return array_prep


def preparer(field):
    """`prep(value, connection)`: the field's database value of `value` for a COPY, as `field.get_db_prep_save` gives
    it (a JSONText taken as it is by a JSON field, an array of plain elements as its literal)."""
    prep = field.get_db_prep_save
    if isinstance(field, ArrayField):
        return _array_preparer(field, prep)
    if isinstance(field, models.JSONField):
        plain_json = _prepares_as(field, models.JSONField)

        def json_prep(value, db):
            if type(value) is JSONText:
                return value
            if plain_json and not value and type(value) in _EMPTY_JSON:
                return _EMPTY_JSON[type(value)]
            return prep(value, db)
        return json_prep
    plain = _plain_type(field)
    if plain is None:
        return prep
    if plain is datetime:
        def datetime_prep(value, db):
            # An aware datetime is stored as it is; a naive one gets Django's warning and conversion.
            return value if value is None or (type(value) is datetime and value.tzinfo) else prep(value, db)
        return datetime_prep

    def plain_prep(value, db):
        return value if value is None or type(value) is plain else prep(value, db)
    return plain_prep


def copy_instances(model, instances, saved=None):
    """Insert unsaved `instances` of `model`, primary keys set (see reserve_ids), with one COPY, each value as
    `save()` would write it (`pre_save` included). `saved`: a list to append each instance's values as written to
    (a tuple in the order of the concrete fields; see `written_instances`), so that a caller streaming `instances`
    need not hold them."""
    fields = model._meta.concrete_fields
    preps = [(f.pre_save, preparer(f)) for f in fields]
    db = database()
    if saved is None:
        rows = ([prep(pre_save(instance, True), db) for pre_save, prep in preps] for instance in instances)
    else:
        def rows_kept():
            for instance in instances:
                values = tuple(pre_save(instance, True) for pre_save, _prep in preps)
                saved.append(values)
                yield [prep(value, db) for (_pre_save, prep), value in zip(preps, values, strict=True)]
        rows = rows_kept()
    _copy(model._meta.db_table, fields, rows)


def constant_value(field, value, db):
    """The database value of `value` for `field`, for a value written to many rows: JSON encoded once."""
    if isinstance(field, models.JSONField) and value is not None:
        return JSONText(json.dumps(field.get_prep_value(value), cls=field.encoder))
    return preparer(field)(value, db)


def row_instance(model, values, adding=False):
    """An instance of `model` holding `values` ({attname: value}) as read from its row, or with `adding` one about to
    be inserted, built without `Model.__init__` (see written_instances)."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    if not adding:
        instance._state.adding, instance._state.db = False, DEFAULT_DB_ALIAS
    return instance


def instance_maker(model):
    """make({attname: value}) -> an unsaved instance of `model` holding those values and every other concrete field's
    default, built without `Model.__init__` (see row_instance): for instances that are only written, by
    copy_instances. Django's and NetBox's bookkeeping for a later `clean()` or `save()` (original values, tracked
    counters) was most of the cost of building thousands of them."""
    defaults = [(f.attname, f.get_default) for f in model._meta.concrete_fields]

    def make(values):
        return row_instance(model, ((attname, values[attname] if attname in values else default())
                                    for attname, default in defaults), adding=True)
    return make


def written_instances(model, saved):
    """Instances of `model` to read again (snapshots, search values), from the values `copy_instances` kept of each
    (`saved`), one at a time: each field's value set as it was written. `Model.__init__` is skipped: Django's and
    NetBox's bookkeeping for a later `save()` or `clean()` was most of the cost of building an instance again."""
    attnames = [f.attname for f in model._meta.concrete_fields]
    for values in saved:
        yield row_instance(model, zip(attnames, values, strict=True))


def quoted_table(model):
    """The model's table name, quoted for a statement."""
    return connection.ops.quote_name(model._meta.db_table)


def copy_rows(model, names, rows):
    """Insert `rows` (tuples of Python values for the fields `names`, by attname, or bytes of whole rows in COPY's
    text format: see Spool) with one COPY, without building a model instance per row. Every column without a
    database default must be named."""
    fields = _fields(model, names)
    preps = [preparer(f) for f in fields]
    db = database()
    _copy(model._meta.db_table, fields, (row if type(row) is bytes else _prepared(preps, row, db) for row in rows))


def _prepared(preps, row, db):
    """A row of Python values as the database takes them, each through its field's preparer (see preparer)."""
    return [prep(value, db) for prep, value in zip(preps, row, strict=True)]


class Spool:
    """Rows for one COPY into `model` (the fields `names`, by attname), held in a temporary file as that COPY's text
    (each value prepared as copy_rows prepares it, and formatted by psycopg as its COPY formats it) until `chunks`
    gives them back: rows made before the ids of their objects are known, so that they need not be held in memory.
    The first of `names` holds, in each spooled row, a position in the `ids` passed to `chunks`, which it replaces
    with the id at that position."""

    # Bytes of the file read at a time.
    CHUNK = 1 << 20

    def __init__(self, model, names):
        self.fields = _fields(model, names)
        self.preps = [preparer(f) for f in self.fields]
        self._db = database()
        self._db.ensure_connection()
        self._file = tempfile.TemporaryFile()
        # A cursor that ran no statement: psycopg formats rows for a COPY into the file, and sends nothing.
        self._cursor = self._db.connection.cursor()
        self._copy = Copy(self._cursor, writer=FileWriter(self._file))

    def add(self, row):
        """Spool a row of Python values (in the order of `names`)."""
        db = self._db
        self._copy.write_row(_prepared(self.preps, row, db))

    def add_prepared(self, row):
        """Spool a row of database values (see preparer)."""
        self._copy.write_row(row)

    def chunks(self, ids):
        """Yield the spooled rows as bytes of COPY text, whole rows each time, every row's first column replaced by
        `ids[position]`; the file is closed once read."""
        self._copy.finish(None)
        self._cursor.close()
        self._file.seek(0)
        rest = b''
        try:
            while data := self._file.read(self.CHUNK):
                lines = (rest + data).split(b'\n')
                rest = lines.pop()
                yield b''.join(b'%d\t%s\n' % (ids[int(position)], tail)
                               for position, tail in (line.split(b'\t', 1) for line in lines))
        finally:
            self._file.close()

    def close(self):
        """Drop what was spooled (when it is not written)."""
        self._cursor.close()
        self._file.close()


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
        db = database()
        preps = [(f.attname, preparer(f)) for f in fields]
        _copy(temporary, fields, (
            [prep(getattr(instance, attname), db) for attname, prep in preps] for instance in instances
        ))
        assignments = ', '.join(f'{column} = new.{column}' for column in columns[1:])
        cursor.execute(f'UPDATE {table} SET {assignments} FROM {new} AS new WHERE {table}.{columns[0]} = '
                       f'new.{columns[0]}')
        cursor.execute(f'DROP TABLE {new}')


def _snapshot_fields(model, without_many_to_many):
    """The fields Django's serializer writes for `model` (pk and m2m fields aside), in its order."""
    fields = [f for f in model._meta.concrete_model._meta.local_fields if f.serialize]
    if not without_many_to_many and any(f.serialize for f in model._meta.concrete_model._meta.local_many_to_many):
        raise ValueError(f'{model.__name__} has serialized many-to-many fields: change_snapshots does not handle them')
    return fields


# The types a serializer passes through as they are (Django's `is_protected_type`, by exact type).
_PROTECTED = frozenset({type(None), int, float, bool, datetime, date, time, Decimal})


def _strings_getter(field, value):
    """`get(instance)` of an array field of strings: a list of strings is what `ArrayField.value_to_string` makes of it
    (the JSON text of its elements' `str()`: the serializer passes no string through as it is), other values go
    through `value`."""
    cls, base = type(field), type(field.base_field)
    if (cls.value_from_object is not models.Field.value_from_object
            or cls.value_to_string is not ArrayField.value_to_string
            or base.value_from_object is not models.Field.value_from_object
            or base.value_to_string is not models.Field.value_to_string):
        return lambda instance: value(instance, field)
    attname = field.attname

    def get(instance):
        stored = getattr(instance, attname)
        if type(stored) is list and stored and all(type(item) is str for item in stored):
            return json.dumps(stored, ensure_ascii=False)
        return value(instance, field)
    return get


def _snapshot_getter(field, value):
    """`get(instance)`: what the serializer's `value(instance, field)` gives, without its generic checks where the
    field's stored value shows what that is: a protected type as it is, a string as `str()` leaves it, a JSONField's
    value as `value_to_string` returns it, a list of strings as an array field's `value_to_string` returns it;
    anything else through `value` itself."""
    cls = type(field)
    if isinstance(field, ArrayField):
        return _strings_getter(field, value)
    if cls.value_from_object is not models.Field.value_from_object:
        return lambda instance: value(instance, field)
    attname = field.attname
    as_string = cls.value_to_string is models.Field.value_to_string
    as_json = cls.value_to_string is models.JSONField.value_to_string

    def get(instance):
        stored = getattr(instance, attname)
        kind = type(stored)
        if kind in _PROTECTED or as_json or (kind is str and as_string):
            return stored
        return value(instance, field)
    return get


def change_snapshots(instances, tags=(), without_many_to_many=False):
    """Yield the `postchange_data` of each saved instance, a chunk at a time: exactly what NetBox's
    `serialize_object(instance, resolve_tags=False, extra={'tags': [*tags]}, exclude=['last_updated',
    *UNLOGGED_FIELDS])` returns (no 'tags' key with `tags=None`; `without_many_to_many`: many-to-many fields left out
    for the caller to add, else a model with any is refused).

    Each field's value is what NetBox's configured serializer takes (`_value_from_field`, as its `handle_field` and
    `handle_fk_field` call it; see _snapshot_getter), and goes through the same JSON encoder and decoder; but a chunk
    of objects is encoded with one `json.dumps` call (C-accelerated) rather than the serializer's streamed `json.dump`
    per object (pure Python), and the serializer's per-object bookkeeping is skipped."""
    if not instances:
        return
    serializer = serializers.get_serializer('json')()
    getters = [(f.name, _snapshot_getter(f, serializer._value_from_field))
               for f in _snapshot_fields(type(instances[0]), without_many_to_many)
               if f.name not in ('last_updated', *UNLOGGED_FIELDS)]
    for start in pulse.beating(range(0, len(instances), SNAPSHOT_CHUNK)):
        chunk = [{name: get(instance) for name, get in getters} for instance in instances[start:start + SNAPSHOT_CHUNK]]
        for data in json.loads(json.dumps(chunk, cls=DjangoJSONEncoder)):
            if 'custom_field_data' in data:
                data['custom_fields'] = data.pop('custom_field_data')
            if tags is not None:
                data['tags'] = list(tags)
            yield data


def created_snapshots(instances, varying, spliced, texts):
    """Yield the `postchange_data` of each instance as JSON text: what `change_snapshots(instances)` gives, for rows
    just written of which only the fields `varying` (attnames) differ from one row to the next.

    The other fields are serialized once. The JSON fields `spliced` (attnames) are not serialized again: each
    instance's `texts` (their JSON text, as written to its row, in the order of `spliced`) are put in as they are."""
    if not instances:
        return
    serializer = serializers.get_serializer('json')()
    fields = [f for f in _snapshot_fields(type(instances[0]), False)
              if f.name not in ('last_updated', *UNLOGGED_FIELDS)]
    names = {f.attname: f.name for f in fields}
    keys = [f'{json.dumps(names[attname])}: ' for attname in spliced]
    row_getters = [(f.name, _snapshot_getter(f, serializer._value_from_field)) for f in fields
                   if f.attname in varying and f.attname not in spliced]
    constant = {f.name: _snapshot_getter(f, serializer._value_from_field)(instances[0]) for f in fields
                if f.attname not in varying}
    if 'custom_field_data' in constant:
        constant['custom_fields'] = constant.pop('custom_field_data')
    constant['tags'] = []
    encode = DjangoJSONEncoder().encode
    common = encode(constant)[1:-1]
    for instance, row_texts in pulse.beating(zip(instances, texts, strict=True)):
        own = encode({name: get(instance) for name, get in row_getters})[1:-1]
        parts = [common, own] if own else [common]
        parts.extend(key + text for key, text in zip(keys, row_texts, strict=True))
        yield JSONText('{' + ', '.join(parts) + '}')
