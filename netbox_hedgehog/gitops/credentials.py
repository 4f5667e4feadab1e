"""Hand a fabric's Git credentials to the git command line without putting them in argv, on disk or in messages.

An HTTPS token reaches git through GIT_ASKPASS: a small script that prints an environment variable of the git
process. An SSH key is written to a private temporary file (mode 0600) for the duration of one operation and named
in GIT_SSH_COMMAND. Anything git prints is passed through `scrub()` before it is shown or logged.
"""
import os
import re
import shlex
import stat
import tempfile
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from netbox_hedgehog import get_setting
from netbox_hedgehog.models.fabric import reveal_credential

__all__ = (
    'TOKEN_USERNAME',
    'git_environment',
    'safe_url',
    'scrub',
)

# The user name sent with a token when the repository URL names none (GitHub, Gitea and GitLab accept any).
TOKEN_USERNAME = 'x-access-token'

_TOKEN_VAR = 'HEDGEHOG_GIT_TOKEN'
_USERNAME_VAR = 'HEDGEHOG_GIT_USERNAME'
_ASKPASS = f'''#!/bin/sh
case "$1" in
  [Uu]sername*) printf '%s\\n' "${_USERNAME_VAR}" ;;
  *) printf '%s\\n' "${_TOKEN_VAR}" ;;
esac
'''
_URL_USERINFO = re.compile(r'(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@', re.IGNORECASE)


def safe_url(url):
    """The URL without any user information, for messages."""
    parts = urlsplit(url)
    if parts.scheme and parts.hostname:
        netloc = parts.hostname + (f':{parts.port}' if parts.port else '')
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def scrub(text, secrets=()):
    """`text` with every secret and any user information of URLs replaced by "***"."""
    text = _URL_USERINFO.sub(r'\g<scheme>***@', text or '')
    for secret in secrets:
        for line in (secret or '').splitlines() or [secret]:
            line = line.strip()
            if len(line) >= 4:
                text = text.replace(line, '***')
    return text


def _private_file(directory, name, content, mode):
    path = os.path.join(directory, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, 'w') as f:
        f.write(content)
    return path


@contextmanager
def git_environment(fabric, known_hosts):
    """Yield (environment for git, secrets to scrub) for one operation on `fabric`'s repository.

    `known_hosts` is the file where SSH host keys of the fabric's server are remembered (trust on first use).
    Temporary files are removed when the block ends.
    """
    env = {
        'GIT_TERMINAL_PROMPT': '0',
        'GIT_ASKPASS': '',
        'SSH_ASKPASS': '',
    }
    secrets = []
    with tempfile.TemporaryDirectory(prefix='hedgehog-git-') as workdir:
        os.chmod(workdir, stat.S_IRWXU)
        token = reveal_credential(fabric, 'git_token')
        if token:
            env['GIT_ASKPASS'] = _private_file(workdir, 'askpass.sh', _ASKPASS, stat.S_IRWXU)
            env[_TOKEN_VAR] = token
            env[_USERNAME_VAR] = urlsplit(fabric.git_url).username or TOKEN_USERNAME
            secrets.append(token)
        stall = get_setting('git_stall_timeout')
        ssh = ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new',
               '-o', f'UserKnownHostsFile={known_hosts}', '-o', f'ConnectTimeout={stall}',
               '-o', f'ServerAliveInterval={max(1, stall // 3)}', '-o', 'ServerAliveCountMax=3']
        key = reveal_credential(fabric, 'git_ssh_key')
        if key:
            key_file = _private_file(workdir, 'id_key', key, stat.S_IRUSR | stat.S_IWUSR)
            ssh += ['-i', key_file, '-o', 'IdentitiesOnly=yes']
            secrets.append(key)
        env['GIT_SSH_COMMAND'] = shlex.join(ssh)
        yield env, secrets
