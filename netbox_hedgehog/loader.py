"""Load a multi-document stream of Hedgehog YAML into one fabric.

Each document is checked on its own: an unknown kind, an unsupported apiVersion (such as the legacy v1alpha2), a
namespace other than the fabric's, a missing name, a spec that cannot be interpreted or a malformed document each
give an error naming the document; the valid documents still load, and nothing of an invalid one is written.
"""
from dataclasses import dataclass, field

import yaml
from django.db import transaction

from .kinds import KIND_BY_NAME, KINDS, SpecError

__all__ = (
    'DocumentError',
    'LoadResult',
    'ParsedObject',
    'load_yaml',
    'parse_documents',
)

NAME_MAX_LENGTH = 253


@dataclass
class DocumentError:
    """Why one document of a stream was not loaded."""
    source: str
    index: int
    line: int
    message: str
    name: str = ''

    def __str__(self):
        where = f'{self.source}, document {self.index}' + (f' (line {self.line})' if self.line else '')
        return f'{where}{f" {self.name!r}" if self.name else ""}: {self.message}'


@dataclass
class ParsedObject:
    """One valid Hedgehog object read from YAML."""
    kind: str
    name: str
    spec: dict
    labels: dict
    annotations: dict
    source: str
    index: int
    line: int
    typed: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def count(self, kind):
        return self.created.get(kind, 0) + self.updated.get(kind, 0) + self.unchanged.get(kind, 0)

    @property
    def total(self):
        return sum(self.count(k.kind) for k in KINDS)


def _string_map(value, what):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f'metadata.{what}: expected a mapping')
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise SpecError(f'metadata.{what}: {k!r} must map a string to a string (quote numbers and booleans)')
    return dict(value)


def _check_document(doc, namespace):
    """Return (kind, name, spec, labels, annotations, typed) or raise SpecError."""
    if not isinstance(doc, dict):
        raise SpecError(f'expected a mapping with apiVersion, kind, metadata and spec, got {type(doc).__name__}')
    kind = doc.get('kind')
    if not kind or not isinstance(kind, str):
        raise SpecError('missing "kind"')
    kind_spec = KIND_BY_NAME.get(kind)
    if kind_spec is None:
        known = ', '.join(k.kind for k in KINDS)
        raise SpecError(f'unknown kind {kind!r} (supported: {known})')
    api_version = doc.get('apiVersion')
    if api_version != kind_spec.api_version:
        raise SpecError(
            f'unsupported apiVersion {api_version!r} for {kind}: expected {kind_spec.api_version!r}'
        )
    metadata = doc.get('metadata')
    if not isinstance(metadata, dict):
        raise SpecError('missing "metadata"')
    name = metadata.get('name')
    if not name or not isinstance(name, str):
        raise SpecError('missing metadata.name')
    if len(name) > NAME_MAX_LENGTH:
        raise SpecError(f'metadata.name is longer than {NAME_MAX_LENGTH} characters')
    doc_namespace = metadata.get('namespace') or namespace
    if doc_namespace != namespace:
        raise SpecError(f'namespace {doc_namespace!r} is not the fabric\'s namespace {namespace!r}')
    spec = doc.get('spec')
    if spec is None:
        spec = {}
    typed = kind_spec.typed_fields(spec)
    labels = _string_map(metadata.get('labels'), 'labels')
    annotations = _string_map(metadata.get('annotations'), 'annotations')
    return kind, name, spec, labels, annotations, typed


def parse_documents(text, source='<yaml>', namespace='default'):
    """Parse a YAML stream into (objects, errors). A syntax error stops parsing at that document."""
    objects, errors = [], []
    seen = {}
    loader = yaml.SafeLoader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            index += 1
            line = node.start_mark.line + 1 if node is not None else 0
            doc = loader.construct_document(node)
            if doc is None:
                continue
            try:
                kind, name, spec, labels, annotations, typed = _check_document(doc, namespace)
            except SpecError as e:
                name = ''
                if isinstance(doc, dict) and isinstance(doc.get('metadata'), dict):
                    name = str(doc['metadata'].get('name') or '')
                errors.append(DocumentError(source, index, line, str(e), name))
                continue
            if (kind, name) in seen:
                first = seen[(kind, name)]
                errors.append(DocumentError(
                    source, index, line, f'duplicate {kind} {name!r}: already defined in {first.source} at line '
                    f'{first.line}', name,
                ))
                continue
            obj = ParsedObject(kind, name, spec, labels, annotations, source, index, line, typed)
            seen[(kind, name)] = obj
            objects.append(obj)
    except yaml.YAMLError as e:
        mark = getattr(e, 'problem_mark', None)
        line = mark.line + 1 if mark else 0
        problem = getattr(e, 'problem', None) or str(e)
        errors.append(DocumentError(source, index + 1, line, f'invalid YAML: {problem}'))
    finally:
        loader.dispose()
    return objects, errors


def load_yaml(fabric, text, source='<yaml>'):
    """Create or update the objects of a YAML stream in `fabric`; returns a LoadResult with per-kind counts.

    Valid objects are written in one transaction; invalid documents are reported and skipped. Loading never writes
    to the fabric's Git repository. Objects are stored as written, the way a sync stores what the cluster holds: the
    fabric's admission rules are not applied (hand-written wiring diagrams leave out what hhfab hydrates).
    """
    from .gitops.signals import git_writes_suppressed

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
