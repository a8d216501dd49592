"""Run a list of configs once each, skipping those already in the results store.

Each finished run gets its own run directory (as ``scratchnn train`` writes it) and a row in the
store. A progress bar counts epochs over the whole plan, with elapsed and remaining time.

With ``jobs`` > 1 (or on Ray) the runs train in worker processes (:mod:`scratchnn.parallel`)
while this process alone writes the run directories and the store, in whatever order the runs
finish; a run's numbers do not depend on where it ran, so the store's rows and every table
built from them are those of ``jobs=1``. Each run is claimed in the store before it trains
(:meth:`~scratchnn.experiments.store.ResultStore.claim`), so two processes on one store never
train the same run: a run another live process holds is waited for, then read from the store.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import RunConfig
from ..data import Splits
from ..runs import build_model, note_once, train_from_config, write_run
from ..training import EpochRecord, FitResult, predict
from .store import ResultStore, RunRecord, run_key

#: seconds between two looks at runs that another process is training
POLL = 2.0


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
        # ||W||_F = sqrt(sum of squares) by NumPy's own summation: np.linalg.norm goes through
        # BLAS, whose last bits depend on its thread count (the parent's and a worker's differ)
        metrics["weight_norms"] = {
            k: float(np.sqrt(np.sum(np.square(result.best_params[k])))) for k in model.weight_names
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


def run_cost(cfg: RunConfig) -> float:
    """A run's relative cost, to start long runs first: ``epochs x (hidden + 10) x (1 + 32 /
    batch)`` (per epoch, the matrix products scale with the hidden width, the per-batch
    overhead with the number of batches)."""
    t, m = cfg.train, cfg.model
    hidden = m.hidden_size if m.type.lower() == "twolayernet" else 0
    return t.epochs * (hidden + 10) * (1 + 32 / t.batch_size)


def train_run(
    run: PlannedRun, key: str, data_tag: str, data: Splits | None = None
) -> tuple[FitResult, RunRecord]:
    """Train one planned run (in a worker process, a Ray task, or in-process) and build its
    store record. ``data``: the splits (default: those the local worker was started with).
    Progress: one tick per epoch into the worker's queue, when it has one."""
    from .._blas import single_thread_blas
    from ..parallel import worker_global

    if data is None:
        data = worker_global("data")
    ticks = worker_global("ticks")
    on_epoch = (lambda rec: ticks.put(1)) if ticks is not None else None
    with single_thread_blas():  # config notes: shown by the parent (run_plan)
        result = train_from_config(run.cfg, data, on_epoch=on_epoch, log=lambda line: None)
        return result, _record(run, key, data_tag, result, data)


def run_plan(
    plan: list[PlannedRun],
    data: Splits,
    store: ResultStore,
    out: Path | str,
    data_tag: str = "mnist",
    progress: bool = True,
    log: Callable[[str], None] = print,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    hooks: RunHooks | None = None,
) -> dict[str, RunRecord]:
    """Run every planned config not yet in ``store``; return all records by run name.

    ``jobs``: runs at once (1: in this process; more: local worker processes); ``executor``
    ``"ray"`` sends every run to the Ray cluster at ``address`` (see the module docstring).
    ``hooks`` (e.g. experiment tracking) sees every run as it finishes (with each of its
    epochs), wherever it trained, and those skipped because the store has them."""
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
    bar = tqdm(
        total=sum(r.cfg.train.epochs for r, _ in pending),
        unit="epoch",
        disable=not progress or not pending,
        dynamic_ncols=True,
        mininterval=1.0,
    )
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        stack.callback(bar.close)
        submit, ticks, jobs = _executor(stack, executor, address, jobs, data, bar)
        _drive(
            pending,
            store,
            out,
            submit,
            ticks,
            bar,
            t0,
            jobs,
            data_tag,
            executor != "ray",
            None if progress and pending else log,
            hooks,
        )
    records = {}
    for run, key in keyed:
        rec = store.get(key)
        assert rec is not None
        records[run.name] = rec
    return records


Submit = Callable[[PlannedRun, str, str], cf.Future]


