"""Routing of Kubernetes API requests to the object store, independent of HTTP transport.

``KubeAPI.handle`` takes a parsed ``Request`` and returns a ``Response``; every failure becomes a
Kubernetes ``Status`` body. The paths are the ones ``kubernetes.client.CustomObjectsApi`` and discovery use::

    GET  /version, /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}
    GET  /api/v1/namespaces/{ns}/configmaps[/{name}]                       the core kinds served (ConfigMap)
    GET  /apis/{group}/{version}/{plural}                                  list, all namespaces
    GET|POST|DELETE  /apis/{group}/{version}/namespaces/{ns}/{plural}      list, create, deletecollection
    GET|PUT|PATCH|DELETE  /apis/{group}/{version}/namespaces/{ns}/{plural}/{name}
"""
import json
from typing import NamedTuple

from .patch import apply_json_patch, apply_merge_patch
from .status import ApiError
from .store import ListQuery, dumps

__all__ = (
    'KubeAPI',
    'Request',
    'Response',
)

VERSION_INFO = {
    'major': '1',
    'minor': '33',
    'gitVersion': 'v1.33.0-kubeapi-test',
    'gitCommit': '0000000000000000000000000000000000000000',
    'gitTreeState': 'clean',
    'buildDate': '2026-01-01T00:00:00Z',
    'goVersion': 'go1.24.0',
    'compiler': 'gc',
    'platform': 'linux/amd64',
}
RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update']
HEALTH_PATHS = ('healthz', 'livez', 'readyz')
JSON = 'application/json'
MERGE_PATCH = 'application/merge-patch+json'
JSON_PATCH = 'application/json-patch+json'


class Request(NamedTuple):
    """A parsed HTTP request: ``query`` maps each parameter to its last value."""
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes


class Response(NamedTuple):
    status: int
    body: bytes
    content_type: str = JSON


def _json(status, obj):
    return Response(status, dumps(obj))


def _error(error):
    return Response(error.code, error.body())


def _media_type(request):
    return (request.headers.get('content-type') or '').split(';')[0].strip().lower()


def _body(request):
    """The request body parsed as JSON (400 when it is not)."""
    try:
        return json.loads(request.body or b'null')
    except ValueError as error:
        raise ApiError(400, f'the request body is not valid JSON: {error}') from None


def _dry_run(request):
    """Whether the request asks for a server-side dry run (``dryRun=All``: validated and answered, not stored)."""
    value = request.query.get('dryRun')
    if value not in (None, 'All'):
        raise ApiError(400, f'Invalid dry run value: {value!r}; the only supported value is "All"')
    return value == 'All'


def _limit(query):
    try:
        return int(query.get('limit') or 0)
    except ValueError:
        raise ApiError(400, f'invalid limit {query["limit"]!r}') from None


