"""Run the Kubernetes API test server as a process (with deploy/dev on PYTHONPATH, as `make env` sets it)::

    python -m hedgehog_devtools.kubeapi --port 6443 --kubeconfig /tmp/kubeconfig.yaml [--token TOKEN] [--latency 0.0] \\
        [--agents agents.yaml] wiring.yaml vpcs.yaml ...

It loads the files (and the Agents, whose heartbeats it moves to the present every minute, so the switches stay
"fresh"), writes the kubeconfig, prints ``kubeapi listening on https://127.0.0.1:PORT (N objects)``
and serves until SIGTERM or SIGINT, then exits 0.
"""
import argparse
import signal
import sys
import threading
from pathlib import Path

from ..agents import put_agents
from .server import KubeAPIServer

# Seconds between two refreshes of the served Agents' heartbeats.
HEARTBEAT_REFRESH = 60


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python -m hedgehog_devtools.kubeapi', description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, default=6443, help='port on 127.0.0.1 (0: any free port)')
    parser.add_argument('--kubeconfig', type=Path, help='where to write a kubeconfig for this server')
    parser.add_argument('--token', help='the admin bearer token (default: a random one, in the kubeconfig)')
    parser.add_argument('--latency', type=float, default=0.0, help='seconds added to every request')
    parser.add_argument('--agents', type=Path, help='Agents to serve with heartbeats kept fresh')
    parser.add_argument('files', nargs='*', type=Path, help='multi-document YAML files to load')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    server = KubeAPIServer(args.port, token=args.token, latency=args.latency)
    for path in args.files:
        result = server.load_yaml(path)
        for api_version, kind, name in result.ignored:
            print(f'{path}: ignored {api_version} {kind} {name} (kind not served)', file=sys.stderr)
    if args.agents:
        put_agents(server, path=args.agents)
    with server:
        if args.kubeconfig:
            server.write_kubeconfig(args.kubeconfig)
        print(f'kubeapi listening on {server.url} ({server.count()} objects)', flush=True)
        while not stop.wait(HEARTBEAT_REFRESH if args.agents else None):
            put_agents(server, path=args.agents)
    return 0


if __name__ == '__main__':
    sys.exit(main())
