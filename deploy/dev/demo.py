"""`make demo`: a NetBox with the plugin, a fabric synced on a schedule, and every process a deployment runs.

Starts, in its own database and Redis databases (never the test suite's):
- the Kubernetes API test server (HTTPS) loaded with the sample wiring diagram, gateways and VPCs;
- `netbox runserver`, `netbox rqworker` and the `netbox hedgehog_scheduler` sidecar;
then creates an admin user and a fabric with scheduled sync pointing at the test server, waits until the first
scheduled sync has completed, prints how to log in and what was synced, and keeps running until Ctrl-C, which stops
everything it started. Running it again reuses the database and works without cleanup.
"""
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO.parent / 'shared' / 'samples'
STATE = REPO / '.netbox' / 'demo'
SAMPLE_FILES = (
    'lab-ci__envs__env-ci-1.l__wiring.yaml',
    'lab-ci__envs__env-ci-1.l__wiring-gateway.yaml',
    'demo-gitops__env-1__pre-demo.yaml',
    'demo-gitops__env-1__demo.yaml',
)
WEB_PORT = int(os.environ.get('DEMO_PORT', '8000'))
KUBE_PORT = int(os.environ.get('DEMO_KUBE_PORT', '16443'))
SYNC_INTERVAL = 30
FIRST_SYNC_TIMEOUT = 300

# The demo's own database and Redis databases, and short timings so the schedule is visible.
DEMO_ENV = {
    'PGDATABASE': os.environ.get('DEMO_PGDATABASE', 'netbox_hedgehog_demo'),
    'HEDGEHOG_REDIS_TASKS_DB': '4',
    'HEDGEHOG_REDIS_CACHE_DB': '5',
    'HEDGEHOG_SCHEDULER_INTERVAL': '10',
    'HEDGEHOG_MIN_SYNC_INTERVAL': str(SYNC_INTERVAL),
    'NETBOX_ROOT': str(STATE),
}


def say(message):
    print(f'[demo] {message}', flush=True)


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) != 0


class Processes:
    """The processes the demo started; all of them are stopped on exit."""

    def __init__(self):
        self.running = []

    def start(self, name, args, env):
        log = open(STATE / f'{name}.log', 'ab')
        process = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.running.append((name, process))
        say(f'started {name} (pid {process.pid}, log {log.name})')
        return process

    def check(self):
        for name, process in self.running:
            if process.poll() is not None:
                raise SystemExit(f'[demo] {name} exited with {process.returncode}; see {STATE / (name + ".log")}')

    def stop(self):
        for _name, process in reversed(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _name, process in self.running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        say('stopped everything the demo started')


def netbox(*args, env):
    subprocess.run([sys.executable, '-m', 'netbox', *args], cwd=REPO, env=env, check=True)


def prepare(env):
    subprocess.run([str(REPO / 'deploy' / 'dev' / 'services.sh')], cwd=REPO, env=env, check=True)
    say(f'migrating database {env["PGDATABASE"]} (the first time takes several minutes)')
    netbox('migrate', '--no-input', env=env)
    netbox('collectstatic', '--no-input', '--verbosity', '0', env=env)


def setup_objects(kubeconfig, password):
    """Admin user and demo fabric, created or refreshed (runs inside Django)."""
    from users.models import User

    from netbox_hedgehog.models import Fabric

    admin, _created = User.objects.get_or_create(username='admin', defaults={'is_superuser': True})
    admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    fabric = Fabric.objects.filter(name='demo').first() or Fabric(name='demo')
    fabric.description = 'Hedgehog lab fabric served by the Kubernetes API test server'
    fabric.kubeconfig = kubeconfig
    fabric.kubernetes_server = ''
    fabric.sync_enabled = True
    fabric.sync_interval = SYNC_INTERVAL
    fabric.full_clean()
    fabric.save()
    # The schedule picks the fabric up at its next tick.
    Fabric.objects.filter(pk=fabric.pk).update(next_sync_due=None)
    return fabric


def wait_for_scheduled_sync(fabric, started, processes):
    from netbox_hedgehog.models import Fabric, SyncRun

    deadline = time.monotonic() + FIRST_SYNC_TIMEOUT
    while time.monotonic() < deadline:
        processes.check()
        run = SyncRun.objects.filter(fabric=fabric, trigger='schedule', finished__gte=started).first()
        if run is not None:
            return Fabric.objects.get(pk=fabric.pk), run
        time.sleep(2)
    raise SystemExit(f'[demo] no scheduled sync completed within {FIRST_SYNC_TIMEOUT} s; see the logs in {STATE}')


def summary(fabric, run):
    from netbox_hedgehog.kinds import KINDS

    lines = [f'fabric "{fabric.name}": sync status {fabric.get_sync_status_display()}, '
             f'last sync {fabric.last_sync:%Y-%m-%d %H:%M:%S} UTC (run #{run.pk}: {run.status})']
    for kind_spec in KINDS:
        count = kind_spec.model.objects.filter(fabric=fabric).count()
        if count:
            lines.append(f'  {kind_spec.kind:<20} {count:>4}')
    return '\n'.join(lines)


def main():
    STATE.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **DEMO_ENV}
    for port in (WEB_PORT, KUBE_PORT):
        if not port_free(port):
            raise SystemExit(f'[demo] port {port} is in use (another demo still running?); set DEMO_PORT or '
                             f'DEMO_KUBE_PORT to use other ports')
    prepare(env)

    os.environ.update(DEMO_ENV)
    import django
    django.setup()
    from django.utils import timezone

    processes = Processes()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        kubeconfig_path = STATE / 'kubeconfig.yaml'
        kubeconfig_path.unlink(missing_ok=True)
        processes.start('kubeapi', [sys.executable, '-m', 'hedgehog_devtools.kubeapi', '--port', str(KUBE_PORT),
                                    '--kubeconfig', str(kubeconfig_path),
                                    *(str(SAMPLES / name) for name in SAMPLE_FILES)], env)
        deadline = time.monotonic() + 30
        while not kubeconfig_path.exists() and time.monotonic() < deadline:
            processes.check()
            time.sleep(0.2)
        password = secrets.token_urlsafe(12)
        started = timezone.now()
        fabric = setup_objects(kubeconfig_path.read_text(), password)
        netbox_cmd = [sys.executable, '-m', 'netbox']
        processes.start('rqworker', [*netbox_cmd, 'rqworker'], env)
        processes.start('scheduler', [*netbox_cmd, 'hedgehog_scheduler'], env)
        processes.start('web', [*netbox_cmd, 'runserver', f'127.0.0.1:{WEB_PORT}', '--insecure', '--noreload'], env)
        say('waiting for the first scheduled sync (the scheduler ticks every 10 s)')
        fabric, run = wait_for_scheduled_sync(fabric, started, processes)
        print(f'\nNetBox:  http://127.0.0.1:{WEB_PORT}/plugins/hedgehog/fabrics/{fabric.pk}/\n'
              f'Login:   admin / {password}\n{summary(fabric, run)}\n'
              f'The fabric syncs every {SYNC_INTERVAL} s. Logs: {STATE}. Press Ctrl-C to stop.\n', flush=True)
        while True:
            processes.check()
            time.sleep(2)
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop()


if __name__ == '__main__':
    main()
