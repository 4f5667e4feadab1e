"""The database's own floor for an initial sync, measured in the same run: its rows written again with plain COPY.

Every row the initial sync wrote (the Hedgehog objects of each kind, their ObjectChange rows, their CachedValue
search rows and the run's SyncChange rows) is read back into files with `COPY (SELECT ...) TO STDOUT`, untimed.
Then, timed, the files are streamed with `COPY ... FROM STDIN` into scratch tables of a schema of their own,
regular tables created `LIKE` the real ones `INCLUDING DEFAULTS` (no indexes, no constraints), in one transaction,
commit included. The scratch schema is dropped afterwards. What is written is exactly the same number of rows of the
same shapes and sizes as the sync wrote; what remains of the sync's time is its own work.
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


def _load(cursor, model, path):
    with path.open('rb') as data, cursor.copy(f'COPY {_scratch(model)} ({_columns(model)}) FROM STDIN') as copy:
        while block := data.read(CHUNK):
            copy.write(block)


def measure_floor(fabric, run, workdir):
    """COPY again every row the initial sync `run` of `fabric` wrote; returns the seconds it took (one transaction,
    commit included), the rows and MB in all, and rows, MB and seconds per group of GROUPS."""
    workdir = Path(workdir)
    groups = {group: {'rows': 0, 'mb': 0.0, 'seconds': 0.0} for group in GROUPS}
    dumps = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        psycopg_cursor = cursor.cursor
        cursor.execute(f'DROP SCHEMA IF EXISTS {SCHEMA} CASCADE')
        cursor.execute(f'CREATE SCHEMA {SCHEMA}')
        try:
            for number, (group, model, where, params) in enumerate(_sources(fabric, run)):
                path = workdir / f'floor-{number}.copy'
                rows = _dump(psycopg_cursor, model, where, params, path)
                if not rows:
                    path.unlink()
                    continue
                groups[group]['rows'] += rows
                groups[group]['mb'] += path.stat().st_size / 2 ** 20
                dumps.append((group, model, path))
            for model in {model for _group, model, _path in dumps}:
                cursor.execute(f'CREATE TABLE {_scratch(model)} (LIKE {quote(model._meta.db_table)} '
                               f'INCLUDING DEFAULTS)')
            start = time.perf_counter()
            with transaction.atomic():
                for group, model, path in dumps:
                    began = time.perf_counter()
                    _load(psycopg_cursor, model, path)
                    groups[group]['seconds'] += time.perf_counter() - began
            seconds = time.perf_counter() - start
        finally:
            cursor.execute(f'DROP SCHEMA IF EXISTS {SCHEMA} CASCADE')
            for _group, _model, path in dumps:
                path.unlink(missing_ok=True)
    return {
        'seconds': seconds, 'rows': sum(g['rows'] for g in groups.values()),
        'mb': sum(g['mb'] for g in groups.values()), 'groups': groups,
    }
