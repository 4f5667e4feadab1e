"""`make demo`: a NetBox with the plugin, a fabric synced on a schedule, and every process a deployment runs.

First a preflight (seconds, standard library only): Python >= 3.12, the demo fabric's files, free ports for the web
server and the Kubernetes API test server, PostgreSQL and Redis answering (started by deploy/dev/services.sh when
they are local, installed and stopped). Anything missing stops the demo with one line saying what and how to fix it.

Then, in its own database and Redis databases (never the test suite's):
- the Kubernetes API test server (HTTPS) loaded with the demo fabric (deploy/dev/fabric/);
- `netbox runserver`, `netbox rqworker` and the `netbox hedgehog_scheduler` sidecar;
then creates an admin user and a fabric with scheduled sync pointing at the test server, waits until the first
scheduled sync has completed, prints how to log in and what was synced, and keeps running until Ctrl-C, which stops
everything it started. Running it again reuses the database and works without cleanup.

    python deploy/dev/demo.py               # preflight, then the demo (with the venv's Python)
    python deploy/dev/demo.py --preflight   # the checks only (any Python; `make demo` runs them before the venv)
    python deploy/dev/demo.py --print-env   # the demo's environment as shell exports (`make demo-env`)
"""
import argparse
import importlib.util
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time

from hedgehog_devtools.fabric import AGENTS, CONTROLLER, FILES
from hedgehog_devtools.processes import DEV_DIR, REPO_ROOT, ProcessError, Processes, environment, port_in_use

STATE = REPO_ROOT / '.netbox' / 'demo'
WEB_PORT = int(os.environ.get('DEMO_PORT', '8000'))
KUBE_PORT = int(os.environ.get('DEMO_KUBE_PORT', '16443'))
SYNC_INTERVAL = 30
FIRST_SYNC_TIMEOUT = 300
BOOT_TIMEOUT = 180
MIN_PYTHON = (3, 12)

# The demo's own database and Redis databases, and short timings so the schedule is visible.
DEMO_ENV = {
    'PGDATABASE': os.environ.get('DEMO_PGDATABASE', 'netbox_hedgehog_demo'),
    'HEDGEHOG_REDIS_TASKS_DB': os.environ.get('DEMO_REDIS_TASKS_DB', '4'),
    'HEDGEHOG_REDIS_CACHE_DB': os.environ.get('DEMO_REDIS_CACHE_DB', '5'),
    'HEDGEHOG_SCHEDULER_INTERVAL': '10',
    'HEDGEHOG_MIN_SYNC_INTERVAL': str(SYNC_INTERVAL),
    'NETBOX_ROOT': str(STATE),
}
SERVICES = DEV_DIR / 'services.sh'
SERVICES_HINT = ('start it (deploy/dev/services.sh starts a local, installed server) or point {vars} at a running '
                 'one')


class Missing(Exception):
    """Something the demo needs is not there; the message says what and how to fix it, in one line."""


def say(message):
    print(f'[demo] {message}', flush=True)


def _answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def _redis_reply(host, port, password):
    """The reply of Redis to PING (after AUTH when a password is set): '+PONG' when all is well."""
    def command(*words):
        return b''.join([f'*{len(words)}\r\n'.encode(), *(f'${len(w.encode())}\r\n{w}\r\n'.encode() for w in words)])
    with socket.create_connection((host, port), timeout=3) as s:
        stream = s.makefile('rb')
        if password:
            s.sendall(command('AUTH', password))
            reply = stream.readline().decode(errors='replace').strip()
            if not reply.startswith('+'):
                return reply
        s.sendall(command('PING'))
        return stream.readline().decode(errors='replace').strip()


def _services_problem(env):
    """What keeps PostgreSQL or Redis from answering, or None when both answer."""
    pg_host, pg_port = env.get('PGHOST', '127.0.0.1'), int(env.get('PGPORT', '5432'))
    redis_host, redis_port = env.get('REDIS_HOST', '127.0.0.1'), int(env.get('REDIS_PORT', '6379'))
    if not _answers(pg_host, pg_port):
        return f'PostgreSQL does not answer on {pg_host}:{pg_port}: ' + SERVICES_HINT.format(vars='PGHOST/PGPORT')
    try:
        reply = _redis_reply(redis_host, redis_port, env.get('REDIS_PASSWORD', ''))
    except OSError:
        return f'Redis does not answer on {redis_host}:{redis_port}: ' + SERVICES_HINT.format(
            vars='REDIS_HOST/REDIS_PORT')
    if reply != '+PONG':
        return f'Redis on {redis_host}:{redis_port} refused PING ({reply}): set REDIS_PASSWORD to its password'
    return None


