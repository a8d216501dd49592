"""Experiment tracking with MLflow: what ``--mlflow [URI]`` does on ``train``, ``sweep``,
``reproduce`` and ``tune`` (the optional extra ``pip install 'scratchnn[mlflow]'``).

It builds on ``mlflow-skinny``, MLflow's client-only distribution (no web server, no pandas or
pyarrow), and writes to a local SQLite store by default (``sqlite:///mlflow.db`` in the current
folder; MLflow 3 refuses its old ``./mlruns`` file store unless ``MLFLOW_ALLOW_FILE_STORE=true``).
Look at the runs with the full MLflow's UI: ``pip install mlflow`` then
``mlflow ui --backend-store-uri sqlite:///mlflow.db``. A remote server (``http://host:5000``)
works too.

What is logged, per training run: the resolved config as params (``Train.learning_rate``, ...),
one step per epoch of ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc`` and
``epoch_seconds``, the final metrics (``test_acc``, ``val_acc_best``, ...) and the run's figures
(``loss.png``, ``accuracy.png``) and files as artifacts. A sweep, ``reproduce`` and a study are
one parent run with one nested child run per setting and seed (per trial for ``tune``); the
parent carries the command's own outputs (``table.txt``, ``sweep.png``, the report, the study's
plots).

Everything MLflow is here: the training code only sees the :class:`RunObserver` callbacks
(:meth:`RunObserver.on_epoch`, an ``on_epoch`` callback of :func:`scratchnn.training.fit`).
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ._optional import require
from .errors import ScratchnnError

DEFAULT_URI = "sqlite:///mlflow.db"
DEFAULT_EXPERIMENT = "scratchnn"
SCHEMES = ("sqlite", "file", "http", "https", "databricks")
EPOCH_FIELDS = ("train_loss", "train_acc", "val_loss", "val_acc")
STATUS = {"ok": "FINISHED", "diverged": "FAILED", "interrupted": "KILLED", "failed": "FAILED"}
ARTIFACT_SUFFIXES = (".png", ".yaml", ".csv", ".json", ".md", ".html", ".txt")


class TrackingError(ScratchnnError):
    """The tracker is not installed, or its URI or store cannot be used."""


def resolve_uri(uri: str | None) -> str:
    """The tracking URI ``--mlflow`` means: ``None`` or ``""`` (the option without a value) is
    ``$MLFLOW_TRACKING_URI`` or :data:`DEFAULT_URI`; a path ending in ``.db`` is a SQLite store;
    anything else must be a URI of a scheme MLflow knows (:data:`SCHEMES`)."""
    if not uri:
        return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI
    if "://" not in uri and uri.endswith(".db"):
        return f"sqlite:///{Path(uri).resolve()}"
    scheme = urlparse(uri).scheme
    if scheme not in SCHEMES or "://" not in uri:
        raise TrackingError(
            f"--mlflow {uri!r} is not a tracking URI: give e.g. {DEFAULT_URI}, a file ending in "
            ".db, or http://127.0.0.1:5000 (or --mlflow alone for the default)"
        )
    return uri


def flatten(cfg: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"Train": {"lr": 0.1}}`` -> ``{"Train.lr": 0.1}`` (MLflow params are flat)."""
    flat: dict[str, Any] = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def final_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """A run's headline numbers without those its per-epoch curves already end on
    (``train_loss``, ``train_acc``), so that each metric is one curve."""
    return {k: v for k, v in metrics.items() if k not in EPOCH_FIELDS}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


