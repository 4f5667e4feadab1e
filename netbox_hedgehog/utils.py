import hashlib
import json
from collections import defaultdict

from .kinds import KIND_BY_MODEL

__all__ = (
    'get_references',
    'resolve_reference',
    'value_digest',
)


def value_digest(value):
    """A stable digest of a JSON-like value (keys sorted, anything else JSON lacks as its text)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _names(value):
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def get_references(obj):
    """Return {model name: {name: object}} for the objects `obj`'s typed columns name that exist in its fabric.

    One query per referenced kind; the result is cached on `obj`, so every panel of a page shares it.
    """
    if not hasattr(obj, '_hedgehog_references'):
        wanted = defaultdict(set)
        for field, model_name in KIND_BY_MODEL[obj._meta.model_name].references.items():
            wanted[model_name].update(_names(getattr(obj, field)))
        obj._hedgehog_references = {
            model_name: {
                target.name: target
                for target in KIND_BY_MODEL[model_name].model.objects.filter(
                    fabric_id=obj.fabric_id, name__in=names
                ).only('id', 'name')
            }
            for model_name, names in wanted.items() if names
        }
    return obj._hedgehog_references


def resolve_reference(obj, field, name):
    """Return the object of `obj`'s fabric that `name` in reference column `field` names, or None."""
    model_name = KIND_BY_MODEL[obj._meta.model_name].references[field]
    return get_references(obj).get(model_name, {}).get(name)
