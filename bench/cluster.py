"""The Kubernetes API test server holding one generated fabric, in a child process of its own.

A separate process keeps the server's CPU time, memory and GIL out of the measured sync process, as a real
cluster would be. Run by `Cluster`; by hand::

    python -m bench.cluster 10k /tmp/kubeconfig    # prints "ready <url> <objects>", serves until SIGTERM
"""
import argparse
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .env import REPO_ROOT, die_with_parent

__all__ = (
    'Cluster',
)

READY = 'ready'
START_TIMEOUT = 600


class Cluster:
    """Context manager: a server process loaded with the fabric of `size`; `.kubeconfig` is its kubeconfig and
    `.count` the number of fabric objects it holds (its Agents aside)."""

    def __init__(self, size, workdir, seed):
        self.size = size
        self.seed = seed
        self.kubeconfig_path = Path(workdir) / f'kubeconfig-{size}.yaml'
        self.process = None
        self.count = 0

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'bench.cluster', self.size, str(self.kubeconfig_path), '--seed', str(self.seed)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent,
        )
        timer = threading.Timer(START_TIMEOUT, self.process.kill)
        timer.start()
        try:
            line = self.process.stdout.readline().split()
        finally:
            timer.cancel()
        if len(line) != 3 or line[0] != READY:
            self.process.kill()
            raise RuntimeError(f'the test server for {self.size} did not start (exit {self.process.wait()})')
        self.count = int(line[2])
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=30)

    @property
    def kubeconfig(self):
        return self.kubeconfig_path.read_text()


def main(argv=None):
    from hedgehog_devtools.kubeapi import KubeAPIServer

    from .agents import agents
    from .generate import generate
    from .shapes import SIZES

    parser = argparse.ArgumentParser(prog='python -m bench.cluster', description=__doc__.splitlines()[0])
    parser.add_argument('size', choices=sorted(SIZES))
    parser.add_argument('kubeconfig', type=Path)
    parser.add_argument('--seed', type=int, required=True)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server = KubeAPIServer()
    objects = generate(SIZES[args.size], args.seed)
    for obj in objects:
        server.put(obj)
    # The switches' Agents: live state, not counted among the fabric's objects.
    for agent in agents(objects):
        server.put(agent)
    with server:
        server.write_kubeconfig(args.kubeconfig)
        print(READY, server.url, len(objects), flush=True)
        stop.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main())
