import json

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from netbox_hedgehog.yamlsafe import KubernetesLoader

__all__ = (
    'WriteOnlyTextarea',
    'YAMLField',
    'load_yaml_mapping',
)

# Names people know for the Python types a YAML document can turn out to be.
_YAML_TYPE_NAMES = {
    list: _('a list'),
    str: _('plain text'),
    int: _('a number'),
    float: _('a number'),
    bool: _('true/false'),
}


def _check_mapping(data):
    if not isinstance(data, dict):
        kind = _YAML_TYPE_NAMES.get(type(data), type(data).__name__)
        raise ValidationError(
            _('Expected a mapping of keys to values (such as "key: value"), got {kind}.').format(kind=kind),
            code='not_a_mapping',
        )
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValidationError(
            _('Only JSON values are allowed (strings, numbers, true/false, lists, mappings): {error}').format(error=e),
            code='not_json',
        )
    return data


def load_yaml_mapping(text):
    """Parse YAML (or JSON) text that must hold a mapping; empty text is an empty mapping.

    Raises ValidationError naming the line and column of a syntax error. Messages never quote the text itself, so
    the function is safe for secrets too.
    """
    try:
        data = yaml.load(text, Loader=KubernetesLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        problem = getattr(e, 'problem', None) or _('cannot be parsed')
        if mark is None:
            raise ValidationError(_('Invalid YAML: {problem}').format(problem=problem), code='invalid_yaml')
        raise ValidationError(
            _('Invalid YAML on line {line}, column {column}: {problem}').format(
                line=mark.line + 1, column=mark.column + 1, problem=problem
            ),
            code='invalid_yaml',
        )
    if data is None:
        return {}
    return _check_mapping(data)


class YAMLField(forms.Field):
    """A mapping (such as a Kubernetes spec) edited as YAML in a monospace textarea; JSON is accepted as well.

    The current value is shown as block-style YAML in its original key order. Imports in YAML or JSON format may
    pass a mapping directly.
    """

    def __init__(self, *, rows=10, **kwargs):
        kwargs.setdefault('widget', forms.Textarea(attrs={
            'class': 'font-monospace',
            'rows': rows,
            'spellcheck': 'false',
            'autocapitalize': 'off',
        }))
        kwargs.setdefault('required', False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A mapping comes from the object; text is what was just submitted, shown again as typed.
        if isinstance(value, dict):
            if not value:
                return ''
            return yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True)
        return value

    def to_python(self, value):
        if isinstance(value, dict):
            return _check_mapping(value)
        if value is None or not str(value).strip():
            return {}
        return load_yaml_mapping(str(value))


class WriteOnlyTextarea(forms.Textarea):
    """A textarea that never renders a value, not even the one just submitted (as PasswordInput(render_value=False)).
    """

    def format_value(self, value):
        return None
