"""The code stays in a shape a newcomer can find their way in (issue: one concern, one place).

No module over 400 lines; no view or socket handler body over 25; no blueprint's views
imported by another blueprint's module; ``wiki`` uses ``crdt`` through its public API only.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TypeGuard

import pytest

import crdt

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("wiki", "crdt")
MAX_MODULE_LINES = 400
MAX_HANDLER_LINES = 25
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "on", "on_error"}


def sources() -> list[Path]:
    found = [
        path
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    assert found
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def is_handler(node: ast.AST) -> TypeGuard[ast.FunctionDef]:
    """A function decorated as a route (``@bp.get``) or a socket event (``@socketio.on``)."""
    if not isinstance(node, ast.FunctionDef):
        return False
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
            return True
    return False


def body_lines(node: ast.FunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def view_modules() -> set[str]:
    """Modules that define a blueprint's views."""
    found = set()
    for path in sources():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Blueprint":
                found.add(module_name(path))
    return found


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every absolute ``from … import …`` in a module."""
    return [
        (node.lineno, node.module, [alias.name for alias in node.names])
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
    ]


@pytest.mark.parametrize("path", sources(), ids=module_name)
def test_module_is_at_most_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module_name(path)} has {lines} lines: split it"


@pytest.mark.parametrize("path", sources(), ids=module_name)
def test_views_and_socket_handlers_stay_short(path: Path) -> None:
    long = [
        f"{node.name} ({body_lines(node)} lines)"
        for node in ast.walk(parsed(path))
        if is_handler(node) and body_lines(node) > MAX_HANDLER_LINES
    ]
    assert not long, f"{module_name(path)}: move the work of {', '.join(long)} into a service"


def test_no_blueprint_imports_another_blueprints_views() -> None:
    views = view_modules()
    assert len(views) > 5, views
    crossing = [
        f"{module_name(path)}:{line} imports {module}"
        for path in sources()
        if module_name(path) in views
        for line, module, _ in imports_of(path)
        if module in views and module != module_name(path)
    ]
    assert not crossing, "views import services, never another blueprint's views:\n" + "\n".join(
        crossing
    )


def test_wiki_uses_crdt_through_its_public_api() -> None:
    public = set(crdt.__all__)
    outside = [
        f"{module_name(path)}:{line} {module} {names}"
        for path in sources()
        if module_name(path).startswith("wiki")
        for line, module, names in imports_of(path)
        if module.startswith("crdt") and (module != "crdt" or not set(names) <= public)
    ]
    assert not outside, "import these from crdt (add them to crdt/__init__.py):\n" + "\n".join(
        outside
    )


def test_the_checks_see_long_handlers_and_crossing_imports() -> None:
    source = "@bp.get('/x')\ndef view():\n" + "    x = 1\n" * 26
    node = ast.parse(source).body[0]
    assert is_handler(node) and body_lines(node) == 26
    assert not is_handler(ast.parse("def helper():\n    pass\n").body[0])


def test_the_shared_harness_stays_free_of_pytest_and_the_app() -> None:
    harness = sorted((REPO / "tests" / "harness").glob("*.py"))
    assert harness
    wrong = [
        f"{path.name}:{node.lineno}"
        for path in harness
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and {name.split(".")[0] for name in imported(node)} & {"pytest", "wiki"}
    ]
    assert not wrong, "the benchmark runs without pytest and talks to the app over HTTP only"


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names."""
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    return [alias.name for alias in node.names]
