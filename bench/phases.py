"""Where one sync's time goes, measured from the outside: the engine's phase functions wrapped with timers.

Nothing in netbox_hedgehog is edited. For one sync, `PhaseClock.patched()` replaces the functions (and methods) of
`PHASE_FUNCTIONS`, where the engine looks them up, with wrappers that charge the time spent inside them to their
phase. Time is exclusive: a phase function called inside another (the change-log serializer inside the write) is
charged to its own phase only. A function returning a generator has the generator timed item by item, so the work
it does while a consumer (a COPY) pulls its rows is charged to it too. The phases:

- read: `kind_pages`, listing each kind page by page over HTTPS, the Kubernetes client's decoding of the JSON
  answers, keeping the metadata and spec of each item;
- plan: `stream_kind` (the rest of it), NetBox's identities per kind, interpreting every listed item (typed
  fields), loading and diffing the rows whose identity changed;
- serialize: the change records' content: NetBox's change-log snapshots (`created_snapshots` for new rows,
  `_snapshots` before and after an update) and the global search values (`search_values`, NetBox's indexer);
- write: `NewRows.add` (the rest of it), `write_kind`, `delete_gone` and `record_plans`: ids from the sequences,
  model instances, each value prepared for the database (JSON encoding of specs and change records included), the
  COPY, UPDATE and DELETE statements;
- other: the rest of the wall time: the run record and fabric state, the Kubernetes client set-up, the live state
  and the commit.

The timers' own cost is part of the measured wall time: a few microseconds per generated row (the search values),
about 1% of a sync.
"""
import importlib
import inspect
import time
from contextlib import ExitStack, contextmanager
from functools import wraps
from unittest import mock

__all__ = (
    'PHASES',
    'PHASE_FUNCTIONS',
    'PhaseClock',
)

PHASE_FUNCTIONS = (
    ('read', 'netbox_hedgehog.sync.engine', 'kind_pages'),
    ('plan', 'netbox_hedgehog.sync.engine', 'stream_kind'),
    ('write', 'netbox_hedgehog.sync.apply', 'NewRows.add'),
    ('write', 'netbox_hedgehog.sync.engine', 'write_kind'),
    ('write', 'netbox_hedgehog.sync.engine', 'delete_gone'),
    ('write', 'netbox_hedgehog.sync.engine', 'record_plans'),
    ('serialize', 'netbox_hedgehog.sync.apply', 'created_snapshots'),
    ('serialize', 'netbox_hedgehog.sync.apply', '_snapshots'),
    ('serialize', 'netbox_hedgehog.sync.apply', 'search_values'),
)
TIMED = ('read', 'plan', 'serialize', 'write')
PHASES = (*TIMED, 'other')
_END = object()


class PhaseClock:
    """Exclusive time per phase of the functions it wraps; `split(wall)` adds what no phase function took."""

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self.seconds = dict.fromkeys(TIMED, 0.0)
        self._stack = []
        self._since = 0.0

    def _charge(self):
        now = self.clock()
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._since
        self._since = now

    def _enter(self, phase):
        self._charge()
        self._stack.append(phase)

    def _leave(self):
        self._charge()
        self._stack.pop()

    def _timed_items(self, phase, items):
        while True:
            self._enter(phase)
            try:
                item = next(items, _END)
            finally:
                self._leave()
            if item is _END:
                return
            yield item

    def timed(self, phase, func):
        """`func` with its time (and, when it returns a generator, the generator's) charged to `phase`."""
        @wraps(func)
        def wrapper(*args, **kwargs):
            self._enter(phase)
            try:
                result = func(*args, **kwargs)
            finally:
                self._leave()
            return self._timed_items(phase, result) if inspect.isgenerator(result) else result
        return wrapper

    @contextmanager
    def patched(self, functions=PHASE_FUNCTIONS):
        """Within the block, the engine calls the timed wrappers of `functions` ((phase, module, path) triples)."""
        with ExitStack() as stack:
            for phase, module_name, path in functions:
                # `path`: a function of the module, or a method as Class.method.
                *owners, name = path.split('.')
                owner = importlib.import_module(module_name)
                for attribute in owners:
                    owner = getattr(owner, attribute, None)
                func = getattr(owner, name, None)
                if not callable(func):
                    raise LookupError(f'{module_name}.{path} no longer exists: the benchmark cannot time the '
                                      f'{phase} phase; update PHASE_FUNCTIONS in bench/phases.py')
                stack.enter_context(mock.patch.object(owner, name, self.timed(phase, func)))
            yield self

    def split(self, wall):
        """Seconds per phase of PHASES for a sync that took `wall` seconds in all."""
        return {**self.seconds, 'other': wall - sum(self.seconds.values())}
