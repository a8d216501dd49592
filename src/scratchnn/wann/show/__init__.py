"""``scratchnn wann show``: one self-contained, offline HTML page per champion.

The page holds the network drawn by layers (hover or click a node to follow its paths), a
slider over the shared weight with the score at every weight of the grid and the reference
lines of the evaluation (MNIST-256: accuracy by digit and a few test images with the
prediction), and, for control tasks, recorded episodes played back. Everything is computed when
the page is written (:func:`write_page`); the page runs no model.

- :mod:`.network`: the layout by layers; :mod:`.scores`: the slider's grid; :mod:`.episodes`:
  SwingUp states and Gymnasium frames; :mod:`.page`: the page's data and the HTML template
  (``template.html``, inline CSS and JavaScript).
"""

from __future__ import annotations

from pathlib import Path

from ...fileio import atomic_write_text
from ..tasks import Task
from .page import page_data, render_page

__all__ = ["page_data", "render_page", "write_page"]


def write_page(spec: str, task: Task, out: Path | str, **options: object) -> dict:
    """Write the page of champion ``spec`` (a file or a zoo name) on ``task`` to ``out``;
    ``options``: those of :func:`~.page.page_data`. Returns the page's data."""
    data = page_data(spec, task, **options)  # type: ignore[arg-type]
    atomic_write_text(out, render_page(data))
    return data
