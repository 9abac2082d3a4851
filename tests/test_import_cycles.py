"""No import cycle among the project's own modules.

Two modules that import each other are one design in two files: neither can be read,
tested or moved alone, and the pair loads only in a lucky order or because one side
hides its import inside a function (as ``controllers.audit`` did for tenancy).

The graph is read from the source with ``ast`` over every module of the project's
top-level packages (its apps and the settings package), so a new app is covered without
editing this file. An import inside a function is an edge like any other: it is the
usual way to hide a cycle, not to remove one. Importing ``a.b.c`` runs ``a`` and ``a.b``
too, so those are edges as well, except a module's own packages, which Python has always
started to run before the module itself. Only imports under ``if TYPE_CHECKING:`` are
left out: they never run. Imports by name (``include("notices.urls")``, settings) are
not statements and are not seen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings

Graph = dict[str, dict[str, int]]  # module -> {imported module: line of the first import}


def project_packages() -> list[Path]:
    """The top-level packages of the project: its own apps and the settings package."""
    base = Path(settings.BASE_DIR)
    names = {settings.ROOT_URLCONF.split(".")[0]}
    names |= {app.name for app in apps.get_app_configs() if Path(app.path).parent == base}
    return sorted(base / name for name in names)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages by its dotted name."""
    modules = {}
    for package in project_packages():
        for path in package.rglob("*.py"):
            parts = path.relative_to(package.parent).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def ancestors(name: str) -> list[str]:
    """The packages that Python runs before ``name``: ``a`` and ``a.b`` for ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at module level, in functions, in classes."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    children = node.orelse if is_type_checking_block(node) else ast.iter_child_nodes(node)
    for child in children:
        yield from import_nodes(child)


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """What running ``node`` in ``module`` imports: modules, and ``module.name`` for names."""
    if isinstance(node, ast.Import):
        return [name for alias in node.names for name in (*ancestors(alias.name), alias.name)]
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, node.module] if node.module else package)
    else:
        base = node.module or ""
    return [*ancestors(base), base, *(f"{base}.{alias.name}" for alias in node.names)]


def module_imports(source: str, module: str, is_package: bool, modules: set[str]) -> dict[str, int]:
    """The project modules that ``module`` imports, each with the line of its first import."""
    own = {*ancestors(module), module}
    edges: dict[str, int] = {}
    for node in import_nodes(ast.parse(source)):
        for name in imported_names(node, module, is_package):
            if name not in modules:
                # ``from a import b`` where b is a name that a defines, not a submodule:
                # a is then a dependency, even when a is the module's own package.
                name = name.rpartition(".")[0]
                if name not in modules or name == module:
                    continue
            elif name in own:
                continue
            edges.setdefault(name, node.lineno)
    return edges


def import_graph() -> Graph:
    modules = project_modules()
    return {
        module: module_imports(path.read_text(), module, path.name == "__init__.py", set(modules))
        for module, path in modules.items()
    }


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(graph: Graph, component: list[str]) -> str:
    members = set(component)
    edges = [
        f"  {source} (line {line}) imports {target}"
        for source in component
        for target, line in sorted(graph[source].items())
        if target in members
    ]
    return "\n".join([" <-> ".join(component), *edges])


def test_project_modules_are_found():
    modules = project_modules()
    assert {"config.settings", "controllers.models", "notices.services"} <= set(modules)


def test_no_import_cycle_among_project_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(graph, c) for c in found)


def test_function_level_imports_count_and_type_checking_ones_do_not():
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
from . import models
if TYPE_CHECKING:
    from b import hint
def later():
    from b.c import thing
"""
    modules = {"a", "a.models", "a.x", "b", "b.c"}
    assert module_imports(source, "a.x", False, modules) == {"a.models": 4, "b": 8, "b.c": 8}


def test_a_name_from_the_own_package_is_an_edge_a_submodule_is_not():
    modules = {"a", "a.b", "a.c"}
    assert module_imports("from . import c", "a.b", False, modules) == {"a.c": 1}
    assert module_imports("from . import scope", "a.b", False, modules) == {"a": 1}
    assert module_imports("from .b import scope", "a", True, modules) == {"a.b": 1}


def test_cycles_are_the_strongly_connected_components():
    graph: Graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 9}, "d": {"a": 1}}
    assert cycles(graph) == [["a", "b", "c"]]
