"""Hyper-parameter studies with Optuna: TPE sampling, pruning on validation accuracy, resumable.

A search space is a YAML file::

    base: configs/config_exp.yaml   # a config file, or an inline {Train: ..., Model: ...}
    set: [epochs=20, dtype=float32] # optional overrides of the base
    space:
      learning_rate: {low: 0.01, high: 1.0, log: true}
      hidden_size: {low: 64, high: 1024, log: true, type: int}
      activation: {choices: [sigmoid, tanh, relu]}

Keys are config keys, short (``reg``) or dotted (``Model.dropout``). Each trial trains on the
training split and reports validation accuracy after every epoch (the pruner may stop it); its
value is its best validation accuracy. **The test set is never touched by a trial**: only the
final model, trained once on the best config, is evaluated on it.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import (
    RunConfig,
    apply_overrides,
    config_from_dict,
    read_yaml,
    resolve_config_path,
)
from ..data import Splits
from ..errors import ConfigError, shown
from ..fileio import atomic_write_text, dumps_json, save_figure
from ..runs import summary_line, train_from_config, write_run

PRUNERS = ("median", "asha", "none")


@dataclass(frozen=True)
class Param:
    key: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    kind: str = "float"  # float | int | categorical
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Any) -> Any:
        if self.kind == "categorical":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.key, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.key, float(self.low), float(self.high), log=self.log)


@dataclass(frozen=True)
class TuneSpec:
    base: dict[str, Any]  # raw config mapping, overrides applied
    params: tuple[Param, ...]

    def config(self, values: Mapping[str, Any]) -> RunConfig:
        return config_from_dict(
            apply_overrides(self.base, [f"{k}={v}" for k, v in values.items()]), "tune"
        )


def _param(key: str, spec: Any) -> Param:
    if not isinstance(key, str):
        raise ConfigError(f"space: keys are config keys (strings), got {shown(key)}")
    if not isinstance(spec, Mapping):
        raise ConfigError(f"space.{key}: expected a mapping (low/high or choices)")
    unknown = set(spec) - {"low", "high", "log", "type", "choices"}
    if unknown:
        raise ConfigError(
            f"space.{key}: unknown field(s) {', '.join(sorted(str(k) for k in unknown))}; "
            "valid: low, high, log, type, choices"
        )
    if "choices" in spec:
        if not isinstance(spec["choices"], list) or not spec["choices"]:
            raise ConfigError(f"space.{key}.choices must be a non-empty list")
        return Param(key, kind="categorical", choices=tuple(spec["choices"]))
    try:
        low, high = float(spec["low"]), float(spec["high"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ConfigError(f"space.{key}: needs numeric low and high, or choices") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"space.{key}: low and high must be finite, got {low} and {high}")
    kind = spec.get("type", "float")
    if kind not in ("float", "int"):
        raise ConfigError(f"space.{key}.type must be float or int, got {kind!r}")
    log = bool(spec.get("log", False))
    if not low < high or (log and low <= 0):
        raise ConfigError(f"space.{key}: need low < high (and low > 0 with log)")
    return Param(key, low, high, log, kind)


def load_spec(path: Path | str) -> TuneSpec:
    """Read and validate a search-space YAML; every key is checked against the config schema.

    ``path`` may name a shipped search space (``tune_128``); a relative ``base`` is looked up
    beside the search space when it is not found from the current folder.
    """
    path = resolve_config_path(path)
    raw = read_yaml(path, "search space")
    unknown = set(raw) - {"base", "set", "space"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown field(s) {', '.join(sorted(str(k) for k in unknown))}; valid: base, "
            "set, space"
        )
    base = raw.get("base") or {}
    if isinstance(base, str):
        base_path = Path(base)
        if not base_path.is_absolute() and not base_path.exists():
            base_path = Path(path).parent / base
        base = read_yaml(base_path)
    sets = raw.get("set") or []
    if not isinstance(sets, list) or not all(isinstance(x, str) for x in sets):
        raise ConfigError(f"{path}: 'set' must be a list of key=value strings, got {shown(sets)}")
    base = apply_overrides(base, sets, f"{path}: base")
    space = raw.get("space")
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(f"{path}: 'space' must map config keys to ranges or choices")
    params = tuple(_param(k, v) for k, v in space.items())
    spec = TuneSpec(base, params)
    # validate keys (and the base) now, with each parameter at its low end / first choice
    spec.config(
        {
            p.key: (p.choices[0] if p.choices else p.low if p.kind == "float" else int(p.low))
            for p in params
        }
    )
    return spec


def _pruner(name: str):
    import optuna

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


def open_study(
    storage: str,
    study_name: str = "scratchnn",
    pruner: str = "median",
    seed: int = 0,
):
    """Create the study, or load it (same ``storage`` and ``study_name``) to continue it.

    A storage that is not a usable study database (a garbage ``study.db``, another program's
    SQLite file, a bad URL) is a :class:`~scratchnn.errors.ConfigError`, raised before any
    data is loaded or trained."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    if pruner not in PRUNERS:
        raise ConfigError(f"pruner must be one of {', '.join(PRUNERS)}, got {pruner!r}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for handler in logging.getLogger("optuna").handlers:
        if _quiet_interrupts not in handler.filters:
            handler.addFilter(_quiet_interrupts)
    try:
        return optuna.create_study(
            study_name=study_name,
            storage=storage,
            direction="maximize",
            load_if_exists=True,
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=_pruner(pruner),
        )
    except (SQLAlchemyError, optuna.exceptions.OptunaError, ValueError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ConfigError(
            f"cannot open the study {study_name!r} in {storage} ({type(exc).__name__}: "
            f"{reason}); move a damaged study.db away, or give another --storage / --out"
        ) from exc


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
    hooks: Any = None,
):
    """Create or continue (same ``storage`` and ``study_name``) a study and run ``trials`` more.

    ``study``: one opened with :func:`open_study` (then ``storage``, ``study_name``, ``pruner``
    and ``seed`` are not used). ``hooks`` observes each trial as a training run named
    ``trial N`` (see :class:`~scratchnn.experiments.runner.RunHooks`)."""
    import optuna

    if study is None:
        if storage is None:
            raise ConfigError("run_study needs a storage URL or an opened study")
        study = open_study(storage, study_name, pruner, seed)
    _INTERRUPTED["now"] = False
    trial_data = Splits(data.train, data.val, None)  # trials never see the test set
    done_before = len(study.trials)

    def objective(trial: optuna.Trial) -> float:
        values = {p.key: p.suggest(trial) for p in spec.params}
        cfg = spec.config(values)

        observer = hooks.start_run(f"trial {trial.number}", cfg.to_dict()) if hooks else None

        def report(rec) -> None:
            if observer is not None:
                observer.on_epoch(rec)
            trial.report(rec.val_acc, rec.epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned after epoch {rec.epoch}")

        t0 = time.perf_counter()
        try:
            result = train_from_config(cfg, trial_data, on_epoch=report, log=log)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                _INTERRUPTED["now"] = True
            if hooks is not None:
                hooks.abort_run(observer, exc)
            raise
        if hooks is not None:
            hooks.finish_run(observer, result)
        trial.set_user_attr("seconds", time.perf_counter() - t0)
        trial.set_user_attr("status", result.status)
        return max((r.val_acc for r in result.history), default=0.0)

    limits = [f"{trials} trials" if trials else "", f"{timeout:g} s" if timeout else ""]
    log(
        f"study {study_name!r}: running {' or '.join(x for x in limits if x) or 'trials'} "
        f"({done_before} already in the study); one line per finished trial"
    )
    count = [0]

    def progress(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        count[0] += 1
        log(trial_line(study, trial, f"[{count[0]}/{trials}]" if trials else f"[{count[0]}]"))

    study.optimize(
        objective, n_trials=trials, timeout=timeout, catch=(ConfigError,), callbacks=[progress]
    )
    log(f"{len(study.trials) - done_before} trials run now, {len(study.trials)} in the study")
    return study


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def trial_line(study: Any, trial: Any, prefix: str = "") -> str:
    """One line for a finished trial: number, state, value (best validation accuracy; a pruned
    trial's is its last epoch's), seconds, the best so far, and the trial's parameters, e.g.
    ``[3/20] trial 2 complete: val 0.9731, 41.2 s (best 0.9744, trial 1); learning_rate=0.31``.
    """
    import optuna

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
    import optuna
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
    hooks: Any = None,
) -> dict[str, Any]:
    """The tuning job (``scratchnn tune``): load and validate the search space, run (or continue)
    the study, train the final model once on the best config, write every output into ``out``.

    ``storage`` defaults to ``sqlite:///OUT/study.db``; ``data`` to the faithful MNIST split.
    Returns the summary of :func:`write_outputs`. ``hooks`` observes every trial and the final
    model (see :func:`run_study`).
    """
    from ..data import faithful_split, load_mnist

    if trials is not None and trials < 1:
        raise ConfigError(f"--trials must be >= 1, got {trials}")
    if timeout is not None and not (timeout > 0 and math.isfinite(timeout)):
        raise ConfigError(f"--timeout must be a positive number of seconds, got {timeout}")
    spec = load_spec(space)  # validated before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    storage = storage or f"sqlite:///{(out / 'study.db').resolve()}"
    study = open_study(storage, study_name, pruner, seed)  # a damaged study.db: refused now
    if data is None:
        data = faithful_split(load_mnist(data_dir, log=log))
    study = run_study(spec, data, trials=trials, timeout=timeout, log=log, study=study, hooks=hooks)
    return write_outputs(spec, study, out, data, log=log, hooks=hooks)
