"""netbox-hedgehog's plugin configuration for netbox-docker: its configuration/plugins.py.

netbox-docker mounts its configuration/ folder at /etc/netbox/config/ in the netbox, netbox-worker and
netbox-scheduler containers, and the image loads every *.py file there on top of configuration.py, so this file only
enables the plugin and sets its options. Every option the plugin has is listed with its default value. Any other
NetBox installation takes the same PLUGINS and PLUGINS_CONFIG in its configuration.py (or, with the Helm chart, in
the `plugins` and `pluginsConfig` values). Changes apply when the netbox, netbox-worker and netbox-scheduler
containers restart.
"""

from os import environ

PLUGINS = ['netbox_hedgehog']

PLUGINS_CONFIG = {
    'netbox_hedgehog': {
        # Seconds between two ticks of the master schedule job that `manage.py hedgehog_scheduler` registers; each
        # tick queues a sync for every fabric whose own sync interval has passed (at least 5).
        'scheduler_interval': 60,
        # The smallest sync interval (seconds) a fabric accepts (at least 5).
        'min_sync_interval': 60,
        # Dedicated key for encrypting the stored credentials (kubeconfigs, tokens, Git credentials); when empty the
        # key is derived from NetBox's SECRET_KEY. Read from HEDGEHOG_CREDENTIAL_KEY (add it to netbox-docker's
        # env/netbox.env) so that it stays out of this file. Changing it needs the rotation described in the README.
        'credential_key': environ.get('HEDGEHOG_CREDENTIAL_KEY', ''),
        # Previous keys (or previous SECRET_KEYs) still accepted for decryption while rotating: space-separated in
        # HEDGEHOG_CREDENTIAL_KEY_FALLBACKS.
        'credential_key_fallbacks': environ.get('HEDGEHOG_CREDENTIAL_KEY_FALLBACKS', '').split(),
        # Page size used when listing objects from a fabric's Kubernetes API.
        'k8s_page_size': 500,
        # Timeout (seconds) of one request to a fabric's Kubernetes API.
        'k8s_request_timeout': 30,
        # How many sync runs to keep per fabric; housekeeping deletes older ones.
        'sync_history_per_fabric': 100,
        # Sync runs older than this many days are deleted by housekeeping (0: no age limit).
        'sync_history_days': 30,
        # Seconds a queued sync job may run before RQ stops it (the run is then recorded as failed).
        'sync_job_timeout': 900,
        # Seconds the per-fabric sync lock lives without a refresh; a running sync refreshes it before every request
        # to the cluster and while it plans and writes, so it must exceed k8s_request_timeout (checked at start-up).
        # A worker killed mid-sync is detected within sync_lock_ttl + scheduler_interval seconds.
        'sync_lock_ttl': 60,
        # Most log lines kept per sync run.
        'sync_log_lines': 500,
        # Directory of the worker holding one cached Git clone per fabric (a cache: it may be lost at any time).
        'git_cache_dir': '/tmp/netbox-hedgehog-git',
        # Accept plain http:// URLs for Kubernetes API servers and Git repositories (labs only: credentials would
        # cross the network unencrypted).
        'allow_insecure_http': False,
        # Accept file:// URLs and local paths as Git repositories (off: a fabric could read any repository on the
        # worker's disk).
        'allow_local_git': False,
        # When not empty, the only hosts API server and Git URLs may name ("git.example.com", "*.example.com").
        'allowed_hosts': [],
        # Seconds a Git transfer may stay below 1 KiB/s (or an SSH connection may take to open) before git gives up.
        'git_stall_timeout': 30,
        # Largest YAML text (bytes) accepted from forms, the REST API, imports, kubeconfigs and each Git file.
        'yaml_max_bytes': 8 * 1024 * 1024,
        # Seconds since a switch agent's last heartbeat after which the switch is "stale".
        'live_heartbeat_max_age': 300,
    },
}
