"""Typed access to the fields of a Kubernetes object's spec, shared by the kind registry (typed columns, `SpecError`)
and the admission rules (`validation.Refusal`): each names the error it raises.

A field that is absent (or null) reads as its empty value; a field of the wrong type raises the owner's error with
the field's path (`spec.asn`), the value found and what was expected. No Django imports: tools outside NetBox (the
Kubernetes API test server, the benchmark generator) read specs through the kind registry too.
"""

__all__ = (
    'SpecFields',
)


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


class SpecFields:
    """Typed accessors raising `error(path, value, expected)`, e.g. `error('spec.asn', 'abc', 'an integer')`."""

    def __init__(self, error):
        self.error = error

    def get(self, spec, path, base='spec'):
        """The value at the dotted `path` (None when any part is absent)."""
        value, walked = spec, base
        for part in path.split('.'):
            if value is None:
                return None
            if not isinstance(value, dict):
                raise self.error(walked, value, 'an object')
            walked = f'{walked}.{part}'
            value = value.get(part)
        return value

    def _typed(self, spec, path, base, empty, accepts, expected):
        value = self.get(spec, path, base)
        if value is None:
            return empty
        if not accepts(value):
            raise self.error(f'{base}.{path}', value, expected)
        return value

    def text(self, spec, path, base='spec', default=''):
        return self._typed(spec, path, base, default, lambda v: isinstance(v, str), 'a string')

    def integer(self, spec, path, base='spec', absent=None, expected='an integer'):
        return self._typed(spec, path, base, absent, _is_integer, expected)

    def flag(self, spec, path, base='spec'):
        return self._typed(spec, path, base, False, lambda v: isinstance(v, bool), 'true or false')

    def strings(self, spec, path, base='spec'):
        return self._typed(spec, path, base, [], lambda v: isinstance(v, list) and all(
            isinstance(item, str) for item in v), 'a list of strings')

    def mapping(self, spec, path, base='spec'):
        """An object at `path` ({} when absent)."""
        return self._typed(spec, path, base, {}, lambda v: isinstance(v, dict), 'an object')

    def objects(self, spec, path, base='spec'):
        """A list of objects at `path` ([] when absent)."""
        return self._typed(spec, path, base, [], lambda v: isinstance(v, list) and all(
            isinstance(item, dict) for item in v), 'a list of objects')
