"""Human messages for everything that can go wrong talking to a fabric's Kubernetes API.

Messages name the server (host and port) and the kind, never a credential: they are built from those parts only,
not from the text of the underlying exception, which can quote request details.
"""
import re
import socket
import ssl
from urllib.parse import urlsplit

from kubernetes.client.exceptions import ApiException
from urllib3 import exceptions as u3

__all__ = (
    'ClusterError',
    'chain',
    'describe',
    'server_label',
)


class ClusterError(Exception):
    """A failure reading or writing the cluster, with a message fit for people."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def server_label(url):
    parts = urlsplit(url or '')
    if not parts.hostname:
        return 'the API server'
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    return f'{parts.hostname}:{port}'


def chain(exc):
    """The exception and everything it wraps (urllib3's .reason, then __cause__/__context__)."""
    seen = []
    while exc is not None and not any(exc is s for s in seen):
        seen.append(exc)
        reason = getattr(exc, 'reason', None)
        exc = reason if isinstance(reason, BaseException) else (exc.__cause__ or exc.__context__)
    return seen


def describe(exc, server, kind_spec=None, timeout=None):
    """Return a ClusterError with a precise message for `exc`."""
    where = server_label(server)
    what = f'{kind_spec.plural}.{kind_spec.group}/{kind_spec.version}' if kind_spec else 'the Hedgehog resources'
    if isinstance(exc, ClusterError):
        return exc
    if isinstance(exc, ApiException):
        status = exc.status or 0
        if status == 0 and str(exc.reason or '').startswith('SSLError'):
            # The client wraps TLS failures as ApiException(0, "SSLError\n<detail>").
            match = re.search(r'certificate verify failed: ([^(]+)', exc.reason)
            return _tls_error(where, match.group(1).strip() if match else None)
        if status == 401:
            return ClusterError(
                f'The API server at {where} rejected the credentials (401 Unauthorized): the token or client '
                f'certificate is wrong, expired or revoked.', 401)
        if status == 403:
            return ClusterError(
                f'The credentials are valid but not allowed to list {what} (403 Forbidden): grant the fabric\'s '
                f'service account the read-only ClusterRole for the Hedgehog API groups.', 403)
        if status == 404:
            return ClusterError(
                f'{kind_spec.kind if kind_spec else "A Hedgehog"} custom resource ({what}) is not installed on the '
                f'cluster at {where} (404 Not Found): is this a Hedgehog fabric, and does its version serve '
                f'{kind_spec.api_version if kind_spec else "this API"}?', 404)
        if status == 410:
            return ClusterError(
                f'The list of {what} changed while it was read page by page (410 Gone); the next sync reads it '
                f'again.', 410)
        if status >= 500:
            return ClusterError(
                f'The API server at {where} failed while listing {what} ({status} {exc.reason or "Server Error"}).',
                status)
        return ClusterError(f'The API server at {where} answered {status} {exc.reason or ""} for {what}.', status)
    links = chain(exc)
    for item in links:
        if isinstance(item, ssl.SSLCertVerificationError | u3.SSLError | ssl.SSLError):
            return _tls_error(where, getattr(item, 'verify_message', None) or getattr(item, 'reason', None))
    # urllib3's NameResolutionError and NewConnectionError are ConnectTimeoutError subclasses: test them first.
    for item in links:
        if isinstance(item, u3.NameResolutionError | socket.gaierror):
            return ClusterError(f'The host name of the API server ({where}) could not be resolved (DNS lookup '
                                f'failed): check the server URL.')
        if isinstance(item, ConnectionRefusedError):
            return ClusterError(f'Connection refused by {where}: nothing listens there. Is the API server URL '
                                f'right and the server running?')
    for item in links:
        if isinstance(item, u3.NewConnectionError):
            return ClusterError(f'Could not connect to the API server at {where}: the network path is broken.')
    for item in links:
        if isinstance(item, u3.ConnectTimeoutError | u3.ReadTimeoutError | TimeoutError | socket.timeout):
            limit = f' within {timeout} seconds' if timeout else ''
            return ClusterError(f'The API server at {where} did not answer{limit} (timeout) while listing {what}.')
        if isinstance(item, u3.ProtocolError | ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
            return ClusterError(f'The connection to the API server at {where} was dropped before it answered '
                                f'while listing {what}.')
    return ClusterError(f'Unexpected error talking to the API server at {where}: {type(exc).__name__}.')


def _tls_error(where, detail):
    detail = f' ({detail})' if isinstance(detail, str) and detail else ''
    return ClusterError(
        f'TLS verification of the API server at {where} failed{detail}: the certificate is not signed by the CA '
        f'in the kubeconfig or CA bundle, or does not name this host. Fix the CA (or, for a throw-away lab only, '
        f'switch off "verify TLS" on the fabric).')
