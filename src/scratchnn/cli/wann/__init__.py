"""``scratchnn wann ...``: Weight Agnostic Neural Networks. One module per action, each with
``add_parser(subparsers)`` and its runner, registered in :data:`ACTIONS` (in the order of the
help screen)."""

from __future__ import annotations

import argparse

from . import bench, compare, eval, search, show, weights

ACTIONS = (search, eval, weights, compare, show, bench)
"""The modules of ``wann``'s actions; ``weights`` adds ``train-weights`` and ``baseline``."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    wa = sub.add_parser("wann", help="Weight Agnostic Neural Networks: search and evaluate")
    wsub = wa.add_subparsers(dest="wann_command", metavar="ACTION", required=True)
    for module in ACTIONS:
        module.add_parser(wsub)
