"""Compare what the cluster holds with what NetBox holds and decide, per object, what a sync does."""
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.dateparse import parse_datetime

from netbox_hedgehog.kinds import SpecError
from netbox_hedgehog.loader import digest, digest_payload

from . import pulse

__all__ = (
    'GIT_FIELDS',
    'KindPlan',
    'KindPlanner',
    'ObjectState',
    'RESTORED_MESSAGE',
    'RowIdentity',
    'build_kind_plan',
    'diff',
    'observe_items',
    'observed_from_item',
    'row_state',
    'written_digest',
)

# What a run records of a row changed in NetBox outside the write path (a shell, a script) and restored from the
# cluster.
RESTORED_MESSAGE = 'Changed in NetBox outside the write path; restored from the cluster'

# The GitOps columns of every kind, written by the sync of a fabric with Git settings (and cleared otherwise).
GIT_FIELDS = ('observed', 'drift_status', 'drift_diff', 'git_file', 'git_digest', 'git_review_branch')


class RowIdentity(NamedTuple):
    """What the sync reads of every existing row to decide cheaply whether it needs a closer look."""
    pk: int
    uid: str
    resource_version: str
    drift_status: str
    git_file: str
    git_pending_since: object
    content_digest: str = ''    # the loader's digest of the row's spec, labels and annotations
    apply_pending_since: object = None  # set while a NetBox edit waits to be applied to the cluster
    verified_version: str = ''  # the row's verified_version while its content key matches its content, else ''


@dataclass(slots=True)
class ObjectState:
    """What one row is to hold after the sync: as the cluster returned it, or (Git fabrics) its desired state with
    the cluster's copy in `observed`."""
    name: str
    spec: dict
    labels: dict
    annotations: dict
    uid: str
    resource_version: str
    generation: int | None
    creation_timestamp: object
    typed: dict
    observed: dict | None = None
    drift_status: str = ''
    drift_diff: list = field(default_factory=list)
    git_file: str = ''
    git_digest: str = ''
    git_review_branch: str = ''    # the review branch holding a NetBox edit the tracked branch lacks
    content_digest: str = ''    # what the row's content_digest is written as (see written_digest)
    verified_version: str = ''  # what the row's verified_version is written as: the cluster's version it mirrors

    @property
    def content(self):
        return {'spec': self.spec, 'labels': self.labels, 'annotations': self.annotations}


def row_state(obj):
    """The part of a row (or ObjectState) whose changes a sync records as an update, with a diff."""
    return {
        'spec': obj.spec, 'labels': obj.labels, 'annotations': obj.annotations, 'observed': obj.observed,
        'drift_status': obj.drift_status, 'git_file': obj.git_file,
    }


@dataclass
class KindPlan:
    kind_spec: object
    create: list = field(default_factory=list)          # ObjectState
    update: list = field(default_factory=list)          # (existing instance, ObjectState, diff)
    refresh: list = field(default_factory=list)         # (existing instance, ObjectState): identity and digest only
    delete: list = field(default_factory=list)          # (existing id, name)
    unchanged: int = 0
    errors: list = field(default_factory=list)          # (name, message)
    prune_skipped_reason: str = ''
    restored: list = field(default_factory=list)        # names of rows changed in NetBox outside the write path
    confirmed: list = field(default_factory=list)       # ids of rows whose pending apply the cluster now shows
    drifted: int = 0                                    # objects drifted after the plan (Git fabrics)
    planned_at: object = None                           # Git fabrics: rows edited in NetBox after this keep the edit
    digested: list = field(default_factory=list)        # (id, content key, digest) of rows digested from content
    verified: list = field(default_factory=list)        # (id, resourceVersion) of rows newly found the cluster's

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


def written_digest(kind, obj):
    """The digest of a cluster object's content as its row gives it back once written, for the row's content_digest:
    jsonb keeps every JSON value as it is written, but for numbers in exponent form (`1e+16` comes back as the integer
    10000000000000000) and negative zero; '' (no digest kept) when the content may hold either. Content from Git is
    not passed here: YAML may have keys that are not strings."""
    payload = digest_payload(kind, obj.name, obj.spec, obj.labels, obj.annotations)
    if 'e+' in payload or '-0.0' in payload:
        return ''
    return hashlib.sha256(payload.encode()).hexdigest()


