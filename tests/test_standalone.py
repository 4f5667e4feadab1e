"""The repository stands on its own: a copy of it with nothing beside it passes the demo's preflight and collects the
whole test suite, and no file names a path of the machine it was checked out on.

The copy holds the files git knows (tracked, plus new ones not ignored) as they are in the working tree, so changes
not yet committed count; it lives in an empty temporary directory, so `../shared` does not exist beside it.
"""
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from hedgehog_devtools.processes import free_port
from tests.harness import REPO_ROOT

TIMEOUT = 300
# Variables the suite's harness and the Makefile point at this checkout; the copy must find its own.
CHECKOUT_VARIABLES = ('PYTHONPATH', 'NETBOX_ROOT', 'DJANGO_SETTINGS_MODULE', 'NETBOX_CONFIGURATION')


def repository_files():
    listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split('\0')
    return sorted(name for name in listed if name and (REPO_ROOT / name).is_file())


@pytest.fixture(scope='module')
def clone(tmp_path_factory):
    """The repository copied into <empty temporary directory>/netbox-hedgehog."""
    target = tmp_path_factory.mktemp('alone') / 'netbox-hedgehog'
    for name in repository_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target / name)
    assert sorted(p.name for p in target.parent.iterdir()) == ['netbox-hedgehog']
    return target


def clone_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in CHECKOUT_VARIABLES}
    env.update(overrides)
    return env


def preflight(clone, **env):
    env = {'DEMO_PORT': str(free_port()), 'DEMO_KUBE_PORT': str(free_port()), **env}
    return subprocess.run([sys.executable, str(clone / 'deploy' / 'dev' / 'demo.py'), '--preflight'], cwd=clone,
                          env=clone_env(**env), capture_output=True, text=True, timeout=TIMEOUT)


def test_the_demo_preflight_passes_in_a_clone(clone):
    result = preflight(clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ('[demo] preflight passed: Python, demo fabric files, free ports, PostgreSQL '
                                     'and Redis')


def test_the_demo_preflight_names_what_is_missing_in_one_line(clone, tmp_path):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = preflight(clone, DEMO_PORT=str(port))
    assert result.returncode == 1
    assert result.stderr == (f'[demo] cannot start: port {port} is in use (another demo still running?): stop that '
                             f'process or set DEMO_PORT to a free port\n')

    wiring = clone / 'deploy' / 'dev' / 'fabric' / 'wiring.yaml'
    kept = tmp_path / 'wiring.yaml'
    wiring.rename(kept)
    try:
        result = preflight(clone)
    finally:
        kept.rename(wiring)
    assert result.returncode == 1
    assert result.stderr == ('[demo] cannot start: the demo fabric file deploy/dev/fabric/wiring.yaml is missing: '
                             'restore it with `git checkout -- deploy/dev/fabric`\n')


def test_the_whole_suite_is_collected_in_a_clone(clone):
    result = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider'],
                            cwd=clone, env=clone_env(), capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'error' not in result.stdout.splitlines()[-1], result.stdout[-3000:]
    collected = {line.split('::')[0] for line in result.stdout.splitlines() if '::' in line}
    modules = {f'tests/{path.name}' for path in (clone / 'tests').glob('test_*.py')}
    assert collected == modules, f'not collected: {sorted(modules - collected)}'
    assert 'tests/test_standalone.py::test_the_whole_suite_is_collected_in_a_clone' in result.stdout


def test_no_file_names_a_path_of_this_machine():
    """Absolute paths of the checkout (or of what is beside it) appear in no file of the repository."""
    local = re.compile(re.escape(f'{REPO_ROOT.parent}/'))
    found = []
    for name in repository_files():
        try:
            text = (REPO_ROOT / name).read_text()
        except UnicodeDecodeError:
            continue
        found += [f'{name}:{number}' for number, line in enumerate(text.splitlines(), 1) if local.search(line)]
    assert found == []
