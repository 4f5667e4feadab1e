"""Test support: write the objects of a Hedgehog YAML stream straight into a fabric, as fixtures.

The plugin itself never does this (its objects come from the cluster, Git or people), so the helper lives here.
"""
from dataclasses import dataclass, field

from django.db import transaction

from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.loader import parse_documents
from netbox_hedgehog.signal_receivers import git_writes_suppressed

__all__ = (
    'LoadResult',
    'load_yaml',
)


@dataclass
class LoadResult:
    """Per-kind counts of what `load_yaml` did, and the documents it rejected (DocumentError)."""
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def count(self, kind):
        return self.created.get(kind, 0) + self.updated.get(kind, 0) + self.unchanged.get(kind, 0)

    @property
    def total(self):
        return sum(self.count(k.kind) for k in KINDS)


def load_yaml(fabric, text, source='<yaml>'):
    """Create or update the objects of a YAML stream in `fabric`; returns a LoadResult with per-kind counts.

    Valid objects are written in one transaction; invalid documents are reported and skipped. Loading never writes
    to the fabric's Git repository.
    """
    objects, errors = parse_documents(text, source, fabric.kubernetes_namespace)
    result = LoadResult(errors=errors)
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj.kind, []).append(obj)
    with transaction.atomic(), git_writes_suppressed():
        for kind_spec in KINDS:
            parsed = by_kind.get(kind_spec.kind)
            if not parsed:
                continue
            model = kind_spec.model
            existing = {o.name: o for o in model.objects.filter(fabric=fabric, name__in=[p.name for p in parsed])}
            for p in parsed:
                instance = existing.get(p.name)
                if instance is None:
                    instance = model(fabric=fabric, name=p.name)
                    bucket = result.created
                elif (instance.spec, instance.labels, instance.annotations) == (p.spec, p.labels, p.annotations):
                    result.unchanged[kind_spec.kind] = result.unchanged.get(kind_spec.kind, 0) + 1
                    continue
                else:
                    instance.snapshot()
                    bucket = result.updated
                instance.spec, instance.labels, instance.annotations = p.spec, p.labels, p.annotations
                instance.judge_admission = False
                instance.full_clean(validate_unique=False, validate_constraints=False)
                instance.save()
                bucket[kind_spec.kind] = bucket.get(kind_spec.kind, 0) + 1
    return result
