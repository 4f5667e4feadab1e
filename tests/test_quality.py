"""Repository-wide quality gates: the suite fails on ruff errors and models without a migration (import cycles
and layering: test_imports.py)."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_ruff_check_is_clean():
    """`ruff check` over the whole repository (configured in pyproject.toml) reports nothing."""
    # The venv's own ruff, pinned in pyproject.toml, so the result does not depend on what is on PATH.
    result = subprocess.run(
        [sys.executable, '-m', 'ruff', 'check', '--no-fix', '--output-format=concise', '.'],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f'ruff check found problems:\n{result.stdout}{result.stderr}', pytrace=False)


@pytest.mark.django_db
def test_no_missing_migrations():
    """The plugin's models match its migrations (`makemigrations --check` finds nothing to write)."""
    # makemigrations checks the migration history against the database, hence the django_db mark.
    out = StringIO()
    try:
        call_command('makemigrations', 'netbox_hedgehog', '--check', '--dry-run', stdout=out, stderr=out)
        exit_code = 0
    except SystemExit as exc:
        exit_code = exc.code
    if exit_code != 0:
        pytest.fail(
            f'Model changes without a migration (makemigrations --check exited {exit_code}); '
            f'run `make migrations`:\n{out.getvalue()}',
            pytrace=False,
        )