def observed_from_item(kind_spec, item):
    """Turn one listed item into an ObjectState; raises SpecError when it cannot be interpreted."""
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
    return ObjectState(
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


def observe_items(plan, items):
    """{name: ObjectState} of the listed items; items that cannot be interpreted go to plan.errors."""
    observed = {}
    for item in pulse.beating(items):
        name = (item.get('metadata') or {}).get('name') or '?'
        try:
            obj = observed_from_item(plan.kind_spec, item)
        except SpecError as e:
            plan.errors.append((str(name), str(e)))
            continue
        observed[obj.name] = obj
    return observed


def _still_stored(kind, identity, item):
    """Whether a listed item is the very object a row holds (same uid and resourceVersion, same content, nothing
    pending or drifted on the row): decided from the raw item, without interpreting it. A row whose content was
    found equal to (or written from) this very version, and has not changed since, needs no digest of the item."""
    metadata = item.get('metadata')
    if (identity is None or identity.apply_pending_since is not None or identity.drift_status or not identity.uid
            or not isinstance(metadata, dict) or metadata.get('uid') != identity.uid
            or str(metadata.get('resourceVersion') or '') != identity.resource_version):
        return False
    if identity.verified_version and identity.verified_version == identity.resource_version:
        return True
    spec, labels, annotations = item.get('spec'), metadata.get('labels'), metadata.get('annotations')
    if not all(value is None or isinstance(value, dict) for value in (spec, labels, annotations)):
        return False
    return identity.content_digest == digest(kind, metadata['name'], spec, labels, annotations)


class KindPlanner:
    """Plans one kind of a fabric without Git settings (NetBox mirrors the cluster) from its listed items, a page at a
    time (`add`), then `finish`es the plan once every page was added.

    existing_identity: {name: RowIdentity} of NetBox's rows. Rows still carrying GitOps state (the fabric had Git
    settings before) are rewritten from the cluster. New objects go to `plan.create` as they are added (a caller
    writing them page by page may take them out); the rows whose identity changed are loaded and compared by
    `finish`.
    """

    def __init__(self, kind_spec, existing_identity):
        self.plan = KindPlan(kind_spec)
        self.identities = existing_identity
        # Cluster objects of rows renamed in NetBox whose rename is still on its way: the row stands for them.
        self.renaming = {i.uid for i in existing_identity.values() if i.apply_pending_since is not None and i.uid}
        self.present = set()    # names listed (objects that failed to parse still exist in the cluster)
        self.changed = []       # (row id, ObjectState) of rows to load and compare

    def add(self, items):
        """Plan the listed `items` (one page, or all of them)."""
        plan, kind = self.plan, self.plan.kind_spec.kind
        # Items still stored as they are (most of them in a re-sync) are only counted; the others are interpreted.
        fresh = []
        for item in pulse.beating(items):
            name = (item.get('metadata') or {}).get('name')
            identity = self.identities.get(name) if isinstance(name, str) else None
            if _still_stored(kind, identity, item):
                self.present.add(name)
                plan.unchanged += 1
                if identity.verified_version != identity.resource_version:
                    plan.verified.append((identity.pk, identity.resource_version))
            else:
                fresh.append(item)
        errors = len(plan.errors)
        observed = observe_items(plan, fresh)
        self.present.update(observed)
        self.present.update(name for name, _msg in plan.errors[errors:])
        for name, obj in observed.items():
            identity = self.identities.get(name)
            if identity is None:
                if obj.uid in self.renaming:
                    plan.unchanged += 1
                else:
                    obj.content_digest = written_digest(kind, obj)
                    obj.verified_version = obj.resource_version
                    plan.create.append(obj)
                continue
            # NetBox's copy must be the cluster's, whatever the resourceVersion says: the digest of each row's content
            # comes with its identity (no extra query).
            same = identity.content_digest == digest(kind, name, obj.spec, obj.labels, obj.annotations)
            if identity.apply_pending_since is not None:
                if not same:
                    # An edit made in NetBox on its way to the cluster: kept until the cluster shows it (or it fails).
                    plan.unchanged += 1
                    continue
                plan.confirmed.append(identity.pk)
            if (identity.uid == obj.uid and identity.resource_version == obj.resource_version and obj.uid
                    and not identity.drift_status):
                if same:
                    plan.unchanged += 1
                else:
                    # Changed outside the write path (a shell, a script): restored, and recorded as such.
                    plan.restored.append(name)
                    self.changed.append((identity.pk, obj))
            else:
                self.changed.append((identity.pk, obj))

    def finish(self, load_rows, prune_blocked=''):
        """The plan, once every page was added. load_rows(ids) -> {id: instance} for the rows whose identity changed
        (one query). prune_blocked: why objects gone from the cluster may not be deleted in this run ('' when they
        may)."""
        plan = self.plan
        if self.changed:
            rows = load_rows([pk for pk, _obj in self.changed])
            for pk, obj in pulse.beating(self.changed):
                row = rows[pk]
                obj.verified_version = obj.resource_version
                # Written with the row (a refresh too): the version is verified for this content, under its key.
                obj.content_digest = written_digest(plan.kind_spec.kind, obj)
                changes = diff(row_state(row), row_state(obj))
                if changes:
                    plan.update.append((row, obj, changes))
                else:
                    plan.refresh.append((row, obj))
            self.changed = []
        # Objects created in NetBox and still on their way to the cluster are not gone.
        gone = [(identity.pk, name) for name, identity in self.identities.items()
                if name not in self.present and identity.apply_pending_since is None]
        if gone and prune_blocked:
            plan.prune_skipped_reason = prune_blocked
        else:
            plan.delete = gone
        return plan


def build_kind_plan(kind_spec, items, existing_identity, load_rows, prune_blocked=''):
    """Plan one kind of a fabric without Git settings from all its listed items (see KindPlanner)."""
    planner = KindPlanner(kind_spec, existing_identity)
    planner.add(items)
    return planner.finish(load_rows, prune_blocked)
