"""What every command shares: the shared options (``--data-dir``, ``--jobs`` / ``--executor`` /
``--address``, ``--mlflow``, ``--json``, ``--workers``), how a command registers its runner and
what it leaves behind on Ctrl-C (:func:`command`), the checks made before any work (output
locations, the data folder, the executor), and :func:`run_command`, which runs a parsed command
and turns a user error into one bounded ``error:`` line and an exit code."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ScratchnnError, bounded, caused_by_interrupt
from ..fileio import (
    atomic_write_text,
    check_output_dir,
    check_output_file,
    dumps_json,
    write_failure,
)
from ..parallel import check_executor, check_jobs

Runner = Callable[[argparse.Namespace], int]


def eprint(*args: object) -> None:
    """Print to stderr, flushed (progress and notes; stdout carries the results)."""
    print(*args, file=sys.stderr, flush=True)


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose usage errors are bounded (:func:`~scratchnn.errors.
    bounded`): an option value from the command line is echoed as an excerpt, however long."""

    def error(self, message: str):  # type: ignore[override]
        super().error(bounded(message))


# --- registering a command --------------------------------------------------------------------

NOTHING_WRITTEN = "interrupted: nothing was written"


@dataclass(frozen=True)
class Command:
    """How :func:`run_command` treats a command: its Ctrl-C line (a text, or a function of the
    parsed arguments), whether ``--out`` names a file rather than a folder, the folder whose
    parent is checked when ``--out`` is left out, and whether ``--data-dir`` is an output (only
    ``data fetch`` creates one)."""

    interrupted: str | Callable[[argparse.Namespace], str] = NOTHING_WRITTEN
    out_is_file: bool = False
    default_out: Path | None = None
    makes_data_dir: bool = False

    def interrupted_line(self, args: argparse.Namespace) -> str:
        text = self.interrupted
        return text if isinstance(text, str) else text(args)


def command(p: argparse.ArgumentParser, run: Runner, **how: Any) -> None:
    """Make ``p`` run ``run(args)``; ``how``: the :class:`Command` fields (its Ctrl-C line ...)."""
    p.set_defaults(func=run, cli_command=Command(**how))


# --- shared options ---------------------------------------------------------------------------

DATA_DIR_HELP = (
    "folder of the verified MNIST cache (default: $SCRATCHNN_DATA_DIR, else "
    "~/.cache/scratchnn/mnist)"
)


def add_data_dir(p: argparse.ArgumentParser, note: str = "", progress: bool = False) -> None:
    """``--data-dir`` (and, with ``progress``, ``--no-progress``) on a subcommand."""
    p.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP + note)
    if progress:
        p.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_parallel(p: argparse.ArgumentParser, jobs: str | None = "runs") -> None:
    """``--jobs`` (when ``jobs`` names what runs at once), ``--executor`` and ``--address``."""
    if jobs:
        p.add_argument(
            "--jobs",
            type=int,
            help=f"{jobs} at once, each in its own worker process with one BLAS thread "
            "(default: the usable cores; 1 runs them in this process); the results do not "
            "depend on it",
        )
    p.add_argument(
        "--executor",
        default="local",
        choices=["local", "ray"],
        help="local: this machine (default); ray: a Ray cluster (pip install 'scratchnn[ray]')",
    )
    p.add_argument(
        "--address",
        help="--executor ray: the cluster's address (auto, or HEAD:6379); default: start a "
        "local Ray",
    )


def add_mlflow(p: argparse.ArgumentParser) -> None:
    """``--mlflow [URI]`` and ``--mlflow-experiment NAME``."""
    p.add_argument(
        "--mlflow",
        nargs="?",
        const="",
        metavar="URI",
        help="log params, per-epoch metrics and figures to MLflow (nested runs), at URI "
        "(default $MLFLOW_TRACKING_URI or sqlite:///mlflow.db; a file ending in .db; "
        "http://host:port); needs pip install 'scratchnn[mlflow]'",
    )
    p.add_argument(
        "--mlflow-experiment",
        default="scratchnn",
        metavar="NAME",
        help="MLflow experiment name (default scratchnn)",
    )


def add_workers(p: argparse.ArgumentParser) -> None:
    """``--workers`` of the Gymnasium tasks."""
    p.add_argument(
        "--workers",
        type=int,
        help="Gymnasium tasks (biped, gym:ENV_ID): processes that run the episodes (default: "
        "the usable cores); the scores do not depend on it",
    )


def add_backend(p: argparse.ArgumentParser) -> None:
    """``--backend`` of the Gymnasium tasks."""
    p.add_argument(
        "--backend",
        choices=("gymnasium", "envpool"),
        help="Gymnasium tasks: the environments that run the episodes, Gymnasium's (Python) or "
        "EnvPool's (C++; pip install 'scratchnn[envpool]'). Default: gymnasium, whether or "
        "not EnvPool is installed",
    )


def add_json(p: argparse.ArgumentParser) -> None:
    """``--json FILE``."""
    p.add_argument("--json", type=Path, help="also write the results as JSON")


