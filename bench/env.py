"""The benchmark's own NetBox environment: a dedicated database and Redis databases, set up idempotently.

`configure()` must run before Django is imported by anything else; child processes (the sync runs, the REST
server) inherit the environment it sets, so every part of a benchmark run uses the bench database.
"""
import ctypes
import os
import signal
import sys
from pathlib import Path

__all__ = (
    'BENCH_DB',
    'REPO_ROOT',
    'configure',
    'die_with_parent',
    'ensure_database',
    'wipe',
)

REPO_ROOT = Path(__file__).resolve().parent.parent
# Never the dev or test database: a run truncates the plugin's tables of this one.
BENCH_DB = os.environ.get('HEDGEHOG_BENCH_DB', 'netbox_hedgehog_bench')
# Redis databases used by nothing else (tests and the dev server use 2 and 3, the demo its own); overridable so that
# two benchmarks can run side by side.
REDIS_TASKS_DB = os.environ.get('HEDGEHOG_BENCH_REDIS_TASKS_DB', '8')
REDIS_CACHE_DB = os.environ.get('HEDGEHOG_BENCH_REDIS_CACHE_DB', '9')
PR_SET_PDEATHSIG = 1


def configure():
    """Point this process (and its children) at the bench database and Redis databases, then set Django up."""
    if not BENCH_DB.endswith('_bench'):
        raise SystemExit(f'HEDGEHOG_BENCH_DB must end with "_bench" (got {BENCH_DB!r}): the benchmark empties it')
    os.environ['PGDATABASE'] = BENCH_DB
    os.environ['HEDGEHOG_REDIS_TASKS_DB'] = REDIS_TASKS_DB
    os.environ['HEDGEHOG_REDIS_CACHE_DB'] = REDIS_CACHE_DB
    os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox_configuration')
    os.environ.setdefault('NETBOX_ROOT', str(REPO_ROOT / '.netbox'))
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
    paths = [str(REPO_ROOT / 'deploy' / 'dev'), str(REPO_ROOT)]
    inherited = [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p and p not in paths]
    os.environ['PYTHONPATH'] = os.pathsep.join(paths + inherited)
    for path in reversed(paths):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django
    django.setup()


def die_with_parent():
    """`preexec_fn` of the servers this benchmark starts: on Linux they get SIGTERM when the benchmark dies, so
    none is left running after a crash or a kill."""
    if sys.platform == 'linux':
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def ensure_database(log):
    """Create the bench database when missing and apply every migration (the first time takes minutes)."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    db = settings.DATABASES['default']
    params = {'host': db['HOST'], 'port': db['PORT'], 'user': db['USER'], 'password': db['PASSWORD'],
              'dbname': 'postgres', 'autocommit': True}
    with psycopg.connect(**{k: v for k, v in params.items() if v not in ('', None)}) as admin:
        exists = admin.execute('SELECT 1 FROM pg_database WHERE datname = %s', [db['NAME']]).fetchone()
        if not exists:
            log(f'Creating database {db["NAME"]}; migrating it from scratch takes several minutes the first time')
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command('migrate', interactive=False, verbosity=0)
    if drifted := _schema_drift():
        # The plugin's migrations were rewritten in place (before a release): rebuild only the plugin's tables.
        log(f'The bench database does not match the plugin models ({drifted}); recreating the plugin tables')
        _drop_plugin_tables()
        call_command('migrate', 'netbox_hedgehog', interactive=False, verbosity=0)
        if drifted := _schema_drift():
            raise SystemExit(f'The plugin models and their migrations disagree ({drifted}): run `make migrations`')
    connection.close()


def _plugin_models():
    from django.apps import apps
    return list(apps.get_app_config('netbox_hedgehog').get_models())


def _schema_drift():
    """The first plugin table whose columns differ from its model's, as text ('' when they all match)."""
    from django.db import connection

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in _plugin_models():
            table = model._meta.db_table
            if table not in tables:
                return f'table {table} is missing'
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            expected = {f.column for f in model._meta.local_concrete_fields}
            if columns != expected:
                return f'{table}: columns {", ".join(sorted(columns ^ expected))} differ'
    return ''


def _drop_plugin_tables():
    from django.db import connection

    tables = [connection.ops.quote_name(model._meta.db_table) for model in _plugin_models()]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS {", ".join(tables)} CASCADE')
        cursor.execute("DELETE FROM django_migrations WHERE app = 'netbox_hedgehog'")


def wipe():
    """Empty every table of the plugin in the bench database, with the change log and search cache rows, and what
    inventory projections left."""
    from core.models import ObjectType
    from django.db import connection
    from extras.models import CachedValue

    from .inventory import wipe_inventory

    if connection.settings_dict['NAME'] != BENCH_DB:
        raise RuntimeError(f'refusing to wipe {connection.settings_dict["NAME"]}: not the bench database')
    models = _plugin_models()
    types = [ObjectType.objects.get_for_model(model) for model in models]
    CachedValue.objects.filter(object_type__in=types)._raw_delete(CachedValue.objects.db)
    tables = ', '.join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE {tables}, core_objectchange RESTART IDENTITY CASCADE')
    wipe_inventory()
