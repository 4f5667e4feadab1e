"""Continue tokens for chunked lists, each bound to a consistent snapshot of the first page's result.

The first ``limit``-ed list call captures the matching records (a list of references to immutable records,
so it is cheap); continuation calls slice that snapshot, which makes every page O(page size) and gives the
same consistency a real API server gives: objects changed after the first page do not leak into later pages.
Snapshots are evicted after ``TTL`` seconds or when more than ``MAX_SNAPSHOTS`` are open; a token whose
snapshot is gone is answered with ``410 Gone`` (reason ``Expired``), and one that does not decode with ``400 Bad
Request`` ("invalid continue token: ..."), as kube-apiserver's storage layer answers them.
"""
import base64
import binascii
import itertools
import json
import time
from collections import OrderedDict
from typing import NamedTuple

from .status import ApiError

__all__ = (
    'ContinueTokens',
)

MAX_SNAPSHOTS = 64
TTL = 600.0
TOKEN_VERSION = 'kubeapi-test/v1'
EXPIRED_MESSAGE = (
    'The provided continue parameter is too old to display a consistent list result. '
    'You can start a new list without the continue parameter.'
)


class _Snapshot(NamedTuple):
    records: list
    fingerprint: tuple
    resource_version: int
    created: float


def _expired():
    return ApiError(410, EXPIRED_MESSAGE, 'Expired')


def _malformed(problem):
    return ApiError(400, f'invalid continue token: continue key is not valid: {problem}')


class ContinueTokens:
    """Issues and resolves continue tokens. Not locked: the object store calls it under its own lock."""

    def __init__(self, max_snapshots=MAX_SNAPSHOTS, ttl=TTL):
        self.max_snapshots = max_snapshots
        self.ttl = ttl
        self._snapshots = OrderedDict()
        self._ids = itertools.count(1)
        # How many of the next continuation calls answer 410 (as if their snapshot had just been compacted away).
        self._expire_next = 0

    def issue(self, snapshot_id, records, fingerprint, resource_version, start):
        """Return a token for ``records[start:]``; ``snapshot_id`` is None on the first page of a list."""
        if snapshot_id is None:
            snapshot_id = next(self._ids)
            self._snapshots[snapshot_id] = _Snapshot(records, fingerprint, resource_version, time.monotonic())
            while len(self._snapshots) > self.max_snapshots:
                self._snapshots.popitem(last=False)
        self._snapshots.move_to_end(snapshot_id)
        payload = {'v': TOKEN_VERSION, 'rv': resource_version, 'snapshot': snapshot_id, 'start': start}
        return base64.urlsafe_b64encode(json.dumps(payload, separators=(',', ':')).encode()).decode().rstrip('=')

    def resume(self, token, fingerprint):
        """Return ``(snapshot_id, records, resource_version, start)`` for a token of the same list query."""
        try:
            payload = json.loads(base64.urlsafe_b64decode(token + '=' * (-len(token) % 4)))
            snapshot_id, start = payload['snapshot'], payload['start']
        except (binascii.Error, ValueError, TypeError, KeyError) as e:
            raise _malformed(f'{type(e).__name__}: {e}') from None
        if payload.get('v') != TOKEN_VERSION or not isinstance(snapshot_id, int) or not isinstance(start, int) \
                or start < 0:
            raise _malformed('incorrect encoded start resourceVersion')
        snapshot = self._snapshots.get(snapshot_id)
        if self._expire_next and snapshot is not None:
            self._expire_next -= 1
            del self._snapshots[snapshot_id]
            raise _expired()
        if snapshot is None or snapshot.fingerprint != fingerprint:
            raise _expired()
        if time.monotonic() - snapshot.created > self.ttl:
            del self._snapshots[snapshot_id]
            raise _expired()
        return snapshot_id, snapshot.records, snapshot.resource_version, start

    def expire_all(self):
        """Forget every snapshot, so every outstanding token is answered with 410."""
        self._snapshots.clear()

    def expire_next(self, count=1):
        """Answer the next ``count`` continuation calls with 410, each dropping its snapshot: a list expiring
        in the middle of a read, as when etcd compacts the revision of its first page."""
        self._expire_next = count