class KubeAPI:
    """The API server's request handling for the served kinds (``store``), tokens and admin routes."""

    def __init__(self, store, authenticator, admin):
        self.store = store
        self.authenticator = authenticator
        self.admin = admin
        self.uninstalled = set()

    # Kind lookup and discovery

    def installed(self):
        return [spec for spec in self.store.kinds.values() if spec.kind not in self.uninstalled]

    def _group_versions(self):
        """``{group: version}`` of the installed kinds of named groups (not the core group), in kind table order."""
        return {spec.group: spec.version for spec in self.installed() if spec.group}

    def _group_entry(self, group, version):
        group_version = {'groupVersion': f'{group}/{version}', 'version': version}
        return {'name': group, 'versions': [group_version], 'preferredVersion': group_version}

    def _resource_list(self, group, version):
        resources = [
            {
                'name': spec.plural,
                'singularName': spec.kind.lower(),
                'namespaced': True,
                'kind': spec.kind,
                'verbs': RESOURCE_VERBS,
            }
            for spec in self.installed() if spec.group == group and spec.version == version
        ]
        return {'kind': 'APIResourceList', 'apiVersion': 'v1', 'groupVersion': f'{group}/{version}',
                'resources': resources}

    def _spec(self, group, version, plural):
        for spec in self.installed():
            if (spec.group, spec.version, spec.plural) == (group, version, plural):
                return spec
        raise ApiError.unknown_resource()

    # Dispatch

    def handle(self, request):
        """Answer one request; never raises ApiError."""
        parts = [part for part in request.path.split('/') if part]
        try:
            if len(parts) == 1 and parts[0] in HEALTH_PATHS:
                return Response(200, b'ok', 'text/plain; charset=utf-8')
            grant = self.authenticator.authenticate(request.headers.get('authorization'))
            if parts[:1] == ['_testing']:
                return self.admin(grant, request, parts[1:])
            if request.method != 'GET' and parts[:1] != ['apis']:
                raise ApiError(405, 'the server does not allow this method on the requested resource')
            if parts == ['version']:
                return _json(200, VERSION_INFO)
            if parts == ['api']:
                return _json(200, {'kind': 'APIVersions', 'versions': ['v1'], 'serverAddressByClientCIDRs': []})
            if parts[:1] == ['apis']:
                return self._apis(grant, request, parts[1:])
            if parts[:2] == ['api', 'v1']:
                return self._core(grant, request, parts[2:])
            raise ApiError.unknown_resource()
        except ApiError as error:
            return _error(error)

    def _apis(self, grant, request, parts):
        grant.check_path(request.path)
        versions = self._group_versions()
        if not parts:
            self._only_get(request)
            groups = [self._group_entry(group, version) for group, version in versions.items()]
            return _json(200, {'kind': 'APIGroupList', 'apiVersion': 'v1', 'groups': groups})
        group = parts[0]
        if group not in versions or (len(parts) > 1 and parts[1] != versions[group]):
            raise ApiError.unknown_resource()
        grant.check_group(group, request.path)
        if len(parts) <= 2:
            self._only_get(request)
            if len(parts) == 1:
                return _json(200, {'kind': 'APIGroup', 'apiVersion': 'v1', **self._group_entry(group, versions[group])})
            return _json(200, self._resource_list(group, versions[group]))
        rest = parts[2:]
        if len(rest) == 1:
            return self._collection(grant, request, self._spec(group, versions[group], rest[0]), None)
        if rest[0] == 'namespaces' and len(rest) in (3, 4):
            spec = self._spec(group, versions[group], rest[2])
            if len(rest) == 3:
                return self._collection(grant, request, spec, rest[1])
            return self._object(grant, request, spec, rest[1], rest[3])
        raise ApiError.unknown_resource()

    def _core(self, grant, request, parts):
        """The core API group (``/api/v1``): discovery, and reading the core kinds served (ConfigMap)."""
        grant.check_path(request.path)
        core = [spec for spec in self.installed() if spec.group == '']
        if not parts:
            resources = [{'name': spec.plural, 'singularName': spec.kind.lower(), 'namespaced': True,
                          'kind': spec.kind, 'verbs': ['get', 'list']} for spec in core]
            return _json(200, {'kind': 'APIResourceList', 'groupVersion': 'v1', 'resources': resources})
        if parts[0] == 'namespaces' and len(parts) in (3, 4):
            spec = next((spec for spec in core if spec.plural == parts[2]), None)
            if spec is None:
                raise ApiError.unknown_resource()
            if len(parts) == 3:
                return self._collection(grant, request, spec, parts[1])
            return self._object(grant, request, spec, parts[1], parts[3])
        raise ApiError.unknown_resource()

    @staticmethod
    def _only_get(request):
        if request.method != 'GET':
            raise ApiError(405, 'the server does not allow this method on the requested resource')

    # Resource verbs

    def _list_query(self, request, namespace):
        query = request.query
        if query.get('watch') in ('true', '1'):
            raise ApiError(400, 'watch is not supported by the kubeapi test server')
        return ListQuery(
            namespace=namespace,
            label_selector=query.get('labelSelector', ''),
            field_selector=query.get('fieldSelector', ''),
            limit=_limit(query),
            continue_token=query.get('continue', ''),
        )

    def _collection(self, grant, request, spec, namespace):
        verb = {'GET': 'list', 'POST': 'create', 'DELETE': 'deletecollection'}.get(request.method)
        if verb is None or (namespace is None and verb != 'list'):
            raise ApiError(405, 'the server does not allow this method on the requested resource')
        grant.check_resource(verb, spec, namespace, None)
        if verb == 'list':
            return Response(200, self.store.list(spec, self._list_query(request, namespace)))
        if verb == 'create':
            self._require_json(request)
            return Response(201, self.store.create(spec, namespace, _body(request), _dry_run(request)))
        query = self._list_query(request, namespace)
        return Response(200, self.store.delete_collection(spec, namespace, query))

    def _object(self, grant, request, spec, namespace, name):
        verb = {'GET': 'get', 'PUT': 'update', 'PATCH': 'patch', 'DELETE': 'delete'}.get(request.method)
        if verb is None:
            raise ApiError(405, 'the server does not allow this method on the requested resource')
        grant.check_resource(verb, spec, namespace, name)
        if verb == 'get':
            return Response(200, self.store.get(spec, namespace, name))
        if verb == 'update':
            self._require_json(request)
            return Response(200, self.store.replace(spec, namespace, name, _body(request), _dry_run(request)))
        if verb == 'patch':
            return Response(200, self.store.patch(spec, namespace, name, self._patcher(request), _dry_run(request)))
        options = _body(request) if request.body else None
        preconditions = options.get('preconditions') if isinstance(options, dict) else None
        return Response(200, self.store.delete(spec, namespace, name, preconditions, _dry_run(request)))

    @staticmethod
    def _require_json(request):
        if _media_type(request) not in ('', JSON):
            raise ApiError(415, f'the body of the request was in an unknown format ({_media_type(request)}); '
                                'accepted media types include: application/json')

    @staticmethod
    def _patcher(request):
        """The function that applies this request's patch to the current object."""
        media_type = _media_type(request)
        if media_type not in (MERGE_PATCH, JSON_PATCH):
            raise ApiError(415, f'the body of the request was in an unknown format ({media_type}); accepted media '
                                f'types for custom resources include: {JSON_PATCH}, {MERGE_PATCH}')
        patch = _body(request)
        if media_type == MERGE_PATCH:
            if not isinstance(patch, dict):
                raise ApiError(400, 'a merge patch must be a JSON object')
            return lambda current: apply_merge_patch(current, patch)
        return lambda current: apply_json_patch(current, patch)
