"""In-memory objects with the metadata semantics of a Kubernetes API server.

Objects are kept per kind in a dict keyed by ``(namespace, name)``. Each stored version is an immutable
``Record`` holding the object's compact JSON, so reads never copy or re-serialise anything and a list page
is a join of ready-made bytes. A write parses the current JSON (a private copy), changes it and stores a new
record. ``resourceVersion`` comes from one global counter and changes only when an object really changes;
``generation`` starts at 1 and grows only when the object's content outside ``metadata``/``status`` changes.

Like a cluster with the Hedgehog webhooks installed, every write stores the spec as the mutating webhooks default it,
and creates, replaces and patches the validating webhooks would refuse answer 422 naming the rule (the rules of one
object, with the fabric controller's settings when the ConfigMap fab/fabric-ctrl-config is stored, as the controller
reads them; objects stored directly with ``put`` are taken as already admitted).
"""
import bisect
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import NamedTuple

import yaml

from netbox_hedgehog import validation as webhooks
from netbox_hedgehog.validation.config import (
    CONFIG_MAP,
    CONFIG_MAP_KEY,
    CONFIG_MAP_NAME,
    CONFIG_MAP_NAMESPACE,
    fabric_config,
    read_settings,
)

from .labels import matches, parse_field_selector, parse_label_selector
from .paging import ContinueTokens
from .patch import PatchError
from .status import ApiError

__all__ = (
    'ListQuery',
    'ObjectStore',
    'dumps',
)

SYSTEM_FIELDS = ('uid', 'creationTimestamp', 'generation', 'resourceVersion')
METADATA_ORDER = ('name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp')
DROPPED_FIELDS = ('managedFields', 'selfLink')
NAME = re.compile(r'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
NAME_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    'and must start and end with an alphanumeric character'
)
GENERATED_SUFFIX = 'bcdfghjklmnpqrstvwxz2456789'


def dumps(obj):
    """Compact JSON bytes, the form every record and response body uses."""
    return json.dumps(obj, separators=(',', ':')).encode()


_clock = [0, '']


def _now():
    """The current time in RFC 3339 form, to the second (formatted once per second)."""
    second = int(time.time())
    if _clock[0] != second:
        _clock[:] = second, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(second))
    return _clock[1]


def _content(obj):
    """The part of an object whose changes bump ``generation``."""
    return {key: value for key, value in obj.items() if key not in ('metadata', 'status')}


def _string_map(value):
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


class Record(NamedTuple):
    """One stored version of an object: its JSON, labels (for selectors) and resourceVersion."""
    data: bytes
    labels: dict
    resource_version: str


@dataclass(frozen=True)
class ListQuery:
    """The query parameters of a list call; ``namespace`` None lists all namespaces."""
    namespace: str | None = None
    label_selector: str = ''
    field_selector: str = ''
    limit: int = 0
    continue_token: str = ''


def validate(spec, namespace, obj, url_name=None):
    """Check an incoming object against its route and fill in ``metadata.namespace``; return its name.

    Raises ``ApiError`` 400 when the body is not an object and 422 when a field is wrong.
    """
    if not isinstance(obj, dict):
        raise ApiError(400, 'the request body must be a JSON object')
    metadata = obj.setdefault('metadata', {})
    name = metadata.get('name') if isinstance(metadata, dict) else None
    label = name or url_name or ''
    if not isinstance(metadata, dict):
        raise ApiError.invalid(spec, label, 'metadata', 'Invalid value: must be an object')
    if obj.get('apiVersion') != spec.api_version:
        raise ApiError.invalid(
            spec, label, 'apiVersion', f'Invalid value: {obj.get("apiVersion")!r}: must be {spec.api_version}',
        )
    if obj.get('kind') != spec.kind:
        raise ApiError.invalid(spec, label, 'kind', f'Invalid value: {obj.get("kind")!r}: must be {spec.kind}')
    if not name:
        raise ApiError.invalid(spec, label, 'metadata.name', 'Required value: name or generateName is required')
    if not isinstance(name, str) or len(name) > 253 or not NAME.fullmatch(name):
        raise ApiError.invalid(spec, label, 'metadata.name', f'Invalid value: {name!r}: {NAME_RULE}')
    if url_name is not None and name != url_name:
        raise ApiError.invalid(
            spec, label, 'metadata.name', f'Invalid value: {name!r}: must match the name in the URL ({url_name})',
        )
    if metadata.setdefault('namespace', namespace) != namespace:
        raise ApiError.invalid(
            spec, name, 'metadata.namespace',
            f'Invalid value: {metadata["namespace"]!r}: does not match the namespace of the request ({namespace})',
        )
    for field in ('labels', 'annotations'):
        if metadata.get(field) is not None and not _string_map(metadata[field]):
            raise ApiError.invalid(spec, name, f'metadata.{field}', 'Invalid value: must map strings to strings')
    return name


