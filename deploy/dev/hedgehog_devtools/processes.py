"""Start and stop the processes a deployment of the plugin runs, for the demo and the end-to-end tests.

`Processes` starts `netbox runserver`, `netbox rqworker`, the `netbox hedgehog_scheduler` sidecar and the Kubernetes
API test server as child processes, each in a session of its own with its output in ``<directory>/<label>.log``;
waits until they are ready (the web server answers HTTP, the worker listens, the sidecar runs, the test server
serves), reports a process that exited by itself with the end of its log, and stops them: SIGTERM and a wait, as a
service manager does, then SIGKILL for whatever is left (including a worker's work horse).
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = (
    'DEV_DIR',
    'REPO_ROOT',
    'ProcessError',
    'Processes',
    'environment',
    'free_port',
    'port_in_use',
)

DEV_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = DEV_DIR.parents[1]
NETBOX = (sys.executable, '-m', 'netbox')
POLL = 0.25
STOP_TIMEOUT = 20


class ProcessError(RuntimeError):
    """A process exited by itself, or did not get ready in time; the message ends with the processes' logs."""


def environment(base=None, **overrides):
    """`base` (default: this process's environment) with deploy/dev and the repository on PYTHONPATH, unbuffered
    output and `overrides`: what every process started here needs to import the plugin and its configuration."""
    env = dict(os.environ if base is None else base)
    paths = [str(DEV_DIR), str(REPO_ROOT)]
    env['PYTHONPATH'] = os.pathsep.join(paths + [p for p in env.get('PYTHONPATH', '').split(os.pathsep)
                                                 if p and p not in paths])
    env['PYTHONUNBUFFERED'] = '1'
    env.update(overrides)
    return env


def port_in_use(port, host='127.0.0.1'):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _answers_http(url):
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _descendants(pid):
    """Every process below `pid` (Linux /proc); a worker's work horse runs in a session of its own."""
    try:
        children = Path(f'/proc/{pid}/task/{pid}/children').read_text().split()
    except OSError:
        return []
    found = []
    for child in map(int, children):
        found += [child, *_descendants(child)]
    return found


class Processes:
    """The processes one owner (the demo, a test) started, by label; each writes `<directory>/<label>.log`."""

    def __init__(self, directory, env):
        self.directory = Path(directory)
        self.env = env
        self.running = {}
        self._ready = {}

    def log(self, label):
        return self.directory / f'{label}.log'

    def start(self, label, args, ready):
        """Start `args` as `label`; `ready` is a function returning something true once the process serves."""
        if label in self.running:
            raise ValueError(f'a process labelled {label!r} is already running')
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.log(label), 'wb') as log:
            process = subprocess.Popen(list(args), cwd=REPO_ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.running[label] = process
        self._ready[label] = ready
        return process

    def _logged(self, label, text):
        return lambda: text in self.log(label).read_text(errors='replace')

    def web(self, label, port):
        """`netbox runserver` on 127.0.0.1:`port`; ready when it answers HTTP."""
        return self.start(label, [*NETBOX, 'runserver', f'127.0.0.1:{port}', '--insecure', '--noreload'],
                          ready=lambda: _answers_http(f'http://127.0.0.1:{port}/login/'))

    def worker(self, label, *queues):
        """`netbox rqworker` named `label` (all of NetBox's queues unless `queues` are given)."""
        return self.start(label, [*NETBOX, 'rqworker', '--name', label, *queues],
                          ready=self._logged(label, 'Listening on'))

    def sidecar(self, label):
        """The `netbox hedgehog_scheduler` sidecar; ready once its loop runs."""
        return self.start(label, [*NETBOX, 'hedgehog_scheduler'], ready=self._logged(label, 'Hedgehog scheduler:'))

    def kubeapi(self, label, port, kubeconfig, files=(), token=None, agents=None):
        """The Kubernetes API test server on 127.0.0.1:`port`, loaded with `files` (and `agents`, kept fresh); it
        writes `kubeconfig`."""
        args = [sys.executable, '-m', 'hedgehog_devtools.kubeapi', '--port', str(port), '--kubeconfig',
                str(kubeconfig), *(['--token', token] if token else []),
                *(['--agents', str(agents)] if agents else []), *map(str, files)]
        return self.start(label, args, ready=self._logged(label, 'kubeapi listening on'))

    def exited(self):
        """Labels and exit codes of the processes that stopped by themselves."""
        return {label: process.returncode for label, process in self.running.items() if process.poll() is not None}

    def check(self):
        """Raise ProcessError if any process stopped by itself."""
        if exited := self.exited():
            described = ', '.join(f'{label} exited with {code} (log {self.log(label)})'
                                  for label, code in exited.items())
            raise ProcessError(f'{described}\n{self.tails()}')

    def wait_for(self, condition, timeout, message):
        """Poll `condition` until it returns something true, and return that; ProcessError when a process exits
        or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if result := condition():
                return result
            if exited := self.exited():
                raise ProcessError(f'{message}: processes exited {exited}\n{self.tails()}')
            if time.monotonic() > deadline:
                raise ProcessError(f'{message} (waited {timeout} s)\n{self.tails()}')
            time.sleep(POLL)

    def wait_ready(self, *labels, timeout):
        """Wait until each of `labels` is ready, in turn, within `timeout` seconds altogether."""
        deadline = time.monotonic() + timeout
        for label in labels:
            self.wait_for(self._ready[label], max(0, deadline - time.monotonic()), f'{label} did not get ready')

    def stop(self, label, timeout=STOP_TIMEOUT):
        """SIGTERM, as a service manager stops a process, and wait for its exit (SIGKILL after `timeout` s)."""
        process = self.running.pop(label)
        self._ready.pop(label)
        if process.poll() is None:
            process.terminate()
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill(process)
            return process.wait(timeout=10)

    def kill(self, label):
        """SIGKILL the process and every process it forked (a worker and its work horse), as an OOM kill does."""
        process = self.running.pop(label)
        self._ready.pop(label)
        self._kill(process)
        process.wait(timeout=10)

    @staticmethod
    def _kill(process):
        for pid in [*_descendants(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop_all(self, timeout=STOP_TIMEOUT):
        """Stop every process, the last started first, each with a SIGTERM and then SIGKILL after `timeout` s."""
        for label in reversed(list(self.running)):
            self.stop(label, timeout)

    def kill_all(self):
        for label in list(self.running):
            self.kill(label)

    def tails(self, lines=40):
        """The last `lines` lines of every log in the directory."""
        out = []
        for path in sorted(self.directory.glob('*.log')):
            text = path.read_text(errors='replace').splitlines()[-lines:]
            out.append(f'----- {path.name} (last {len(text)} lines) -----\n' + '\n'.join(text))
        return '\n'.join(out)
