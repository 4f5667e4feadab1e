"""Bearer-token authentication and the three roles the server knows.

- ``admin``: every verb;
- ``reader``: ``get`` and ``list`` only, every write is 403;
- ``forbidden``: authenticated, but 403 on every ``/apis`` route.

A token may also be limited to some API groups (403 for the others). Tokens are never logged or echoed.
"""
from collections.abc import Mapping
from dataclasses import dataclass

from .status import ApiError

__all__ = (
    'ROLES',
    'Authenticator',
    'Grant',
)

ROLES = ('admin', 'reader', 'forbidden')
READ_VERBS = frozenset(('get', 'list'))


@dataclass(frozen=True)
class Grant:
    """What one token may do."""
    role: str
    groups: frozenset | None = None

    @property
    def user(self):
        return f'kubeapi-{self.role}'

    def _deny(self, message_subject, verb, what):
        raise ApiError(403, f'{message_subject}forbidden: User "{self.user}" cannot {verb} {what}')

    def check_path(self, path):
        """Discovery and other non-resource ``/apis`` paths."""
        if self.role == 'forbidden':
            self._deny('', 'get', f'path "{path}"')

    def check_group(self, group, path):
        if self.role == 'forbidden' or (self.groups is not None and group not in self.groups):
            self._deny('', 'get', f'path "{path}"')

    def check_resource(self, verb, spec, namespace, name):
        """Authorise ``verb`` on a resource (``name`` None for collection verbs)."""
        allowed_group = self.groups is None or spec.group in self.groups
        allowed_verb = self.role == 'admin' or (self.role == 'reader' and verb in READ_VERBS)
        if allowed_group and allowed_verb:
            return
        subject = f'{spec.plural}.{spec.group} "{name}" is ' if name else f'{spec.plural}.{spec.group} is '
        scope = f' in the namespace "{namespace}"' if namespace else ' at the cluster scope'
        self._deny(subject, verb, f'resource "{spec.plural}" in API group "{spec.group}"{scope}')


def _grant(value):
    if isinstance(value, Grant):
        return value
    if isinstance(value, str):
        value = {'role': value}
    if not isinstance(value, Mapping) or value.get('role') not in ROLES:
        raise ValueError(f'a token grant is a role ({", ".join(ROLES)}) or a mapping with "role" and "groups"')
    groups = value.get('groups')
    return Grant(value['role'], frozenset(groups) if groups is not None else None)


class Authenticator:
    """Maps ``Authorization: Bearer <token>`` headers to grants."""

    def __init__(self, tokens):
        self._grants = {token: _grant(value) for token, value in tokens.items()}

    def authenticate(self, header):
        """The grant for an Authorization header value; 401 when it is missing or unknown."""
        scheme, _, token = (header or '').partition(' ')
        grant = self._grants.get(token.strip()) if scheme.lower() == 'bearer' else None
        if grant is None:
            raise ApiError(401, 'Unauthorized')
        return grant
