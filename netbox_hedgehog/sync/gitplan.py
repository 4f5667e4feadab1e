"""Plan one kind of a fabric with Git settings: desired state from Git (or from an edit made in NetBox), observed
state from the cluster, and the drift between them.

Which desired state an object gets, in order:
1. an edit made in NetBox that waits to be committed (`git_pending_since` recent), or that was committed to the
   fabric's review branch while the tracked branch does not hold it yet (`git_review_branch`, as long as the review
   branch has changes waiting): kept as it is, and still waiting for review;
2. the desired state already stored, when the commit is unchanged since the last read, or when this read of the
   repository was incomplete and the object is missing from it: kept as it is;
3. the object's document in the commit just read;
4. otherwise the cluster's copy ("not in Git"); an object neither in Git nor in the cluster is pruned.

Drift is computed against the desired state as the fabric's mutating webhooks would store it (their defaulting), so
a value the cluster fills in by itself is never drift. The admission rules are not applied here: what the cluster
holds was admitted, and Git documents are judged when the repository is read.
"""
from netbox_hedgehog.choices import DriftStatusChoices
from netbox_hedgehog.kinds import SpecError
from netbox_hedgehog.validation import default_spec

from . import pulse
from .drift import drift_of
from .plan import KindPlan, ObjectState, diff, observe_items, row_state

__all__ = (
    'build_git_kind_plan',
)

IDENTITY = ('uid', 'resource_version', 'generation', 'creation_timestamp')
# What may change on a row whose content does not.
REFRESHED = (*IDENTITY, 'git_digest', 'drift_diff', 'git_review_branch')


def _pending(row, pending_after):
    return row.git_pending_since is not None and row.git_pending_since > pending_after


def _needs_look(identity, obs, pending_after):
    """With an unchanged commit, whether a row (or a cluster object without a row) may change at all."""
    if identity is None or not identity.drift_status:
        return True
    if obs is None:
        authored = identity.git_file or _pending(identity, pending_after)
        return bool(identity.uid) or not authored or identity.drift_status != DriftStatusChoices.MISSING_FROM_CLUSTER
    return (identity.uid, identity.resource_version) != (obs.uid, obs.resource_version)


def _reviewing(row, parsed, review_open):
    """Whether a row's edit waits for review: on a review branch with changes waiting, and not (yet) what the tracked
    branch holds."""
    return bool(review_open and row.git_review_branch) and (parsed is None or parsed.digest != row.git_digest)


def _target(kind_spec, name, row, obs, git_objects, git_complete, pending_after, review_open):
    """The ObjectState a row is to hold, or None when the object is neither desired nor in the cluster."""
    parsed = git_objects.get(name) if git_objects is not None else None
    keep = row is not None and (
        _pending(row, pending_after)
        or _reviewing(row, parsed, review_open)
        or (row.git_file and (git_objects is None or (parsed is None and not git_complete)))
    )
    if keep:
        desired = {'spec': row.spec, 'labels': row.labels, 'annotations': row.annotations}
        typed, source, digest = kind_spec.typed_fields(row.spec), row.git_file, row.git_digest
    elif parsed is not None:
        desired = {'spec': parsed.spec, 'labels': parsed.labels, 'annotations': parsed.annotations}
        typed, source, digest = parsed.typed, parsed.source, parsed.digest
    elif obs is not None:
        desired, typed, source, digest = obs.content, obs.typed, '', ''
    else:
        return None
    observed = obs.content if obs is not None else None
    status, changes = drift_of({**desired, 'spec': default_spec(kind_spec.kind, desired['spec'])}, observed,
                               in_git=keep or parsed is not None)
    return ObjectState(
        name=name, **desired,
        uid=obs.uid if obs else '', resource_version=obs.resource_version if obs else '',
        generation=obs.generation if obs else None, creation_timestamp=obs.creation_timestamp if obs else None,
        typed=typed, observed=observed, drift_status=status, drift_diff=changes, git_file=source, git_digest=digest,
        git_review_branch=row.git_review_branch if keep and review_open else '',
    )


def build_git_kind_plan(kind_spec, items, git_objects, existing_identity, load_rows, prune_blocked='',
                        git_complete=True, pending_after=None, planned_at=None, review_open=False,
                        review_deleted=frozenset()):
    """Plan one kind.

    items: the kind's objects as listed from the cluster.
    git_objects: {name: ParsedObject} of the commit just read, or None when the commit is unchanged (the desired
    state stored in NetBox is reused and only rows whose cluster side changed are looked at).
    existing_identity: {name: RowIdentity}; load_rows(ids) -> {id: instance} (one query).
    git_complete: False when the repository read had errors: objects from Git missing from it keep their state.
    pending_after: NetBox edits queued after this time are still on their way to Git.
    planned_at: when existing_identity was read; rows edited in NetBox later are left alone when the plan is applied.
    review_open: the fabric's review branch has changes the tracked branch lacks: the NetBox edits committed there
    keep waiting for review.
    review_deleted: names of objects deleted in NetBox whose deletion waits on the review branch: not brought back
    from the tracked branch or the cluster, and drift while the cluster holds them.
    """
    plan = KindPlan(kind_spec, planned_at=planned_at)
    observed = observe_items(plan, items)
    failed = {name for name, _message in plan.errors}
    names = set(existing_identity) | set(observed) | set(git_objects or ())
    if git_objects is None:
        names = {n for n in names if _needs_look(existing_identity.get(n), observed.get(n), pending_after)}
    # Objects the cluster returned but that cannot be interpreted are left as they are.
    names -= failed
    waiting_deletion = {n for n in review_deleted if n not in existing_identity}
    names -= waiting_deletion
    rows = load_rows([existing_identity[n].pk for n in names if n in existing_identity])
    drifted = {n for n, i in existing_identity.items()
               if n not in names and i.drift_status in DriftStatusChoices.DRIFTED}
    drifted |= {n for n in waiting_deletion if n in observed}

    for name in pulse.beating(sorted(names)):
        identity = existing_identity.get(name)
        row = rows[identity.pk] if identity else None
        try:
            target = _target(kind_spec, name, row, observed.get(name), git_objects, git_complete, pending_after,
                             review_open)
        except SpecError as e:
            plan.errors.append((name, f'the desired state stored in NetBox cannot be interpreted: {e}'))
            if identity.drift_status in DriftStatusChoices.DRIFTED:
                drifted.add(name)
            continue
        if target is None:
            if prune_blocked:
                plan.prune_skipped_reason = prune_blocked
                if row.drift_status in DriftStatusChoices.DRIFTED:
                    drifted.add(name)
            else:
                plan.delete.append((row.pk, name))
            continue
        if target.drift_status in DriftStatusChoices.DRIFTED:
            drifted.add(name)
        if row is None:
            plan.create.append(target)
            continue
        changes = diff(row_state(row), row_state(target))
        if changes:
            plan.update.append((row, target, changes))
        elif any(getattr(row, f) != getattr(target, f) for f in REFRESHED):
            plan.refresh.append((row, target))
        else:
            plan.unchanged += 1
    plan.unchanged += sum(1 for n in existing_identity if n not in names and n not in failed)
    plan.drifted = len(drifted)
    return plan
