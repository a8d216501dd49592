"""This repository's publication: its results tables, README.md's headline table and the model
zoo's cards, generated from the run records under ``results/``.

Not part of the package: the record names, the prose and the layout of the tables are this
repository's. Every ``run.json`` record is read with :mod:`scratchnn.results.records`;
:mod:`.tables` turns the records into Markdown tables, :mod:`.commands` into the commands page
of each experiment and :mod:`.zoo_cards` into the model zoo's manifests and cards;
:func:`write_all` writes them (``docs/results/_generated/*.md``,
``src/scratchnn/zoo/<name>/zoo.json`` and ``MODEL_CARD.md``) and fills README.md's headline
block. ``make results`` (``python scripts/publication``) runs it; ``make results-check``
(``--check``) only compares, and a test fails when a committed table differs from what the
records give.
"""

from __future__ import annotations

from pathlib import Path

from scratchnn.results.records import ResultsError, load_records

from .commands import EXPERIMENTS, commands_page
from .tables import BANNER, generate, readme_headline
from .zoo_cards import ZOO, ZOO_DIR, generate_zoo, zoo_index

__all__ = [
    "BANNER",
    "GENERATED_DIR",
    "README_BLOCK",
    "ZOO",
    "ResultsError",
    "fill_block",
    "render",
    "write_all",
]

#: where the generated tables go, relative to the repository root
GENERATED_DIR = Path("docs/results/_generated")
#: the README block the headline table fills
README_BLOCK = "headline"


def fill_block(text: str, name: str, content: str) -> str | None:
    """``text`` with the lines between ``<!-- BEGIN generated: name -->`` and
    ``<!-- END generated: name -->`` replaced by ``content``; None when the markers are
    missing (or out of order)."""
    begin, end = f"<!-- BEGIN generated: {name} -->", f"<!-- END generated: {name} -->"
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i:
        return None
    head = text[: i + len(begin)]
    return head + "\n" + content.rstrip("\n") + "\n" + text[j:]


def render(root: Path | str) -> tuple[dict[Path, str], str | None]:
    """What the records under ``root/results`` give: {path: text} of every generated table
    (paths relative to ``root``) and README.md's new text (None when README.md is missing or
    has no headline markers)."""
    root = Path(root)
    records = load_records(root / "results")
    files = {GENERATED_DIR / name: text for name, text in generate(records).items()}
    files[GENERATED_DIR / "zoo.md"] = BANNER + "\n\n" + zoo_index(records, root / ZOO_DIR)
    for key in EXPERIMENTS:
        files[GENERATED_DIR / f"commands-{key}.md"] = BANNER + "\n\n" + commands_page(records, key)
    files.update(generate_zoo(records, root))
    readme = root / "README.md"
    new_readme = None
    if readme.exists():
        new_readme = fill_block(
            readme.read_text(encoding="utf-8"), README_BLOCK, readme_headline(records)
        )
    return files, new_readme


def write_all(root: Path | str, check: bool = False) -> list[str]:
    """Write (or with ``check`` only compare) every generated file under ``root``; returns
    one line per file that differed (with ``check``) or was written."""
    from scratchnn.fileio import atomic_write_text

    root = Path(root)
    files, new_readme = render(root)
    if new_readme is not None:
        files[Path("README.md")] = new_readme
    lines = []
    for rel, text in files.items():
        path = root / rel
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        if check:
            lines.append(f"{rel}: differs from what the records give")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
            lines.append(f"written: {rel}")
    return lines
