"""Packaging that cannot miss a file: the wheel holds every file of both packages and works without the source tree.

The wheel is built fresh on every run (`python -m build --wheel`, from a copy of the repository without build
leftovers) and installed with `pip install --no-deps` into a new virtualenv in a temporary directory, made with the
interpreter of the test run. NetBox and the plugin's other dependencies are not installed into that venv a second
time: installing them writes some 55,000 files, which takes 3 to 5 minutes here on every CI run (always a fresh
clone, so no cache survives). Instead the new venv gets one .pth line naming a directory of symlinks to exactly the
distributions of the wheel's runtime dependency closure (its Requires-Dist, followed recursively with extras and
markers, each version checked against the requirement) as installed in the project's .venv. Test tools, the
editable install of the plugin and the repository are invisible there, so only the installed wheel can satisfy an
import of netbox_hedgehog or rq_jobs, and a dependency missing from pyproject.toml makes an import fail.
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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CONFIG_DIR = REPO_ROOT / 'deploy' / 'dev'
PACKAGES = ('netbox_hedgehog', 'rq_jobs')
# Left out of the copy the wheel is built from: version control, environments, caches and build leftovers (a stale
# *.egg-info/SOURCES.txt would otherwise add files to the wheel that the sources alone would not).
TOP_LEVEL_LEFT_OUT = {'.git', '.venv', '.netbox', '.pytest_cache', '.ruff_cache', '.bench', 'build', 'dist',
                      'test-artifacts'}

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


def wanted_requirements(requirement_texts, extras):
    """The requirements among `requirement_texts` whose markers hold for one of `extras` ('' is the base set)."""
    wanted = []
    for text in requirement_texts or ():
        requirement = Requirement(text)
        if requirement.marker is None or any(requirement.marker.evaluate({'extra': e}) for e in extras):
            wanted.append(requirement)
    return wanted


def dependency_closure(requires_dist):
    """{name: Distribution} of every installed distribution `requires_dist` needs, recursively, extras included."""
    closure, extras_done = {}, {}
    pending = wanted_requirements(requires_dist, {''})
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f'{requirement} is needed by the wheel but not installed in {sys.prefix} (run `make venv`)')
        if not requirement.specifier.contains(dist.version, prereleases=True):
            pytest.fail(f'{requirement} is needed by the wheel, but {sys.prefix} has {dist.name} {dist.version}')
        extras = ({''} | set(requirement.extras)) - extras_done.get(name, set())
        if extras:
            extras_done.setdefault(name, set()).update(extras)
            closure[name] = dist
            pending += wanted_requirements(dist.requires, extras)
    return closure


def link_distributions(distributions, directory):
    """Fill `directory` with symlinks to the top-level files and directories of `distributions`."""
    directory.mkdir()
    for dist in distributions:
        if dist.files is None:
            pytest.fail(f'{dist.name} has no RECORD of its files; reinstall it with pip')
        for top in {file.parts[0] for file in dist.files if file.parts[0] not in ('..', '__pycache__')}:
            link = directory / top
            if not link.is_symlink():
                link.symlink_to(Path(dist.locate_file(top)))


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
        # Nothing is written below the linked .venv directories.
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


@pytest.fixture(scope='module')
def clean_venv(wheel, tmp_path_factory):
    """A new venv holding the wheel and, linked, its dependencies: (python, site-packages, environment, working
    directory) for running commands in it."""
    work = tmp_path_factory.mktemp('venv')
    venv = work / 'venv'
    run([sys.executable, '-m', 'venv', '--without-pip', venv])
    python = venv / 'bin' / 'python'
    site_packages = Path(run([python, '-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.strip())

    with zipfile.ZipFile(wheel) as archive:
        metadata_name = next(n for n in archive.namelist() if n.endswith('.dist-info/METADATA'))
        metadata = HeaderParser().parsestr(archive.read(metadata_name).decode())
    closure = dependency_closure(metadata.get_all('Requires-Dist'))
    assert 'netbox' in closure, 'the wheel does not require NetBox'
    link_distributions(closure.values(), work / 'dependencies')
    (site_packages / 'netbox_hedgehog_test_dependencies.pth').write_text(f'{work / "dependencies"}\n')

    (work / 'cwd').mkdir()
    env = clean_environment(work)
    # With the clean environment pip cannot mistake the repository's *.egg-info for an installed netbox-hedgehog.
    run([sys.executable, '-m', 'pip', '--python', python, 'install', '--no-deps', '--no-index', '--quiet', wheel],
        env=env, cwd=work / 'cwd')
    return python, site_packages, env, work / 'cwd'


@pytest.fixture(scope='module')
def import_report(clean_venv):
    """What IMPORT_EVERY_MODULE reports from the clean venv."""
    python, _, env, cwd = clean_venv
    return json.loads(run([python, '-c', IMPORT_EVERY_MODULE], env=env, cwd=cwd).stdout.strip().splitlines()[-1])


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
    _, site_packages, _, _ = clean_venv
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
    python, _, env, cwd = clean_venv
    result = run([python, '-m', 'netbox', 'check'], env=env, cwd=cwd)
    assert 'System check identified no issues' in result.stdout
