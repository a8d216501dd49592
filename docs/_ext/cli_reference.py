"""The parser that ``docs/reference/cli.md`` documents: :func:`scratchnn.cli.build_parser`
itself, with its help texts escaped for reStructuredText.

The help texts are plain text for a terminal: ``results/**/run.json`` or ``*.md`` there would
start RST emphasis when sphinx-argparse renders them. Escaping every RST inline-markup
character keeps the page saying exactly what ``--help`` says.
"""

from __future__ import annotations

import argparse
import re

from scratchnn.cli import build_parser as _scratchnn_parser

_SPECIAL = re.compile(r"([\\*`|_])")


def _escape(text: str | None) -> str | None:
    if not text or text is argparse.SUPPRESS:
        return text
    return _SPECIAL.sub(r"\\\1", text)


def _escape_parser(parser: argparse.ArgumentParser, seen: set[int]) -> None:
    if id(parser) in seen:
        return
    seen.add(id(parser))
    parser.description = _escape(parser.description)
    parser.epilog = _escape(parser.epilog)
    for action in parser._actions:
        action.help = _escape(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = _escape(choice.help)
            for sub in action.choices.values():
                _escape_parser(sub, seen)


def build_parser() -> argparse.ArgumentParser:
    """``scratchnn.cli.build_parser()`` with RST-escaped help texts."""
    parser = _scratchnn_parser()
    _escape_parser(parser, set())
    return parser
