"""``KubeAPIServer``: an HTTPS Kubernetes API server for the Hedgehog kinds, run in a background thread.

Used by the plugin's tests (in process), its demo and its benchmark (as a process, see ``__main__``)::

    with KubeAPIServer() as server:
        server.load_yaml('wiring.yaml')
        server.write_kubeconfig(tmp_path / 'kubeconfig')
        server.inject(method='GET', path_regex='/switches', status=503)
        ...
"""
import json
import secrets
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import yaml

from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.live.agents import AGENT
from netbox_hedgehog.validation.config import CONFIG_MAP, CONFIG_MAP_KEY, CONFIG_MAP_NAME, CONFIG_MAP_NAMESPACE

from .admin import AdminRoutes
from .api import KubeAPI
from .auth import Authenticator
from .faults import FaultInjector, RequestLog
from .loader import read_documents
from .store import ObjectStore
from .tls import create_tls_material, render_kubeconfig, server_ssl_context, write_private_file
from .transport import TLSServer

__all__ = (
    'KubeAPIServer',
    'LoadResult',
)

HOST = '127.0.0.1'


class LoadResult(NamedTuple):
    """What ``load_yaml`` did: objects stored per kind, and ``(apiVersion, kind, name)`` of those ignored."""
    loaded: dict
    ignored: list

    @property
    def total(self):
        return sum(self.loaded.values())