def _executor(
    stack: contextlib.ExitStack,
    executor: str,
    address: str | None,
    jobs: int,
    data: Splits,
    bar,
) -> tuple[Submit, object | None, int]:
    """``submit(run, key, data_tag) -> Future`` for the chosen executor, the local workers'
    progress queue (None elsewhere) and how many runs to keep in flight (on Ray: at least the
    cluster's CPUs). Everything opened is closed by ``stack``."""
    from ..parallel import local_pool, progress_queue, ray_pool, stop_pool

    if executor == "ray":
        pool, data_ref, cpus = ray_pool(stack, address, data)
        submit = lambda run, key, tag: pool.submit(train_run, run, key, tag, data_ref)  # noqa: E731
        return submit, None, max(jobs, cpus)
    if jobs > 1:
        ticks = progress_queue()
        stack.callback(ticks.close)
        pool = local_pool(jobs, {"data": data, "ticks": ticks})
        stack.push(lambda kind, *_: stop_pool(pool, now=kind is not None))
        return (lambda run, key, tag: pool.submit(train_run, run, key, tag)), ticks, jobs

    def inline(run: PlannedRun, key: str, tag: str) -> cf.Future:
        def on_epoch(rec: EpochRecord) -> None:
            bar.update(1)
            bar.set_postfix(val_acc=f"{rec.val_acc:.4f}", refresh=False)

        result = train_from_config(run.cfg, data, on_epoch=on_epoch)
        fut: cf.Future = cf.Future()
        fut.set_result((result, _record(run, key, tag, result, data)))
        return fut

    return inline, None, 1


def _drive(
    pending: list[tuple[PlannedRun, str]],
    store: ResultStore,
    out: Path,
    submit: Submit,
    ticks,
    bar,
    t0: float,
    jobs: int,
    data_tag: str,
    per_epoch: bool,
    log: Callable[[str], None] | None,
    hooks: RunHooks | None = None,
) -> None:
    """Claim, submit (at most ``jobs`` at once), collect and store every pending run; then wait
    for the runs another process holds (taking over a claim whose process died)."""
    # longest runs first when several run at once, so that no long run starts last and leaves
    # the other workers idle at the end (the results do not depend on the order)
    queue = sorted(pending, key=lambda rk: -run_cost(rk[0].cfg)) if jobs > 1 else list(pending)
    in_flight: dict[cf.Future, tuple[PlannedRun, str, int]] = {}
    others: list[tuple[PlannedRun, str]] = []
    told = False
    try:
        while queue or in_flight or others:
            while queue and len(in_flight) < jobs:
                run, key = queue.pop(0)
                if store.claim(key):
                    note_once(run.cfg, log or bar.write)
                    bar.set_description(f"[{len(pending) - len(queue)}/{len(pending)}] {run.name}")
                    in_flight[submit(run, key, data_tag)] = (run, key, 0)
                elif store.get(key) is None:
                    others.append((run, key))
            if in_flight:
                finished, _ = cf.wait(in_flight, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                while ticks is not None and not ticks.empty():
                    ticks.get()
                    bar.update(1)
                for fut in finished:
                    run, key, _ = in_flight.pop(fut)
                    result, record = fut.result()
                    _finish(run, record, result, store, out, bar, t0, per_epoch, log, hooks)
                continue
            if others:  # nothing of ours left: wait for the runs another process is training
                if not told:
                    (log or bar.write)(
                        f"{len(others)} runs are being trained by another process on "
                        f"{store.path}; waiting for them"
                    )
                    told = True
                time.sleep(POLL)
                keys = {k for _, k in others}
                held = store.claimed_by_others(keys)
                stored = store.keys()
                queue = [(r, k) for r, k in others if k not in held and k not in stored]
                others = [(r, k) for r, k in others if k in held and k not in stored]
    finally:
        for _, key, _ in in_flight.values():  # interrupted: leave these runs to the next start
            with contextlib.suppress(Exception):
                store.release(key)


def _finish(
    run: PlannedRun,
    record: RunRecord,
    result: FitResult,
    store: ResultStore,
    out: Path,
    bar,
    t0: float,
    per_epoch: bool,
    log: Callable[[str], None] | None,
    hooks: RunHooks | None = None,
) -> None:
    """Write a finished run's directory and store row (this process only), tell ``hooks``, and
    say so. ``per_epoch``: the bar was ticked epoch by epoch (else the run's epochs are added
    now)."""
    planned = run.cfg.train.epochs
    # a diverged run stops early: the epochs it did not use are counted here
    bar.update(planned - len(result.history) if per_epoch else planned)
    run_dir = write_run(out / "runs" / run.name, run.cfg, result)
    store.put(record)
    if hooks is not None:
        observer = hooks.start_run(run.name, run.cfg.to_dict())
        for rec in result.history:
            observer.on_epoch(rec)
        hooks.finish_run(observer, result, run_dir)
    m = result.metrics()
    msg = (
        f"done {run.name}: {m['status']} train {m['train_acc'] or float('nan'):.4f} "
        f"val(best) {m['val_acc_best'] or float('nan'):.4f} "
        f"test {m['test_acc'] or float('nan'):.4f} ({result.seconds:.1f}s; "
        f"elapsed {time.perf_counter() - t0:.0f}s)"
    )
    if log is None:
        bar.write(msg)
    else:
        log(msg)
