"""Packaging: the wheel holds every file of both packages, does not require NetBox, and installs into an environment
that already holds NetBox without touching that NetBox.

The wheel is built fresh on every run (`python -m build --wheel`, from a copy of the repository without build
leftovers). It is installed, the way an administrator would, with `pip install <wheel>` (its dependencies from PyPI)
into a copy of a venv that holds only NetBox, installed from PyPI at the version of the test run's own NetBox. That
NetBox venv is made once per NetBox and Python version and kept under .netbox/packaging/ (a fresh clone builds it on
its first run, in about a minute); every run installs into a new copy of it in a temporary directory. The repository,
the test tools and the editable install of the plugin are invisible there, so only the installed wheel can satisfy an
import of netbox_hedgehog or rq_jobs, and a dependency missing from pyproject.toml makes an import fail. The install
line of deploy/docker/Dockerfile-Plugins is run the same way, with uv, against a copy without pip (as in the image).
"""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from core.exceptions import IncompatiblePluginError
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from netbox_hedgehog import HedgehogConfig
from tests.test_deploy import (
    IMAGE_PYTHON,
    IMAGE_UV,
    PLUGIN_REQUIREMENTS,
    dockerfile_plugin_install,
    plugin_requirements,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CONFIG_DIR = REPO_ROOT / 'deploy' / 'dev'
PACKAGES = ('netbox_hedgehog', 'rq_jobs')
# Left out of the copy the wheel is built from: version control, environments, caches and build leftovers (a stale
# *.egg-info/SOURCES.txt would otherwise add files to the wheel that the sources alone would not).
TOP_LEVEL_LEFT_OUT = {'.git', '.venv', '.netbox', '.pytest_cache', '.ruff_cache', '.bench', 'build', 'dist',
                      'test-artifacts'}
NETBOX_VERSION = importlib.metadata.version('netbox')
NETBOX_VENV_CACHE = REPO_ROOT / '.netbox' / 'packaging'
# Written into a cached NetBox venv once pip has finished: a venv without it is half-made and is built again.
READY_MARKER = 'netbox-hedgehog-packaging-ready'

# Run by the clean venv's python: import every module of both packages, report where each came from and what failed.
IMPORT_EVERY_MODULE = textwrap.dedent('''\
    import importlib, json, pkgutil, traceback
    import django

    django.setup()
    modules, errors = {}, {}
    for package_name in ('netbox_hedgehog', 'rq_jobs'):
        package = importlib.import_module(package_name)
        modules[package_name] = package.__file__
        for info in pkgutil.walk_packages(package.__path__, package_name + '.', onerror=lambda name: None):
            try:
                modules[info.name] = importlib.import_module(info.name).__file__
            except Exception:
                errors[info.name] = traceback.format_exc()
    version = importlib.import_module('netbox_hedgehog').__version__
    print(json.dumps({'modules': modules, 'errors': errors, 'version': version}))
''')

# Run by the clean venv's python (standard library only): every installed distribution with its version, the files of
# each distribution named netbox with their identity on disk, and the netbox files whose content no longer matches the
# hash pip recorded when it installed them.
INSTALLED_STATE = textwrap.dedent('''\
    import base64, hashlib, importlib.metadata, json, os, re

    def canonical(name):
        return re.sub(r'[-_.]+', '-', name).lower()

    distributions, netbox_files, altered = [], {}, []
    for dist in importlib.metadata.distributions():
        name = canonical(dist.metadata['Name'])
        distributions.append([name, dist.version])
        if name != 'netbox':
            continue
        for file in dist.files:
            path = file.locate()
            if not path.exists():
                altered.append(f'{file} (missing)')
                continue
            stat = os.stat(path)
            netbox_files[str(file)] = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            if file.hash is not None:
                digest = hashlib.new(file.hash.mode, path.read_bytes()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b'=').decode() != file.hash.value:
                    altered.append(str(file))
    print(json.dumps({'distributions': distributions, 'netbox_files': netbox_files, 'altered': altered}))
''')


def source_files(package):
    """Every file of a source package, relative to the repository, without byte code."""
    return {path.relative_to(REPO_ROOT).as_posix() for path in (REPO_ROOT / package).rglob('*')
            if path.is_file() and '__pycache__' not in path.parts and path.suffix != '.pyc'}


def source_modules(package):
    """The dotted names of every Python module of a source package."""
    names = set()
    for file in source_files(package):
        if file.endswith('.py'):
            parts = file.removesuffix('.py').split('/')
            names.add('.'.join(parts[:-1] if parts[-1] == '__init__' else parts))
    return names


def clean_environment(work):
    """The environment for the clean venv: a configuration module enabling the plugin on top of the development
    configuration (local PostgreSQL and Redis) on PYTHONPATH, the repository not."""
    (work / 'config').mkdir()
    (work / 'config' / 'packaging_configuration.py').write_text(
        "from netbox_configuration import *\n\nPLUGINS = ['netbox_hedgehog']\n")
    (work / 'netbox-root').mkdir()
    left_out = {'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV'}
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    env.update(
        PYTHONPATH=os.pathsep.join([str(work / 'config'), str(DEV_CONFIG_DIR)]),
        PYTHONNOUSERSITE='1',
        # Nothing is written into the installed packages once pip has finished (their files are compared).
        PYTHONDONTWRITEBYTECODE='1',
        NETBOX_CONFIGURATION='packaging_configuration',
        DJANGO_SETTINGS_MODULE='netbox.settings',
        NETBOX_ROOT=str(work / 'netbox-root'),
    )
    return env


def run(args, **kwargs):
    """Run a command and return its result; fail the test with its output when it exits non-zero."""
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=600, check=False,
                            **kwargs)
    if result.returncode != 0:
        pytest.fail(f'`{" ".join(map(str, args))}` exited {result.returncode}:\n{result.stdout}{result.stderr}',
                    pytrace=False)
    return result


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    """A wheel freshly built from a copy of the repository."""
    work = tmp_path_factory.mktemp('wheel')

    def left_out(directory, names):
        top = Path(directory) == REPO_ROOT
        return {name for name in names if name == '__pycache__' or name.endswith('.pyc')
                or (top and (name in TOP_LEVEL_LEFT_OUT or name.endswith('.egg-info')))}

    shutil.copytree(REPO_ROOT, work / 'source', ignore=left_out)
    run([sys.executable, '-m', 'build', '--wheel', '--outdir', work / 'dist', work / 'source'])
    (built,) = (work / 'dist').glob('*.whl')
    return built