def admit(spec, name, obj, config):
    """Refuse (422) an object the kind's validating webhook would refuse under the controller settings `config`."""
    metadata = obj['metadata']
    try:
        webhooks.validate(spec.kind, name, obj.get('spec'), metadata.get('annotations'), config=config)
    except webhooks.Refusal as refusal:
        raise ApiError.invalid(spec, name, refusal.path, f'admission webhook denied the request: {refusal.rule}'
                               + ('' if refusal.value is None else f' (value: {json.dumps(refusal.value)})')) from None


class ObjectStore:
    """Thread-safe storage of the served kinds. API-facing methods raise ``ApiError``."""

    def __init__(self, kinds):
        self.kinds = {spec.kind: spec for spec in kinds}
        self._by_type = {(spec.api_version, spec.kind): spec for spec in kinds}
        self._lock = threading.Lock()
        self._resource_version = 0
        self._objects = {kind: {} for kind in self.kinds}
        self._sorted_keys = {}
        self._continue = ContinueTokens()
        self._config = (None, None)

    def _controller_config(self):
        """The FabricConfig of the stored controller settings (none stored, or unreadable: every setting unknown,
        as for a controller that has not started), parsed again only when the ConfigMap changed."""
        record = self._objects.get(CONFIG_MAP.kind, {}).get((CONFIG_MAP_NAMESPACE, CONFIG_MAP_NAME))
        version = record.resource_version if record else None
        if self._config[0] != version:
            try:
                text = (json.loads(record.data).get('data') or {}).get(CONFIG_MAP_KEY) if record else None
                config = fabric_config(read_settings(yaml.safe_load(text))) if text else fabric_config({})
            except (yaml.YAMLError, webhooks.Refusal):
                config = fabric_config({})
            self._config = (version, config)
        return self._config[1]

    @property
    def resource_version(self):
        return self._resource_version

    def spec_for(self, api_version, kind):
        """The served kind for an object's ``apiVersion`` and ``kind``, or None."""
        return self._by_type.get((api_version, kind))

    # Reading

    def _keys(self, kind):
        """The kind's ``(namespace, name)`` keys in order; the cache is rebuilt only after creates/deletes."""
        keys = self._sorted_keys.get(kind)
        if keys is None:
            keys = self._sorted_keys[kind] = sorted(self._objects[kind])
        return keys

    def _existing(self, spec, namespace, name):
        record = self._objects[spec.kind].get((namespace, name))
        if record is None:
            raise ApiError.not_found(spec, name)
        return record

    def get(self, spec, namespace, name):
        with self._lock:
            return self._existing(spec, namespace, name).data

    def find(self, kind, namespace, name):
        """The object's JSON bytes, or None."""
        with self._lock:
            record = self._objects[kind].get((namespace, name))
        return record.data if record else None

    def all(self, kind=None):
        """JSON bytes of every object (of one kind), in kind table order, then namespace and name."""
        with self._lock:
            kinds = [kind] if kind else list(self.kinds)
            return [self._objects[k][key].data for k in kinds for key in self._keys(k)]

    def count(self, kind=None):
        with self._lock:
            return len(self._objects[kind]) if kind else sum(len(objects) for objects in self._objects.values())

    def _select(self, spec, namespace, labels, fields):
        """Records of a kind matching a namespace (None: all) and parsed selectors, in key order."""
        keys, objects = self._keys(spec.kind), self._objects[spec.kind]
        if namespace is not None:
            keys = keys[bisect.bisect_left(keys, (namespace, '')):bisect.bisect_left(keys, (namespace + '\0', ''))]
        records = [objects[key] for key in keys]
        if not labels and not fields:
            return records
        return [
            record for key, record in zip(keys, records, strict=True)
            if matches(labels, record.labels)
            and matches(fields, {'metadata.namespace': key[0], 'metadata.name': key[1]})
        ]

    def list(self, spec, query):
        """The JSON bytes of a ``<Kind>List`` answering ``query``, one page when it has a limit."""
        try:
            labels = parse_label_selector(query.label_selector)
            fields = parse_field_selector(query.field_selector)
        except ValueError as error:
            raise ApiError(400, f'unable to parse requirement: {error}') from None
        fingerprint = (spec.kind, query.namespace, query.label_selector, query.field_selector)
        with self._lock:
            if query.continue_token:
                snapshot_id, records, resource_version, start = self._continue.resume(
                    query.continue_token, fingerprint,
                )
            else:
                snapshot_id, resource_version, start = None, self._resource_version, 0
                records = self._select(spec, query.namespace, labels, fields)
            end = start + query.limit if query.limit > 0 else len(records)
            metadata = {'resourceVersion': str(resource_version)}
            if end < len(records):
                metadata['continue'] = self._continue.issue(
                    snapshot_id, records, fingerprint, resource_version, end,
                )
                if not labels and not fields:
                    metadata['remainingItemCount'] = len(records) - end
        return _list_body(spec, metadata, records[start:end])

    # Writing

    def _commit(self, spec, key, obj, old, dry_run=False):
        """Store ``obj`` (a private dict) as the new version of ``key``; return the record now stored (with
        ``dry_run``, the record as it would be stored: nothing is stored)."""
        metadata = obj['metadata']
        for field in DROPPED_FIELDS:
            metadata.pop(field, None)
        if isinstance(obj.get('spec'), dict):
            obj['spec'] = webhooks.default_spec(spec.kind, obj['spec'])
        if old is None:
            metadata.update(uid=str(uuid.uuid4()), creationTimestamp=_now(), generation=1)
        else:
            previous = json.loads(old.data)
            for field in SYSTEM_FIELDS:
                metadata[field] = previous['metadata'][field]
            if obj == previous:
                return old
            if _content(obj) != _content(previous):
                metadata['generation'] += 1
        metadata['resourceVersion'] = str(self._resource_version + 1)
        metadata = {field: metadata[field] for field in METADATA_ORDER if field in metadata} | metadata
        ordered = {'apiVersion': obj['apiVersion'], 'kind': obj['kind'], **obj, 'metadata': metadata}
        record = Record(dumps(ordered), dict(metadata.get('labels') or {}), metadata['resourceVersion'])
        if dry_run:
            return record
        self._resource_version += 1
        objects = self._objects[spec.kind]
        if key not in objects:
            self._sorted_keys.pop(spec.kind, None)
        objects[key] = record
        return record

    def _drop(self, spec, key):
        del self._objects[spec.kind][key]
        self._sorted_keys.pop(spec.kind, None)
        self._resource_version += 1

    def create(self, spec, namespace, obj, dry_run=False):
        """Create ``obj`` (a dict this store may change) in ``namespace``; 409 AlreadyExists if present."""
        metadata = obj.get('metadata') if isinstance(obj, dict) else None
        if isinstance(metadata, dict) and not metadata.get('name') and metadata.get('generateName'):
            suffix = ''.join(secrets.choice(GENERATED_SUFFIX) for _ in range(5))
            metadata['name'] = f'{metadata["generateName"]}{suffix}'
        name = validate(spec, namespace, obj)
        admit(spec, name, obj, self._controller_config())
        with self._lock:
            if (namespace, name) in self._objects[spec.kind]:
                raise ApiError.already_exists(spec, name)
            return self._commit(spec, (namespace, name), obj, None, dry_run).data

    def replace(self, spec, namespace, name, obj, dry_run=False):
        """Replace an object; its ``metadata.resourceVersion`` must be given (422) and current (409)."""
        validate(spec, namespace, obj, url_name=name)
        admit(spec, name, obj, self._controller_config())
        resource_version = obj['metadata'].get('resourceVersion')
        with self._lock:
            old = self._existing(spec, namespace, name)
            if not resource_version:
                raise ApiError.invalid(
                    spec, name, 'metadata.resourceVersion', 'Invalid value: 0x0: must be specified for an update',
                )
            if resource_version != old.resource_version:
                raise ApiError.conflict(spec, name)
            return self._commit(spec, (namespace, name), obj, old, dry_run).data

    def patch(self, spec, namespace, name, apply, dry_run=False):
        """Patch an object with ``apply(current_dict) -> new_dict``.

        A ``metadata.resourceVersion`` left in the result must equal the current one (409 otherwise).
        """
        with self._lock:
            old = self._existing(spec, namespace, name)
            try:
                obj = apply(json.loads(old.data))
            except PatchError as error:
                raise ApiError.invalid(spec, name, 'patch', str(error)) from None
            validate(spec, namespace, obj, url_name=name)
            admit(spec, name, obj, self._controller_config())
            resource_version = obj['metadata'].get('resourceVersion')
            if resource_version is not None and resource_version != old.resource_version:
                raise ApiError.conflict(spec, name)
            return self._commit(spec, (namespace, name), obj, old, dry_run).data

    def delete(self, spec, namespace, name, preconditions=None, dry_run=False):
        """Delete an object and return its last JSON; optional ``uid``/``resourceVersion`` preconditions. With
        ``dry_run`` the checks are made and nothing is deleted."""
        with self._lock:
            old = self._existing(spec, namespace, name)
            if preconditions:
                current = json.loads(old.data)['metadata']
                for field in ('uid', 'resourceVersion'):
                    wanted = preconditions.get(field)
                    if wanted is not None and wanted != current[field]:
                        raise ApiError.for_object(
                            409, spec, name,
                            f'Precondition failed: {field} in precondition: {wanted}, '
                            f'{field} in object meta: {current[field]}',
                        )
            if dry_run:
                return old.data
            self._drop(spec, (namespace, name))
            return old.data

    def delete_collection(self, spec, namespace, query):
        """Delete the objects a list query (without paging) selects; return a list of them."""
        try:
            labels = parse_label_selector(query.label_selector)
            fields = parse_field_selector(query.field_selector)
        except ValueError as error:
            raise ApiError(400, f'unable to parse requirement: {error}') from None
        with self._lock:
            records = self._select(spec, namespace, labels, fields)
            for record in records:
                metadata = json.loads(record.data)['metadata']
                self._drop(spec, (metadata['namespace'], metadata['name']))
            resource_version = self._resource_version
        return _list_body(spec, {'resourceVersion': str(resource_version)}, records)

    # Direct access for tests (no authorisation, plain exceptions)

    def put(self, obj):
        """Create or change an object without preconditions; return its stored JSON bytes.

        Raises ValueError when the kind is not served or the object is malformed.
        """
        if not isinstance(obj, dict):
            raise ValueError(f'an object must be a mapping, not {type(obj).__name__}')
        # Only the top level and metadata are changed before the object is serialised, so copy only those.
        obj = {**obj, 'metadata': dict(obj.get('metadata') or {})}
        spec = self.spec_for(obj.get('apiVersion'), obj.get('kind'))
        if spec is None:
            raise ValueError(f'kind not served: {obj.get("apiVersion")} {obj.get("kind")}')
        namespace = obj['metadata'].get('namespace') or 'default'
        try:
            name = validate(spec, namespace, obj)
        except ApiError as error:
            raise ValueError(error.message) from None
        with self._lock:
            old = self._objects[spec.kind].get((namespace, name))
            try:
                return self._commit(spec, (namespace, name), obj, old).data
            except TypeError as error:
                raise ValueError(f'the object is not JSON-serialisable: {error}') from None

    def remove(self, kind, namespace, name):
        """Delete an object if present; return its last JSON bytes or None."""
        spec = self.kinds[kind]
        with self._lock:
            record = self._objects[kind].get((namespace, name))
            if record is None:
                return None
            self._drop(spec, (namespace, name))
            return record.data

    def clear(self):
        """Delete every object (the resourceVersion counter keeps counting up)."""
        with self._lock:
            for objects in self._objects.values():
                objects.clear()
            self._sorted_keys.clear()
            self._continue.expire_all()
            self._resource_version += 1

    def expire_continue_tokens(self):
        with self._lock:
            self._continue.expire_all()

    def expire_next_continue_tokens(self, count=1):
        with self._lock:
            self._continue.expire_next(count)


def _list_body(spec, metadata, records):
    head = dumps({'apiVersion': spec.api_version, 'kind': f'{spec.kind}List', 'metadata': metadata})
    return b''.join((head[:-1], b',"items":[', b','.join(record.data for record in records), b']}'))
