"""The reference: the same objects created through the plugin's REST API bulk endpoints of a live NetBox.

NetBox runs under gunicorn (one worker, one thread: one Python process, like the sync) on 127.0.0.1, as it would
in production, so the figure includes what a real client pays: HTTP, authentication, DRF validation, one
`save()` per object with its change record and search indexing. The client posts lists of `BATCH` objects per
kind, one request at a time. SwitchProfiles are left out: their endpoint is read-only.
"""
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from netbox_hedgehog.kinds import KIND_BY_NAME

from .env import REPO_ROOT, die_with_parent

__all__ = (
    'measure_rest',
    'rest_sample',
)

BATCH = 100
START_TIMEOUT = 120


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _token():
    """A new API token (the only one) of a superuser `bench` in the bench database, as its Authorization header."""
    from django.contrib.auth import get_user_model
    from users.models import Token

    user, _created = get_user_model().objects.get_or_create(username='bench', defaults={'is_superuser': True})
    Token.objects.filter(user=user).delete()
    token = Token(user=user, description='netbox-hedgehog benchmark')
    token.save()
    return f'{token.get_auth_header_prefix()}{token.token}'


class NetBoxServer:
    """Context manager: gunicorn serving NetBox with the bench environment; `.url` once it answers."""

    def __init__(self, header):
        self.header = header
        self.url = f'http://127.0.0.1:{_free_port()}'
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name('gunicorn')
        self.process = subprocess.Popen(
            [str(gunicorn), 'netbox.wsgi', '--bind', self.url.removeprefix('http://'), '--workers', '1',
             '--threads', '1', '--timeout', '600', '--log-level', 'warning'],
            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                # The first request loads NetBox's URLs and API schema: slow on a busy machine.
                if requests.get(f'{self.url}/api/status/', headers={'Authorization': self.header}, timeout=60).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.process.kill()
        self.process.wait()
        raise RuntimeError('NetBox (gunicorn) did not start')

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=30)


def rest_sample(objects, every):
    """Every `every`-th object of each kind (all objects when 1), without the read-only kinds."""
    by_kind = {}
    for obj in objects:
        if not KIND_BY_NAME[obj['kind']].read_only:
            by_kind.setdefault(obj['kind'], []).append(obj)
    return [obj for items in by_kind.values() for obj in items[::every]]


def measure_rest(label, objects, log):
    """Create `objects` in a new fabric through the REST API; returns objects, wall time, objects/s."""
    from netbox_hedgehog.models import Fabric

    fabric = Fabric.objects.create(name=f'bench-rest-{label}')
    header = _token()
    batches = []
    for obj in objects:
        kind = obj['kind']
        if not batches or batches[-1][0] != kind or len(batches[-1][1]) == BATCH:
            batches.append((kind, []))
        metadata = obj['metadata']
        batches[-1][1].append({'fabric': fabric.pk, 'name': metadata['name'], 'spec': obj['spec'],
                               'labels': metadata.get('labels', {}), 'annotations': metadata.get('annotations', {})})
    log(f'  REST {label}: {len(objects)} objects in {len(batches)} requests')
    with NetBoxServer(header) as server, requests.Session() as session:
        session.headers.update({'Authorization': header, 'Accept': 'application/json'})
        start = time.perf_counter()
        for kind, batch in batches:
            response = session.post(f'{server.url}/api/plugins/hedgehog/{KIND_BY_NAME[kind].slug}/', json=batch,
                                    timeout=600)
            if response.status_code != 201:
                raise RuntimeError(f'REST create of {kind} answered {response.status_code}: {response.text[:500]}')
        wall = time.perf_counter() - start
    stored = sum(KIND_BY_NAME[kind].model.objects.filter(fabric=fabric).count() for kind in {k for k, _ in batches})
    if stored != len(objects):
        raise RuntimeError(f'the REST API stored {stored} of {len(objects)} objects')
    return {'objects': len(objects), 'requests': len(batches), 'batch': BATCH, 'wall_s': wall,
            'objects_per_s': len(objects) / wall}
