"""Real Git remotes for tests: bare repositories in a temporary directory, served over file:// and over smart HTTP.

`GitHTTPServer` runs `git http-backend` as a CGI program behind a threaded HTTP server on 127.0.0.1 and requires
HTTP Basic authentication whose password is its token, as a Git hosting service does with access tokens. `BareRepo`
creates a repository with files and changes it the way another person pushing to it would.
"""
import base64
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = (
    'BareRepo',
    'GitHTTPServer',
    'git',
)

_IDENTITY = {
    'GIT_AUTHOR_NAME': 'Someone Else', 'GIT_AUTHOR_EMAIL': 'someone@example.com',
    'GIT_COMMITTER_NAME': 'Someone Else', 'GIT_COMMITTER_EMAIL': 'someone@example.com',
    'GIT_CONFIG_GLOBAL': os.devnull, 'GIT_CONFIG_NOSYSTEM': '1', 'GIT_TERMINAL_PROMPT': '0',
}


def git(*args, cwd=None, input=None):
    """Run git and return its standard output (raises CalledProcessError with stderr on failure)."""
    result = subprocess.run(['git', *args], cwd=cwd, input=input, capture_output=True, text=True,
                            env={**os.environ, **_IDENTITY}, check=False)
    if result.returncode:
        raise subprocess.CalledProcessError(result.returncode, ['git', *args], result.stdout, result.stderr)
    return result.stdout


class BareRepo:
    """A bare repository with branch `main`, created with `files` ({path: text}) in its first commit."""

    def __init__(self, path, files):
        self.path = Path(path)
        git('init', '--quiet', '--bare', '--initial-branch=main', str(self.path))
        self.commit(files, 'Initial fabric')

    @property
    def url(self):
        return self.path.as_uri()

    def commit(self, changes, message):
        """Push a commit on `main` that writes ({path: text}) or deletes ({path: None}) files; returns its hash."""
        with tempfile.TemporaryDirectory() as work:
            git('clone', '--quiet', str(self.path), work)
            if git('branch', '--list', '--remotes', cwd=work).strip():
                git('checkout', '--quiet', 'main', cwd=work)
            else:
                git('checkout', '--quiet', '-b', 'main', cwd=work)
            for path, text in changes.items():
                target = Path(work, path)
                if text is None:
                    git('rm', '--quiet', path, cwd=work)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
                git('add', path, cwd=work)
            git('commit', '--quiet', '-m', message, cwd=work)
            git('push', '--quiet', 'origin', 'main', cwd=work)
        return self.head()

    def head(self):
        return git('rev-parse', 'main', cwd=self.path).strip()

    def show(self, path, ref='main'):
        """A file's text at `ref`, or None when it does not exist there."""
        try:
            return git('show', f'{ref}:{path}', cwd=self.path)
        except subprocess.CalledProcessError:
            return None

    def subjects(self):
        """The subject of every commit on main, newest first."""
        return git('log', '--format=%s', 'main', cwd=self.path).splitlines()

    def changed_files(self, ref='main'):
        """Paths changed by the commit `ref`."""
        return git('show', '--name-only', '--format=', ref, cwd=self.path).split()

    def author(self, ref='main'):
        return git('log', '-1', '--format=%an <%ae>', ref, cwd=self.path).strip()


class _Handler(BaseHTTPRequestHandler):
    server_version = 'hedgehog-test-git/1'

    def log_message(self, format, *args):
        pass

    def _authorized_user(self):
        header = self.headers.get('Authorization', '')
        if not header.startswith('Basic '):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(':')
        except ValueError:
            return None
        return user if password == self.server.token else None

    def _body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if not size:
                    self.rfile.readline()
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def _serve(self):
        user = self._authorized_user()
        self.server.requests.append((self.command, self.path, self.headers.get('Authorization', ''), user))
        if user is None:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="git"')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        path, _, query = self.path.partition('?')
        env = {
            'PATH': os.environ.get('PATH', ''), 'GIT_PROJECT_ROOT': str(self.server.root), 'GIT_HTTP_EXPORT_ALL': '1',
            'REQUEST_METHOD': self.command, 'PATH_INFO': path, 'QUERY_STRING': query, 'REMOTE_USER': user,
            'REMOTE_ADDR': self.client_address[0], 'CONTENT_TYPE': self.headers.get('Content-Type', ''),
            'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': os.devnull,
        }
        for header, variable in (('Git-Protocol', 'GIT_PROTOCOL'), ('Content-Encoding', 'HTTP_CONTENT_ENCODING')):
            if self.headers.get(header):
                env[variable] = self.headers[header]
        body = self._body() if self.command == 'POST' else b''
        env['CONTENT_LENGTH'] = str(len(body))
        result = subprocess.run(['git', 'http-backend'], input=body, capture_output=True, env=env, check=False)
        head, _, payload = result.stdout.partition(b'\r\n\r\n')
        if not _:
            head, _, payload = result.stdout.partition(b'\n\n')
        headers = [line.split(':', 1) for line in head.decode('latin-1').splitlines() if ':' in line]
        status = next((int(value.split()[0]) for name, value in headers if name.lower() == 'status'), 200)
        self.send_response(status)
        for name, value in headers:
            if name.lower() != 'status':
                self.send_header(name, value.strip())
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve


class GitHTTPServer:
    """Smart-HTTP Git server for the bare repositories under `root`; the password must be `token`."""

    def __init__(self, root, token):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = Path(root)
        self.httpd.token = token
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    @property
    def requests(self):
        """(method, path with query, Authorization header, authenticated user or None) of every request."""
        return self.httpd.requests

    def url(self, repo):
        return f'http://127.0.0.1:{self.httpd.server_address[1]}/{Path(repo.path).name}'
