"""The crdt package stays Flask-free: no module in it may import the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRDT = Path(__file__).resolve().parents[2] / "crdt"
FORBIDDEN = {"wiki", "flask", "flask_socketio", "werkzeug"}
DYNAMIC_IMPORTS = {"import_module", "__import__"}


def imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level module) of every import, including import_module("...") calls."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in DYNAMIC_IMPORTS and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return [(line, module.split(".")[0]) for line, module in found]


def modules() -> list[Path]:
    found = sorted(CRDT.rglob("*.py"))
    assert found, f"no modules under {CRDT}"
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.name)
def test_crdt_module_does_not_import_the_web_layer(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"line {line}: {name}" for line, name in imported_names(tree) if name in FORBIDDEN]
    assert not bad, f"{path.name} imports the web layer ({', '.join(bad)}); see crdt/README.md"


def test_the_check_sees_every_kind_of_import() -> None:
    source = "import flask.json\nfrom werkzeug import x\nimportlib.import_module('wiki.models')\n"
    assert [name for _, name in imported_names(ast.parse(source))] == ["flask", "werkzeug", "wiki"]
