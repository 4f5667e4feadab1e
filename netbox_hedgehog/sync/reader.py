"""Read every supported kind of one fabric from its Kubernetes API, page by page."""
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import ProtocolError

from netbox_hedgehog.kinds import KINDS

from . import pulse
from .errors import ClusterError, chain, describe

__all__ = (
    'ClusterRead',
    'KindRead',
    'RESTART',
    'kind_pages',
    'read_cluster',
    'read_kind',
    'read_log',
)

@dataclass
class KindRead:
    kind_spec: object
    items: list = field(default_factory=list)
    pages: int = 0
    count: int = 0      # objects listed (also when their items are not held)
    missing: bool = False
    error: str = ''


@dataclass
class ClusterRead:
    kinds: dict = field(default_factory=dict)
    error: str = ''

    @property
    def failed(self):
        return bool(self.error)

    def specs(self):
        """{kind: {name: spec}} of everything read."""
        return {
            kind: {(item.get('metadata') or {}).get('name'): item.get('spec') or {} for item in read.items
                   if isinstance(item, dict)}
            for kind, read in self.kinds.items()
        }


# Transient failures of a list request are tried again within the run, RETRIES times after waiting BACKOFF seconds
# (or what the server's Retry-After asks, if longer), as long as the waits of one page stay within the request
# timeout. Other failures (401, 403, 404, 410, timeouts, TLS, DNS, refused connections) fail the read at once.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RESET_ERRORS = (ProtocolError, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
RETRIES = 3
BACKOFF = (0.5, 1.0, 2.0)

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


def _retry_after(exc):
    """Seconds the server asked us to wait (its Retry-After header), or None."""
    value = (getattr(exc, 'headers', None) or {}).get('Retry-After')
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None


def _transient(exc):
    """Whether a failed list request is worth trying again: the server was busy or restarting (429, 500, 502, 503,
    504), or the connection was reset before an answer came."""
    if isinstance(exc, ApiException):
        return exc.status in RETRY_STATUSES
    return any(isinstance(item, RESET_ERRORS) for item in chain(exc))


def _retry_wait(exc, retries_done, waited, timeout):
    """Seconds to wait before trying a failed request again, or None when it is not tried again."""
    if retries_done == RETRIES or not _transient(exc):
        return None
    wait = max(BACKOFF[retries_done], _retry_after(exc) or 0.0)
    return wait if waited + wait <= timeout else None


def _list_page(api, server, namespace, kind_spec, page_size, token, timeout, log, page):
    """One page of a list, tried again up to RETRIES times on a transient failure (with backoff, honouring
    Retry-After), the waits of one page adding up to at most the request timeout."""
    retries_done, waited = 0, 0.0
    while True:
        # A request may take up to the timeout: the lock is refreshed before each.
        pulse.confirm()
        try:
            return api.list_namespaced_custom_object(
                kind_spec.group, kind_spec.version, namespace, kind_spec.plural,
                limit=page_size, _continue=token, _request_timeout=timeout,
            )
        except Exception as e:
            wait = _retry_wait(e, retries_done, waited, timeout)
            if wait is None:
                raise
            retries_done += 1
            log(f'{kind_spec.kind}: page {page}: {describe(e, server, kind_spec, timeout)} Retrying in {wait:g} s '
                f'(retry {retries_done} of {RETRIES}).')
            pulse.confirm()
            time.sleep(wait)
            waited += wait


# What kind_pages yields when a kind's list starts over: what was taken of its earlier pages is to be dropped.
RESTART = object()


def kind_pages(api, server, namespace, kind_spec, page_size, timeout, log, read, keep=_essentials):
    """Yield the items of each page of one kind's list, `keep(item)` of each; counts pages and objects on `read` (a
    KindRead, whose `missing` and `error` are set, and nothing yielded, when the kind's CRD is not installed).

    A continue token that expired in the middle of the list (410: the API server no longer holds the snapshot of
    its first page) starts the kind's list over once, from its first page, after yielding RESTART; a second expiry
    fails the read."""
    token = None
    restarted = False
    while True:
        try:
            response = _list_page(api, server, namespace, kind_spec, page_size, token, timeout, log, read.pages + 1)
        except ApiException as e:
            if e.status == 404 and read.pages == 0:
                read.missing = True
                read.error = str(describe(e, server, kind_spec, timeout))
                return
            if e.status == 410 and token and not restarted:
                log(f'{kind_spec.kind}: the continue token of page {read.pages + 1} expired (410 Gone) after '
                    f'{read.count} objects; the list starts over from its first page.')
                read.pages, read.count, token, restarted = 0, 0, None, True
                yield RESTART
                continue
            raise describe(e, server, kind_spec, timeout) from None
        except Exception as e:
            raise describe(e, server, kind_spec, timeout) from None
        read.pages += 1
        page = [keep(item) for item in pulse.beating(response.get('items') or [])]
        read.count += len(page)
        yield page
        token = (response.get('metadata') or {}).get('continue')
        if not token:
            return


def read_kind(api, server, namespace, kind_spec, page_size, timeout, log, keep=_essentials):
    """Page through one kind (see kind_pages); `keep(item)` is what is held of each listed object."""
    read = KindRead(kind_spec)
    for page in kind_pages(api, server, namespace, kind_spec, page_size, timeout, log, read, keep):
        if page is RESTART:
            read.items = []
        else:
            read.items.extend(page)
    return read


def read_log(read):
    """The run log's line for a kind read."""
    if read.missing:
        return f'{read.kind_spec.kind}: CRD not installed'
    return f'{read.kind_spec.kind}: read {read.count} objects in {read.pages} page(s)'


def read_cluster(api, server, namespace, page_size, timeout, log, kinds=KINDS):
    """Read all kinds. A failure on any kind stops the read and is returned as `error` (nothing else is used).

    Transient failures of a page are tried again within the run (see _list_page) and logged; only a persistent one
    fails the read.
    """
    result = ClusterRead()
    for kind_spec in kinds:
        try:
            read = read_kind(api, server, namespace, kind_spec, page_size, timeout, log)
        except ClusterError as e:
            result.error = str(e)
            log(f'{kind_spec.kind}: {e}')
            return result
        result.kinds[kind_spec.kind] = read
        log(read_log(read))
    return result
