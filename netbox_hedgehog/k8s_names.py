"""Kubernetes' own rules for object names, namespaces, label and annotation keys and values.

Each check returns the problem as a sentence, or None when the value is valid, so a model's clean(), a form and the
YAML loader can all word their error around it. The rules are those of the Kubernetes API machinery
(`IsDNS1123Subdomain`, `IsDNS1123Label`, `IsQualifiedName`, `IsValidLabelValue`, `ValidateAnnotations`).
Kind-specific rules of the Hedgehog webhooks belong elsewhere.
"""
import re

__all__ = (
    'annotations_problem',
    'is_dns_subdomain',
    'label_problem',
    'labels_problem',
    'name_problem',
    'namespace_problem',
)

_LABEL = r'[a-z0-9]([-a-z0-9]*[a-z0-9])?'
_DNS_LABEL = re.compile(rf'{_LABEL}\Z')
_DNS_SUBDOMAIN = re.compile(rf'{_LABEL}(\.{_LABEL})*\Z')
_QUALIFIED_NAME = re.compile(r'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z')

SUBDOMAIN_MAX = 253
LABEL_MAX = 63
ANNOTATIONS_MAX_BYTES = 256 * 1024

_SUBDOMAIN_RULE = ('lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most '
                   f'{SUBDOMAIN_MAX} characters')
_LABEL_RULE = f'lowercase letters, digits and "-", starting and ending with a letter or digit, at most {LABEL_MAX} ' \
              'characters'


def is_dns_subdomain(value):
    """Whether `value` is a string of DNS-1123 subdomain syntax (length not checked)."""
    return isinstance(value, str) and bool(_DNS_SUBDOMAIN.match(value))


def name_problem(name):
    """An object name must be a DNS-1123 subdomain (as Kubernetes requires of custom resources)."""
    if not isinstance(name, str) or not name:
        return 'A name is required.'
    if len(name) > SUBDOMAIN_MAX or not is_dns_subdomain(name):
        return f'{name!r} is not a valid Kubernetes name (a lowercase RFC 1123 subdomain): use {_SUBDOMAIN_RULE}.'
    return None


def namespace_problem(namespace):
    """A namespace must be a DNS-1123 label."""
    if not isinstance(namespace, str) or not namespace:
        return 'A namespace is required.'
    if len(namespace) > LABEL_MAX or not _DNS_LABEL.match(namespace):
        return f'{namespace!r} is not a valid Kubernetes namespace: use {_LABEL_RULE}.'
    return None


def _key_problem(key):
    """A label or annotation key: an optional DNS-1123 subdomain prefix and "/", then a name of at most 63."""
    if not isinstance(key, str) or not key:
        return 'a key must be a non-empty string'
    prefix, slash, name = key.rpartition('/')
    if slash and (not prefix or len(prefix) > SUBDOMAIN_MAX or not _DNS_SUBDOMAIN.match(prefix)):
        return (f'the prefix of key {key!r} (before "/") must be a DNS subdomain: {_SUBDOMAIN_RULE}')
    if len(name) > LABEL_MAX or not _QUALIFIED_NAME.match(name):
        return (f'key {key!r} is not valid: the name (after any "prefix/") must be at most {LABEL_MAX} letters, '
                f'digits, "-", "_" or ".", starting and ending with a letter or digit')
    return None


def label_problem(key, value):
    """The problem with one label, or None."""
    if problem := _key_problem(key):
        return problem
    if not isinstance(value, str):
        return f'the value of {key!r} must be a string (quote numbers and booleans)'
    if value and (len(value) > LABEL_MAX or not _QUALIFIED_NAME.match(value)):
        return (f'the value of {key!r} is not valid: at most {LABEL_MAX} letters, digits, "-", "_" or ".", '
                f'starting and ending with a letter or digit (or empty)')
    return None


def labels_problem(labels):
    """The first problem of a labels mapping, or None."""
    if not isinstance(labels, dict):
        return 'labels must be a mapping of keys to string values'
    for key, value in labels.items():
        if problem := label_problem(key, value):
            return problem
    return None


def annotations_problem(annotations):
    """The first problem of an annotations mapping (keys as labels, any string values, 256 KiB in all), or None."""
    if not isinstance(annotations, dict):
        return 'annotations must be a mapping of keys to string values'
    size = 0
    for key, value in annotations.items():
        if problem := _key_problem(key):
            return problem
        if not isinstance(value, str):
            return f'the value of {key!r} must be a string (quote numbers and booleans)'
        size += len(key.encode()) + len(value.encode())
    if size > ANNOTATIONS_MAX_BYTES:
        return f'annotations total {size:,} bytes, more than the {ANNOTATIONS_MAX_BYTES:,} Kubernetes allows'
    return None
