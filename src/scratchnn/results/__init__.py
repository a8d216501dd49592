"""Results as records, tables generated from them.

Every run the README and the docs report keeps a ``run.json`` record beside its files
(:mod:`.records`: command, commit, dirty flag, seed, resolved config, versions, summary metrics,
sha256 of each artifact). :mod:`.tables` turns the records into Markdown tables and
:mod:`.zoo_cards` into the model zoo's manifests and cards; :func:`write_all` writes them
(``docs/results/_generated/*.md``, ``src/scratchnn/zoo/<name>/zoo.json`` and
``MODEL_CARD.md``) and fills README.md's headline block. ``python -m scratchnn.results`` (or
``make results``) runs it;
``--check`` only compares, so a test can fail when a committed table differs from what the
records give.
"""

from __future__ import annotations

from pathlib import Path

from .commands import EXPERIMENTS, commands_page
from .records import RECORD, SCHEMA, Record, ResultsError, load_records, published
from .tables import BANNER, generate, readme_headline
from .zoo_cards import ZOO, ZOO_DIR, generate_zoo, zoo_index

__all__ = [
    "GENERATED_DIR",
    "README_BLOCK",
    "RECORD",
    "SCHEMA",
    "ZOO",
    "Record",
    "ResultsError",
    "fill_block",
    "generate",
    "load_records",
    "published",
    "readme_headline",
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
    from ..fileio import atomic_write_text

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
