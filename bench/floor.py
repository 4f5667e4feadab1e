"""The database's own floor for an initial sync, measured in the same run: its rows written again with plain COPY,
then once more into tables with NetBox's schema.

Every row the initial sync wrote (the Hedgehog objects of each kind, their ObjectChange rows, their CachedValue
search rows and the run's SyncChange rows) is read back into files with `COPY (SELECT ...) TO STDOUT`, untimed.
Then, timed, the files are streamed with `COPY ... FROM STDIN` into scratch tables of a schema of their own,
regular tables created `LIKE` the real ones `INCLUDING DEFAULTS` (no indexes, no constraints), in one transaction,
commit included: the floor. What is written is exactly the same number of rows of the same shapes and sizes as the
sync wrote; what remains of the sync's time is its own work and PostgreSQL's work for the real tables' schema.

That second part is measured right after, from the same files: the floor with NetBox's schema. The scratch tables
are created again `LIKE` the real ones `INCLUDING ALL` (defaults, indexes, check constraints) and given the real
tables' foreign keys as the catalog defines them (`LIKE` copies none); Django creates them `DEFERRABLE INITIALLY
DEFERRED`, so PostgreSQL checks every new row's references at the end of the transaction, as it does for the sync.
The checks are fired with `SET CONSTRAINTS ... IMMEDIATE` just before the commit, which is the same work at the same
point of the transaction: it times them apart from the commit's own flush, and lets the scratch tables be dropped
inside a test's enclosing transaction (PostgreSQL refuses to drop a table with checks pending). The scratch schema
is dropped afterwards in every case.
"""
import time
from pathlib import Path

from django.db import connection, transaction

from netbox_hedgehog.kinds import KINDS

__all__ = (
    'GROUPS',
    'SCHEMA',
    'measure_floor',
)

SCHEMA = 'hedgehog_bench_floor'
GROUPS = ('objects', 'change records', 'search values', 'sync changes')
CHUNK = 2 ** 20


def _sources(fabric, run):
    """(group, model, WHERE clause, parameters) selecting every row the sync `run` of `fabric` wrote."""
    from core.models import ObjectChange, ObjectType
    from extras.models import CachedValue

    from netbox_hedgehog.models import SyncChange

    quote = connection.ops.quote_name
    objects, search = [], []
    for kind_spec in KINDS:
        model = kind_spec.model
        table, fabric_column = quote(model._meta.db_table), quote(model._meta.get_field('fabric').column)
        objects.append(('objects', model, f'{fabric_column} = %s', [fabric.pk]))
        search.append(('search values', CachedValue,
                       f'object_type_id = %s AND object_id IN (SELECT id FROM {table} WHERE {fabric_column} = %s)',
                       [ObjectType.objects.get_for_model(model).pk, fabric.pk]))
    return [
        *objects,
        ('change records', ObjectChange, 'request_id = %s', [run.request_id]),
        *search,
        ('sync changes', SyncChange, 'run_id = %s', [run.pk]),
    ]


def _columns(model):
    return ', '.join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)


def _dump(cursor, model, where, params, path):
    """Write the selected rows of `model` to `path` in COPY's text format; returns the number of rows."""
    statement = f'COPY (SELECT {_columns(model)} FROM {connection.ops.quote_name(model._meta.db_table)} ' \
                f'WHERE {where}) TO STDOUT'
    with path.open('wb') as out, cursor.copy(statement, params) as copy:
        for block in copy:
            out.write(block)
    return cursor.rowcount


def _scratch(model):
    return f'{SCHEMA}.{connection.ops.quote_name(model._meta.db_table)}'


def _scratch_tables(cursor, models, like):
    """A fresh scratch schema with a table `LIKE` each model's real one, with the `like` options."""
    cursor.execute(f'DROP SCHEMA IF EXISTS {SCHEMA} CASCADE')
    cursor.execute(f'CREATE SCHEMA {SCHEMA}')
    for model in models:
        cursor.execute(f'CREATE TABLE {_scratch(model)} (LIKE {connection.ops.quote_name(model._meta.db_table)} '
                       f'{like})')


def _foreign_keys(cursor, models):
    """Give each scratch table the foreign keys of its real table, as the catalog defines them (deferrability
    included; they reference the real tables, whose rows exist); returns their qualified names."""
    quote = connection.ops.quote_name
    names = []
    for model in models:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                       [quote(model._meta.db_table)])
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {_scratch(model)} ADD CONSTRAINT {quote(name)} {definition}')
            names.append(f'{SCHEMA}.{quote(name)}')
    return names


def _load(cursor, model, path):
    """COPY the file at `path` into the scratch table of `model`; returns the number of rows."""
    with path.open('rb') as data, cursor.copy(f'COPY {_scratch(model)} ({_columns(model)}) FROM STDIN') as copy:
        while block := data.read(CHUNK):
            copy.write(block)
    return cursor.rowcount


def _load_all(cursor, dumps):
    """COPY every dumped file into its scratch table: rows and seconds per group of GROUPS."""
    groups = {group: {'rows': 0, 'seconds': 0.0} for group in GROUPS}
    for group, model, path in dumps:
        began = time.perf_counter()
        groups[group]['rows'] += _load(cursor, model, path)
        groups[group]['seconds'] += time.perf_counter() - began
    return groups


def measure_floor(fabric, run, workdir):
    """COPY again every row the initial sync `run` of `fabric` wrote; returns the seconds it took (one transaction,
    commit included), the rows and MB in all, and rows, MB and seconds per group of GROUPS; under 'schema', the
    same into tables with the real ones' indexes and foreign keys: seconds in all, the part from the last row
    written to the commit's end ('commit_s') and in it the deferred foreign key checks ('checks_s'), rows in all
    and rows and seconds per group."""
    workdir = Path(workdir)
    mb = dict.fromkeys(GROUPS, 0.0)
    dumps = []
    with connection.cursor() as cursor:
        psycopg_cursor = cursor.cursor
        try:
            for number, (group, model, where, params) in enumerate(_sources(fabric, run)):
                path = workdir / f'floor-{number}.copy'
                if not _dump(psycopg_cursor, model, where, params, path):
                    path.unlink()
                    continue
                mb[group] += path.stat().st_size / 2 ** 20
                dumps.append((group, model, path))
            models = list(dict.fromkeys(model for _group, model, _path in dumps))

            _scratch_tables(cursor, models, 'INCLUDING DEFAULTS')
            start = time.perf_counter()
            with transaction.atomic():
                groups = _load_all(psycopg_cursor, dumps)
            seconds = time.perf_counter() - start

            _scratch_tables(cursor, models, 'INCLUDING ALL')
            constraints = _foreign_keys(cursor, models)
            start = time.perf_counter()
            with transaction.atomic():
                schema_groups = _load_all(psycopg_cursor, dumps)
                written = time.perf_counter()
                cursor.execute(f'SET CONSTRAINTS {", ".join(constraints)} IMMEDIATE')
                checked = time.perf_counter()
            end = time.perf_counter()
        finally:
            cursor.execute(f'DROP SCHEMA IF EXISTS {SCHEMA} CASCADE')
            for _group, _model, path in dumps:
                path.unlink(missing_ok=True)
    for group, figures in groups.items():
        figures['mb'] = mb[group]
    return {
        'seconds': seconds, 'rows': sum(g['rows'] for g in groups.values()), 'mb': sum(mb.values()),
        'groups': groups,
        'schema': {
            'seconds': end - start, 'commit_s': end - written, 'checks_s': checked - written,
            'rows': sum(g['rows'] for g in schema_groups.values()), 'groups': schema_groups,
        },
    }
