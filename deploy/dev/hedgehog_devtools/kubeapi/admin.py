"""The ``/_testing`` routes: fault injection and kind installation for a server running in another process.

They mirror ``KubeAPIServer``'s Python methods and need the admin token::

    POST   /_testing/faults                   {"clear": true} | {"latency": 0.2} | inject() arguments
    POST   /_testing/uninstall                {"kind": "Switch"}
    POST   /_testing/install                  {"kind": "Switch"}
    POST   /_testing/expire-continue-tokens
    POST   /_testing/expire-next-continue-tokens  {"count": 1}: the next uses of a continue token answer 410
    GET    /_testing/log                      the request log
    DELETE /_testing/log                      reset the request log
"""
import json

from .api import Response
from .status import ApiError
from .store import dumps

__all__ = (
    'AdminRoutes',
)

FAULT_FIELDS = ('method', 'path_regex', 'status', 'drop', 'delay', 'count', 'message')


def _object_body(request):
    try:
        body = json.loads(request.body or b'{}')
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, 'the request body must be a JSON object')
    return body


class AdminRoutes:
    """Handles ``/_testing/...`` by calling the methods of a ``KubeAPIServer``."""

    def __init__(self, server):
        self.server = server

    def __call__(self, grant, request, parts):
        if grant.role != 'admin' or grant.groups is not None:
            raise ApiError(403, f'forbidden: User "{grant.user}" cannot use the test server\'s admin routes')
        route = (request.method, '/'.join(parts))
        handler = {
            ('POST', 'faults'): self._faults,
            ('POST', 'uninstall'): self._uninstall,
            ('POST', 'install'): self._install,
            ('POST', 'expire-continue-tokens'): self._expire,
            ('POST', 'expire-next-continue-tokens'): self._expire_next,
            ('GET', 'log'): self._log,
            ('DELETE', 'log'): self._reset_log,
        }.get(route)
        if handler is None:
            raise ApiError.unknown_resource()
        return Response(200, dumps(handler(request)))

    def _faults(self, request):
        body = _object_body(request)
        unknown = set(body) - {'clear', 'latency', *FAULT_FIELDS}
        if unknown:
            raise ApiError(400, f'unknown fields: {", ".join(sorted(unknown))}')
        if body.get('clear'):
            self.server.clear_faults()
        if 'latency' in body:
            self.server.latency = float(body['latency'])
        arguments = {field: body[field] for field in FAULT_FIELDS if field in body}
        if arguments:
            try:
                self.server.inject(**arguments)
            except (TypeError, ValueError) as error:
                raise ApiError(400, f'invalid fault: {error}') from None
        return {'pending': self.server.faults.pending(), 'latency': self.server.latency}

    def _kind(self, request):
        kind = _object_body(request).get('kind')
        if kind not in self.server.store.kinds:
            raise ApiError(400, f'unknown kind {kind!r}')
        return kind

    def _uninstall(self, request):
        self.server.uninstall(self._kind(request))
        return {'installed': self.server.installed_kinds}

    def _install(self, request):
        self.server.install(self._kind(request))
        return {'installed': self.server.installed_kinds}

    def _expire(self, request):
        self.server.expire_continue_tokens()
        return {'expired': True}

    def _expire_next(self, request):
        count = _object_body(request).get('count', 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ApiError(400, '"count" must be a non-negative integer')
        self.server.expire_next_continue_tokens(count)
        return {'expire_next': count}

    def _log(self, request):
        return {'requests': [entry._asdict() for entry in self.server.request_log]}

    def _reset_log(self, request):
        self.server.reset_log()
        return {'requests': []}
