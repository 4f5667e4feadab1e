"""NetBox configuration for development, tests and the demo. NEVER use it in production.

The secret key and the API token pepper below are public, fixed development values, and every host is allowed.
Select the module with `NETBOX_CONFIGURATION=netbox_configuration` and `deploy/dev` on PYTHONPATH (the Makefile and
tests/harness.py do both). Everything that differs between machines or between the test suite and the demo comes
from environment variables; the defaults match the local services started by deploy/dev/services.sh.
"""

import os


def _env_int(name, default=None):
    """Return the integer value of environment variable `name`, or `default` when it is unset or empty."""
    value = os.environ.get(name, '').strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f'environment variable {name} must be an integer (found {value!r})') from None


def _env_bool(name, default=False):
    """Return True when environment variable `name` holds a truthy value such as 1, true or yes."""
    value = os.environ.get(name, '')
    return value.strip().lower() in ('1', 'true', 'yes', 'on') if value.strip() else default


ALLOWED_HOSTS = ['*']

# The test database is derived from NAME by Django: test_netbox_hedgehog with the defaults.
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('PGDATABASE', 'netbox_hedgehog'),
        'USER': os.environ.get('PGUSER', 'postgres'),
        'PASSWORD': os.environ.get('PGPASSWORD', ''),
        'HOST': os.environ.get('PGHOST', '127.0.0.1'),
        'PORT': os.environ.get('PGPORT', '5432'),
        'CONN_MAX_AGE': 300,
    },
}

# Tasks (RQ queues) and caching live in separate Redis databases; the demo overrides the numbers so that it never
# shares queues with a test run on the same Redis server.
_REDIS_HOST = os.environ.get('REDIS_HOST', '127.0.0.1')
_REDIS_PORT = _env_int('REDIS_PORT', 6379)
_REDIS_PASSWORD = os.environ.get('REDIS_PASSWORD', '')
REDIS = {
    'tasks': {
        'HOST': _REDIS_HOST,
        'PORT': _REDIS_PORT,
        'USERNAME': '',
        'PASSWORD': _REDIS_PASSWORD,
        'DATABASE': _env_int('HEDGEHOG_REDIS_TASKS_DB', 2),
        'SSL': False,
    },
    'caching': {
        'HOST': _REDIS_HOST,
        'PORT': _REDIS_PORT,
        'USERNAME': '',
        'PASSWORD': _REDIS_PASSWORD,
        'DATABASE': _env_int('HEDGEHOG_REDIS_CACHE_DB', 3),
        'SSL': False,
    },
}

# Development-only values, public by design (both must be at least 50 characters long).
SECRET_KEY = os.environ.get('NETBOX_SECRET_KEY') or (
    'dev-only-netbox-hedgehog-secret-key-never-use-in-production-0123456789'
)
API_TOKEN_PEPPERS = {
    1: 'dev-only-netbox-hedgehog-api-token-pepper-never-use-in-production-0123456789',
}

DEBUG = _env_bool('NETBOX_DEBUG')

# Enables `netbox makemigrations` (used by `make migrations` and the migration drift test).
DEVELOPER = True

PLUGINS = ['netbox_hedgehog']

# Plugin settings are only passed when their environment variable is set, so the plugin's own defaults apply
# otherwise.
_hedgehog_settings = {}
if (_scheduler_interval := _env_int('HEDGEHOG_SCHEDULER_INTERVAL')) is not None:
    _hedgehog_settings['scheduler_interval'] = _scheduler_interval
if (_min_sync_interval := _env_int('HEDGEHOG_MIN_SYNC_INTERVAL')) is not None:
    _hedgehog_settings['min_sync_interval'] = _min_sync_interval
if (_sync_lock_ttl := _env_int('HEDGEHOG_SYNC_LOCK_TTL')) is not None:
    _hedgehog_settings['sync_lock_ttl'] = _sync_lock_ttl
if (_k8s_request_timeout := _env_int('HEDGEHOG_K8S_REQUEST_TIMEOUT')) is not None:
    _hedgehog_settings['k8s_request_timeout'] = _k8s_request_timeout
if (_sync_job_timeout := _env_int('HEDGEHOG_SYNC_JOB_TIMEOUT')) is not None:
    _hedgehog_settings['sync_job_timeout'] = _sync_job_timeout
if _git_cache_dir := os.environ.get('HEDGEHOG_GIT_CACHE_DIR'):
    _hedgehog_settings['git_cache_dir'] = _git_cache_dir
# The test suite serves Git over plain HTTP and from local bare repositories (tests/harness.py sets both).
if _env_bool('HEDGEHOG_ALLOW_INSECURE_HTTP'):
    _hedgehog_settings['allow_insecure_http'] = True
if _env_bool('HEDGEHOG_ALLOW_LOCAL_GIT'):
    _hedgehog_settings['allow_local_git'] = True
PLUGINS_CONFIG = {
    'netbox_hedgehog': _hedgehog_settings,
}

# Warnings and errors to the console; set NETBOX_LOG_LEVEL=DEBUG to see more.
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'handlers': {
        'console': {
            'class': 'logging.StreamHandler',
        },
    },
    'root': {
        'handlers': ['console'],
        'level': os.environ.get('NETBOX_LOG_LEVEL', 'WARNING'),
    },
}
