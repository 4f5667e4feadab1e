"""Continue tokens for chunked lists, each bound to a consistent snapshot of the first page's result.

The first ``limit``-ed list call captures the matching records (a list of references to immutable records,
so it is cheap); continuation calls slice that snapshot, which makes every page O(page size) and gives the
same consistency a real API server gives: objects changed after the first page do not leak into later pages.
Snapshots are evicted after ``TTL`` seconds or when more than ``MAX_SNAPSHOTS`` are open; a token whose
snapshot is gone, or that does not decode, is answered with ``410 Gone`` (reason ``Expired``).
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


class ContinueTokens:
    """Issues and resolves continue tokens. Not locked: the object store calls it under its own lock."""

    def __init__(self, max_snapshots=MAX_SNAPSHOTS, ttl=TTL):
        self.max_snapshots = max_snapshots
        self.ttl = ttl
        self._snapshots = OrderedDict()
        self._ids = itertools.count(1)

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
            valid = (
                payload['v'] == TOKEN_VERSION and isinstance(snapshot_id, int) and isinstance(start, int) and start >= 0
            )
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise _expired() from None
        snapshot = self._snapshots.get(snapshot_id) if valid else None
        if snapshot is None or snapshot.fingerprint != fingerprint:
            raise _expired()
        if time.monotonic() - snapshot.created > self.ttl:
            del self._snapshots[snapshot_id]
            raise _expired()
        return snapshot_id, snapshot.records, snapshot.resource_version, start

    def expire_all(self):
        """Forget every snapshot, so every outstanding token is answered with 410."""
        self._snapshots.clear()
