"""Where a fabric's credentials may be sent: the URL rules for the Kubernetes API server and the Git repository.

By default the API server must be https:// and the repository https://, ssh:// or scp-like `user@host:path`.
Plain http:// needs the plugin setting `allow_insecure_http`; file:// and local paths need
`allow_local_git`; when `allowed_hosts` is not empty, only the hosts it lists (an entry "*.example.com" matches
every name under example.com) may be used. The rules apply when a fabric is saved and again before every connection,
so a setting tightened later takes effect at once. `origin()` gives what identifies a destination (scheme, host,
port): a change of it drops stored credentials (see Fabric.save()).
"""
import re
from urllib.parse import urlsplit

from netbox_hedgehog import get_setting

__all__ = (
    'api_server_problem',
    'git_protocol_options',
    'git_url_problem',
    'origin',
)

_DEFAULT_PORTS = {'https': 443, 'http': 80, 'ssh': 22}
# `user@host:path` (scp-like syntax of git): no scheme, and a colon before the first slash.
_SCP_LIKE = re.compile(r'(?:(?P<user>[^@/\s]+)@)?(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?!//)(?P<path>.+)\Z')
_GIT_ACCEPTED = 'an https:// or ssh:// URL, or user@host:path'


def _scp_like(url):
    if '://' in url:
        return None
    match = _SCP_LIKE.match(url)
    return match if match and match['user'] is not None else None


def origin(url):
    """(scheme, host, port) of a URL or scp-like Git address, lower-cased; None when it names no host."""
    if not url:
        return None
    if match := _scp_like(url):
        return 'ssh', match['host'].strip('[]').lower(), 22
    parts = _split(url)
    if parts is None:
        return None
    port = parts.port
    scheme = parts.scheme.lower()
    if scheme == 'file' or not parts.hostname:
        return scheme or 'file', '', None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme)


def _host_problem(host, what):
    allowed = get_setting('allowed_hosts')
    if not allowed:
        return None
    for entry in allowed:
        entry = entry.lower()
        if host == entry or (entry.startswith('*.') and host.endswith(entry[1:])):
            return None
    return f'The host {host!r} of the {what} is not in the plugin setting allowed_hosts.'


def _split(url):
    """urlsplit() of `url`, or None when it is malformed (such as a port that is not a number)."""
    try:
        parts = urlsplit(url)
        if parts.port is not None and not 0 < parts.port < 65536:
            return None
    except ValueError:
        return None
    return parts


def _unsafe_text(url):
    return url.startswith('-') or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url)


def api_server_problem(url):
    """Why `url` cannot be the Kubernetes API server, or None."""
    if _unsafe_text(url):
        return 'Enter the API server URL without spaces or control characters, not starting with "-".'
    parts = _split(url)
    if parts is None:
        return 'The API server URL is malformed.'
    scheme = parts.scheme.lower()
    if scheme not in ('https', 'http') or not parts.hostname:
        return 'Enter an https:// URL of the Kubernetes API server.'
    if parts.username is not None or parts.password is not None:
        return 'Remove the user name and password from the API server URL; use the token or kubeconfig fields.'
    if scheme == 'http' and not get_setting('allow_insecure_http'):
        return ('Plain http:// would send the cluster credentials unencrypted; use https:// (an administrator can '
                'allow http:// with the plugin setting allow_insecure_http).')
    return _host_problem(parts.hostname.lower(), 'API server URL')


def git_url_problem(url):
    """Why `url` cannot be the Git repository, or None."""
    if _unsafe_text(url):
        return 'Enter the Git URL without spaces or control characters, not starting with "-".'
    if match := _scp_like(url):
        return _host_problem(match['host'].strip('[]').lower(), 'Git URL')
    parts = _split(url)
    if parts is None:
        return 'The Git URL is malformed.'
    scheme = parts.scheme.lower()
    if parts.password is not None:
        return 'Remove the password from the URL; store it in the Git token field instead.'
    if scheme in ('', 'file'):
        if not get_setting('allow_local_git'):
            return (f'Local repositories (file:// URLs and paths) are not allowed; enter {_GIT_ACCEPTED} (an '
                    'administrator can allow local repositories with the plugin setting allow_local_git).')
        return None
    if scheme == 'git':
        # No authentication, no encryption, no push, and no way to bound a stalled connection.
        return f'git:// repositories cannot be used (unauthenticated, unencrypted, read-only); enter {_GIT_ACCEPTED}.'
    if scheme not in ('https', 'ssh', 'http') or not parts.hostname:
        return f'Enter {_GIT_ACCEPTED}.'
    if scheme == 'http' and not get_setting('allow_insecure_http'):
        return (f'Plain http:// would send the Git credentials and content unencrypted; enter {_GIT_ACCEPTED} '
                '(an administrator can allow it with the plugin setting allow_insecure_http).')
    return _host_problem(parts.hostname.lower(), 'Git URL')


def git_protocol_options():
    """`-c` options limiting the transports git itself may use (redirects and submodules included)."""
    allowed = ['https', 'ssh']
    if get_setting('allow_insecure_http'):
        allowed += ['http']
    if get_setting('allow_local_git'):
        allowed += ['file']
    options = ['-c', 'protocol.allow=never']
    for protocol in allowed:
        options += ['-c', f'protocol.{protocol}.allow=always']
    return options
