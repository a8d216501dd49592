"""The main job: the writeup's three experiments, over seeds, compared with its numbers.

Plan (faithful defaults unless stated: TwoLayerNet 784-128-10, batch 64, lr 0.1, reg 0.001,
10 epochs, float64): the learning-rate sweep (1, 0.1, 0.05, 0.01), the regularisation sweep
(1, 0.1, 0.01, 0.001, 0.0001) and the tuned configuration (batch 32, lr 0.5, reg 0.0002,
50 epochs), each for ``seeds`` shuffle seeds. Identical configs run once (reg 0.001 is the
lr 0.1 run). ``quick`` is a smoke version: 2 epochs (tuned 3) on the first 6,000 / 1,500 / 2,000
images of the splits.

The report also tests the writeup's review of the WANN paper (:mod:`scratchnn.review`) at the
``light`` scale (``quick``: ``tiny``), from the zoo champions and their stored evaluations.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..config import SHIPPED_CONFIGS, RunConfig, load_config
from ..data import Split, Splits, faithful_split, load_mnist
from ..errors import ScratchnnError
from ..results.writer import write_record
from . import provenance, writeup
from .runner import PlannedRun, run_plan
from .store import ResultStore, RunRecord
from .sweep import CURVE_FIELDS, METRICS, Cell, history_array, run_name, summarize

QUICK_SIZES = (6000, 1500, 2000)
WRITEUP_ROW = {
    "train_acc": "train_acc",
    "val_acc_last": "val_acc",
    "val_acc_best": "val_acc",
    "test_acc": "test_acc",
}


def base_config(quick: bool) -> RunConfig:
    """The reference defaults, in float64 as the reference computed."""
    cfg = RunConfig()
    return replace(cfg, train=replace(cfg.train, dtype="float64", epochs=2 if quick else 10))


def experiment_configs(seeds: int, quick: bool) -> dict[str, list[tuple[float, list[RunConfig]]]]:
    """``{"lr": [(value, [cfg per seed])], "reg": [...], "tuned": [(0, [...])]}``."""
    base = base_config(quick)

    def variants(**changes: Any) -> list[RunConfig]:
        return [replace(base, train=replace(base.train, seed=s, **changes)) for s in range(seeds)]

    tuned = dict(writeup.TUNED_SETTINGS)
    if quick:
        tuned["epochs"] = 3
    return {
        "lr": [(lr, variants(learning_rate=lr)) for lr in writeup.LR_VALUES],
        "reg": [(reg, variants(reg=reg)) for reg in writeup.REG_VALUES],
        "tuned": [(0.0, variants(**tuned))],
    }


# "Beyond the writeup": the tuned configs that scratchnn ships, found by `scratchnn tune`
BEYOND = {
    "best": "best.yaml",
    "best_128": "best_128.yaml",
    "best_softmax": "best_softmax.yaml",
}


def config_dir() -> Path:
    """The tuned configs shipped inside the package (``scratchnn/configs``), wherever scratchnn
    is installed and whatever the current folder."""
    return SHIPPED_CONFIGS


def beyond_configs(seeds: int, quick: bool) -> list[tuple[str, list[RunConfig]]]:
    """``[(name, [cfg per seed])]`` for each shipped tuned config that exists."""
    rows = []
    for name, file in BEYOND.items():
        path = config_dir() / file
        if not path.is_file():
            continue
        cfg = load_config(path)
        if quick:
            cfg = replace(cfg, train=replace(cfg.train, epochs=2))
        rows.append((name, [replace(cfg, train=replace(cfg.train, seed=s)) for s in range(seeds)]))
    return rows


def unique_plan(experiments: dict[str, list[tuple[Any, list[RunConfig]]]]) -> list[PlannedRun]:
    """One :class:`PlannedRun` per distinct config (the default run is in both sweeps)."""
    seen: dict[RunConfig, PlannedRun] = {}
    for kind, rows in experiments.items():
        for value, cfgs in rows:
            for cfg in cfgs:
                name = f"{value}/seed{cfg.train.seed}" if kind == "beyond" else run_name(cfg)
                seen.setdefault(cfg, PlannedRun(name, cfg))
    return list(seen.values())


def quick_splits(data: Splits) -> Splits:
    n_tr, n_va, n_te = QUICK_SIZES
    return Splits(
        Split(data.train.X[:n_tr], data.train.y[:n_tr]),
        Split(data.val.X[:n_va], data.val.y[:n_va]),
        Split(data.test.X[:n_te], data.test.y[:n_te]),
    )


def _cell(records: Sequence[RunRecord], published: dict[str, float] | None, tol: float) -> dict:
    out: dict[str, Any] = {m: summarize(records, m).to_dict() for m in METRICS}
    out["status"] = [r.status for r in records]
    # test-set predictions of each seed's best model, per class
    out["test_pred_counts"] = [r.metrics.get("test_pred_counts") for r in records]
    norms = [r.metrics["weight_norms"] for r in records if r.metrics.get("weight_norms")]
    out["weight_norms"] = (
        {k: float(np.mean([n[k] for n in norms])) for k in norms[0]} if norms else None
    )
    out["seconds"] = summarize(records, "seconds").to_dict()
    out["writeup"] = published or {}
    # our row -> the writeup's row it is compared with (the writeup's "val acc" does not say
    # whether it is the last or the best epoch, so both of ours are compared with it)
    flags = {}
    for metric in METRICS:
        value = (published or {}).get(WRITEUP_ROW[metric])
        if value is None:
            continue
        ours = out[metric]
        limit = max(3 * ours["std"], tol)
        flags[metric] = {
            "writeup": value,
            "diff": ours["mean"] - value,
            "limit": limit,
            "differs": bool(writeup.differs(ours["mean"] - value, ours["std"], tol)),
            "within_acceptance": bool(abs(ours["mean"] - value) <= tol),
        }
    out["compare"] = flags
    curves = {f: history_array(records, f) for f in CURVE_FIELDS}
    with warnings.catch_warnings():  # an epoch no seed reached (all diverged): NaN, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        out["curves"] = {f: np.nanmean(a, axis=0).tolist() for f, a in curves.items()}
    out["val_acc_per_seed"] = curves["val_acc"].tolist()
    return out


def class_shares(y: np.ndarray) -> list[float]:
    return (np.bincount(y, minlength=10) / len(y)).tolist()


def build_results(
    experiments: dict[str, list[tuple[float, list[RunConfig]]]],
    records: dict[RunConfig, RunRecord],
    data: Splits,
    seeds: int,
    quick: bool,
) -> dict[str, Any]:
    """The machine-readable tables (``results.json``), with the writeup's values beside ours."""

    def rows(name: str, table: dict[str, dict[float, float]], tol_for) -> dict:
        cells = {}
        for value, cfgs in experiments[name]:
            published = {metric: col[value] for metric, col in table.items()}
            cells[f"{value:g}"] = _cell([records[c] for c in cfgs], published, tol_for(value))
        return cells

    tuned_recs = [records[c] for c in experiments["tuned"][0][1]]
    return {
        "settings": {
            "seeds": seeds,
            "quick": quick,
            "defaults": base_config(quick).train.__dict__,
            "epochs": base_config(quick).train.epochs,
            "tuned": {**writeup.TUNED_SETTINGS, **({"epochs": 3} if quick else {})},
            "note": "val_acc_best is compared with the "
            "writeup's val acc; test_acc is the best-validation model's",
        },
        "class_shares": {"val": class_shares(data.val.y), "test": class_shares(data.test.y)},
        "lr_sweep": rows("lr", writeup.LR_TABLE, lambda v: writeup.TOL),
        "reg_sweep": rows(
            "reg",
            writeup.REG_TABLE,
            lambda v: writeup.NOISY_TOL if v == writeup.NOISY_REG else writeup.TOL,
        ),
        "tuned": _cell(tuned_recs, writeup.TUNED, writeup.TOL),
        "beyond": {
            name: {
                **_cell([records[c] for c in cfgs], None, 0.01),
                "config": cfgs[0].to_dict(),
                "file": BEYOND[name],
                "source": str(config_dir() / BEYOND[name]),
            }
            for name, cfgs in experiments.get("beyond", [])
        },
    }


