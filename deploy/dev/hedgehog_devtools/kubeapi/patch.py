"""The two patch formats the server accepts for custom resources: JSON merge patch and JSON patch."""
import copy

__all__ = (
    'PatchError',
    'apply_json_patch',
    'apply_merge_patch',
)


class PatchError(ValueError):
    """A patch that cannot be applied to the document."""


def apply_merge_patch(target, patch):
    """Return ``target`` with the RFC 7386 merge ``patch`` applied (null removes a key)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def _pointer(path):
    """Split an RFC 6901 JSON pointer into its unescaped reference tokens."""
    if not isinstance(path, str) or (path and not path.startswith('/')):
        raise PatchError(f'invalid JSON pointer {path!r}')
    if not path:
        return []
    return [token.replace('~1', '/').replace('~0', '~') for token in path[1:].split('/')]


def _index(container, token, *, for_insert=False):
    if for_insert and token == '-':
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith('0')):
        raise PatchError(f'invalid array index {token!r}')
    index = int(token)
    if index > len(container) or (index == len(container) and not for_insert):
        raise PatchError(f'array index {index} out of range')
    return index


def _resolve(document, tokens):
    """Return the value the tokens point at."""
    value = document
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list):
            value = value[_index(value, token)]
        else:
            raise PatchError(f'path /{"/".join(tokens)} does not exist')
    return value


def _add(document, tokens, value):
    if not tokens:
        return value
    parent, last = _resolve(document, tokens[:-1]), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_insert=True), value)
    else:
        raise PatchError(f'cannot add below a scalar at /{"/".join(tokens)}')
    return document


def _remove(document, tokens):
    if not tokens:
        raise PatchError('cannot remove the whole document')
    parent, last = _resolve(document, tokens[:-1]), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last))
    raise PatchError(f'path /{"/".join(tokens)} does not exist')


def apply_json_patch(document, operations):
    """Apply an RFC 6902 JSON patch (a list of operations) to ``document`` in place and return the result."""
    if not isinstance(operations, list):
        raise PatchError('a JSON patch must be a list of operations')
    for operation in operations:
        if not isinstance(operation, dict):
            raise PatchError('every JSON patch operation must be an object')
        op, tokens = operation.get('op'), _pointer(operation.get('path'))
        if op in ('add', 'replace', 'test') and 'value' not in operation:
            raise PatchError(f'operation {op!r} needs a value')
        if op == 'add':
            document = _add(document, tokens, operation['value'])
        elif op == 'remove':
            _remove(document, tokens)
        elif op == 'replace':
            _resolve(document, tokens)
            if tokens:
                _remove(document, tokens)
            document = _add(document, tokens, operation['value'])
        elif op in ('move', 'copy'):
            source = _pointer(operation.get('from'))
            value = _remove(document, source) if op == 'move' else copy.deepcopy(_resolve(document, source))
            document = _add(document, tokens, value)
        elif op == 'test':
            if _resolve(document, tokens) != operation['value']:
                raise PatchError(f'test failed at {operation["path"]}')
        else:
            raise PatchError(f'unknown JSON patch operation {op!r}')
    return document
