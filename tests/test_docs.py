"""The documentation site's sources stay in step with the code (the build itself runs in CI:
``sphinx-build -W --keep-going -n``, see .ci/run).

Cheap checks that need no Sphinx: every public module has an API page, every page is in a
table of contents, the tutorials are the gallery's ``plot_*.py`` scripts.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "scratchnn"


def public_modules() -> set[str]:
    """Dotted names of every module of the package except private ones, ``__main__`` and the
    command line's (documented from its parser on the CLI page)."""
    names = set()
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(p.startswith("_") for p in parts) or "cli" in parts:
            continue
        names.add(".".join(parts))
    return names - {"scratchnn"}


def test_every_public_module_has_an_api_page() -> None:
    api = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+(scratchnn(?:\.\w+)+)\s*$", api, re.M))
    missing = sorted(public_modules() - listed - {"scratchnn.kernels_jit"})
    assert not missing, f"add to docs/reference/api.md: {missing}"
    for name in listed:  # a module, or a name in one
        module, _, attr = name.rpartition(".")
        if name not in public_modules():
            assert hasattr(importlib.import_module(module), attr), f"api.md: no {name}"


def test_every_page_is_in_a_toctree() -> None:
    pages = {
        p.relative_to(DOCS).with_suffix("").as_posix()
        for p in DOCS.rglob("*.md")
        if not {"_build", "_generated", "auto_tutorials"} & set(p.parts)
    }
    linked = {"index"}
    for page in pages:
        text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
        for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
            base = Path(page).parent
            for line in block.splitlines():
                if line.strip() and not line.startswith(":"):
                    linked.add((base / line.strip()).as_posix().removeprefix("./"))
    assert not sorted(pages - linked), f"pages in no toctree: {sorted(pages - linked)}"


def test_tutorials_are_gallery_scripts_with_a_title() -> None:
    scripts = sorted((DOCS / "tutorials").glob("plot_*.py"))
    assert len(scripts) >= 3
    for s in scripts:
        head = s.read_text(encoding="utf-8").split('"""')[1].strip().splitlines()
        assert len(head) >= 2 and set(head[1]) == {"="}, f"{s.name}: a title underlined with ="
