"""HTTPS transport: a threaded HTTP/1.1 server whose connections are TLS-wrapped in their own thread.

The TLS handshake runs in the connection's thread, so a client that never finishes it (or fails it, as
one with the wrong CA does) cannot stall the accept loop. Every response carries Content-Length, so
clients keep connections alive; ``close_connections`` ends them all when the server stops.
"""
import socket
import socketserver
import ssl
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .api import Request, Response
from .faults import DROP
from .status import ApiError, status_body

__all__ = (
    'KubeAPIHandler',
    'TLSServer',
)

HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 300.0
QUIET_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError, OSError)


class TLSServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that serves TLS; ``app`` is the ``KubeAPIServer`` the handlers call."""

    daemon_threads = True

    def __init__(self, address, ssl_context, app):
        self.ssl_context = ssl_context
        self.app = app
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, KubeAPIHandler)

    def server_bind(self):
        # HTTPServer.server_bind would look up the host's FQDN, which can be slow; it is not needed here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except QUIET_ERRORS:
            return
        with self._connections_lock:
            self._connections.add(connection)
        try:
            self.RequestHandlerClass(connection, client_address, self)
        except QUIET_ERRORS:
            pass
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
            connection.close()

    def shutdown_request(self, request):
        # The TLS wrapper took over (and closed) the socket in finish_request.
        request.close()

    def close_connections(self):
        """End every open keep-alive connection (their threads then exit)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], QUIET_ERRORS):
            traceback.print_exc()


class KubeAPIHandler(BaseHTTPRequestHandler):
    """Turns HTTP requests into ``api.Request`` objects, applying faults and logging each request."""

    protocol_version = 'HTTP/1.1'
    server_version = 'kubeapi-test'
    sys_version = ''
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT

    def log_message(self, format, *args):
        """Silent: tests read ``request_log`` instead (and tokens must never reach a log)."""

    def do_GET(self):
        app = self.server.app
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        internal = url.path.startswith('/_testing/')
        action = None if internal else app.faults.before_request(self.command, self.path)
        if action == DROP:
            self.close_connection = True
            app.log.record(self.command, url.path, query, None)
            return
        body = self._read_body()
        if body is None:
            response = Response(411, status_body(411, 'a request body needs a Content-Length'))
            self.close_connection = True
        elif action is not None:
            message = action.message or f'injected fault: {self.command} {url.path} answered {action.status}'
            response = Response(action.status, status_body(action.status, message))
        else:
            headers = {name.lower(): value for name, value in self.headers.items()}
            response = self._handle(app, Request(self.command, url.path, query, headers, body))
        # Logged before answering, so a client that has its answer always finds the request in the log.
        if not internal:
            app.log.record(self.command, url.path, query, response.status)
        self._send(response)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self, app, request):
        try:
            return app.api.handle(request)
        except Exception as error:  # a server bug must still answer with a Status
            traceback.print_exc()
            return Response(500, ApiError(500, f'internal error: {error!r}').body())

    def _read_body(self):
        """The request body, b'' when there is none, or None when its length is unknown (chunked, malformed)."""
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            return None
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            return None
        return self.rfile.read(length) if length > 0 else b''

    def _send(self, response):
        self.send_response(response.status)
        self.send_header('Content-Type', response.content_type)
        self.send_header('Content-Length', str(len(response.body)))
        self.send_header('Cache-Control', 'no-cache, private')
        if response.status == 429:
            # As the API server's priority and fairness answers: try again in a second.
            self.send_header('Retry-After', '1')
        if self.close_connection:
            self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(response.body)
