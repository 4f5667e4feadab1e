"""Read every supported kind of one fabric from its Kubernetes API, page by page."""
from dataclasses import dataclass, field

from kubernetes.client.exceptions import ApiException

from netbox_hedgehog.kinds import KINDS

from .errors import ClusterError, describe

__all__ = (
    'ClusterRead',
    'KindRead',
    'read_cluster',
)

@dataclass
class KindRead:
    kind_spec: object
    items: list = field(default_factory=list)
    pages: int = 0
    missing: bool = False
    error: str = ''


@dataclass
class ClusterRead:
    kinds: dict = field(default_factory=dict)
    error: str = ''

    @property
    def failed(self):
        return bool(self.error)


# What a sync uses of an object's metadata; the rest (managedFields above all) can outweigh the spec.
METADATA_KEYS = ('name', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'labels', 'annotations')


def _essentials(item):
    """The parts of a listed object the sync uses (its metadata subset and spec): a large fabric's read is held in
    memory until it is written."""
    if not isinstance(item, dict):
        return item
    metadata = item.get('metadata')
    if isinstance(metadata, dict):
        metadata = {key: metadata[key] for key in METADATA_KEYS if key in metadata}
    return {'metadata': metadata, 'spec': item.get('spec')}


def read_kind(api, server, namespace, kind_spec, page_size, timeout, heartbeat, keep=_essentials):
    """Page through one kind; `keep(item)` is what is held of each listed object."""
    read = KindRead(kind_spec)
    token = None
    while True:
        try:
            response = api.list_namespaced_custom_object(
                kind_spec.group, kind_spec.version, namespace, kind_spec.plural,
                limit=page_size, _continue=token, _request_timeout=timeout,
            )
        except ApiException as e:
            if e.status == 404 and read.pages == 0:
                read.missing = True
                read.error = str(describe(e, server, kind_spec, timeout))
                return read
            raise describe(e, server, kind_spec, timeout) from None
        except Exception as e:
            raise describe(e, server, kind_spec, timeout) from None
        read.pages += 1
        heartbeat()
        read.items.extend(keep(item) for item in response.get('items') or [])
        token = (response.get('metadata') or {}).get('continue')
        if not token:
            return read


def read_cluster(api, server, namespace, page_size, timeout, log, heartbeat=lambda: None, kinds=KINDS):
    """Read all kinds. A failure on any kind stops the read and is returned as `error` (nothing else is used).

    `heartbeat` is called after every page, so a caller holding an expiring lock can keep it alive.
    """
    result = ClusterRead()
    for kind_spec in kinds:
        try:
            read = read_kind(api, server, namespace, kind_spec, page_size, timeout, heartbeat)
        except ClusterError as e:
            result.error = str(e)
            log(f'{kind_spec.kind}: {e}')
            return result
        result.kinds[kind_spec.kind] = read
        if read.missing:
            log(f'{kind_spec.kind}: CRD not installed')
        else:
            log(f'{kind_spec.kind}: read {len(read.items)} objects in {read.pages} page(s)')
    return result
