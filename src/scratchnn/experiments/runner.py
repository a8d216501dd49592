"""Run a list of configs once each, skipping those already in the results store.

Each finished run gets its own run directory (as ``scratchnn train`` writes it) and a row in the
store. A progress bar counts epochs over the whole plan, with elapsed and remaining time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import RunConfig
from ..data import Splits
from ..runs import build_model, train_from_config, write_run
from ..training import EpochRecord, predict
from .store import ResultStore, RunRecord, run_key


@dataclass(frozen=True)
class PlannedRun:
    name: str  # also the run directory, relative to ``<out>/runs``
    cfg: RunConfig


class RunHooks(Protocol):
    """What :func:`run_plan` tells an observer (e.g. :class:`scratchnn.tracking.ChildRuns`):
    ``start_run`` returns an object with an ``on_epoch(EpochRecord)`` method, handed back to
    ``finish_run`` (or ``abort_run`` when the run raised, Ctrl-C included); ``skipped_run`` is
    called for each run already in the store."""

    def start_run(self, name: str, config: Mapping[str, Any]) -> Any: ...

    def finish_run(self, observer: Any, result: Any, run_dir: Path | None = None) -> None: ...

    def abort_run(self, observer: Any, exc: BaseException) -> None: ...

    def skipped_run(self, name: str, config: Mapping[str, Any], record: RunRecord) -> None: ...


def _record(run: PlannedRun, key: str, data_tag: str, result, data: Splits) -> RunRecord:
    metrics = result.metrics()
    if result.best_params is not None:
        model = build_model(run.cfg, data.train.X.shape[1])
        model.params = result.best_params
        counts = np.bincount(predict(model, data.test.X), minlength=10)
        metrics["test_pred_counts"] = counts.tolist()
        metrics["weight_norms"] = {
            k: float(np.linalg.norm(result.best_params[k])) for k in model.weight_names
        }
    return RunRecord(
        key=key,
        data=data_tag,
        config=run.cfg.to_dict(),
        seed=run.cfg.train.seed,
        status=result.status,
        metrics=metrics,
        history=result.history_rows(),
        seconds=result.seconds,
    )


def run_plan(
    plan: list[PlannedRun],
    data: Splits,
    store: ResultStore,
    out: Path | str,
    data_tag: str = "mnist",
    progress: bool = True,
    log: Callable[[str], None] = print,
    hooks: RunHooks | None = None,
) -> dict[str, RunRecord]:
    """Run every planned config not yet in ``store``; return all records by run name.

    ``hooks`` (e.g. experiment tracking) sees every run: started, each epoch, finished, and those
    skipped because the store has them."""
    from tqdm import tqdm

    out = Path(out)
    keyed = [(run, run_key(run.cfg, data_tag)) for run in plan]
    done = store.keys()
    pending = [(r, k) for r, k in keyed if k not in done]
    if hooks is not None:
        for run, key in keyed:
            if key in done:
                rec = store.get(key)
                assert rec is not None
                hooks.skipped_run(run.name, run.cfg.to_dict(), rec)
    log(
        f"{len(plan)} runs planned: {len(plan) - len(pending)} already in {store.path.name} "
        f"(skipped), {len(pending)} to run"
    )
    total_epochs = sum(r.cfg.train.epochs for r, _ in pending)
    bar = tqdm(
        total=total_epochs,
        unit="epoch",
        disable=not progress or not pending,
        dynamic_ncols=True,
        mininterval=1.0,
    )
    t0 = time.perf_counter()
    try:
        for i, (run, key) in enumerate(pending, start=1):
            bar.set_description(f"[{i}/{len(pending)}] {run.name}")
            planned = run.cfg.train.epochs

            observer = hooks.start_run(run.name, run.cfg.to_dict()) if hooks else None

            def on_epoch(rec: EpochRecord, observer: Any = observer) -> None:
                bar.update(1)
                bar.set_postfix(val_acc=f"{rec.val_acc:.4f}", refresh=False)
                if observer is not None:
                    observer.on_epoch(rec)

            try:
                result = train_from_config(run.cfg, data, on_epoch=on_epoch)
                bar.update(planned - len(result.history))  # epochs a diverged run did not use
                run_dir = write_run(out / "runs" / run.name, run.cfg, result)
                store.put(_record(run, key, data_tag, result, data))
            except BaseException as exc:
                if hooks is not None:
                    hooks.abort_run(observer, exc)
                raise
            if hooks is not None:
                hooks.finish_run(observer, result, run_dir)
            m = result.metrics()
            msg = (
                f"done {run.name}: {m['status']} train {m['train_acc'] or float('nan'):.4f} "
                f"val(best) {m['val_acc_best'] or float('nan'):.4f} "
                f"test {m['test_acc'] or float('nan'):.4f} ({result.seconds:.1f}s; "
                f"elapsed {time.perf_counter() - t0:.0f}s)"
            )
            if progress and pending:
                bar.write(msg)
            else:
                log(msg)
    finally:
        bar.close()
    records = {}
    for run, key in keyed:
        rec = store.get(key)
        assert rec is not None
        records[run.name] = rec
    return records
