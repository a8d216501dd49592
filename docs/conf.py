"""Sphinx configuration of the scratchnn documentation (``make docs``).

CI builds it with warnings as errors: ``sphinx-build -W --keep-going -n -b html docs
docs/_build/html``. The tutorials under ``docs/tutorials/plot_*.py`` run at every build
(sphinx-gallery); ``SCRATCHNN_DOCS_FAST=1`` skips running them. MathJax is served from the site's
``_static`` (``_ext/mathjax_offline.py``: fetched with ``npm`` once), so formulas render offline.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version as _version
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "scratchnn"
author = "the scratchnn authors"
copyright = "scratchnn authors, MIT licence"
release = _version("scratchnn")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "mathjax_offline",  # MathJax served from _static (from the npm registry at build time)
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "generated_tables",
    "code_tables",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# quotes and ellipses only: "--source" in a help text stays two hyphens, not a dash
smartquotes_action = "qe"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "**/_generated/*",  # included by the results pages, never pages of their own
    "tutorials/README.rst",
    "**/*.ipynb",
    "**.py.md5",
    "auto_tutorials/*.py",
    "auto_tutorials/*.ipynb",
    "auto_tutorials/*.zip",
]

# --- Markdown (MyST) --------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "fieldlist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # the included CHANGELOG and tables start below level 1

# --- API reference: autodoc + autosummary + numpydoc -------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = False  # not Gymnasium's or scikit-learn's texts
autodoc_typehints = "none"  # numpydoc shows the documented types; signatures stay readable
autodoc_mock_imports = ["envpool", "mlflow", "ray", "torch"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -n: names outside scratchnn have no inventory here (the build needs no network)
nitpick_ignore_regex = [
    (
        "py:.*",
        r"(numpy|np|pathlib|argparse|collections|typing|concurrent|sqlite3|optuna|mlflow|"
        r"ray|gymnasium|matplotlib|sklearn|threadpoolctl|numba|cma|envpool|yaml|io|os|json|"
        r"dataclasses|contextlib|enum|abc|types|multiprocessing|subprocess|builtins|pickle|platform)(\..*)?",
    ),
    (
        "py:.*",
        r"(Path|ndarray|Any|Callable|Iterator|Iterable|Sequence|Mapping|Generator|"
        r"Figure|Axes|Namespace|ArgumentParser|Connection|Study|Trial|Enum|Exception|"
        r"BaseException|ValueError|OSError|KeyError|RuntimeError|dict|list|tuple|int|float|str|"
        r"bool|bytes|object|None|type)",
    ),
    # relative names in module summaries, resolved on the modules' own pages
    ("py:func", r"run_sweep|search"),
    ("py:attr", r"env"),
]

# --- Tutorials: sphinx-gallery ------------------------------------------------------------------
FAST = os.environ.get("SCRATCHNN_DOCS_FAST") == "1"
sphinx_gallery_conf = {
    "examples_dirs": ["tutorials"],
    "gallery_dirs": ["auto_tutorials"],
    "filename_pattern": r"/plot_",
    "plot_gallery": "False" if FAST else "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "write_computation_times": False,
}

# --- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"scratchnn {release}"
html_static_path = ["_static"]
html_css_files = ["scratchnn.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 8,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
    "pygments_light_style": "friendly",
    "pygments_dark_style": "monokai",
}
html_sidebars = {"index": [], "changelog": []}
html_context = {"default_mode": "light"}