def write_json(args: argparse.Namespace, data: Any, indent: int = 1) -> None:
    """Write ``data`` to ``--json FILE`` (atomically) and say so, when the option was given."""
    if args.json:
        atomic_write_text(args.json, dumps_json(data, indent=indent))
        print(f"written: {args.json}")


def short(x: float) -> str:
    """``2e-4`` rather than ``0.0002`` for small numbers; ``%g`` otherwise."""
    if x and abs(x) < 1e-3:
        mantissa, exponent = f"{x:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{x:g}"


# --- MLflow -----------------------------------------------------------------------------------


def tracked(args: argparse.Namespace, name: str, params: dict[str, Any]):
    """The command's MLflow parent run under ``--mlflow`` (:func:`scratchnn.tracking.command_run`),
    else a context that gives ``None``."""
    if args.mlflow is None:
        return contextlib.nullcontext(None)
    from ..tracking import command_run

    return command_run(args.mlflow, args.mlflow_experiment, name, params, eprint)


def child_runs(parent: Any):
    """Nested MLflow runs under ``parent`` (one per training run), or ``None``."""
    if parent is None:
        return None
    from ..tracking import ChildRuns

    return ChildRuns(parent.tracker, parent)


def parallel_options(args: argparse.Namespace, parent: Any) -> dict[str, Any]:
    """The keyword arguments ``--jobs``, ``--executor`` and ``--address`` (:func:`add_parallel`)
    become for a sweep, a reproduction or a study, with the MLflow runs nested under ``parent``
    (:func:`child_runs`)."""
    return {
        "jobs": check_jobs(args.jobs),
        "executor": args.executor,
        "address": args.address,
        "hooks": child_runs(parent),
    }


# --- checks before any work -------------------------------------------------------------------

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def check_data_dir(args: argparse.Namespace) -> None:
    """A ``--data-dir`` that does not exist is a typo more often than a wish: only ``data
    fetch`` creates one (and says so); every other command refuses it before any work."""
    data_dir = getattr(args, "data_dir", None)
    if data_dir is None or Path(data_dir).is_dir():
        return
    if args.cli_command.makes_data_dir:
        eprint(f"creating the MNIST cache folder {data_dir}")
        return
    raise ScratchnnError(
        f"--data-dir {data_dir} is not a folder; fetch MNIST there first with `scratchnn data "
        f"fetch --data-dir {data_dir}`, or leave --data-dir out for the default cache"
    )


def check_outputs(args: argparse.Namespace) -> None:
    """Every output location of the command, checked before any work (a run must not train for
    an hour and then fail to save): ``--out`` (a folder, or a file where the command says so;
    the parent of its default folder when left out), ``--json``, ``--markdown`` and ``--figure``
    (files whose folder must exist), and the folder ``data fetch`` writes the cache into. A
    command added later is covered by these option names."""
    how: Command = args.cli_command
    out = getattr(args, "out", None)
    if out is None:
        out = how.default_out
    if out is not None and how.out_is_file:
        check_output_file(out, "--out")
    elif out is not None:
        check_output_dir(out, "--out")
    if how.makes_data_dir and args.data_dir is not None:
        check_output_dir(args.data_dir, "--data-dir")
    for option in ("json", "markdown"):  # file outputs of any command that has them
        if getattr(args, option, None) is not None:
            check_output_file(getattr(args, option), f"--{option}")
    figure = getattr(args, "figure", None)
    if figure is not None:
        if Path(figure).suffix.lower() not in FIGURE_SUFFIXES:
            raise ScratchnnError(
                f"--figure {figure}: give a file name ending in {', '.join(FIGURE_SUFFIXES)}"
            )
        check_output_file(figure, "--figure")


def check_parallel(args: argparse.Namespace) -> None:
    """``--executor`` with ``--address``, and ``--jobs``, of the commands that have them."""
    if hasattr(args, "executor"):
        check_executor(args.executor, args.address)
        if getattr(args, "jobs", None) is not None:
            check_jobs(args.jobs)


# --- running a command ------------------------------------------------------------------------


def run_command(args: argparse.Namespace) -> int:
    """Check ``args`` and run its command; returns the exit code (see :mod:`scratchnn.cli`):
    a user error is one ``error:`` line (at most :data:`~scratchnn.errors.MAX_MESSAGE`
    characters after ``error: ``) and 2; Ctrl-C is the command's line saying what it leaves
    behind, and 130."""
    how: Command = args.cli_command
    try:
        check_outputs(args)
        check_data_dir(args)
        check_parallel(args)
        return int(args.func(args) or 0)
    except ScratchnnError as exc:
        eprint(f"error: {bounded(str(exc))}")
        return 2
    except KeyboardInterrupt:
        eprint(how.interrupted_line(args))
        return 130
    except SystemError as exc:
        # Ctrl-C inside a compiled (Numba) kernel: a SystemError caused by the KeyboardInterrupt
        if not caused_by_interrupt(exc):
            raise
        eprint(how.interrupted_line(args))
        return 130
    except OSError as exc:
        # a write that failed after the checks (the disk filled up, the folder was removed):
        # what was written before is whole (outputs are replaced atomically)
        if exc.errno is None:
            raise
        eprint(f"error: {bounded(write_failure(exc))}")
        return 2
