"""The library's layout: each package imports only from itself and the packages below it, never up.

From top to bottom: checks, drawing, experiments, beyond, core, numerics (README, "The library").
``claims`` stands alone. A learner who opens ``core/`` finds the textbook and nothing it depends on
but the numerics guards.
"""

import ast
import re
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "rmsprop_lib"
LAYERS = ["checks", "drawing", "experiments", "beyond", "core", "numerics"]  # top to bottom
CORE_MAX_LINES = 1100  # "readable in one sitting"


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> set[str]:
    """Every rmsprop_lib module a file imports (absolute imports; the library uses no relative ones)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.relative_to(LIB.parent)}: a relative import; the library imports by full name"
            if node.module and node.module.startswith("rmsprop_lib"):
                if node.module == "rmsprop_lib":
                    found |= {f"rmsprop_lib.{alias.name}" for alias in node.names}
                else:
                    found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("rmsprop_lib")}
    return found


MODULES = sorted(p for p in LIB.rglob("*.py") if p.parent != LIB)


def test_every_module_lives_in_a_layer():
    assert MODULES, "no modules found: the layout test would pass vacuously"
    assert {p.parent.name for p in MODULES} == set(LAYERS)
    assert sorted(p.name for p in LIB.glob("*.py")) == ["__init__.py", "claims.py"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB)))
def test_imports_point_down_only(path):
    own = LAYERS.index(path.parent.name)
    for module in _imports(path):
        target = _package_of(module)
        assert target in LAYERS, f"{path.relative_to(LIB)} imports {module}, outside the layers"
        assert LAYERS.index(target) >= own, (
            f"{path.relative_to(LIB)} ({LAYERS[own]}) imports {module} ({target}), a layer above it")


def test_the_check_finds_an_upward_import(tmp_path):
    upward = tmp_path / "core" / "bad.py"
    upward.parent.mkdir()
    upward.write_text("from rmsprop_lib.drawing import plotting\n")
    (target,) = _imports(upward)
    assert LAYERS.index(_package_of(target)) < LAYERS.index("core")


def test_claims_stands_alone():
    assert _imports(LIB / "claims.py") == set()


def test_the_textbook_core_reads_in_one_sitting():
    lines = sum(len(p.read_text().splitlines()) for p in (LIB / "core").glob("*.py"))
    assert lines <= CORE_MAX_LINES, f"core/ has {lines} lines; keep what is not the textbook elsewhere"


def test_every_layer_is_packaged():
    # pyproject.toml's [tool.setuptools] packages = [...] (read with a pattern: tomllib is Python 3.11+)
    listed = re.search(r"^packages\s*=\s*\[([^\]]*)\]", (LIB.parent / "pyproject.toml").read_text(), re.M)
    assert listed, "pyproject.toml lists no packages"
    packages = re.findall(r'"([^"]+)"', listed.group(1))
    missing = [f"rmsprop_lib.{layer}" for layer in LAYERS if f"rmsprop_lib.{layer}" not in packages]
    assert "rmsprop_lib" in packages and missing == [], f"pyproject.toml's packages leave out {missing}"
