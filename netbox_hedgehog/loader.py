"""Parse a multi-document stream of Hedgehog YAML manifests into the objects of one fabric's namespace.

The plugin's low-level manifest module: it uses the kind registry and nothing else of the plugin (no database, no
Git, no jobs); the GitOps reader and writer call it. Each document is checked on its own: an unknown kind, an
unsupported apiVersion (such as the legacy v1alpha2), a namespace other than the fabric's, a missing name, a spec
that cannot be interpreted or a malformed document each give an error naming the document; the valid documents are
still returned.
"""
import hashlib
import json
from dataclasses import dataclass, field

import yaml

from .k8s_names import annotations_problem, labels_problem, name_problem
from .kinds import KIND_BY_NAME, KINDS, MANAGED_LABEL_MARKER, SpecError
from .yamlsafe import BoundedLoader

__all__ = (
    'DIGEST_VERSION',
    'DocumentError',
    'ParsedObject',
    'digest',
    'digest_payload',
    'parse_documents',
)


# Rows keep their content's digest under a key naming this version (HedgehogResource.content_key): raise it whenever
# digest() changes what it gives for some content, so that no row's stored digest is taken for the new one.
DIGEST_VERSION = 1


def digest_payload(kind, name, spec, labels, annotations):
    """The JSON text `digest` hashes."""
    labels = {k: v for k, v in (labels or {}).items() if MANAGED_LABEL_MARKER not in k}
    return json.dumps([kind, name, spec or {}, labels, annotations or {}], sort_keys=True, separators=(',', ':'))


def digest(kind, name, spec, labels, annotations):
    """A stable digest of one object's content as people author it (labels managed by the fabric left out)."""
    return hashlib.sha256(digest_payload(kind, name, spec, labels, annotations).encode()).hexdigest()


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

    @property
    def digest(self):
        """The digest of the object's authored content (see `digest`)."""
        return digest(self.kind, self.name, self.spec, self.labels, self.annotations)


def _string_map(value, what, problem_of):
    if value is None:
        return {}
    if problem := problem_of(value):
        raise SpecError(f'metadata.{what}: {problem}')
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
    if problem := name_problem(name):
        raise SpecError(f'metadata.name: {problem}')
    doc_namespace = metadata.get('namespace') or namespace
    if doc_namespace != namespace:
        raise SpecError(f'namespace {doc_namespace!r} is not the fabric\'s namespace {namespace!r}')
    spec = doc.get('spec')
    if spec is None:
        spec = {}
    typed = kind_spec.typed_fields(spec)
    labels = _string_map(metadata.get('labels'), 'labels', labels_problem)
    annotations = _string_map(metadata.get('annotations'), 'annotations', annotations_problem)
    return kind, name, spec, labels, annotations, typed


def parse_documents(text, source='<yaml>', namespace='default'):
    """Parse a YAML stream into (objects, errors). A syntax error stops parsing at that document."""
    objects, errors = [], []
    seen = {}
    index = 0
    try:
        loader = BoundedLoader(text)
    except yaml.YAMLError as e:
        return objects, [DocumentError(source, 1, 0, f'refused: {e.problem}')]
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
