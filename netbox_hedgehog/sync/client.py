"""Build an authenticated Kubernetes API client for one fabric from its stored credentials."""
import tempfile
from contextlib import contextmanager

import yaml
from kubernetes import client as k8s
from kubernetes.config import ConfigException
from kubernetes.config.kube_config import KubeConfigLoader

from netbox_hedgehog import get_setting

from .errors import ClusterError

__all__ = (
    'check_kubeconfig',
    'fabric_api',
)

# Keys that make the Kubernetes client read local files or run programs on the NetBox worker: never accepted
# from a kubeconfig stored through the UI or the API.
_LOCAL_FILE_KEYS = {
    'certificate-authority': 'certificate-authority-data',
    'client-certificate': 'client-certificate-data',
    'client-key': 'client-key-data',
    'tokenFile': 'token',
}
_PROGRAM_KEYS = ('exec', 'auth-provider')


def parse_kubeconfig(text):
    """Parse a kubeconfig and refuse what would read local files or run programs; raises ClusterError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f' at line {mark.line + 1}' if mark else ''
        raise ClusterError(f'The kubeconfig is not valid YAML{where}.') from None
    if not isinstance(data, dict) or not isinstance(data.get('clusters'), list):
        raise ClusterError('This is not a kubeconfig: expected a YAML mapping with "clusters", "users" and '
                           '"contexts".')
    for section, body_key in (('clusters', 'cluster'), ('users', 'user')):
        for entry in data.get(section) or []:
            body = entry.get(body_key) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            name = entry.get('name', '?')
            for key, replacement in _LOCAL_FILE_KEYS.items():
                if key in body:
                    raise ClusterError(f'The kubeconfig {body_key} "{name}" refers to a local file ({key}); embed '
                                       f'it as {replacement} instead.')
            for key in _PROGRAM_KEYS:
                if key in body:
                    raise ClusterError(f'The kubeconfig user "{name}" uses "{key}", which would run a program on '
                                       f'the NetBox server; use a service-account token instead.')
    return data


def check_kubeconfig(text):
    """The problem with a kubeconfig as a sentence, or None when it can be used."""
    try:
        parse_kubeconfig(text)
    except ClusterError as e:
        return str(e)
    return None


def _configuration(fabric, workdir):
    cfg = k8s.Configuration()
    if fabric.has_kubeconfig:
        data = parse_kubeconfig(fabric.kubeconfig)
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
    elif fabric.has_kubernetes_token:
        if not fabric.kubernetes_server:
            raise ClusterError('The fabric has a token but no Kubernetes API server URL.')
        cfg.host = fabric.kubernetes_server.rstrip('/')
        cfg.api_key = {'BearerToken': f'Bearer {fabric.kubernetes_token}'}
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
            yield k8s.CustomObjectsApi(api_client), cfg.host, get_setting('k8s_request_timeout')
        finally:
            api_client.close()
