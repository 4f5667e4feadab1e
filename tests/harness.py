"""Environment defaults for the test suite, loaded as an early pytest plugin (`-p tests.harness` in pyproject.toml).

pytest imports `-p` plugins before pytest-django reads DJANGO_SETTINGS_MODULE and sets Django up, so the defaults
below are in place whether the suite runs through `make test` or as a bare `.venv/bin/pytest` from the repo root.
Values already present in the environment win, as with the Makefile.
"""

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CONFIG_DIR = REPO_ROOT / 'deploy' / 'dev'

os.environ.setdefault('NETBOX_CONFIGURATION', 'netbox_configuration')
os.environ.setdefault('NETBOX_ROOT', str(REPO_ROOT / '.netbox'))
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'netbox.settings')
# The tests' Git remotes are local bare repositories and a plain-HTTP server on loopback, which the plugin refuses by
# default; tests of the refusal override these settings.
os.environ.setdefault('HEDGEHOG_ALLOW_INSECURE_HTTP', '1')
os.environ.setdefault('HEDGEHOG_ALLOW_LOCAL_GIT', '1')

# NetBox keeps media, scripts and static files under NETBOX_ROOT (gitignored .netbox by default).
Path(os.environ['NETBOX_ROOT']).mkdir(parents=True, exist_ok=True)

# deploy/dev holds netbox_configuration.py and the hedgehog_devtools package (the repo root itself is on sys.path
# through `pythonpath`).
if str(DEV_CONFIG_DIR) not in sys.path:
    sys.path.insert(0, str(DEV_CONFIG_DIR))

# Processes the tests start (netbox commands, the kubeapi server, the demo's preflight) import the same code, as the
# Makefile's PYTHONPATH gives it to them.
_paths = [str(DEV_CONFIG_DIR), str(REPO_ROOT)]
os.environ['PYTHONPATH'] = os.pathsep.join(
    _paths + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p and p not in _paths])

# Third-party Hedgehog sample files (lab-ci, demo-gitops, docs) kept beside a development checkout, outside the
# repository: the few tests that exercise them as published skip, saying so, where they are absent.
SAMPLES = REPO_ROOT.parent / 'shared' / 'samples'
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason='the third-party Hedgehog sample files (shared/samples beside the repository) are not present')
