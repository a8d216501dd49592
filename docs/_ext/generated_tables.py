"""Sphinx extension: the results pages include tables that ``make results``
(``scripts/publication``) generates from the run records into ``docs/results/_generated/*.md``
(and the changelog page includes ``CHANGELOG.md``).

A page includes one with MyST's ``{include}`` directive. A missing generated file is a
warning (an error under ``-W``, as CI builds) that names the command making it; with
``SCRATCHNN_DOCS_ALLOW_MISSING_TABLES=1`` (a checkout where the generator has not run) the
include is replaced by a note instead, so the rest of the site still builds.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_INCLUDE = re.compile(
    r"^(?P<fence>```+|:::+)\{include\}\s+(?P<path>\S*(?:_generated/\S+|CHANGELOG\.md))\s*\n"
    r"(?P<body>.*?)^(?P=fence)\s*$",
    re.M | re.S,
)

NOTE = """:::{{note}}
`{path}` is not in this checkout yet: the tables are generated from the run records by
`make results`.
:::
"""


def _replace_missing(app: Sphinx, docname: str, source: list[str]) -> None:
    doc_dir = (Path(app.srcdir) / docname).parent
    strict = os.environ.get("SCRATCHNN_DOCS_ALLOW_MISSING_TABLES") != "1"

    def sub(m: re.Match[str]) -> str:
        path = m.group("path")
        if (doc_dir / path).is_file():
            return m.group(0)
        message = f"{docname}: generated table {path} is missing (make results)"
        if strict:
            logger.warning(message)
        else:
            logger.info(message)
        return NOTE.format(path=path)

    source[0] = _INCLUDE.sub(sub, source[0])


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("source-read", _replace_missing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
