"""The package's layout: no import cycles, modules of a readable size, and every import the
README, the docs and the notebooks show works.

The import graph is built with :mod:`ast` from the sources (nothing is imported to build it).
An edge ``a -> b`` means module ``a`` imports module ``b`` anywhere: at module level, inside a
function (a deferred import) or under ``if TYPE_CHECKING``. Deferred imports count because a
cycle through one still ties the two modules together (neither can be understood, moved or
tested without the other), even when Python happens to resolve it at run time. ``from pkg import
name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg`` (its ``__init__``).
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "scratchnn"
MAX_LINES = 700
MAX_CLI_LINES = 350


def module_files() -> dict[str, Path]:
    """``{dotted module name: path}`` for every ``.py`` file of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = path
    return out


def _imported(node: ast.AST, name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The package modules an ``import`` / ``from ... import`` statement in ``name`` loads."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            for k in range(len(parts), 0, -1):  # the deepest module named
                if ".".join(parts[:k]) in modules:
                    yield ".".join(parts[:k])
                    break
        return
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        kept = package[: len(package) - node.level + 1]
        base = ".".join([*kept, node.module] if node.module else kept)
    else:
        base = node.module or ""
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            yield f"{base}.{alias.name}"
        elif base in modules:
            yield base


def import_graph() -> dict[str, set[str]]:
    """``{module: modules it imports}`` over the package (see the module docstring)."""
    modules = module_files()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[name] = {
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _imported(node, name, path, modules)
            if target != name
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_deferred_and_relative_imports() -> None:
    """The graph is not vacuous: known edges of each kind are in it."""
    graph = import_graph()
    assert "scratchnn.wann.tasks.base" in graph["scratchnn.wann.tasks.gym"]  # relative, top
    assert "scratchnn.wann.tasks.gym" in graph["scratchnn.wann.tasks"]  # inside make_task
    assert "scratchnn.wann.tasks.swingup_gym" in graph["scratchnn.wann.tasks.gym"]  # from . import
    assert "scratchnn.wann.networks.genome" in graph["scratchnn.wann.networks.packed"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles (module-level or deferred imports): " + "; ".join(
        " <-> ".join(c) for c in found
    )


def test_wann_rooms_build_on_each_other_in_one_direction() -> None:
    """``networks`` imports nothing from ``tasks`` or ``search``; ``tasks`` nothing from
    ``search`` (the order the package docstring of :mod:`scratchnn.wann` gives)."""
    graph = import_graph()
    below = {"networks": ("tasks", "search"), "tasks": ("search",)}
    wrong = [
        f"{a} -> {b}"
        for a, targets in graph.items()
        for room, above in below.items()
        if a.startswith(f"scratchnn.wann.{room}")
        for b in targets
        if any(b.startswith(f"scratchnn.wann.{r}") for r in above)
    ]
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("name", "path"), sorted(module_files().items()), ids=sorted(module_files())
)
def test_module_size(name: str, path: Path) -> None:
    n = len(path.read_text(encoding="utf-8").splitlines())
    limit = MAX_CLI_LINES if name.startswith("scratchnn.cli") else MAX_LINES
    assert n <= limit, f"{path.relative_to(ROOT)}: {n} lines, more than {limit}"


# --- the imports the documentation shows -------------------------------------------------------


def _code_blocks(text: str) -> Iterator[str]:
    """Python code blocks of a Markdown page (fences whose info names Python)."""
    for info, body in re.findall(r"^[ \t]*```+([^\n`]*)\n(.*?)^[ \t]*```", text, re.S | re.M):
        if re.search(r"python|ipython|\bpy\b|code-cell", info):
            yield body


def _sources() -> Iterator[tuple[str, str]]:
    """``(where, Python source)`` for the README, the docs pages and tutorials, the zoo's cards
    and the notebooks."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    pages += sorted((PACKAGE / "zoo").rglob("*.md"))
    skip = {"_build", "auto_tutorials", "generated"}
    for page in pages:
        if skip & set(page.parts):
            continue
        for k, block in enumerate(_code_blocks(page.read_text(encoding="utf-8"))):
            yield f"{page.relative_to(ROOT)}#{k}", block
    for script in sorted((ROOT / "docs" / "tutorials").glob("*.py")):
        yield str(script.relative_to(ROOT)), script.read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for k, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                yield f"{nb.relative_to(ROOT)}#{k}", source


def documented_imports() -> list[tuple[str, str, str]]:
    """``(module, name, where)`` for every ``from scratchnn... import name`` and ``import
    scratchnn...`` (name ``""``) in the documentation's code."""
    out = set()
    for where, source in _sources():
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("!", "%"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:  # a block that is not whole Python (console output, a fragment)
            tree = ast.parse(
                "\n".join(ln for ln in lines if re.match(r"\s*(from|import) scratchnn", ln))
            )
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scratchnn"):
                out |= {(node.module, a.name, where) for a in node.names}
            elif isinstance(node, ast.Import):
                out |= {(a.name, "", where) for a in node.names if a.name.startswith("scratchnn")}
    return sorted(out)


def test_the_documentation_shows_imports() -> None:
    """Not vacuous: the extraction finds the imports of a notebook and of a page."""
    where = {w.split("#")[0] for _, _, w in documented_imports()}
    assert {"notebooks/03_wann_xor.ipynb", "docs/howto/add-a-task.md"} <= where


@pytest.mark.parametrize(("module", "name", "where"), documented_imports(), ids=lambda v: str(v))
def test_documented_import_works(module: str, name: str, where: str) -> None:
    mod = importlib.import_module(module)
    if name and name != "*":
        has = hasattr(mod, name)
        if not has:  # a submodule: `from scratchnn.wann.tasks import swingup`
            has = importlib.util.find_spec(f"{module}.{name}") is not None
        assert has, f"{where}: `from {module} import {name}` fails"