def run_reproduce(
    out: Path | str,
    seeds: int = 3,
    quick: bool = False,
    data_dir: Path | str | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
    beyond_seeds: int = 1,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    hooks: Any = None,
    review_scale: str | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Run (or resume) every experiment, then write the report into ``out`` and the run's
    record, ``out/run.json`` (:func:`scratchnn.results.write_record`: ``command``, the commit,
    the seeds, the settings and :func:`record_metrics`); return the results.

    ``seeds`` (>= 1) shuffle seeds per setting; ``beyond_seeds`` (>= 0; 0 skips it) for the
    shipped tuned configs of the "Beyond the writeup" section. ``jobs``, ``executor``,
    ``address``: where the runs train (:func:`~scratchnn.experiments.runner.run_plan`); the
    results are the same wherever they run. ``hooks``: observes every run
    (see :class:`~scratchnn.experiments.runner.RunHooks`). ``review_scale``: the scale of the
    paper review's section (:data:`scratchnn.review.SCALES`; default ``light``, ``tiny`` with
    ``quick``; ``"none"`` leaves the section out).
    """
    from ..theory import run_checks
    from .commentary import commentary
    from .report import write_report

    if seeds < 1:
        raise ScratchnnError(f"--seeds must be >= 1, got {seeds}")
    if beyond_seeds < 0:
        raise ScratchnnError(f"--beyond-seeds must be >= 0, got {beyond_seeds}")
    out = Path(out)
    t0 = time.perf_counter()
    data = faithful_split(load_mnist(data_dir, log=log))
    if quick:
        data = quick_splits(data)
    experiments = experiment_configs(seeds, quick)
    if beyond_seeds:
        experiments["beyond"] = beyond_configs(beyond_seeds, quick)
    plan = unique_plan(experiments)
    with ResultStore(out / "results.sqlite") as store:
        by_name = run_plan(
            plan,
            data,
            store,
            out,
            data_tag="mnist-quick" if quick else "mnist",
            progress=progress,
            log=log,
            jobs=jobs,
            executor=executor,
            address=address,
            hooks=hooks,
        )
    records = {run.cfg: by_name[run.name] for run in plan}
    results = build_results(experiments, records, data, seeds, quick)
    results["commentary"] = commentary(results)
    results["theory"] = [asdict(c) for c in run_checks()]
    scale = review_scale or ("tiny" if quick else "light")
    if scale != "none":
        from ..review import run_review, scale_named

        log(f"the paper review, scale {scale} ...")
        results["review"] = run_review(
            scale_named(scale), 0, data_dir=None if data_dir is None else str(data_dir)
        )
    results["seconds_total_this_invocation"] = time.perf_counter() - t0
    results["seconds_training_all_runs"] = sum(r.seconds for r in records.values())
    results["provenance"] = provenance.collect(sorted({c.train.seed for c in records}))
    write_report(results, experiments, records, out)
    write_record(
        out, kind="reproduce", command=command, provenance=results["provenance"],
        seed=results["provenance"]["shuffle_seeds"], config=results["settings"],
        metrics=record_metrics(results), wall_s=results["seconds_total_this_invocation"],
    )  # fmt: skip
    return results


#: the numbers of each cell that a run record keeps (the report's results.json has the rest)
RECORD_METRICS = ("train_acc", "val_acc_last", "val_acc_best", "test_acc")


def record_metrics(results: dict[str, Any]) -> dict[str, Any]:
    """The summary metrics of a run record (``run.json``) from :func:`run_reproduce`'s
    results: per cell of the two sweeps and the tuned model, the :data:`RECORD_METRICS` (mean,
    sd, min, max and the values over seeds) and its status; and the training time of all
    runs."""

    def cell(c: dict[str, Any]) -> dict[str, Any]:
        return {k: c[k] for k in RECORD_METRICS if k in c} | {"status": c.get("status")}

    return {
        "lr_sweep": {k: cell(v) for k, v in results["lr_sweep"].items()},
        "reg_sweep": {k: cell(v) for k, v in results["reg_sweep"].items()},
        "tuned": cell(results["tuned"]),
        "seconds_training_all_runs": results.get("seconds_training_all_runs"),
    }


def _compare_parts(cell: dict[str, Any]) -> str:
    return "; ".join(
        f"{metric} {Cell(cell[metric]['values'])} (writeup {c['writeup']:.4f})"
        + (" *" if c["differs"] else "")
        for metric, c in cell["compare"].items()
    )


def summary_lines(results: dict[str, Any]) -> list[str]:
    """A terminal summary: every cell's mean beside the writeup's, ``*`` where they differ."""
    lines = [
        f"{label} {value:>7s}: {_compare_parts(cell)}"
        for sweep, label in (("lr_sweep", "lr"), ("reg_sweep", "reg"))
        for value, cell in results[sweep].items()
    ]
    lines.append(f"tuned      : {_compare_parts(results['tuned'])}")
    return lines
