"""A kubeconfig as the plugin accepts it: parsed with bounds, checked for structure, and where its server is.

Nothing here talks to a cluster or decrypts anything: `parse()` takes the text, `server_url()` the parsed document.
The model's clean() calls `problem()` when a kubeconfig is stored; the sync client calls `parse()` when it uses one.
"""
import yaml

from .yamlsafe import BoundedLoader

__all__ = (
    'KubeconfigError',
    'parse',
    'problem',
    'server_url',
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

# Each section: (list key, body key, keys of the body that must be strings when present).
_SECTIONS = (
    ('clusters', 'cluster', ('server', 'certificate-authority-data', 'tls-server-name', 'proxy-url')),
    ('users', 'user', ('token', 'username', 'password', 'client-certificate-data', 'client-key-data')),
    ('contexts', 'context', ('cluster', 'user', 'namespace')),
)


class KubeconfigError(ValueError):
    """Why a kubeconfig cannot be used, in words that quote no value of it."""


def _entries(data, section, body_key, string_keys):
    entries = data.get(section)
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise KubeconfigError(f'"{section}" must be a list of entries, each with a "name" and a "{body_key}".')
    by_name = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get('name'), str) or not entry['name']:
            raise KubeconfigError(f'Entry {position} of "{section}" must be a mapping with a "name".')
        name = entry['name']
        body = entry.get(body_key)
        if not isinstance(body, dict):
            raise KubeconfigError(f'The {body_key} "{name}" must be a mapping (found {type(body).__name__}).')
        for key in string_keys:
            if key in body and not isinstance(body[key], str):
                raise KubeconfigError(f'"{key}" of the {body_key} "{name}" must be a string.')
        for key, replacement in _LOCAL_FILE_KEYS.items():
            if key in body:
                raise KubeconfigError(f'The kubeconfig {body_key} "{name}" refers to a local file ({key}); embed it '
                                      f'as {replacement} instead.')
        for key in _PROGRAM_KEYS:
            if key in body:
                raise KubeconfigError(f'The kubeconfig {body_key} "{name}" uses "{key}", which would run a program on '
                                      f'the NetBox server; use a service-account token instead.')
        by_name[name] = body
    return by_name


def _current_context(data, contexts):
    current = data.get('current-context')
    if current:
        if not isinstance(current, str) or current not in contexts:
            raise KubeconfigError('"current-context" does not name one of the kubeconfig\'s contexts.')
        return contexts[current]
    if len(contexts) != 1:
        raise KubeconfigError('Set "current-context": the kubeconfig has several contexts (or none).')
    return next(iter(contexts.values()))


def parse(text):
    """The kubeconfig as a dict, after checking its structure; raises KubeconfigError."""
    try:
        data = yaml.load(text, Loader=BoundedLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        where = f' at line {mark.line + 1}' if mark else ''
        detail = f': {e.problem}' if isinstance(getattr(e, 'problem', None), str) else ''
        raise KubeconfigError(f'The kubeconfig is not valid YAML{where}{detail}.') from None
    if not isinstance(data, dict) or not isinstance(data.get('clusters'), list) or not data['clusters']:
        raise KubeconfigError('This is not a kubeconfig: expected a YAML mapping with "clusters", "users" and '
                              '"contexts".')
    clusters, users, contexts = (_entries(data, *section) for section in _SECTIONS)
    context = _current_context(data, contexts)
    if context.get('cluster') not in clusters:
        raise KubeconfigError('The current context names a cluster the kubeconfig does not define.')
    if context.get('user') is not None and context['user'] not in users:
        raise KubeconfigError('The current context names a user the kubeconfig does not define.')
    if not clusters[context['cluster']].get('server'):
        raise KubeconfigError(f'The cluster "{context["cluster"]}" has no "server" URL.')
    return data


def server_url(data):
    """The API server URL of the current context of a kubeconfig that `parse()` accepted."""
    contexts = {entry['name']: entry['context'] for entry in data.get('contexts') or []}
    clusters = {entry['name']: entry['cluster'] for entry in data['clusters']}
    return clusters[_current_context(data, contexts)['cluster']]['server']


def problem(text):
    """The problem with a kubeconfig as a sentence, or None when it can be used."""
    try:
        parse(text)
    except KubeconfigError as e:
        return str(e)
    return None
