"""Import contracts, checked on the source with ast (Harlequin's test_import_hygiene idea).

* The engine (everything outside ``sesfix/tui``) never imports Textual, anywhere.
* ``sesfix/cli.py``, ``sesfix/__init__.py``, ``sesfix/__main__.py`` and ``sesfix/commands/*``
  import boto3, botocore, Textual and moto only inside functions (or ``if TYPE_CHECKING``),
  so building the parser stays light.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import sesfix

PACKAGE = Path(sesfix.__file__).parent
HEAVY = {"boto3", "botocore", "textual", "moto", "rich"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def imported_roots(node: ast.AST) -> Iterator[tuple[str, int]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name.split(".")[0], node.lineno
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        yield node.module.split(".")[0], node.lineno
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        yield node.args[0].value.split(".")[0], node.lineno


def top_level_imports(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Imports executed when the module is imported: module body, outside TYPE_CHECKING."""

    def walk(body: list[ast.stmt]) -> Iterator[tuple[str, int]]:
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
                yield from walk(stmt.orelse)
                continue
            if isinstance(stmt, ast.ClassDef):
                yield from walk(
                    [
                        s
                        for s in stmt.body
                        if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
                    ]
                )
                continue
            for node in ast.walk(stmt):
                yield from imported_roots(node)

    yield from walk(tree.body)


def test_the_walk_sees_the_package():
    names = {p.relative_to(PACKAGE).as_posix() for p in modules()}
    assert {"cli.py", "diagnosis/engine.py", "aws/gateway.py", "commands/check.py"} <= names


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if "tui" not in p.relative_to(PACKAGE).parts],
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_engine_never_imports_textual(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = [(root, line) for node in ast.walk(tree) for root, line in imported_roots(node)]
    assert not [f for f in found if f[0] in ("textual", "rich")], f"{path}: {found}"


LIGHT = [
    p
    for p in modules()
    if p.relative_to(PACKAGE).as_posix() in ("cli.py", "__init__.py", "__main__.py")
    or p.relative_to(PACKAGE).parts[0] == "commands"
]


@pytest.mark.parametrize("path", LIGHT, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_entry_points_import_heavy_libraries_lazily(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    eager = [(root, line) for root, line in top_level_imports(tree) if root in HEAVY]
    assert not eager, f"{path} imports at module level: {eager}"


def test_the_checker_catches_an_eager_import():
    bad = ast.parse(
        "import boto3\nif TYPE_CHECKING:\n    import textual\ndef f():\n    import moto\n"
    )
    assert [r for r, _ in top_level_imports(bad)] == ["boto3"]


CORE = sorted(
    "sesfix." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    for p in modules()
    if p.relative_to(PACKAGE).parts[0] not in ("tui", "commands")
    and p.name not in ("cli.py", "__main__.py")
)


def test_importing_the_whole_core_leaves_textual_out() -> None:
    """Indirect imports too: a fresh interpreter imports every core module, then looks."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sesfix'))\n"
        "print('\\n'.join(m for m in loaded if m.startswith(('textual', 'sesfix.tui'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "", f"the core loaded: {out.stdout.split()}"


def test_the_subprocess_check_would_see_an_indirect_import() -> None:
    import subprocess
    import sys

    code = "import sesfix.tui.app, sys; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "True"
