"""The one way the plugin parses YAML from people, Git or the cluster: a SafeLoader with bounds.

PyYAML builds an alias (`*name`) as a second reference to the anchored value, so a small document with nested
aliases becomes a structure whose expansion doubles or grows tenfold per level; anything that later walks it (JSON
encoding, saving, diffing) then takes minutes and gigabytes. `BoundedLoader` measures the expansion of every
document as soon as it is composed, before any Python object is built, and refuses a document whose aliases add more
than `MAX_ALIAS_NODES` nodes, or that refers to itself. Text longer than the `yaml_max_bytes` plugin setting is
refused before parsing. Both refusals are `YAMLLimitError`, a `yaml.YAMLError`, so callers report them the way they
report a syntax error.
"""
import yaml

from netbox_hedgehog import get_setting

__all__ = (
    'MAX_ALIAS_NODES',
    'BoundedLoader',
    'KubernetesLoader',
    'YAMLLimitError',
    'check_expansion',
    'check_size',
    'safe_load',
)

# Nodes that aliases may add to one document. Hedgehog manifests use no aliases; this leaves room for a few small
# anchors people write by hand, while an alias bomb exceeds it at its third level.
MAX_ALIAS_NODES = 10_000


class YAMLLimitError(yaml.MarkedYAMLError):
    """YAML refused for its size or for aliases that expand too far (`problem` says which, in plain words)."""


def check_size(text, what='the YAML text'):
    """Raise YAMLLimitError when `text` (str or bytes) is longer than the `yaml_max_bytes` setting."""
    limit = get_setting('yaml_max_bytes')
    size = len(text.encode() if isinstance(text, str) else text)
    if size > limit:
        raise YAMLLimitError(problem=f'{what} is {size:,} bytes long, more than the {limit:,} bytes allowed '
                                     f'(plugin setting yaml_max_bytes)')


def _node_children(node):
    """The child nodes of a collection node, or None for a scalar."""
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return None


def _data_children(value):
    """The items of a list or the keys and values of a dict, or None for a scalar."""
    if isinstance(value, list | tuple):
        return value
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return None


def _alias_growth(root, children_of):
    """How many values the shared collections (aliases) in `root` add when expanded: the expanded size minus the
    size of the distinct collections. Each distinct collection is visited once, so the cost follows the length of
    the text, not the size of the expansion. Raises YAMLLimitError on a collection that contains itself."""
    if children_of(root) is None:
        return 0
    sizes = {}
    distinct = 0
    in_progress = set()
    stack = [(root, False)]
    while stack:
        value, children_done = stack.pop()
        key = id(value)
        if key in sizes:
            continue
        children = children_of(value)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(1 if children_of(child) is None else sizes[id(child)] for child in children)
            distinct += 1 + sum(1 for child in children if children_of(child) is None)
            continue
        in_progress.add(key)
        stack.append((value, True))
        for child in children:
            if children_of(child) is None or id(child) in sizes:
                continue
            if id(child) in in_progress:
                raise YAMLLimitError(problem='an alias refers to a value that contains it (a recursive alias)',
                                     problem_mark=getattr(child, 'start_mark', None))
            stack.append((child, False))
    return sizes[id(root)] - distinct


def _too_large(growth, mark=None):
    return YAMLLimitError(
        problem=f'aliases (*name) would expand this document by {growth:,} values, more than the '
                f'{MAX_ALIAS_NODES:,} allowed; write the values out instead',
        problem_mark=mark,
    )


def check_expansion(data):
    """Raise YAMLLimitError when already-parsed data (say, from NetBox's bulk import) shares values like an alias
    bomb: expanding it would add more than MAX_ALIAS_NODES values."""
    if (growth := _alias_growth(data, _data_children)) > MAX_ALIAS_NODES:
        raise _too_large(growth)


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader refusing text over `yaml_max_bytes` and documents whose aliases expand past MAX_ALIAS_NODES."""

    def __init__(self, stream):
        if isinstance(stream, str | bytes):
            check_size(stream)
        super().__init__(stream)

    def compose_document(self):
        node = super().compose_document()
        if node is not None and (growth := _alias_growth(node, _node_children)) > MAX_ALIAS_NODES:
            raise _too_large(growth, node.start_mark)
        return node


class KubernetesLoader(BoundedLoader):
    """BoundedLoader that keeps dates and times as strings, as the Kubernetes API does."""


KubernetesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != 'tag:yaml.org,2002:timestamp']
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def safe_load(text):
    """`yaml.safe_load` with the bounds of BoundedLoader."""
    return yaml.load(text, Loader=BoundedLoader)