class Tracker:
    """A connection to one MLflow store and experiment; opens runs (:meth:`start`).

    Raises :class:`TrackingError` (one line) when MLflow is not installed or the store cannot be
    opened: the command checks this before any work."""

    def __init__(
        self,
        uri: str | None = None,
        experiment: str = DEFAULT_EXPERIMENT,
        log: Callable[[str], None] | None = None,
    ) -> None:
        require("mlflow", "mlflow", "--mlflow", "mlflow-skinny")
        from mlflow.tracking import MlflowClient

        # the SQLite store's schema migrations and MLflow's notices are not the user's business
        for name in ("alembic", "mlflow"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.uri = resolve_uri(uri)
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self.failed: str | None = None  # why logging stopped (see call)
        try:
            self.client = MlflowClient(tracking_uri=self.uri)
            found = self.client.get_experiment_by_name(experiment)
            if found is None:
                self.experiment_id = self.client.create_experiment(
                    experiment, artifact_location=self._artifact_root()
                )
            else:
                self.experiment_id = found.experiment_id
        except Exception as exc:  # MLflow, SQLAlchemy, the network: all unusable-store errors
            raise TrackingError(
                f"cannot open the MLflow store {self.uri} ({_first_line(exc)})"
            ) from exc
        self.experiment = experiment

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``self.client.<method>(*args, **kwargs)``; once one such call fails (the server went
        away, the disk filled up), logging stops with one line on ``log`` and every later call
        does nothing: training goes on and writes its own outputs as usual."""
        if self.failed is not None:
            return None
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as exc:
            self.failed = _first_line(exc)
            self.log(
                f"mlflow: logging to {self.uri} stopped ({self.failed}); the command goes on and "
                "saves its own outputs as usual"
            )
            return None

    def _artifact_root(self) -> str | None:
        """Beside a SQLite store: ``<folder of the .db>/mlartifacts`` (MLflow's default is
        ``./mlruns`` under whatever folder the command ran from)."""
        parsed = urlparse(self.uri)
        if parsed.scheme != "sqlite":
            return None
        db = Path(self.uri[len("sqlite:///") :])
        return (db.resolve().parent / "mlartifacts").as_uri()

    def start(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        parent: RunObserver | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RunObserver:
        """Open a run (nested under ``parent`` when given) and log ``params`` (flattened).

        A top-level run that cannot be opened is a :class:`TrackingError` (the command has not
        started its work); a nested one that cannot, stops logging (see :meth:`call`)."""
        all_tags = {"scratchnn.command": name.split(" ")[0], **(tags or {})}
        if parent is None:
            try:
                run = self.client.create_run(self.experiment_id, run_name=name, tags=all_tags)
            except Exception as exc:
                raise TrackingError(
                    f"MLflow could not open a run in {self.uri}: {_first_line(exc)}"
                ) from exc
        else:
            all_tags["mlflow.parentRunId"] = parent.run_id
            run = self.call("create_run", self.experiment_id, run_name=name, tags=all_tags)
        observer = RunObserver(self, run.info.run_id if run is not None else "", name)
        if params:
            observer.log_params(params)
        return observer


class RunObserver:
    """One MLflow run: params, per-epoch metrics (:meth:`on_epoch`, a ``fit`` callback), final
    metrics and artifacts, then :meth:`end` with its status."""

    def __init__(self, tracker: Tracker, run_id: str, name: str) -> None:
        self.tracker = tracker
        self.run_id = run_id
        self.name = name
        self.ended = False

    def log_params(self, params: Mapping[str, Any]) -> None:
        from mlflow.entities import Param

        flat = flatten(params)
        items = [Param(k, str(v)[:6000]) for k, v in flat.items()]
        for i in range(0, len(items), 100):  # MLflow's batch limit
            self.tracker.call("log_batch", self.run_id, params=items[i : i + 100])

    def log_metrics(self, metrics: Mapping[str, Any], step: int = 0) -> None:
        """Log the finite numbers of ``metrics`` (None, NaN and non-numbers are left out)."""
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [
            Metric(k, float(v), now, step)
            for k, v in metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ]
        if items:
            self.tracker.call("log_batch", self.run_id, metrics=items)

    def on_epoch(self, record: Any) -> None:
        """``fit``'s ``on_epoch`` callback: one step (the epoch number) of the epoch's metrics."""
        values = {f: getattr(record, f) for f in EPOCH_FIELDS}
        values["epoch_seconds"] = record.seconds
        self.log_metrics(values, step=record.epoch)

    def log_artifacts(self, folder: Path | str, artifact_path: str | None = None) -> None:
        """Upload the figures and small text outputs directly in ``folder`` (not sub-folders,
        not models or databases)."""
        folder = Path(folder)
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in ARTIFACT_SUFFIXES:
                self.tracker.call("log_artifact", self.run_id, str(path), artifact_path)

    def log_result(self, result: Any, run_dir: Path | str | None = None) -> None:
        """A finished :class:`~scratchnn.training.FitResult`: its metrics (``test_acc``, ...)
        and the run directory's figures."""
        metrics = result.metrics()
        self.log_metrics(final_metrics(metrics), step=len(result.history))
        self.set_tag("scratchnn.status", str(metrics["status"]))
        self.set_tag("scratchnn.path", str(metrics.get("path")))
        if run_dir is not None:
            self.log_artifacts(run_dir)

    def set_tag(self, key: str, value: str) -> None:
        self.tracker.call("set_tag", self.run_id, key, value)

    def end(self, status: str = "ok") -> None:
        """Close the run: ``ok`` -> FINISHED, ``diverged``/``failed`` -> FAILED,
        ``interrupted`` -> KILLED."""
        if not self.ended:
            self.ended = True
            self.tracker.call("set_terminated", self.run_id, STATUS.get(status, "FINISHED"))


class ChildRuns:
    """Nested runs under ``parent``, one per training run of a sweep/reproduce plan
    (the hooks of :func:`scratchnn.experiments.runner.run_plan`)."""

    def __init__(self, tracker: Tracker, parent: RunObserver) -> None:
        self.tracker = tracker
        self.parent = parent

    def start_run(self, name: str, config: Mapping[str, Any]) -> RunObserver:
        return self.tracker.start(name, config, parent=self.parent)

    def finish_run(
        self, observer: RunObserver, result: Any, run_dir: Path | str | None = None
    ) -> None:
        observer.log_result(result, run_dir)
        observer.end(result.status)

    def abort_run(self, observer: RunObserver | None, exc: BaseException) -> None:
        """The run raised: KILLED for Ctrl-C, FAILED otherwise."""
        from .errors import caused_by_interrupt

        if observer is None:
            return
        if type(exc).__name__ == "TrialPruned":  # an Optuna trial its pruner stopped
            observer.set_tag("scratchnn.status", "pruned")
            observer.end("ok")
        else:
            observer.end("interrupted" if caused_by_interrupt(exc) else "failed")

    def skipped_run(self, name: str, config: Mapping[str, Any], record: Any) -> None:
        """A run finished before (kept in the results store): logged from its record, with the
        tag ``scratchnn.from_store``."""
        observer = self.tracker.start(
            name, config, parent=self.parent, tags={"scratchnn.from_store": "true"}
        )
        for row in record.history:
            observer.log_metrics(
                {**{f: row[f] for f in EPOCH_FIELDS}, "epoch_seconds": row["seconds"]},
                step=int(row["epoch"]),
            )
        observer.log_metrics(final_metrics(record.metrics), step=len(record.history))
        observer.end(record.status)


@contextmanager
def command_run(
    uri: str | None,
    experiment: str,
    name: str,
    params: Mapping[str, Any],
    log: Callable[[str], None],
) -> Iterator[RunObserver]:
    """The parent run of one command (``train``, ``sweep``, ``reproduce``, ``tune``): opened
    with ``params``, ended FINISHED when the block ends, KILLED on Ctrl-C, FAILED on an error.
    Says on ``log`` where the runs go and how to look at them."""
    tracker = Tracker(uri, experiment, log)
    parent = tracker.start(name, params)
    look = (
        f"open {tracker.uri} in a browser"
        if tracker.uri.startswith("http")
        else f"look with `mlflow ui --backend-store-uri {tracker.uri}` (pip install mlflow)"
    )
    log(f"mlflow: logging to {tracker.uri} (experiment {experiment!r}, run {parent.run_id})")
    log(f"mlflow: {look}")
    try:
        yield parent
    except BaseException as exc:
        from .errors import caused_by_interrupt

        parent.end("interrupted" if caused_by_interrupt(exc) else "failed")
        raise
    parent.end("ok")
