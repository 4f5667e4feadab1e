"""Test connection: reach the API server, authenticate, and check that every Hedgehog kind can be listed."""
from dataclasses import dataclass, field

from netbox_hedgehog.choices import ConnectionStatusChoices
from netbox_hedgehog.crypto import CredentialError
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric

from .client import fabric_api
from .errors import ClusterError, describe, server_label

__all__ = (
    'ConnectionReport',
    'check_connection',
)

# Test connection answers a person waiting on a page: no request may hold it longer than this (seconds).
PROBE_TIMEOUT = 10


@dataclass
class ConnectionReport:
    ok: bool
    message: str
    kinds: dict = field(default_factory=dict)     # kind -> '' when listable, else the problem


def _probe(fabric):
    kinds = {}
    with fabric_api(fabric) as (api, server, timeout):
        where = server_label(server)
        timeout = min(timeout, PROBE_TIMEOUT)
        for kind_spec in KINDS:
            try:
                api.list_namespaced_custom_object(
                    kind_spec.group, kind_spec.version, fabric.kubernetes_namespace, kind_spec.plural, limit=1,
                    _request_timeout=timeout,
                )
                kinds[kind_spec.kind] = ''
            except Exception as e:
                error = describe(e, server, kind_spec, timeout)
                kinds[kind_spec.kind] = str(error)
                if error.status not in (403, 404):
                    # Refused, unresolvable, TLS, 401, timeouts and 5xx concern the server as a whole.
                    return ConnectionReport(False, str(error), kinds)
    failed = {k: v for k, v in kinds.items() if v}
    if not failed:
        return ConnectionReport(True, f'Connected to {where}: all {len(KINDS)} Hedgehog kinds can be listed.', kinds)
    first = next(iter(failed.values()))
    return ConnectionReport(
        False, f'Connected to {where}, but {len(failed)} of {len(KINDS)} kinds cannot be listed '
               f'({", ".join(failed)}). {first}', kinds,
    )


def check_connection(fabric):
    """Probe the fabric's cluster, store the outcome as its connection status, and return the report."""
    try:
        report = _probe(fabric)
    except (ClusterError, CredentialError) as e:
        report = ConnectionReport(False, str(e))
    status = ConnectionStatusChoices.CONNECTED if report.ok else ConnectionStatusChoices.FAILED
    Fabric.objects.filter(pk=fabric.pk).update(connection_status=status, connection_message=report.message)
    fabric.connection_status, fabric.connection_message = status, report.message
    return report
