"""NetBox plugin: a Hedgehog Open Network Fabric as live NetBox inventory."""
from django.core.exceptions import ImproperlyConfigured
from netbox.plugins import PluginConfig

__version__ = '0.1.0'

# The smallest value accepted for the timing settings scheduler_interval, min_sync_interval and sync_lock_ttl
# (seconds).
MIN_TIMING_SETTING = 5


class HedgehogConfig(PluginConfig):
    name = 'netbox_hedgehog'
    verbose_name = 'Hedgehog Fabric'
    description = 'Hedgehog fabric inventory, Kubernetes sync, GitOps drift and scheduled sync on NetBox RQ'
    version = __version__
    author = 'netbox-hedgehog developers'
    base_url = 'hedgehog'
    min_version = '4.7.0'
    max_version = '4.7.99'
    default_settings = {
        # Seconds between two ticks of the master schedule job registered by `netbox hedgehog_scheduler`.
        'scheduler_interval': 60,
        # The smallest sync_interval (seconds) a fabric accepts.
        'min_sync_interval': 60,
        # Optional dedicated key (any string) for encrypting stored credentials; when empty the key is derived
        # from NetBox's SECRET_KEY. See the README on rotation.
        'credential_key': '',
        # Previous keys (or previous SECRET_KEYs) still accepted for decryption while rotating.
        'credential_key_fallbacks': [],
        # Page size used when listing objects from the Kubernetes API.
        'k8s_page_size': 500,
        # Timeout (seconds) of one request to the Kubernetes API.
        'k8s_request_timeout': 30,
        # How many sync runs to keep per fabric; older runs are deleted by housekeeping.
        'sync_history_per_fabric': 100,
        # Sync runs older than this many days are deleted by housekeeping (0 keeps them by age).
        'sync_history_days': 30,
        # Seconds a queued sync job may run before RQ stops it (the run is then recorded as failed).
        'sync_job_timeout': 900,
        # Seconds the per-fabric sync lock lives without a refresh. A running sync refreshes it before every request
        # to the cluster and at most every fifth of this while planning and writing, so it must exceed
        # k8s_request_timeout (checked at start-up); a worker killed mid-sync is detected within
        # sync_lock_ttl + scheduler_interval seconds.
        'sync_lock_ttl': 60,
        # Most log lines kept per sync run.
        'sync_log_lines': 500,
        # Directory holding one cached Git clone per fabric.
        'git_cache_dir': '/tmp/netbox-hedgehog-git',
        # Allow plain http:// for Kubernetes API servers and Git repositories. Off: credentials and
        # fabric content would cross the network unencrypted. For labs and tests only.
        'allow_insecure_http': False,
        # Allow file:// URLs and local paths as Git repositories. Off: a fabric could read any repository on the
        # worker's disk. For tests and single-host setups only.
        'allow_local_git': False,
        # When not empty, the only host names (or "*.example.com" patterns) that API server and Git URLs may use.
        'allowed_hosts': [],
        # Seconds a Git transfer may stay below 1 KiB/s (or an SSH connection may take to open) before git gives up.
        'git_stall_timeout': 30,
        # Largest YAML text (bytes) accepted from forms, the REST API, imports, kubeconfigs and each Git file.
        'yaml_max_bytes': 8 * 1024 * 1024,
        # Seconds since a switch agent's last heartbeat (as last read by a sync) after which the switch is "stale".
        'live_heartbeat_max_age': 300,
    }

    def ready(self):
        super().ready()
        from django.conf import settings
        validate_settings(settings.PLUGINS_CONFIG.get(self.name, {}))
        from . import signal_receivers
        signal_receivers.connect()


def validate_settings(cfg):
    """Fail at start-up, with the setting's name, on a configuration that cannot work."""
    for key in ('scheduler_interval', 'min_sync_interval', 'sync_lock_ttl'):
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < MIN_TIMING_SETTING:
            raise ImproperlyConfigured(
                f'netbox_hedgehog: {key} must be an integer number of seconds >= {MIN_TIMING_SETTING} '
                f'(found {value!r})'
            )
    for key in ('k8s_page_size', 'k8s_request_timeout', 'sync_history_per_fabric', 'sync_log_lines',
                'sync_job_timeout'):
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ImproperlyConfigured(f'netbox_hedgehog: {key} must be a positive integer (found {value!r})')
    _validate_timings(cfg)
    days = cfg.get('sync_history_days')
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ImproperlyConfigured(f'netbox_hedgehog: sync_history_days must be an integer >= 0 (found {days!r})')
    if not isinstance(cfg.get('credential_key'), str):
        raise ImproperlyConfigured('netbox_hedgehog: credential_key must be a string')
    fallbacks = cfg.get('credential_key_fallbacks')
    if not isinstance(fallbacks, list | tuple) or not all(isinstance(k, str) and k for k in fallbacks):
        raise ImproperlyConfigured('netbox_hedgehog: credential_key_fallbacks must be a list of non-empty strings')
    if not isinstance(cfg.get('git_cache_dir'), str) or not cfg.get('git_cache_dir'):
        raise ImproperlyConfigured('netbox_hedgehog: git_cache_dir must be a non-empty path')
    for key in ('allow_insecure_http', 'allow_local_git'):
        if not isinstance(cfg.get(key), bool):
            raise ImproperlyConfigured(f'netbox_hedgehog: {key} must be True or False (found {cfg.get(key)!r})')
    hosts = cfg.get('allowed_hosts')
    if not isinstance(hosts, list | tuple) or not all(isinstance(h, str) and h and '/' not in h for h in hosts):
        raise ImproperlyConfigured('netbox_hedgehog: allowed_hosts must be a list of host names such as '
                                   f'"git.example.com" or "*.example.com" (found {hosts!r})')
    for key in ('git_stall_timeout', 'yaml_max_bytes', 'live_heartbeat_max_age'):
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ImproperlyConfigured(f'netbox_hedgehog: {key} must be a positive integer (found {value!r})')


def _validate_timings(cfg):
    """Refuse timings that cannot work together: a running sync refreshes its fabric lock between requests to the
    Kubernetes API, so one request (or one wait before trying it again) must fit within the lock's TTL, and a sync job
    must be allowed more time than one request."""
    timeout = cfg['k8s_request_timeout']
    for key, why in (
        ('sync_lock_ttl', 'the fabric lock would expire during a single request and a second sync could start'),
        ('sync_job_timeout', 'RQ would stop a sync job before a single request could time out'),
    ):
        if cfg[key] <= timeout:
            raise ImproperlyConfigured(
                f'netbox_hedgehog: {key} ({cfg[key]} s) must be longer than k8s_request_timeout ({timeout} s): '
                f'otherwise {why}'
            )


def get_setting(name):
    """Return one of this plugin's settings (with its default applied by NetBox)."""
    from netbox.plugins import get_plugin_config
    return get_plugin_config('netbox_hedgehog', name)


config = HedgehogConfig
