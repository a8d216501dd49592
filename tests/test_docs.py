"""The documentation site's sources stay in step with the code (the build itself runs in CI:
``sphinx-build -W --keep-going -n``, see .ci/run).

Cheap checks that need no Sphinx: every public module has an API page, every page is in a
table of contents, the tutorials are the gallery's ``plot_*.py`` scripts. In headless Chromium
(skipped without it): the MathJax the site bundles renders formulas with the network blocked,
and the check of that fails on MathJax from a CDN.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

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


# --- formulas offline: MathJax comes with the site (docs/_ext/mathjax_offline.py) --------------

MATH_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script async src="{script}"></script></head><body><main>
<p>inline <span class="math">\\(\\sigma(x) = 1 / (1 + e^{{-x}})\\)</span></p>
<div class="math">\\[\\frac{{\\partial L}}{{\\partial W}} = X^\\top \\delta\\]</div>
<p>$$\\sum_i p_i = 1$$</p>
<pre>a literal \\( in code is not a formula</pre>
</main></body></html>"""


def _browser_missing() -> str | None:
    """Why the headless-Chromium checks cannot run here, or None."""
    import os
    import shutil

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install -e '.[dev]')"
    if shutil.which("chromium") is None and not os.environ.get("CHROMIUM"):
        return "Debian package chromium not installed (make test installs it when run as root)"
    return None


def _offline_check(page: Path) -> tuple[int, dict]:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "scripts/page_check.py", str(page), "--offline-math"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_offline_math_check_fails_on_mathjax_from_a_cdn(tmp_path):
    """The check can fail: MathJax from the CDN is blocked and the TeX stays raw."""
    page = tmp_path / "cdn.html"
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
    page.write_text(MATH_PAGE.format(script=cdn), encoding="utf-8")
    code, found = _offline_check(page)
    assert code == 1 and not found["ok"]
    assert found["blocked"] == [cdn]
    assert found["math"]["typeset"] == 0
    assert len(found["math"]["raw"]) == 3  # \( \[ $$; the one inside <pre> is not counted


@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_the_bundled_mathjax_renders_formulas_offline(tmp_path):
    """The MathJax the docs build bundles (fetched with npm once, kept in docs/_build/.mathjax)
    typesets inline, display and ``$$`` formulas with the network blocked."""
    import shutil
    import subprocess
    import sys

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import mathjax_offline
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    try:
        static = mathjax_offline.bundled_mathjax(DOCS / "_build" / ".mathjax")
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"MathJax could not be fetched with npm: {exc}")
    shutil.copytree(static / "mathjax", tmp_path / "mathjax")
    page = tmp_path / "page.html"
    page.write_text(MATH_PAGE.format(script=mathjax_offline.SCRIPT), encoding="utf-8")
    code, found = _offline_check(page)
    assert found["blocked"] == [] and found["console_errors"] == []
    assert found["math"] == {"typeset": 3, "raw": []}
    assert code == 0 and found["ok"]
