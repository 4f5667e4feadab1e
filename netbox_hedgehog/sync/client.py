"""Build an authenticated Kubernetes API client for one fabric from its stored credentials."""
import tempfile
from contextlib import contextmanager

from kubernetes import client as k8s
from kubernetes.config import ConfigException
from kubernetes.config.kube_config import KubeConfigLoader

from netbox_hedgehog import destinations, get_setting, kubeconfig
from netbox_hedgehog.models.fabric import reveal_credential

from .errors import ClusterError

# The Kubernetes client imports its API modules on first use (a module __getattr__); the custom objects API takes
# about 0.1 s (pydantic builds the validators of its methods). Resolved here, it loads with NetBox: an rqworker loads
# it once, before it forks the process of each job, instead of every sync paying for it again.
CustomObjectsApi = k8s.CustomObjectsApi

__all__ = (
    'fabric_api',
)


def _parse_kubeconfig(fabric):
    try:
        return kubeconfig.parse(reveal_credential(fabric, 'kubeconfig'))
    except kubeconfig.KubeconfigError as e:
        raise ClusterError(f'The stored kubeconfig cannot be used: {e}') from None


def _check_server(url):
    """Refuse an API server the plugin settings do not allow (they may have been tightened since it was stored)."""
    if problem := destinations.api_server_problem(url):
        raise ClusterError(f'Not connecting to the API server: {problem}')


def _configuration(fabric, workdir):
    cfg = k8s.Configuration()
    if fabric.has_kubeconfig:
        data = _parse_kubeconfig(fabric)
        _check_server(fabric.kubernetes_server or kubeconfig.server_url(data))
        # The fabric's own settings win over the kubeconfig's; they are written into the document because the
        # client re-applies the kubeconfig's values on every request.
        for entry in data['clusters']:
            if isinstance(entry, dict) and isinstance(entry.get('cluster'), dict):
                if fabric.kubernetes_server:
                    entry['cluster']['server'] = fabric.kubernetes_server.rstrip('/')
                entry['cluster']['insecure-skip-tls-verify'] = not fabric.verify_tls
        try:
            KubeConfigLoader(config_dict=data, config_base_path=workdir, temp_file_path=workdir).load_and_set(cfg)
        except ConfigException as e:
            # ConfigException messages name missing keys and contexts, never values.
            raise ClusterError(f'The stored kubeconfig cannot be used: {e}') from None
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as e:
            # Other loader failures can quote values of the kubeconfig: name only what kind of failure it was.
            raise ClusterError(f'The stored kubeconfig cannot be used: the Kubernetes client could not load it '
                               f'({type(e).__name__}); check its clusters, users and contexts.') from None
    elif fabric.has_kubernetes_token:
        if not fabric.kubernetes_server:
            raise ClusterError('The fabric has a token but no Kubernetes API server URL.')
        _check_server(fabric.kubernetes_server)
        cfg.host = fabric.kubernetes_server.rstrip('/')
        cfg.api_key = {'BearerToken': f'Bearer {reveal_credential(fabric, "kubernetes_token")}'}
        if fabric.kubernetes_ca_cert:
            with tempfile.NamedTemporaryFile('w', dir=workdir, suffix='.pem', delete=False) as f:
                f.write(fabric.kubernetes_ca_cert)
            cfg.ssl_ca_cert = f.name
    else:
        raise ClusterError('The fabric has no credentials: store a kubeconfig, or an API server URL with a token.')
    # The fabric's own setting decides TLS verification, whatever the kubeconfig says.
    cfg.verify_ssl = bool(fabric.verify_tls)
    # No silent retries by urllib3: the reader tries transient failures again itself, and says so in the run log.
    cfg.retries = False
    return cfg


@contextmanager
def fabric_api(fabric):
    """Yield (CustomObjectsApi, server URL, request timeout) for `fabric`; temporary files are removed after."""
    with tempfile.TemporaryDirectory(prefix='hedgehog-k8s-') as workdir:
        cfg = _configuration(fabric, workdir)
        api_client = k8s.ApiClient(configuration=cfg)
        try:
            yield CustomObjectsApi(api_client), cfg.host, get_setting('k8s_request_timeout')
        finally:
            api_client.close()
