"""Git branch names and links to a hosting service's pages, without talking to Git (no imports of the plugin).

`branch_problem` applies git's own rules for branch names (git check-ref-format --branch). `compare_url` builds the
page of GitHub, GitLab or Gitea comparing two branches, from a repository URL in https, ssh:// or scp-like
(user@host:path) form, never with credentials or a port of the SSH form in it.
"""
import re
from urllib.parse import quote, urlsplit

__all__ = (
    'branch_problem',
    'compare_url',
)

# Characters git forbids anywhere in a reference name.
_FORBIDDEN = re.compile(r'[\x00-\x20\x7f~^:?*\[\\]')
_SCP_LIKE = re.compile(r'^(?:[^@/\s]+@)?(?P<host>[^:/\s]+):(?P<path>[^/].*)$')


def branch_problem(name):
    """Why `name` is not a valid Git branch name (None when it is)."""
    problem = None
    if _FORBIDDEN.search(name):
        problem = 'spaces, control characters and ~ ^ : ? * [ \\ are not allowed'
    elif name.startswith(('-', '/')) or name.endswith(('/', '.', '.lock')):
        problem = 'it may not start with "-" or "/", nor end with "/", "." or ".lock"'
    elif '..' in name or '//' in name or '@{' in name or name == '@':
        problem = '"..", "//", "@{" and a lone "@" are not allowed'
    elif any(part.startswith('.') or part.endswith('.lock') for part in name.split('/')):
        problem = 'no part between slashes may start with "." or end with ".lock"'
    if problem:
        return f'{name!r} is not a valid Git branch name: {problem}.'
    return None


def _service(host):
    """'github', 'gitlab' or 'gitea' for a host name that names the service, else ''."""
    labels = host.lower().split('.')
    if host.lower() == 'codeberg.org':
        return 'gitea'
    for service in ('github', 'gitlab', 'gitea', 'forgejo'):
        if service in labels:
            return 'gitea' if service == 'forgejo' else service
    return ''


def compare_url(git_url, base, head):
    """The hosting service's page comparing `head` with `base`: `<repo>/compare/<base>...<head>` on GitHub and
    Gitea, `<repo>/-/compare/<base>...<head>` on GitLab; '' for other hosts and URLs that name no repository."""
    url = (git_url or '').strip()
    parts = urlsplit(url)
    if parts.scheme in ('https', 'http', 'ssh', 'git+ssh') and parts.hostname:
        host, path = parts.hostname, parts.path
        port = parts.port if parts.scheme in ('https', 'http') else None
        scheme = 'http' if parts.scheme == 'http' else 'https'
    elif not parts.scheme or '://' not in url:
        match = _SCP_LIKE.match(url)
        if match is None:
            return ''
        host, path, port, scheme = match['host'], match['path'], None, 'https'
    else:
        return ''
    service = _service(host)
    path = path.strip('/').removesuffix('.git').strip('/')
    if not service or '/' not in path:
        return ''
    prefix = '/-/compare/' if service == 'gitlab' else '/compare/'
    where = host + (f':{port}' if port else '')
    return f'{scheme}://{where}/{quote(path)}{prefix}{quote(base, safe="/")}...{quote(head, safe="/")}'
