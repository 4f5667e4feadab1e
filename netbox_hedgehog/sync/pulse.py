"""The heartbeat of a running sync: its caller's expiring lock is refreshed at bounded intervals wherever the sync
spends its time (reading pages, planning object by object, streaming rows to the database), with no thread.

The engine installs a `Pulse` for the duration of a run; the reader, the planners and the bulk writers call `beat()`
(cheap: it refreshes only when `every` seconds have passed) and `confirm()` where the lock must be checked now
(before each request to the cluster and right before the write transaction commits). Outside a run both do nothing.
"""
import time
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = (
    'Pulse',
    'beat',
    'beating',
    'confirm',
    'installed',
)

_current = ContextVar('netbox_hedgehog_sync_pulse', default=None)


class Pulse:
    """Calls `refresh` (which keeps the lock, or raises to stop the run) at most every `every` seconds, or at once on
    `confirm()`."""

    def __init__(self, refresh, every):
        self.refresh = refresh
        self.every = every
        self.last = time.monotonic()

    def __call__(self, force=False):
        if force or time.monotonic() - self.last >= self.every:
            self.refresh()
            self.last = time.monotonic()


@contextmanager
def installed(pulse):
    """Within the block, beat() and confirm() drive `pulse` (None: they do nothing)."""
    token = _current.set(pulse)
    try:
        yield
    finally:
        _current.reset(token)


def beat():
    """Refresh the lock if it is due."""
    if (pulse := _current.get()) is not None:
        pulse()


def confirm():
    """Refresh the lock now: raises if it was lost."""
    if (pulse := _current.get()) is not None:
        pulse(force=True)


def beating(items):
    """Yield `items`, beating before each (for long loops and streamed writes)."""
    pulse = _current.get()
    if pulse is None:
        yield from items
        return
    for item in items:
        pulse()
        yield item