def netbox_venv():
    """A venv holding NetBox NETBOX_VERSION from PyPI with its dependencies and nothing else, made with the interpreter
    of the test run (its base Python, not its packages) and kept under .netbox/packaging/ for the next runs."""
    key = f'netbox-{NETBOX_VERSION}-py{sys.version_info.major}.{sys.version_info.minor}'
    venv = NETBOX_VENV_CACHE / key
    if not (venv / READY_MARKER).is_file():
        shutil.rmtree(venv, ignore_errors=True)
        NETBOX_VENV_CACHE.mkdir(parents=True, exist_ok=True)
        run([sys.executable, '-m', 'venv', venv])
        run([venv / 'bin' / 'python', '-m', 'pip', 'install', '--quiet', f'netbox=={NETBOX_VERSION}'],
            env={name: value for name, value in os.environ.items() if name not in ('PYTHONPATH', 'VIRTUAL_ENV')})
        (venv / READY_MARKER).write_text(f'netbox=={NETBOX_VERSION} from PyPI\n')
    return venv


def copy_of_netbox_venv(work):
    """A copy of the NetBox venv in `work`/venv (the cached one stays as it is); returns its python."""
    run(['cp', '-a', netbox_venv(), work / 'venv'])
    return work / 'venv' / 'bin' / 'python'


def installed_state(python, env, cwd):
    """What INSTALLED_STATE reports from `python`: distributions as {name: [versions]}, netbox's files, altered ones."""
    state = json.loads(run([python, '-c', INSTALLED_STATE], env=env, cwd=cwd).stdout.strip().splitlines()[-1])
    versions = {}
    for name, version in state['distributions']:
        versions.setdefault(name, []).append(version)
    return {**state, 'distributions': versions}