def preflight(env, need_netbox):
    """Raise Missing for the first thing the demo lacks; start local PostgreSQL/Redis that are only stopped."""
    if sys.version_info < MIN_PYTHON:
        raise Missing(f'Python {sys.version.split()[0]} is too old ({sys.executable}): the demo needs Python >= 3.12; '
                      f'install one or set PYTHON=/path/to/python3.12 for make')
    if need_netbox and importlib.util.find_spec('netbox') is None:
        raise Missing(f'NetBox is not installed for {sys.executable}: run `make demo` (it creates .venv) or '
                      f"`pip install -e '.[test]'` in a Python >= 3.12 venv")
    for path in (*FILES, AGENTS, CONTROLLER):
        if not path.is_file():
            raise Missing(f'the demo fabric file {path.relative_to(REPO_ROOT)} is missing: restore it with '
                          f'`git checkout -- deploy/dev/fabric`')
    for port, variable in ((WEB_PORT, 'DEMO_PORT'), (KUBE_PORT, 'DEMO_KUBE_PORT')):
        if port_in_use(port):
            raise Missing(f'port {port} is in use (another demo still running?): stop that process or set '
                          f'{variable} to a free port')
    problem = _services_problem(env)
    if problem and SERVICES.is_file():
        # services.sh starts a local PostgreSQL or Redis that is installed but stopped (and says why it cannot).
        subprocess.run([str(SERVICES)], env=env, cwd=REPO_ROOT, capture_output=True)
        problem = _services_problem(env)
    if problem:
        raise Missing(problem)


def netbox(*args, env):
    subprocess.run([sys.executable, '-m', 'netbox', *args], cwd=REPO_ROOT, env=env, check=True)


def prepare(env):
    subprocess.run([str(SERVICES)], cwd=REPO_ROOT, env=env, check=True)
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
    fabric.description = 'The demo fabric (deploy/dev/fabric/) served by the Kubernetes API test server'
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

    def synced():
        return SyncRun.objects.filter(fabric=fabric, trigger='schedule', finished__gte=started).first()
    run = processes.wait_for(synced, FIRST_SYNC_TIMEOUT, 'no scheduled sync completed')
    return Fabric.objects.get(pk=fabric.pk), run


def summary(fabric, run):
    from netbox_hedgehog.kinds import KINDS

    lines = [f'fabric "{fabric.name}": Sync: {fabric.get_sync_status_display()}, '
             f'Drift: {fabric.get_drift_status_display()}, '
             f'last sync {fabric.last_sync:%Y-%m-%d %H:%M:%S} UTC (run #{run.pk}: {run.status})']
    for kind_spec in KINDS:
        count = kind_spec.model.objects.filter(fabric=fabric).count()
        if count:
            lines.append(f'  {kind_spec.kind:<20} {count:>4}')
    return '\n'.join(lines)


def run_demo(env):
    prepare(env)
    os.environ.update(DEMO_ENV)
    for path in (str(REPO_ROOT), str(DEV_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django
    django.setup()
    from django.utils import timezone

    processes = Processes(STATE, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        kubeconfig = STATE / 'kubeconfig.yaml'
        processes.kubeapi('kubeapi', KUBE_PORT, kubeconfig, (*FILES, CONTROLLER), agents=AGENTS)
        processes.wait_ready('kubeapi', timeout=BOOT_TIMEOUT)
        password = secrets.token_urlsafe(12)
        started = timezone.now()
        fabric = setup_objects(kubeconfig.read_text(), password)
        processes.worker('rqworker')
        processes.sidecar('scheduler')
        processes.web('web', WEB_PORT)
        for label in processes.running:
            say(f'started {label} (pid {processes.running[label].pid}, log {processes.log(label)})')
        processes.wait_ready('rqworker', 'scheduler', 'web', timeout=BOOT_TIMEOUT)
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
    except ProcessError as error:
        raise SystemExit(f'[demo] {error}') from None
    finally:
        processes.stop_all()
        say('stopped everything the demo started')


def main(argv=None):
    parser = argparse.ArgumentParser(prog='demo.py', description=__doc__.splitlines()[0])
    parser.add_argument('--preflight', action='store_true', help='run the checks only (no NetBox needed yet)')
    parser.add_argument('--print-env', action='store_true', help="print the demo's environment as shell exports")
    args = parser.parse_args(argv)
    if args.print_env:
        for name, value in DEMO_ENV.items():
            print(f'export {name}={shlex.quote(value)}')
        return 0
    env = environment(**DEMO_ENV)
    try:
        preflight(env, need_netbox=not args.preflight)
    except Missing as missing:
        print(f'[demo] cannot start: {missing}', file=sys.stderr, flush=True)
        return 1
    if args.preflight:
        say('preflight passed: Python, demo fabric files, free ports, PostgreSQL and Redis')
        return 0
    STATE.mkdir(parents=True, exist_ok=True)
    run_demo(env)
    return 0


if __name__ == '__main__':
    sys.exit(main())
