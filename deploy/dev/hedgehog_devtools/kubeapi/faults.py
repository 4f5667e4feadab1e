"""Fault injection and the request log, both shared between the serving threads and the test."""
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

__all__ = (
    'Fault',
    'FaultInjector',
    'LoggedRequest',
    'RequestLog',
)

DROP = 'drop'


@dataclass
class Fault:
    """What to do to the next ``remaining`` requests (None: every request) matching method and path."""
    method: str | None
    path_regex: re.Pattern | None
    status: int | None
    drop: bool
    delay: float | None
    remaining: int | None
    message: str | None = None

    def matches(self, method, path):
        return (self.method is None or self.method == method) and (
            self.path_regex is None or self.path_regex.search(path) is not None
        )


class FaultInjector:
    """Holds the global latency and the queue of one-shot or counted faults.

    ``before_request`` is called by a serving thread before it handles a request: it sleeps for the latency
    and any matching delay (waking early when the server stops) and tells the thread what to do instead of
    answering normally.
    """

    def __init__(self, stopping):
        self.latency = 0.0
        self._stopping = stopping
        self._faults = []
        self._lock = threading.Lock()

    def inject(self, method=None, path_regex=None, status=None, drop=False, delay=None, count=1, message=None):
        """Queue a fault; see ``KubeAPIServer.inject``."""
        if status is None and not drop and delay is None:
            raise ValueError('a fault needs a status, drop=True or a delay')
        if status is not None and drop:
            raise ValueError('a fault either answers with a status or drops the connection, not both')
        if status is not None and not 400 <= int(status) <= 599:
            raise ValueError(f'status must be an HTTP error code (400-599), not {status}')
        if count is not None and int(count) < 1:
            raise ValueError('count must be at least 1 (or None for every matching request)')
        fault = Fault(
            method=method.upper() if method else None,
            path_regex=re.compile(path_regex) if path_regex else None,
            status=int(status) if status is not None else None,
            drop=bool(drop),
            delay=float(delay) if delay is not None else None,
            remaining=int(count) if count is not None else None,
            message=message,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults.clear()

    def pending(self):
        """How many faults are still queued."""
        with self._lock:
            return len(self._faults)

    def _take(self, method, path):
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def before_request(self, method, path):
        """Sleep as configured; return None (answer normally), ``DROP`` or the ``Fault`` to answer with."""
        fault = self._take(method, path)
        pause = self.latency + ((fault.delay or 0.0) if fault else 0.0)
        if pause > 0 and self._stopping.wait(pause):
            return DROP
        if fault is None or (fault.status is None and not fault.drop):
            return None
        return DROP if fault.drop else fault


class LoggedRequest(NamedTuple):
    """One served request: ``query`` maps parameter names to values; ``status`` is None if it was dropped."""
    method: str
    path: str
    query: dict
    status: int | None


class RequestLog:
    """A bounded, thread-safe record of the requests the server received."""

    def __init__(self, maxlen=100_000):
        self._entries = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def record(self, method, path, query, status):
        with self._lock:
            self._entries.append(LoggedRequest(method, path, query, status))

    def entries(self):
        with self._lock:
            return list(self._entries)

    def reset(self):
        with self._lock:
            self._entries.clear()
