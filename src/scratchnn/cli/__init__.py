"""The ``scratchnn`` command line. Every subcommand's ``--help`` explains its options.

Exit codes
----------
- **0**: the command did what it was asked, including a search that ran to its end without
  solving its Boolean task (it prints ``not solved: ...``; ``wann search --require-solved``
  makes that exit 1).
- **1**: a check the command exists to make failed: ``theory`` when a check fails,
  ``wann search --require-solved`` when the champion does not solve the task, ``wann bench
  --gym TASK --agree NETWORK`` when the two backends' mean returns differ.
- **2**: a user error, reported before any work where possible: a bad option value, a missing or
  malformed file, an output location that cannot be written, a failed write. It is one
  ``error:`` line of at most about 1,000 characters, however much input it quotes (a usage
  error, such as an unknown option, prints the command's usage line above it).
- **3**: ``train``'s run diverged (the loss became NaN or infinite); its history is saved.
- **130**: interrupted (Ctrl-C); one line says what was saved and how to continue.

Layout: one module per command group
------------------------------------
Each module declares its parser beside the function that runs it::

    def add_parser(sub: argparse._SubParsersAction) -> None:
        p = sub.add_parser("NAME", help="one line for the list", description="the --help text")
        p.add_argument(...)                  # the command's own options
        add_json(p)                          # shared options from .common
        command(p, run, interrupted="...")   # run(args) runs it; its Ctrl-C line

    def run(args: argparse.Namespace) -> int:  # the exit code
        from ..library_module import work    # import the library lazily: --help stays fast
        ...

- :mod:`.common` holds what commands share: the options ``--data-dir``, ``--jobs`` /
  ``--executor`` / ``--address``, ``--mlflow``, ``--json``, ``--workers``; :func:`.common.command`
  (the runner, its Ctrl-C line, whether ``--out`` is a file); the checks made before any work
  (every ``--out`` / ``--json`` / ``--markdown`` / ``--figure``, ``--data-dir``, the executor);
  and :func:`.common.run_command`, which turns errors into one line and an exit code.
- :mod:`.data` (``data fetch``, ``data info``), :mod:`.train`, :mod:`.sweep` (``sweep``,
  ``reproduce``), :mod:`.tune`, :mod:`.bench`, :mod:`.theory`, :mod:`.review`, and the package
  :mod:`.wann`, whose modules are the ``wann`` actions: :mod:`.wann.search`, :mod:`.wann.eval`,
  :mod:`.wann.weights` (``train-weights``, ``baseline``), :mod:`.wann.bench`.

To add a command, write its module and list it in :data:`COMMANDS` (a ``wann`` action: in
``wann.ACTIONS``) where it should appear in the help, and add its name to ``COMMANDS`` in
tests/test_cli.py, which walks every subcommand's ``--help``. To add an option to an existing
command, add it in that command's ``add_parser``. :func:`main` only parses and dispatches.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from . import bench, data, results, review, sweep, theory, train, tune, wann
from .common import Parser, run_command

COMMANDS = (data, train, sweep, tune, bench, wann, theory, review, results)
"""The command modules, in the order of the help screen (``sweep`` adds ``sweep`` and
``reproduce``)."""


class _Version(argparse.Action):
    """``--version``: the installed version and extras (:func:`scratchnn._optional.version_line`),
    read only when asked for, so that building the parser stays cheap."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from .._optional import version_line

        print(version_line())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The whole command line's parser (what sphinx-argparse documents)."""
    p = Parser(
        prog="scratchnn",
        description="scratchnn: a from-scratch neural-network lab (NumPy MLPs on MNIST, the "
        "CS7643 A1 study reproduced, executable theory, Weight Agnostic Neural Networks).",
    )
    p.add_argument(
        "--version",
        action=_Version,
        help="print the version and which extras are installed (pip install 'scratchnn[EXTRA]' "
        "adds one), and exit",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``scratchnn ARGV``; returns the exit code (see the module's docstring)."""
    # headless figures for whatever uses pyplot (scratchnn's own figures do not need it); set
    # here, in the command, so that importing the library never switches a notebook's backend
    os.environ.setdefault("MPLBACKEND", "Agg")
    return run_command(build_parser().parse_args(argv))
