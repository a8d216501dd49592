"""Hyper-parameter studies with Optuna: TPE sampling, pruning on validation accuracy, resumable.

The search space is a YAML file (:mod:`scratchnn.experiments.space`). Each trial trains on the
training split and reports validation accuracy after every epoch (the pruner may stop it); its
value is its best validation accuracy. **The test set is never touched by a trial**: only the
final model, trained once on the best config, is evaluated on it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import validation as check
from .._optional import require
from ..config import RunConfig
from ..data import Splits
from ..errors import ConfigError
from ..fileio import atomic_write_text, dumps_json, save_figure
from ..runs import NUM_CLASSES, summary_line, train_from_config, write_run
from .space import TuneSpec, load_spec

PRUNERS = ("median", "asha", "none")


def _pruner(name: str):
    optuna = require("optuna", "tune", "scratchnn tune")

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1)
    if name == "asha":
        return optuna.pruners.SuccessiveHalvingPruner()
    return optuna.pruners.NopPruner()


_INTERRUPTED = {"now": False}  # set when Ctrl-C ends a trial (see _quiet_interrupts)


def _quiet_interrupts(record: logging.LogRecord) -> bool:
    """Drop Optuna's two warnings (one with a traceback) about a trial that Ctrl-C ended: the
    command reports the interrupt in one line."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, KeyboardInterrupt):
        return False
    return not (_INTERRUPTED["now"] and record.getMessage().startswith("Trial "))


def storage_for(storage: str | None, out: Path | None = None) -> Any:
    """The Optuna storage a ``--storage`` value names: a URL with ``://`` (``sqlite:///...``,
    ``postgresql://...``: Optuna's RDB storage), else a journal file path (Optuna's
    :class:`~optuna.storages.JournalStorage`, safe for several processes on one machine or on
    a shared file system). ``None``: ``OUT/study.journal``, or the ``OUT/study.db`` (SQLite) an
    earlier scratchnn wrote there, which is kept."""
    optuna = require("optuna", "tune", "scratchnn tune")

    if storage is None:
        if out is None:
            raise ConfigError("a study needs a storage (--storage) or an output folder")
        old = Path(out) / "study.db"
        if old.exists():
            return f"sqlite:///{old.resolve()}"
        storage = str(Path(out) / "study.journal")
    if "://" in storage:
        return storage
    backend = optuna.storages.journal.JournalFileBackend(str(Path(storage).resolve()))
    return optuna.storages.JournalStorage(backend)


def storage_spec(storage: str | None, out: Path | None) -> str:
    """What :func:`storage_for` opens, as a string another process can open again."""
    if storage is None and out is not None:
        old = Path(out) / "study.db"
        if old.exists():
            return f"sqlite:///{old.resolve()}"
        return str((Path(out) / "study.journal").resolve())
    if storage is not None and "://" not in storage:
        return str(Path(storage).resolve())
    return storage or ""


