"""Reading multi-document Kubernetes YAML into objects."""
import os
from pathlib import Path

import yaml

# libyaml's loader is many times faster on benchmark-sized files; the pure Python one gives the same result.
SafeLoader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)

__all__ = (
    'read_documents',
)


def _text(source):
    """The YAML text of ``source``: a path (``Path`` or a one-line string naming a file) or YAML text."""
    if isinstance(source, os.PathLike):
        return Path(source).read_text()
    if isinstance(source, str) and '\n' not in source and Path(source).is_file():
        return Path(source).read_text()
    return source


def read_documents(source):
    """Every object in the YAML, skipping empty and comment-only documents and expanding ``kind: List``."""
    objects = []
    for number, document in enumerate(yaml.load_all(_text(source), Loader=SafeLoader), start=1):
        if document is None:
            continue
        if not isinstance(document, dict):
            raise ValueError(f'YAML document {number} is not a mapping')
        if str(document.get('kind') or '').endswith('List') and isinstance(document.get('items'), list):
            objects.extend(document['items'])
        else:
            objects.append(document)
    if not all(isinstance(obj, dict) for obj in objects):
        raise ValueError('every object in the YAML must be a mapping')
    return objects
