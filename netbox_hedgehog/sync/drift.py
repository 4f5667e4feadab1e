"""Drift: how the cluster's copy of an object differs from its desired state.

Only what the desired state specifies is compared: fields the cluster holds on top (defaults its webhooks fill in),
its status and managed metadata are not part of the observed state NetBox keeps, and labels containing
`fabric.githedgehog.com/` are recomputed by the fabric itself, so they never count. Scalars compare strictly (1000
and "1000" differ; 1 and 1.0 do not); an empty or null desired value specifies nothing. Lists compare item by item,
except lists of plain values, whose order does not count (the webhooks sort them).
"""
import json
from collections import Counter

from netbox_hedgehog.choices import DriftStatusChoices
from netbox_hedgehog.kinds import MANAGED_LABEL_MARKER

__all__ = (
    'compare',
    'drift_of',
)

def _same_scalar(want, have):
    if isinstance(want, bool) or isinstance(have, bool):
        return type(want) is type(have) and want == have
    if isinstance(want, int | float) and isinstance(have, int | float):
        return want == have
    return type(want) is type(have) and want == have


def _compare(want, have, path, out):
    if want is None or (isinstance(want, dict | list) and not want):
        return
    if isinstance(want, dict):
        if not isinstance(have, dict):
            out.append({'path': path, 'git': want, 'cluster': have})
            return
        for key, value in want.items():
            _compare(value, have.get(key), f'{path}.{key}', out)
    elif isinstance(want, list):
        if not isinstance(have, list) or len(have) != len(want):
            out.append({'path': path, 'git': want, 'cluster': have})
        elif not any(isinstance(item, dict | list) for item in want + have):
            if Counter(json.dumps(item) for item in want) != Counter(json.dumps(item) for item in have):
                out.append({'path': path, 'git': want, 'cluster': have})
        else:
            for i, (w, h) in enumerate(zip(want, have, strict=True)):
                _compare(w, h, f'{path}[{i}]', out)
    elif not _same_scalar(want, have):
        out.append({'path': path, 'git': want, 'cluster': have})


def _authored(mapping):
    return {k: v for k, v in (mapping or {}).items() if MANAGED_LABEL_MARKER not in k}


def compare(desired, observed):
    """[{"path", "git", "cluster"}] for every desired value the cluster holds differently (both are
    {spec, labels, annotations} mappings)."""
    out = []
    _compare(desired.get('spec') or {}, observed.get('spec') or {}, 'spec', out)
    for what in ('labels', 'annotations'):
        have = observed.get(what) or {}
        for key, value in sorted(_authored(desired.get(what)).items()):
            if have.get(key) != value:
                out.append({'path': f'{what}.{key}', 'git': value, 'cluster': have.get(key)})
    return out


def drift_of(desired, observed, in_git):
    """(drift status, diff) of one object: `observed` is None when the cluster does not hold it; `in_git` tells
    whether the desired state is authored (in Git, or edited in NetBox) rather than copied from the cluster."""
    if not in_git:
        return DriftStatusChoices.NOT_IN_GIT, []
    if observed is None:
        return DriftStatusChoices.MISSING_FROM_CLUSTER, []
    changes = compare(desired, observed)
    return (DriftStatusChoices.DIFFERS if changes else DriftStatusChoices.IN_SYNC), changes