@pytest.fixture(scope='module')
def clean_venv(wheel, tmp_path_factory):
    """A new copy of the NetBox venv with the wheel installed into it by `pip install <wheel>`: (python,
    site-packages, environment, working directory, state before, state after, pip's output)."""
    work = tmp_path_factory.mktemp('venv')
    python = copy_of_netbox_venv(work)
    site_packages = Path(run([python, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.strip())
    (work / 'cwd').mkdir()
    env = clean_environment(work)
    before = installed_state(python, env, work / 'cwd')
    # With the clean environment pip cannot mistake the repository's *.egg-info for an installed netbox-hedgehog.
    pip = run([python, '-m', 'pip', 'install', wheel], env=env, cwd=work / 'cwd')
    after = installed_state(python, env, work / 'cwd')
    yield python, site_packages, env, work / 'cwd', before, after, pip.stdout + pip.stderr
    shutil.rmtree(work / 'venv', ignore_errors=True)


@pytest.fixture(scope='module')
def import_report(clean_venv):
    """What IMPORT_EVERY_MODULE reports from the clean venv."""
    python, _, env, cwd, *_ = clean_venv
    return json.loads(run([python, '-c', IMPORT_EVERY_MODULE], env=env, cwd=cwd).stdout.strip().splitlines()[-1])


def wheel_requirements(wheel):
    """The Requires-Dist requirements of the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith('.dist-info/METADATA'))
        metadata = HeaderParser().parsestr(archive.read(metadata_name).decode())
    return [Requirement(text) for text in metadata.get_all('Requires-Dist') or ()]


def test_wheel_does_not_require_netbox(wheel):
    """No runtime requirement of the wheel names NetBox: an installer never pulls a second NetBox into an environment
    whose NetBox is not a pip distribution (netbox-docker's image), nor changes a pip-installed one. Only the `test`
    extra (the development environment, `make venv`) brings NetBox 4.7."""
    requirements = wheel_requirements(wheel)
    runtime = {canonicalize_name(r.name) for r in requirements if r.marker is None or r.marker.evaluate({'extra': ''})}
    assert {'django-rq', 'kubernetes', 'gitpython'} <= runtime, runtime
    assert 'netbox' not in runtime
    (netbox,) = [r for r in requirements if canonicalize_name(r.name) == 'netbox']
    assert netbox.marker.evaluate({'extra': 'test'}) and netbox.specifier.contains(NETBOX_VERSION), netbox


@pytest.mark.parametrize(('netbox_version', 'accepted'), [
    ('4.6.9', False), ('4.7.0', True), (NETBOX_VERSION, True), ('4.7.99', True), ('4.8.0', False), ('5.0.0', False),
])
def test_netbox_refuses_the_plugin_outside_4_7(netbox_version, accepted):
    """Without a NetBox requirement the version check is PluginConfig's: NetBox validates min_version/max_version
    when it loads the plugin and stops with an error naming both versions."""
    settings = dict(HedgehogConfig.default_settings)
    if accepted:
        HedgehogConfig.validate(settings, netbox_version)
        return
    with pytest.raises(IncompatiblePluginError, match=rf'version .*\(current: {netbox_version}\)'):
        HedgehogConfig.validate(settings, netbox_version)


def test_wheel_contains_every_file_of_both_packages_and_nothing_else(wheel):
    """Every source file under netbox_hedgehog/ and rq_jobs/ (modules, migrations, templates, static files, any data
    file) is in the wheel, and the wheel installs no other top-level package (such as tests)."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = set().union(*(source_files(package) for package in PACKAGES))
    assert {'netbox_hedgehog/__init__.py', 'rq_jobs/__init__.py'} <= expected, 'a package has no __init__.py'
    assert any(f.startswith('netbox_hedgehog/migrations/0001_') for f in expected), 'no migration in the sources'
    assert any(f.startswith('netbox_hedgehog/templates/') and f.endswith('.html') for f in expected)
    missing = sorted(expected - names)
    assert not missing, f'files missing from {wheel.name} (package-data in pyproject.toml?):\n' + '\n'.join(missing)
    top_level = {name.split('/')[0] for name in names}
    assert top_level - {*PACKAGES} == {f'netbox_hedgehog-{wheel.name.split("-")[1]}.dist-info'}, top_level


def test_every_module_imports_from_the_installed_wheel(clean_venv, import_report):
    """In the clean venv, with NetBox set up and the plugin enabled, every module of both packages imports, each one
    from the venv's site-packages (not from the repository), and no source module is missing."""
    site_packages = clean_venv[1]
    report = import_report
    assert not report['errors'], 'modules that do not import from the wheel:\n' + '\n'.join(
        f'{name}:\n{error}' for name, error in report['errors'].items())
    for name, file in report['modules'].items():
        assert Path(file).is_relative_to(site_packages), f'{name} was imported from {file}'
    expected = set().union(*(source_modules(package) for package in PACKAGES))
    assert set(report['modules']) == expected


def test_installed_version_matches_the_wheel(import_report, wheel):
    """netbox_hedgehog.__version__ (shown by NetBox for the plugin) is the version the wheel was built as."""
    assert import_report['version'] == wheel.name.split('-')[1]


def test_netbox_check_passes_with_the_installed_plugin(clean_venv):
    """`netbox check` (NetBox's console entry point, `python -m netbox`) in the clean venv, plugin enabled."""
    python, _, env, cwd, *_ = clean_venv
    result = run([python, '-m', 'netbox', 'check'], env=env, cwd=cwd)
    assert 'System check identified no issues' in result.stdout


def assert_netbox_untouched(before, after, wheel, installer_output):
    """The installation added the plugin and changed nothing that was there: NetBox is still the one distribution of
    its name at the same version with every file as pip installed it (same content, same file on disk), and no
    other distribution was upgraded, downgraded or removed."""
    assert before['distributions']['netbox'] == [NETBOX_VERSION]
    assert after['distributions']['netbox'] == [NETBOX_VERSION], installer_output
    assert after['distributions']['netbox-hedgehog'] == [wheel.name.split('-')[1]]
    changed = {name: (versions, after['distributions'].get(name)) for name, versions in before['distributions'].items()
               if after['distributions'].get(name) != versions}
    assert not changed, f'the installer changed distributions that were there before: {changed}\n{installer_output}'
    assert not after['altered'], f'NetBox files no longer as installed: {after["altered"][:20]}'
    assert after['netbox_files'] == before['netbox_files'], 'NetBox files were rewritten by the installer'
    assert len(after['netbox_files']) > 1000, 'the RECORD of NetBox lists too few files to be NetBox'


def test_pip_install_leaves_the_installed_netbox_untouched(clean_venv, wheel):
    """`pip install <wheel>` into an environment holding NetBox adds the plugin and its missing dependencies and
    leaves NetBox and everything else as it was; `pip check` finds no broken requirement."""
    python, _, env, cwd, before, after, pip_output = clean_venv
    assert_netbox_untouched(before, after, wheel, pip_output)
    run([python, '-m', 'pip', 'check'], env=env, cwd=cwd)


def test_dockerfile_uv_install_leaves_netbox_untouched_and_boots(wheel, tmp_path, request):
    """The installation line of deploy/docker/Dockerfile-Plugins, run as written with uv (the image's installer)
    against a venv holding NetBox and no pip (as the image's), with plugin_requirements.txt pointing at the wheel
    folder: the plugin is installed, NetBox and everything else are left as they were, and `netbox check` passes."""
    # The test extra installs uv beside the test run's python, which need not be on PATH.
    beside = Path(sys.executable).with_name('uv')
    uv = str(beside) if beside.is_file() else shutil.which('uv')
    if uv is None:
        pytest.skip('uv is not installed here (it is in the test extra: `make venv` installs it)')
    python = copy_of_netbox_venv(tmp_path)
    request.addfinalizer(lambda: shutil.rmtree(tmp_path / 'venv', ignore_errors=True))
    env = clean_environment(tmp_path)
    run([python, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'pip'], env=env)
    (tmp_path / 'plugin-wheels').mkdir()
    shutil.copy(wheel, tmp_path / 'plugin-wheels')
    requirements = tmp_path / PLUGIN_REQUIREMENTS.name
    requirements.write_text(PLUGIN_REQUIREMENTS.read_text(encoding='utf-8').replace(
        'file:///opt/netbox/plugin-wheels/', f'{(tmp_path / "plugin-wheels").as_uri()}/'))
    in_the_image = {IMAGE_UV: uv, IMAGE_PYTHON: python, f'/opt/netbox/{PLUGIN_REQUIREMENTS.name}': requirements}
    install = [in_the_image.get(word, word) for word in dockerfile_plugin_install()]
    assert install[0] == uv and python in install and requirements in install, install

    before = installed_state(python, env, tmp_path)
    output = run(install, env=env, cwd=tmp_path)
    after = installed_state(python, env, tmp_path)
    assert_netbox_untouched(before, after, wheel, output.stdout + output.stderr)
    result = run([python, '-m', 'netbox', 'check'], env=env, cwd=tmp_path)
    assert 'System check identified no issues' in result.stdout


def test_docker_plugin_requirements_name_the_built_wheel(wheel):
    """deploy/docker/plugin_requirements.txt installs the wheel `python -m build` makes of this version, by its file
    name in the image's plugin-wheels folder."""
    (requirement,) = plugin_requirements()
    assert Path(requirement.url).name == wheel.name
