"""Repository-wide quality gates: the suite fails on ruff errors, models without a migration and import cycles."""

import ast
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


# The packages whose internal imports must not form a cycle.
CYCLE_CHECKED_PACKAGES = ('netbox_hedgehog', 'rq_jobs')


def _module_name(path):
    parts = list(path.relative_to(REPO_ROOT).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _module_level_imports(tree):
    """The import statements that run when the module is imported: everywhere but inside function bodies."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _imported_modules(node, module, is_package, modules):
    """The modules of `modules` that one import statement of `module` names."""
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = node.module or ''
        if node.level:
            package = module.split('.') if is_package else module.split('.')[:-1]
            package = package[:len(package) - node.level + 1]
            base = '.'.join([*package, *([base] if base else [])])
        # `from package import name` imports the submodule package.name when there is one, else the package.
        candidates = [f'{base}.{alias.name}' if f'{base}.{alias.name}' in modules else base for alias in node.names]
    found = set()
    for name in candidates:
        # `import a.b.c` where only a.b is one of ours (c being a class, say) depends on a.b.
        while name and name not in modules:
            name = name.rpartition('.')[0]
        if name and name != module:
            found.add(name)
    return found


def import_graph():
    """{module: set of modules it imports at module level}, over every module of the checked packages."""
    files = {}
    for package in CYCLE_CHECKED_PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob('*.py')):
            files[_module_name(path)] = path
    graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        graph[module] = set()
        for node in _module_level_imports(tree):
            graph[module] |= _imported_modules(node, module, path.name == '__init__.py', files)
    return graph


def find_cycle(graph):
    """One import cycle as [a, b, ..., a], or None when the graph has none (depth-first search)."""
    state = {}  # module -> 'open' while on the current path, 'done' once fully explored
    for start in sorted(graph):
        if start in state:
            continue
        path, iterators = [start], [iter(sorted(graph[start]))]
        state[start] = 'open'
        while path:
            nxt = next(iterators[-1], None)
            if nxt is None:
                state[path.pop()] = 'done'
                iterators.pop()
            elif state.get(nxt) == 'open':
                return [*path[path.index(nxt):], nxt]
            elif nxt not in state:
                state[nxt] = 'open'
                path.append(nxt)
                iterators.append(iter(sorted(graph[nxt])))
    return None


def test_no_import_cycles():
    """No module of netbox_hedgehog or rq_jobs imports itself through others.

    The graph is read statically (with `ast`) from every module of both packages. It counts the imports that run
    when a module is imported: module level, class bodies, `if`/`try` blocks; imports inside function bodies are left
    out, since they run only when the function is called. Relative imports are resolved; `from package import name`
    counts as an import of the submodule `package.name` when it exists, else of the package. An import of a
    submodule is not counted as an import of the packages above it.
    """
    graph = import_graph()
    assert 'netbox_hedgehog.sync.engine' in graph and 'rq_jobs.git' in graph, sorted(graph)
    cycle = find_cycle(graph)
    if cycle:
        pytest.fail(f'Import cycle: {" -> ".join(cycle)}', pytrace=False)


def test_the_cycle_check_finds_a_cycle():
    """The check itself reports a cycle with the modules in the order they import each other."""
    graph = {'a': {'b'}, 'b': {'c', 'd'}, 'c': {'a'}, 'd': set()}
    assert find_cycle(graph) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None


def test_lower_layers_import_nothing_above_them():
    """The manifest parser imports no models, engine or jobs; GitOps never imports the sync engine; neither imports
    views, forms, API or UI code; the plugin names RQ jobs by dotted path instead of importing them (module-level
    imports, as in test_no_import_cycles)."""
    interface = ('netbox_hedgehog.views', 'netbox_hedgehog.forms', 'netbox_hedgehog.api', 'netbox_hedgehog.ui',
                 'netbox_hedgehog.tables', 'netbox_hedgehog.urls', 'netbox_hedgehog.navigation')
    engine = ('netbox_hedgehog.scheduling', 'netbox_hedgehog.signal_receivers', 'rq_jobs', *interface)
    forbidden = {
        'netbox_hedgehog.loader': ('netbox_hedgehog.models', 'netbox_hedgehog.gitops', 'netbox_hedgehog.sync',
                                   *engine),
        'netbox_hedgehog.gitops': ('netbox_hedgehog.sync', *engine),
        'netbox_hedgehog.sync': engine,
        'netbox_hedgehog': ('rq_jobs',),
    }

    def within(module, packages):
        return any(module == p or module.startswith(f'{p}.') for p in packages)

    wrong = []
    for module, imported in sorted(import_graph().items()):
        for layer, above in forbidden.items():
            if within(module, (layer,)):
                wrong += [f'{module} imports {m}' for m in sorted(imported) if within(m, above)]
    if wrong:
        pytest.fail('Imports against the layering:\n' + '\n'.join(sorted(set(wrong))), pytrace=False)