def open_study(
    storage: Any,
    study_name: str = "scratchnn",
    pruner: str = "median",
    seed: int = 0,
):
    """Create the study, or load it (same ``storage`` and ``study_name``) to continue it.

    ``storage``: a spec of :func:`storage_for` or an Optuna storage. The TPE sampler is seeded
    with ``seed`` plus the number of trials already in the study, so a continued study does not
    draw its first parameters again. Trials left RUNNING by a process of this host that has died
    (kill -9) are marked FAIL. A storage that is not a usable study (a garbage ``study.db``,
    another program's SQLite file, a bad URL) is a :class:`~scratchnn.errors.ConfigError`,
    raised before any data is loaded or trained."""
    optuna = require("optuna", "tune", "scratchnn tune")
    from sqlalchemy.exc import SQLAlchemyError

    if pruner not in PRUNERS:
        raise ConfigError(f"pruner must be one of {', '.join(PRUNERS)}, got {pruner!r}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for handler in logging.getLogger("optuna").handlers:
        if _quiet_interrupts not in handler.filters:
            handler.addFilter(_quiet_interrupts)
    where = storage if isinstance(storage, str) else "the journal file"
    try:
        if isinstance(storage, str):
            storage = storage_for(storage)
        study = optuna.create_study(
            study_name=study_name,
            storage=storage,
            direction="maximize",
            load_if_exists=True,
            pruner=_pruner(pruner),
        )
        fail_stale_trials(study)
        study.sampler = optuna.samplers.TPESampler(seed=seed + len(study.trials))
        return study
    except (SQLAlchemyError, optuna.exceptions.OptunaError, ValueError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ConfigError(
            f"cannot open the study {study_name!r} in {where} ({type(exc).__name__}: "
            f"{reason}); move a damaged study file away, or give another --storage / --out"
        ) from exc


def fail_stale_trials(study: Any) -> list[int]:
    """Mark FAIL the RUNNING trials whose process (pid and host user attributes) is gone from
    this host, or that name no process (written before scratchnn recorded them, or killed
    between the two writes). A pid without a host (killed between the writes when scratchnn
    wrote the pid first) is taken as this host's. Returns their numbers."""
    optuna = require("optuna", "tune", "scratchnn tune")

    from .store import pid_alive

    host, stale = socket.gethostname(), []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        pid, where = t.user_attrs.get("pid"), t.user_attrs.get("host")
        if pid is None or (where in (host, None) and not pid_alive(int(pid))):
            study.tell(t.number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
            stale.append(t.number)
    return stale


@dataclass
class TrialOutcome:
    """What a trial's training gives back to the process that runs the study."""

    state: str  # "complete" or "pruned"
    value: float | None  # best validation accuracy (pruned: the last epoch's)
    seconds: float
    status: str  # the run's status ("ok", "diverged", ...; "pruned")
    epochs: list  # its EpochRecords, for the trackers
    result: Any = None  # the FitResult (complete trials), without its parameters


def run_trial(
    spec: TuneSpec,
    values: dict[str, Any],
    trial: Any,
    data: Splits,
    log: Callable[[str], None],
) -> TrialOutcome:
    """Train one trial's config, reporting validation accuracy to ``trial`` (an Optuna trial,
    which may prune it) after every epoch. Returns its :class:`TrialOutcome`: state
    ``"complete"`` with the best validation accuracy, or ``"pruned"`` with the last one."""
    optuna = require("optuna", "tune", "scratchnn tune")

    cfg = spec.config(values)
    epochs: list = []

    def report(rec) -> None:
        epochs.append(rec)
        trial.report(rec.val_acc, rec.epoch)
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {rec.epoch}")

    t0 = time.perf_counter()
    try:
        result = train_from_config(cfg, data, on_epoch=report, log=log)
    except optuna.TrialPruned:
        seconds = time.perf_counter() - t0
        return TrialOutcome("pruned", epochs[-1].val_acc, seconds, "pruned", epochs)
    value = max((r.val_acc for r in result.history), default=0.0)
    result.best_params = None  # not needed by the study; keeps what a worker sends back small
    return TrialOutcome("complete", value, time.perf_counter() - t0, result.status, epochs, result)


def trial_task(
    spec: TuneSpec,
    values: dict[str, Any],
    storage: str,
    study_name: str,
    pruner: str,
    trial_id: int,
    data: Splits | None = None,
) -> TrialOutcome:
    """:func:`run_trial` in a worker process or a Ray task: the trial is reached through the
    study's storage (reports and pruning decisions go through it)."""
    optuna = require("optuna", "tune", "scratchnn tune")

    from ..parallel import worker_global

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(
        study_name=study_name, storage=storage_for(storage), pruner=_pruner(pruner)
    )
    trial = optuna.trial.Trial(study, trial_id)
    data = data if data is not None else worker_global("data")
    return run_trial(spec, values, trial, data, log=lambda line: None)


def run_study(
    spec: TuneSpec,
    data: Splits,
    *,
    trials: int | None = 20,
    timeout: float | None = None,
    storage: str | None = None,
    study_name: str = "scratchnn",
    pruner: str = "median",
    seed: int = 0,
    log: Callable[[str], None] = print,
    study: Any = None,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    hooks: Any = None,
):
    """Create or continue (same ``storage`` and ``study_name``) a study and run ``trials`` more.

    ``study``: one opened with :func:`open_study` (then ``study_name``, ``pruner`` and ``seed``
    are not used; ``storage`` is still what worker processes open). This process asks the
    sampler for each trial's parameters and tells the study its result; the training runs here
    (``jobs`` 1), in ``jobs`` worker processes, or as Ray tasks (``executor="ray"``; the workers
    must reach ``storage``). With ``jobs`` 1 a seeded study is reproducible; with more, TPE
    samples while earlier trials are still running, so the trials differ (TPE is sequential).
    ``hooks`` sees each trial, as it finishes, as a training run named ``trial N`` (see
    :class:`~scratchnn.experiments.runner.RunHooks`)."""

    if study is None:
        if storage is None:
            raise ConfigError("run_study needs a storage URL or an opened study")
        study = open_study(storage, study_name, pruner, seed)
    parallel = jobs > 1 or executor == "ray"
    if parallel and (not storage or storage in ("sqlite://", "sqlite:///:memory:")):
        raise ConfigError(
            "parallel trials need a storage that worker processes can open (a journal file or "
            "a database URL), not an in-memory one"
        )
    _INTERRUPTED["now"] = False
    trial_data = Splits(data.train, data.val, None)  # trials never see the test set
    done_before = len(study.trials)
    limits = [f"{trials} trials" if trials else "", f"{timeout:g} s" if timeout else ""]
    log(
        f"study {study.study_name!r}: running {' or '.join(x for x in limits if x) or 'trials'} "
        f"({done_before} already in the study"
        + (f"; {jobs} at once" if jobs > 1 and executor == "local" else "")
        + (" on Ray" if executor == "ray" else "")
        + "); one line per finished trial"
    )
    with contextlib.ExitStack() as stack:
        submit, cap = _trial_executor(
            stack, study, spec, storage or "", pruner, trial_data, jobs, executor, address, log
        )
        _drive_trials(study, spec, submit, cap, trials, timeout, log, hooks)
    log(f"{len(study.trials) - done_before} trials run now, {len(study.trials)} in the study")
    return study


def _trial_executor(stack, study, spec, storage, pruner, data, jobs, executor, address, log):
    """``submit(trial, values) -> Future`` and how many trials to keep in flight."""
    import concurrent.futures as cf

    from ..parallel import local_pool, ray_pool, stop_pool

    name = study.study_name
    if executor == "ray":
        pool, ref, cpus = ray_pool(stack, address, data)

        def on_ray(trial, values):
            return pool.submit(
                trial_task, spec, values, storage, name, pruner, trial._trial_id, ref
            )

        return on_ray, max(jobs, cpus)
    if jobs > 1:
        pool = local_pool(jobs, {"data": data})
        stack.push(lambda kind, *_: stop_pool(pool, now=kind is not None))

        def on_pool(trial, values):
            return pool.submit(trial_task, spec, values, storage, name, pruner, trial._trial_id)

        return on_pool, jobs

    def inline(trial, values):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(run_trial(spec, values, trial, data, log))
        except KeyboardInterrupt:
            _INTERRUPTED["now"] = True
            raise
        except ConfigError as exc:
            fut.set_exception(exc)
        return fut

    return inline, 1


def _drive_trials(study, spec, submit, cap, trials, timeout, log, hooks=None) -> None:
    """Ask, submit (at most ``cap`` at once) and tell until ``trials`` trials or ``timeout``
    seconds; a trial still running when the job stops (Ctrl-C, an error) is marked FAIL. Each
    finished trial goes to ``hooks`` (as a run named ``trial N``, with its epochs)."""
    import concurrent.futures as cf

    optuna = require("optuna", "tune", "scratchnn tune")

    t0, started, finished = time.perf_counter(), 0, 0
    in_flight: dict[cf.Future, Any] = {}
    host = socket.gethostname()

    def more() -> bool:
        if trials is not None and started >= trials:
            return False
        return timeout is None or time.perf_counter() - t0 < timeout

    try:
        while more() or in_flight:
            while more() and len(in_flight) < cap:
                trial = study.ask()
                # host first: a kill -9 between the two writes leaves no pid, which the next
                # start reads as stale (fail_stale_trials)
                trial.set_user_attr("host", host)
                trial.set_user_attr("pid", os.getpid())
                values = {p.key: p.suggest(trial) for p in spec.params}
                started += 1
                try:
                    fut = submit(trial, values)
                except BaseException:  # Ctrl-C in a trial trained in this process
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    raise
                in_flight[fut] = (trial, values)
            done, _ = cf.wait(in_flight, timeout=1.0, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                trial, values = in_flight.pop(fut)
                try:
                    outcome = fut.result()
                except ConfigError as exc:
                    frozen = study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    if hooks is not None:
                        observer = hooks.start_run(f"trial {trial.number}", {})
                        hooks.abort_run(observer, exc)
                else:
                    trial.set_user_attr("seconds", outcome.seconds)
                    trial.set_user_attr("status", outcome.status)
                    if outcome.state == "pruned":
                        frozen = study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                    else:
                        frozen = study.tell(trial, outcome.value)
                    if hooks is not None:
                        _track_trial(hooks, spec, trial.number, values, outcome)
                finished += 1
                prefix = f"[{finished}/{trials}]" if trials else f"[{finished}]"
                log(trial_line(study, frozen, prefix))
    finally:
        for trial, _ in in_flight.values():  # stopped early: not left RUNNING
            with contextlib.suppress(Exception):
                study.tell(trial, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)


def _track_trial(hooks: Any, spec: TuneSpec, number: int, values: dict, outcome) -> None:
    """Hand a finished trial to ``hooks`` as a training run: its config, its epochs, and its
    end (a pruned trial ends as the tracker ends pruned runs)."""
    optuna = require("optuna", "tune", "scratchnn tune")

    observer = hooks.start_run(f"trial {number}", spec.config(values).to_dict())
    for rec in outcome.epochs:
        observer.on_epoch(rec)
    if outcome.state == "pruned":
        hooks.abort_run(observer, optuna.TrialPruned(f"pruned after epoch {len(outcome.epochs)}"))
    else:
        hooks.finish_run(observer, outcome.result)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def trial_line(study: Any, trial: Any, prefix: str = "") -> str:
    """One line for a finished trial: number, state, value (best validation accuracy; a pruned
    trial's is its last epoch's), seconds, the best so far, and the trial's parameters, e.g.
    ``[3/20] trial 2 complete: val 0.9731, 41.2 s (best 0.9744, trial 1); learning_rate=0.31``.
    """
    optuna = require("optuna", "tune", "scratchnn tune")

    state = trial.state.name.lower()
    if trial.state == optuna.trial.TrialState.PRUNED:
        state = f"pruned after epoch {trial.last_step}"
    value = f"val {trial.value:.4f}" if trial.value is not None else "no value"
    seconds = trial.duration.total_seconds() if trial.duration is not None else float("nan")
    try:
        best = f" (best {study.best_value:.4f}, trial {study.best_trial.number})"
    except ValueError:  # no complete trial yet
        best = ""
    params = ", ".join(f"{k}={_short(v)}" for k, v in trial.params.items())
    head = f"{prefix} " if prefix else ""
    return f"{head}trial {trial.number} {state}: {value}, {seconds:.1f} s{best}; {params}"


def best_config(spec: TuneSpec, study) -> RunConfig:
    return spec.config(study.best_trial.params)


def write_outputs(
    spec: TuneSpec,
    study,
    out: Path,
    data: Splits | None,
    log: Callable[[str], None] = print,
    hooks: Any = None,
) -> dict[str, Any]:
    """best.yaml, trials.csv, plots, the final model (the only test evaluation), summary.md.

    ``hooks`` observes the final model's training as a run named ``final``."""
    optuna = require("optuna", "tune", "scratchnn tune")
    from optuna.visualization import matplotlib as ovm

    from ..plots import pyplot

    plt = pyplot()

    out.mkdir(parents=True, exist_ok=True)
    cfg = best_config(spec, study)
    atomic_write_text(out / "best.yaml", cfg.to_yaml())
    rows = []
    for t in study.trials:
        rows.append(
            {
                "number": t.number,
                "state": t.state.name,
                "value": t.value,
                "epochs": len(t.intermediate_values),
                "seconds": t.user_attrs.get("seconds"),
                **{f"param:{k}": v for k, v in t.params.items()},
            }
        )
    keys = sorted({k for r in rows for k in r}, key=lambda k: (k.startswith("param:"), k))
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=keys)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "trials.csv", table.getvalue())
    plots = {}
    for name, fn in (
        ("optimization_history", ovm.plot_optimization_history),
        ("param_importances", ovm.plot_param_importances),
        ("intermediate_values", ovm.plot_intermediate_values),
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                ax = fn(study)
            fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
            fig.set_size_inches(8, 5)
            fig.tight_layout()
            save_figure(fig, out / f"{name}.png")
            plt.close(fig)
            plots[name] = f"{name}.png"
        except (ValueError, RuntimeError, ZeroDivisionError) as exc:
            plots[name] = f"not drawn: {exc}"
    final = None
    if data is not None:
        log("training the final model on the best config (the only test-set evaluation)")
        observer = hooks.start_run("final", cfg.to_dict()) if hooks else None
        try:
            result = train_from_config(
                cfg, data, log=log, on_epoch=observer.on_epoch if observer else None
            )
            write_run(out / "final", cfg, result)
        except BaseException as exc:
            if hooks is not None:
                hooks.abort_run(observer, exc)
            raise
        if hooks is not None:
            hooks.finish_run(observer, result, out / "final")
        final = result.metrics()
        log(summary_line(result))
    states = [t.state for t in study.trials]
    summary = {
        "study": study.study_name,
        "trials": len(study.trials),
        "complete": states.count(optuna.trial.TrialState.COMPLETE),
        "pruned": states.count(optuna.trial.TrialState.PRUNED),
        "failed": states.count(optuna.trial.TrialState.FAIL),
        "best_trial": study.best_trial.number,
        "best_val_acc": study.best_value,
        "best_params": study.best_trial.params,
        "final": final,
        "plots": plots,
    }
    atomic_write_text(out / "summary.json", dumps_json(summary, indent=2, default=str))
    lines = [
        f"# Study `{study.study_name}`",
        "",
        f"{summary['trials']} trials: {summary['complete']} complete, {summary['pruned']} pruned, "
        f"{summary['failed']} failed. Selection by validation accuracy only.",
        "",
        f"Best trial {summary['best_trial']}: validation accuracy {study.best_value:.4f} with "
        + ", ".join(f"`{k}={v}`" for k, v in study.best_trial.params.items())
        + ".",
        "",
        "Best config: `best.yaml` (runs unchanged with `scratchnn train --config best.yaml`).",
        "",
    ]
    if final:
        lines += [
            f"Final model (best config, seed {cfg.train.seed}, the only test evaluation): "
            f"test accuracy {final['test_acc']:.4f}, best validation {final['val_acc_best']:.4f}, "
            f"{final['seconds']:.0f} s of training.",
            "",
        ]
    lines += [f"![{k}]({v})" if v.endswith(".png") else f"- {k}: {v}" for k, v in plots.items()]
    atomic_write_text(out / "summary.md", "\n".join(lines) + "\n")
    return summary


def check_run_arguments(
    trials: Any, timeout: Any, pruner: Any, seed: Any, jobs: Any, executor: Any, study_name: Any
) -> None:
    """The door checks of :func:`run_tune` (and ``scratchnn tune``): counts, seconds and names
    in range, before anything is read or written."""
    if trials is not None:
        check.integer(trials, "trials", low=1)
    if timeout is not None:
        check.real(timeout, "timeout", low=0, low_open=True, fix="a number of seconds")
    check.choice(pruner, "pruner", PRUNERS)
    check.integer(seed, "seed", low=0)
    check.integer(jobs, "jobs", low=1)
    check.choice(executor, "executor", ("local", "ray"))
    check.instance(study_name, "study_name", str, "a string")


def run_tune(
    space: Path | str,
    out: Path | str = "runs/tune",
    *,
    trials: int | None = 20,
    timeout: float | None = None,
    storage: str | None = None,
    study_name: str = "scratchnn",
    pruner: str = "median",
    seed: int = 0,
    data: Splits | None = None,
    data_dir: Path | str | None = None,
    log: Callable[[str], None] = print,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    hooks: Any = None,
) -> dict[str, Any]:
    """The tuning job (``scratchnn tune``): load and validate the search space, run (or continue)
    the study, train the final model once on the best config, write every output into ``out``.

    ``storage`` defaults to the journal file ``OUT/study.journal`` (or the ``OUT/study.db`` an
    earlier scratchnn wrote); ``data`` to the faithful MNIST split; ``jobs``, ``executor``,
    ``address``: where the trials train (:func:`run_study`). ``hooks`` observes every trial and
    the final model. Returns the summary of :func:`write_outputs`.
    """
    from ..data import faithful_split, load_mnist

    check_run_arguments(trials, timeout, pruner, seed, jobs, executor, study_name)
    if data is not None:
        check.splits(data, "data", n_features=None, n_classes=NUM_CLASSES)
    spec = load_spec(space)  # validated before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    storage = storage_spec(storage, out)
    study = open_study(storage, study_name, pruner, seed)  # a damaged study file: refused now
    if data is None:
        data = faithful_split(load_mnist(data_dir, log=log))
    study = run_study(
        spec,
        data,
        trials=trials,
        timeout=timeout,
        log=log,
        study=study,
        storage=storage,
        jobs=jobs,
        executor=executor,
        address=address,
        hooks=hooks,
    )
    return write_outputs(spec, study, out, data, log=log, hooks=hooks)
