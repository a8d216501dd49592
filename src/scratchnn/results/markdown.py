"""Markdown pieces for tables of results: the dash of an empty cell, ``mean ± sd`` cells and
pipe tables."""

from __future__ import annotations

DASH = "–"


def pm(mean: float | None, sd: float | None, digits: int = 1, unit: str = "") -> str:
    """``mean ± sd`` with ``digits`` decimals (``mean`` alone when sd is None; a dash when
    mean is None)."""
    if mean is None:
        return DASH
    if sd is None:
        return f"{mean:.{digits}f}{unit}"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}{unit}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (GitHub / MyST pipe syntax)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"
