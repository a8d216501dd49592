"""MathJax served from the built site itself, so that formulas render offline and in a copy of
the site opened from disk (no CDN).

At build time the pinned MathJax release is fetched from the npm registry (``npm pack``, about
6 MB, once: the tarball is kept in ``docs/_build/.mathjax``), and the parts the pages use (the
TeX-to-CommonHTML component, its fonts, the TeX extensions it loads on demand, the menu) are
unpacked into a folder that Sphinx copies into ``_static/mathjax/``; ``mathjax_path`` points
there. Without ``npm`` or the registry, and without the kept tarball, the build warns (an error
under ``-W``, as in CI) and the pages load MathJax from the CDN as before.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

MATHJAX = "mathjax@3.2.2"
"""The npm package and version bundled with the site."""

SCRIPT = "mathjax/tex-chtml.js"
"""``mathjax_path``: relative to the built site's ``_static``."""

# what the site uses, inside the package's es5/: the component, its fonts, the TeX extensions
# the component's autoload fetches on demand, and the menu with its accessibility helpers
PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2/", "input/tex/extensions/", "ui/", "a11y/")

logger = logging.getLogger(__name__)


def fetch_tarball(cache: Path, package: str = MATHJAX) -> Path:
    """The npm tarball of ``package`` in ``cache`` (``npm pack``: from the npm registry the first
    time, then kept). Raises ``OSError`` (npm missing) or ``subprocess.CalledProcessError``."""
    name = package.replace("@", "-") + ".tgz"
    tarball = cache / name
    if tarball.is_file():
        return tarball
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(
            ["npm", "pack", package, "--silent", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        (Path(tmp) / name).replace(tarball)  # whole or absent: a later build trusts it
    return tarball


def unpack(tarball: Path, static: Path) -> Path:
    """The site's parts of MathJax from ``tarball`` into ``static/mathjax/``; returns
    ``static``, the folder to list in ``html_static_path``."""
    target = static / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            inside = member.name.removeprefix("package/es5/")
            if member.isfile() and inside != member.name and inside.startswith(PARTS):
                out = target / inside
                out.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(out, "wb") as dst:  # type: ignore[union-attr]
                    shutil.copyfileobj(src, dst)
    return static


def bundled_mathjax(cache: Path) -> Path:
    """Fetch (once) and unpack MathJax under ``cache``; returns the folder for
    ``html_static_path`` (it holds ``mathjax/tex-chtml.js``)."""
    return unpack(fetch_tarball(cache), cache / "static")


def _configure(app: Sphinx, config: Config) -> None:
    cache = Path(app.confdir) / "_build" / ".mathjax"
    try:
        static = bundled_mathjax(cache)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        logger.warning(
            "MathJax could not be fetched with npm (%s): the pages load it from the CDN, and "
            "formulas show as raw TeX offline",
            str(detail).strip().splitlines()[-1] if str(detail).strip() else type(exc).__name__,
        )
        return
    config.html_static_path = [*config.html_static_path, str(static)]
    config.mathjax_path = SCRIPT


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