class KubeAPIServer:
    """A Kubernetes API server serving exactly the kinds of ``netbox_hedgehog.kinds.KINDS``, the switches' Agents
    and ConfigMaps (read-only over the API: the fabric controller's settings, see ``put_fabric_settings``).

    ``port`` 0 picks a free port. ``token`` is the admin bearer token (generated when None, see ``.token``);
    ``tokens`` maps more tokens to a role (``'admin'``, ``'reader'``, ``'forbidden'``) or to
    ``{'role': ..., 'groups': [api groups the token may use]}``. ``latency`` is added to every request.
    """

    def __init__(self, port=0, *, token=None, tokens=None, latency=0.0):
        self.token = token or secrets.token_urlsafe(32)
        self.store = ObjectStore((*KINDS, AGENT, CONFIG_MAP))
        self._stopping = threading.Event()
        self.faults = FaultInjector(self._stopping)
        self.faults.latency = float(latency)
        self.log = RequestLog()
        self.api = KubeAPI(self.store, Authenticator({**(tokens or {}), self.token: 'admin'}), AdminRoutes(self))
        self._port = int(port)
        self._tls = None
        self._httpd = None
        self._thread = None

    def __repr__(self):
        state = self.url if self.running else 'stopped'
        return f'<KubeAPIServer {state}, {self.count()} objects>'

    # Lifecycle

    def start(self):
        """Start serving (again, after ``stop``: same port, same CA). Returns self."""
        if self._httpd is not None:
            raise RuntimeError('the server is already running')
        if self._tls is None:
            self._tls = create_tls_material()
        with tempfile.TemporaryDirectory(prefix='kubeapi-') as directory:
            context = server_ssl_context(self._tls, directory)
        self._stopping.clear()
        self._httpd = TLSServer((HOST, self._port), context, self)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={'poll_interval': 0.05}, name=f'kubeapi-{self._port}',
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and close every open connection; data, faults and the CA are kept."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def running(self):
        return self._httpd is not None

    # Connection details

    @property
    def port(self):
        return self._port

    @property
    def url(self):
        return f'https://{HOST}:{self._port}'

    @property
    def ca_pem(self):
        """The PEM text of the CA that signed the server certificate (exists once the server started)."""
        if self._tls is None:
            raise RuntimeError('start the server first: the CA is generated at start')
        return self._tls.ca_pem

    def kubeconfig(self, token=None):
        """Kubeconfig YAML text for this server, authenticating with ``token`` (default: the admin token)."""
        return render_kubeconfig(self.url, self.ca_pem, token or self.token)

    def write_kubeconfig(self, path, token=None):
        """Write ``kubeconfig(token)`` to ``path`` (mode 0600) and return the path."""
        path = Path(path)
        write_private_file(path, self.kubeconfig(token))
        return path

    # Faults and the request log

    @property
    def latency(self):
        return self.faults.latency

    @latency.setter
    def latency(self, seconds):
        self.faults.latency = float(seconds)

    def inject(self, method=None, path_regex=None, status=None, drop=False, delay=None, count=1, message=None):
        """Make the next ``count`` requests (None: all, until ``clear_faults``) that match fail.

        ``method`` (e.g. 'GET') and ``path_regex`` (``re.search`` on the request target: path and query) select
        requests. The fault sleeps ``delay`` seconds first, then answers ``status`` with a Status body, drops the
        connection without an answer (``drop=True``), or, with only a delay, answers normally.
        """
        self.faults.inject(method, path_regex, status, drop, delay, count, message)

    def clear_faults(self):
        self.faults.clear()

    @property
    def request_log(self):
        """``LoggedRequest(method, path, query, status)`` of each request, oldest first (``/_testing`` excluded)."""
        return self.log.entries()

    def reset_log(self):
        self.log.reset()

    # Kinds

    def _spec(self, kind):
        try:
            return self.store.kinds[kind]
        except KeyError:
            raise KeyError(f'kind not served: {kind}') from None

    def uninstall(self, kind):
        """Make ``kind`` answer 404 and disappear from discovery, as when its CRD is missing."""
        self.api.uninstalled.add(self._spec(kind).kind)

    def install(self, kind):
        self.api.uninstalled.discard(self._spec(kind).kind)

    @property
    def installed_kinds(self):
        return [spec.kind for spec in self.api.installed()]

    # Data

    def load_yaml(self, source):
        """Store every object of a multi-document YAML text or file (``put`` semantics, namespace default
        'default'). Objects of kinds the server does not serve are skipped and listed in the result."""
        loaded, ignored = Counter(), []
        for obj in read_documents(source):
            metadata = obj.get('metadata') or {}
            if self.store.spec_for(obj.get('apiVersion'), obj.get('kind')) is None:
                ignored.append((obj.get('apiVersion'), obj.get('kind'), metadata.get('name')))
                continue
            self.store.put(obj)
            loaded[obj['kind']] += 1
        return LoadResult(dict(loaded), ignored)

    def put(self, obj):
        """Create or change an object (no resourceVersion precondition); return it as stored."""
        return json.loads(self.store.put(obj))

    def put_fabric_settings(self, settings):
        """Store the fabric controller's settings (a mapping, as in its config.yaml) in the ConfigMap the controller
        reads them from (fab/fabric-ctrl-config): admission then applies the rules that need them."""
        return self.put({
            'apiVersion': CONFIG_MAP.api_version, 'kind': CONFIG_MAP.kind,
            'metadata': {'name': CONFIG_MAP_NAME, 'namespace': CONFIG_MAP_NAMESPACE},
            'data': {CONFIG_MAP_KEY: yaml.safe_dump(settings, sort_keys=False)},
        })

    def get(self, kind, name, namespace='default'):
        """The stored object, or None."""
        data = self.store.find(self._spec(kind).kind, namespace, name)
        return json.loads(data) if data is not None else None

    def delete(self, kind, name, namespace='default'):
        """Delete an object; return it, or None when it did not exist."""
        data = self.store.remove(self._spec(kind).kind, namespace, name)
        return json.loads(data) if data is not None else None

    def objects(self, kind=None):
        """Every stored object (of one kind), in kind table order, then by namespace and name."""
        return [json.loads(data) for data in self.store.all(kind and self._spec(kind).kind)]

    def count(self, kind=None):
        return self.store.count(kind and self._spec(kind).kind)

    def clear(self):
        """Delete every object."""
        self.store.clear()

    def expire_continue_tokens(self):
        """Make every outstanding list ``continue`` token stale (the next use answers 410 Expired)."""
        self.store.expire_continue_tokens()

    def expire_next_continue_tokens(self, count=1):
        """Answer the next ``count`` uses of a continue token with 410 Expired (tokens issued later work)."""
        self.store.expire_next_continue_tokens(count)
