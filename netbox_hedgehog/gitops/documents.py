"""The documents of one multi-document YAML file, and edits that leave every other document byte for byte.

A file is cut at its document separators (lines starting with `---` in the first column, where YAML itself ends a
document). Each piece keeps its separator line, the comments and blank lines before its content, the content, and the
comments and blank lines after it (which usually introduce the next document). An edit replaces only the content of
one piece, or removes one piece while keeping its trailing comments.
"""
import re
from dataclasses import dataclass

import yaml

from netbox_hedgehog.loader import digest
from netbox_hedgehog.yamlsafe import safe_load

__all__ = (
    'Document',
    'document_digest',
    'find_document',
    'remove_document',
    'render',
    'replace_document',
    'split_documents',
)

_SEPARATOR = re.compile(r'^---(?:[ \t].*)?$')


@dataclass
class Document:
    """One piece of a file: `separator` + `leading` + `content` + `trailing` is its exact text."""
    separator: str
    leading: str
    content: str
    trailing: str

    @property
    def text(self):
        return self.separator + self.leading + self.content + self.trailing

    def parse(self):
        """The document's data, or None when it is empty or not valid YAML on its own."""
        try:
            return safe_load(self.content) if self.content.strip() else None
        except yaml.YAMLError:
            return None


def _is_filler(line):
    stripped = line.strip()
    return not stripped or stripped.startswith('#')


def _piece(separator, lines):
    start = 0
    while start < len(lines) and _is_filler(lines[start]):
        start += 1
    end = len(lines)
    # Trailing comments are column-0 comments and blank lines; an indented "#" line may belong to a block scalar.
    while end > start and (not lines[end - 1].strip() or lines[end - 1].startswith('#')):
        end -= 1
    return Document(separator, ''.join(lines[:start]), ''.join(lines[start:end]), ''.join(lines[end:]))


def split_documents(text):
    """Cut a file into Documents; joining their `text` gives back `text` exactly."""
    pieces, separator, lines = [], '', []
    for line in text.splitlines(keepends=True):
        if _SEPARATOR.match(line.rstrip('\r\n')):
            pieces.append(_piece(separator, lines))
            separator, lines = line, []
        else:
            lines.append(line)
    pieces.append(_piece(separator, lines))
    return pieces


def _identity(data):
    if not isinstance(data, dict) or not isinstance(data.get('metadata'), dict):
        return None
    return data.get('kind'), data['metadata'].get('name')


def document_digest(data):
    """The digest of a parsed document (see `digest`)."""
    metadata = data.get('metadata') or {}
    return digest(data.get('kind'), metadata.get('name'), data.get('spec'), metadata.get('labels'),
                  metadata.get('annotations'))


def find_document(documents, kind, name=None, digest_value=None):
    """The index of the document of (kind, name), or of the document whose digest is `digest_value`; else None."""
    for index, document in enumerate(documents):
        data = document.parse()
        identity = _identity(data)
        if identity is None or identity[0] != kind:
            continue
        if digest_value is not None and document_digest(data) == digest_value:
            return index
        if name is not None and identity[1] == name:
            return index
    return None


def render(manifest):
    """A manifest as block-style YAML, keys in the order people write them."""
    return yaml.safe_dump(manifest, sort_keys=False, default_flow_style=False, allow_unicode=True)


def _join(documents):
    return ''.join(document.text for document in documents)


def replace_document(documents, index, manifest):
    """The file text with the content of document `index` replaced by `manifest`; everything else is kept."""
    target = documents[index]
    replaced = Document(target.separator, target.leading, render(manifest), target.trailing)
    return _join([*documents[:index], replaced, *documents[index + 1:]])


def remove_document(documents, index):
    """The file text without document `index` (its trailing comments stay for the document after it)."""
    target = documents[index]
    kept = Document('', '', '', target.trailing)
    return _join([*documents[:index], kept, *documents[index + 1:]])
