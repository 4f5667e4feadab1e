"""Label and field selectors, as ``labelSelector``/``fieldSelector`` query parameters spell them."""
import re
from typing import NamedTuple

__all__ = (
    'FIELDS',
    'Requirement',
    'matches',
    'parse_field_selector',
    'parse_label_selector',
)

_KEY = r'[A-Za-z0-9][-A-Za-z0-9_./]*'
_VALUE = r'(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?'
_EXISTS = re.compile(rf'(!?)\s*({_KEY})')
_EQUALITY = re.compile(rf'({_KEY})\s*(==|=|!=)\s*({_VALUE})')
_SET = re.compile(rf'({_KEY})\s+(in|notin)\s*\(\s*([^()]*)\)')

# The object fields a field selector may test for custom resources.
FIELDS = ('metadata.name', 'metadata.namespace')


class Requirement(NamedTuple):
    """One comma-separated term of a selector: ``key``, an operator and the values it compares with."""
    key: str
    operator: str
    values: frozenset


def _terms(selector):
    """Split a selector at the commas that are not inside a parenthesised value set."""
    terms, depth, start = [], 0, 0
    for position, char in enumerate(selector):
        depth += {'(': 1, ')': -1}.get(char, 0)
        if char == ',' and depth == 0:
            terms.append(selector[start:position])
            start = position + 1
    terms.append(selector[start:])
    return [term.strip() for term in terms if term.strip()]


def _parse_term(term):
    if match := _EQUALITY.fullmatch(term):
        key, operator, value = match.groups()
        return Requirement(key, '!=' if operator == '!=' else '=', frozenset([value]))
    if match := _SET.fullmatch(term):
        key, operator, values = match.groups()
        items = frozenset(value.strip() for value in values.split(','))
        if not all(re.fullmatch(_VALUE, value) for value in items):
            raise ValueError(f'invalid value in selector term {term!r}')
        return Requirement(key, operator, items)
    if match := _EXISTS.fullmatch(term):
        negated, key = match.groups()
        return Requirement(key, '!exists' if negated else 'exists', frozenset())
    raise ValueError(f'unable to parse requirement {term!r}')


def parse_label_selector(selector):
    """Parse a label selector (equality, set and existence terms) into requirements; ValueError if malformed."""
    return tuple(_parse_term(term) for term in _terms(selector or ''))


def parse_field_selector(selector):
    """Parse a field selector: equality terms on ``metadata.name`` and ``metadata.namespace`` only."""
    requirements = parse_label_selector(selector)
    for requirement in requirements:
        if requirement.key not in FIELDS:
            raise ValueError(f'field label not supported: {requirement.key}')
        if requirement.operator not in ('=', '!='):
            raise ValueError(f'field selectors support only = and != (got {requirement.operator!r})')
    return requirements


def matches(requirements, labels):
    """True when the ``labels`` mapping satisfies every requirement."""
    for key, operator, values in requirements:
        present = key in labels
        value = labels.get(key)
        if operator == '=':
            ok = present and value in values
        elif operator in ('!=', 'notin'):
            ok = not present or value not in values
        elif operator == 'in':
            ok = present and value in values
        elif operator == 'exists':
            ok = present
        else:
            ok = not present
        if not ok:
            return False
    return True
