"""Compare what the cluster holds with what NetBox holds and decide, per object, what a sync does."""
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime

from netbox_hedgehog.kinds import SpecError

__all__ = (
    'KindPlan',
    'ObservedObject',
    'build_kind_plan',
    'diff',
    'observed_from_item',
)


@dataclass
class ObservedObject:
    """One object as the cluster returned it, reduced to what NetBox stores."""
    name: str
    spec: dict
    labels: dict
    annotations: dict
    uid: str
    resource_version: str
    generation: int | None
    creation_timestamp: object
    typed: dict
    pk: int | None = None       # set once the object is written


@dataclass
class KindPlan:
    kind_spec: object
    create: list = field(default_factory=list)          # ObservedObject
    update: list = field(default_factory=list)          # (existing instance, ObservedObject, diff)
    refresh: list = field(default_factory=list)         # (existing instance, ObservedObject): identity only
    delete: list = field(default_factory=list)          # (existing id, name)
    unchanged: int = 0
    errors: list = field(default_factory=list)          # (name, message)
    prune_skipped_reason: str = ''

    def counts(self):
        return {
            'create': len(self.create), 'update': len(self.update), 'delete': len(self.delete),
            'unchanged': self.unchanged + len(self.refresh), 'error': len(self.errors),
        }


def diff(old, new, path=''):
    """Field-level differences between two JSON values, as [{"path", "old", "new"}]; lists compare whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f'{path}.{key}' if path else str(key)
            if key not in old:
                changes.append({'path': sub, 'old': None, 'new': new[key]})
            elif key not in new:
                changes.append({'path': sub, 'old': old[key], 'new': None})
            else:
                changes.extend(diff(old[key], new[key], sub))
        return changes
    if old != new or type(old) is not type(new):
        return [{'path': path, 'old': old, 'new': new}]
    return []


def _string_map(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SpecError(f'metadata.{what}: expected a mapping of strings')
    return dict(value)


def observed_from_item(kind_spec, item):
    """Turn one listed item into an ObservedObject; raises SpecError when it cannot be interpreted."""
    metadata = item.get('metadata') or {}
    name = metadata.get('name')
    if not name or not isinstance(name, str):
        raise SpecError('metadata.name missing')
    spec = item.get('spec')
    if spec is None:
        spec = {}
    typed = kind_spec.typed_fields(spec)
    generation = metadata.get('generation')
    created = metadata.get('creationTimestamp')
    return ObservedObject(
        name=name,
        spec=spec,
        labels=_string_map(metadata.get('labels'), 'labels'),
        annotations=_string_map(metadata.get('annotations'), 'annotations'),
        uid=str(metadata.get('uid') or ''),
        resource_version=str(metadata.get('resourceVersion') or ''),
        generation=generation if isinstance(generation, int) else None,
        creation_timestamp=parse_datetime(created) if isinstance(created, str) else None,
        typed=typed,
    )


def build_kind_plan(kind_spec, items, existing_identity, load_rows, prune_blocked=''):
    """Plan one kind.

    existing_identity: {name: (id, uid, resource_version)} of NetBox's rows.
    load_rows(ids) -> {id: instance} for the rows whose identity changed (one query).
    prune_blocked: why objects gone from the cluster may not be deleted in this run ('' when they may).
    """
    plan = KindPlan(kind_spec)
    observed = {}
    for item in items:
        name = (item.get('metadata') or {}).get('name') or '?'
        try:
            obj = observed_from_item(kind_spec, item)
        except SpecError as e:
            plan.errors.append((str(name), str(e)))
            continue
        observed[obj.name] = obj

    changed = []
    for name, obj in observed.items():
        identity = existing_identity.get(name)
        if identity is None:
            plan.create.append(obj)
        elif identity[1] == obj.uid and identity[2] == obj.resource_version and obj.uid:
            plan.unchanged += 1
        else:
            changed.append((identity[0], obj))
    if changed:
        rows = load_rows([pk for pk, _obj in changed])
        for pk, obj in changed:
            row = rows[pk]
            changes = diff({'spec': row.spec, 'labels': row.labels, 'annotations': row.annotations},
                           {'spec': obj.spec, 'labels': obj.labels, 'annotations': obj.annotations})
            if changes:
                plan.update.append((row, obj, changes))
            else:
                plan.refresh.append((row, obj))

    # Objects that failed to parse still exist in the cluster: never prune them.
    present = set(observed) | {name for name, _msg in plan.errors}
    gone = [(identity[0], name) for name, identity in existing_identity.items() if name not in present]
    if gone and prune_blocked:
        plan.prune_skipped_reason = prune_blocked
    else:
        plan.delete = gone
    return plan
