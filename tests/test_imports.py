"""No import cycles inside the two packages (netbox_hedgehog and rq_jobs).

Every import between their modules counts, at module level or deferred inside a function: a deferred import that
closes a loop still ties the modules into one knot. Only the imports of an app's `ready()` hook are left out: Django
calls it once every module is loaded, to connect signal receivers, as NetBox core and netbox-branching do. The graph is
read from the source with `ast`, so the check needs neither Django nor a database.
"""
import ast

from tests.harness import REPO_ROOT

PACKAGES = ('netbox_hedgehog', 'rq_jobs')


def module_files(root, packages):
    """{dotted module name: path} of every module of `packages` under `root`."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob('*.py')):
            parts = path.relative_to(root).with_suffix('').parts
            found['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = path
    return found


def _import_nodes(tree):
    """The import statements of a module, but for those inside the `ready()` method of a class."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.ClassDef):
            pending += [n for n in node.body if not (isinstance(n, ast.FunctionDef) and n.name == 'ready')]
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        pending += ast.iter_child_nodes(node)


def imported(name, path, known):
    """The modules of `known` that module `name` (at `path`) imports."""
    package = name.split('.') if path.name == '__init__.py' else name.split('.')[:-1]
    targets = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = '.'.join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f'{module}.{alias.name}'
                targets.add(submodule if submodule in known else module)
    return sorted(t for t in targets if t in known and t != name)


def import_graph(root, packages):
    """{module: the modules of `packages` it imports}."""
    files = module_files(root, packages)
    return {name: imported(name, path, files) for name, path in files.items()}


def import_cycles(root, packages):
    """One readable cycle ("a -> b -> a") per group of modules that import each other, directly or not."""
    graph = import_graph(root, packages)
    cycles, done = [], set()
    for start in graph:
        if start in done:
            continue
        # Modules reachable from `start` that also reach it back form its knot.
        reachable = _reachable(graph, start)
        knot = {m for m in reachable if start in _reachable(graph, m)}
        done.update(knot)
        if knot:
            cycles.append(' -> '.join(_cycle_through(graph, start, knot)))
    return cycles


def _reachable(graph, start):
    seen, stack = set(), list(graph[start])
    while stack:
        module = stack.pop()
        if module not in seen:
            seen.add(module)
            stack.extend(graph[module])
    return seen


def _cycle_through(graph, start, knot):
    """The shortest import path from `start` back to itself inside `knot`."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for module in graph[path[-1]]:
            if module == start:
                return [*path, start]
            if module in knot and module not in seen:
                seen.add(module)
                paths.append([*path, module])
    raise AssertionError(f'{start} is in no cycle')


def test_the_packages_have_no_import_cycle():
    cycles = import_cycles(REPO_ROOT, PACKAGES)
    assert cycles == [], 'import cycles:\n' + '\n'.join(cycles)


def test_a_cycle_through_a_deferred_import_is_found(tmp_path):
    package = tmp_path / 'pkg'
    (package / 'sub').mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'sub' / '__init__.py').write_text('from .low import parse\n')
    (package / 'sub' / 'low.py').write_text('def parse():\n    from ..high import run\n    return run\n')
    (package / 'high.py').write_text('from pkg.sub import low\nimport json\n')
    (package / 'apps.py').write_text('class Config:\n    def ready(self):\n        from . import alone\n')
    (package / 'alone.py').write_text('from . import high, apps\n')
    assert import_cycles(tmp_path, ['pkg']) == ['pkg.high -> pkg.sub.low -> pkg.high']


def test_lower_layers_import_nothing_above_them():
    """The manifest parser imports no models, engine or jobs; GitOps never imports the sync engine; neither imports
    views, forms, API or UI code; the plugin names RQ jobs by dotted path instead of importing them (module-level
    imports and deferred ones alike, as in test_the_packages_have_no_import_cycle)."""
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
    for module, imports in sorted(import_graph(REPO_ROOT, PACKAGES).items()):
        for layer, above in forbidden.items():
            if within(module, (layer,)):
                wrong += [f'{module} imports {m}' for m in imports if within(m, above)]
    if wrong:
        raise AssertionError('imports against the layering:\n' + '\n'.join(sorted(set(wrong))))
