from netbox.ui import attrs
from utilities.data import resolve_attr_path

from netbox_hedgehog.utils import resolve_reference

__all__ = (
    'MappingAttr',
    'PresenceAttr',
    'ReferenceAttr',
    'ReviewAttr',
)


class ReferenceAttr(attrs.ObjectAttribute):
    """The name (or names) another object of the same fabric goes by, linked to that object where it exists.

    The accessor must be a reference column of the kind (`KindSpec.references` in the kind registry).
    """
    template_name = 'netbox_hedgehog/attrs/references.html'

    def get_value(self, obj):
        value = resolve_attr_path(obj, self.accessor)
        if not value:
            return None
        return [value] if isinstance(value, str) else value

    def get_context(self, obj, attr, value, context):
        return {
            'references': [(name, resolve_reference(obj, self.accessor, name)) for name in value],
        }


class MappingAttr(attrs.ObjectAttribute):
    """A mapping shown as one "key: value" line per entry."""
    template_name = 'netbox_hedgehog/attrs/mapping.html'

    def get_value(self, obj):
        return resolve_attr_path(obj, self.accessor) or None

    def get_context(self, obj, attr, value, context):
        return {
            'entries': list(value.items()),
        }


class PresenceAttr(attrs.BooleanAttr):
    """Whether a text attribute is set, without showing it."""

    def get_value(self, obj):
        return bool(resolve_attr_path(obj, self.accessor))


class ReviewAttr(attrs.ObjectAttribute):
    """How many changes wait on a fabric's review branch, with the hosting service's compare page when it has one."""
    template_name = 'netbox_hedgehog/attrs/review.html'

    def get_value(self, obj):
        return resolve_attr_path(obj, self.accessor) or None

    def get_context(self, obj, attr, value, context):
        return {
            'compare_url': obj.git_compare_url,
        }
