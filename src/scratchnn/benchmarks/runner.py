"""Run every contender, one after another, each in a fresh process; summarise side by side."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from threadpoolctl import threadpool_info, threadpool_limits

from ..errors import ScratchnnError
from ..experiments.writeup import TUNED_SETTINGS
from .contenders import REQUIRES, SEED, WORKLOADS, run_one, selected, sgemm_ceiling

N_TRAIN = 48_000
#: the distributions whose versions a benchmark records (None where not installed)
PEERS = ("scipy", "threadpoolctl", "numba", "torch", "scikit-learn")


def _in_fresh_process(fn: Callable[..., Any], *args: Any) -> Any:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def provenance() -> dict[str, Any]:
    """Where a benchmark's numbers came from: date, commit (``+dirty`` with uncommitted
    changes), machine (CPU model, usable cores), the versions of scratchnn, Python, NumPy and
    :data:`PEERS`, and the BLAS libraries NumPy and SciPy load (``blas``: one entry per
    library, ``"name version"``)."""
    import scipy.linalg  # noqa: F401  (SciPy's BLAS loaded, so that threadpoolctl sees it)

    from ..experiments.provenance import collect

    out = collect([SEED])
    for name in PEERS:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    out["blas"] = sorted(
        {
            f"{i['internal_api']} {i['version']}"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        }
    )
    return out


def run_benchmark(
    epochs: int = 3,
    batch_size: int = TUNED_SETTINGS["batch_size"],
    lr: float = TUNED_SETTINGS["learning_rate"],
    reg: float = TUNED_SETTINGS["reg"],
    only: list[str] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every installed contender and the SGEMM ceiling; return the summary dict.

    Defaults: the writeup's tuned setup. ``only``: the contenders whose name contains one of
    these (any case); without it, every contender but the CNN rows, which run when named
    (``only=["CNN"]``; :func:`~scratchnn.benchmarks.contenders.selected`). MNIST is fetched
    (if needed) once, here, not in every contender's process. The summary holds ``setup``,
    ``sgemm_ceiling_gflops``, ``contenders`` (per contender: its epoch seconds, their median
    ``seconds_per_epoch``, ``gflops``, ``ceiling_fraction``, ``time_vs_scratchnn`` (relative to
    its workload's baseline), ``val_acc``, ``peak_rss_mb``; or ``skipped``), ``wall_s`` and
    :func:`provenance`.
    """
    from ..data import load_mnist

    if epochs < 1 or batch_size < 1:
        raise ScratchnnError("--epochs and --batch-size must be >= 1")
    start = time.perf_counter()
    prov = provenance()  # the commit and the tree's state the run starts from
    load_mnist(log=log)
    import scipy.linalg  # noqa: F401  (its BLAS loaded before the limit, so that it applies)

    with threadpool_limits(limits=1):
        ceiling = sgemm_ceiling()
    log(f"SGEMM ceiling (2048^3, one thread): {ceiling:.1f} GFLOP/s")
    rows: dict[str, dict[str, Any]] = {}
    names = selected(only)
    for name in names:
        module = REQUIRES.get(name)
        if module and importlib.util.find_spec(module) is None:
            rows[name] = {"skipped": f"{module} not installed (pip install '.[bench]')"}
            log(f"{name}: skipped, {module} not installed")
            continue
        log(f"{name}: {epochs} epochs ...")
        out = _in_fresh_process(run_one, name, epochs, batch_size, lr, reg)
        sec = statistics.median(out["epoch_seconds"])
        gflops = WORKLOADS[name].flop_per_sample * N_TRAIN / sec / 1e9
        rows[name] = {
            **out,
            "seconds_per_epoch": sec,
            "samples_per_second": N_TRAIN / sec,
            "gflops": gflops,
            "ceiling_fraction": gflops / ceiling,
        }
    for name, r in rows.items():
        base = rows.get(WORKLOADS[name].baseline, {}).get("seconds_per_epoch")
        if base and "seconds_per_epoch" in r:
            r["time_vs_scratchnn"] = r["seconds_per_epoch"] / base
    workloads = list(dict.fromkeys(WORKLOADS[name] for name in names))
    return {
        "setup": {
            "epochs": epochs,
            "batch_size": batch_size,
            "learning_rate": lr,
            "reg": reg,
            "model": "; ".join(w.model for w in workloads),
            "n_train": N_TRAIN,
            "flop_per_epoch": workloads[0].flop_per_sample * N_TRAIN if workloads else 0,
            "seed": SEED,
            "blas_threads": 1,
        },
        "sgemm_ceiling_gflops": ceiling,
        "contenders": rows,
        "wall_s": time.perf_counter() - start,
        "provenance": prov,
    }


def format_table(summary: dict[str, Any]) -> str:
    """The summary of :func:`run_benchmark` as the fixed-width table ``scratchnn bench``
    prints."""
    s = summary["setup"]
    head = (
        f"{'contender':28s} {'s/epoch':>8s} {'samples/s':>10s} {'x scratchnn':>11s} "
        f"{'GFLOP/s':>8s} {'ceiling':>8s} {'val acc':>8s} {'peak RSS':>9s}"
    )
    lines = [
        f"batch {s['batch_size']}, lr {s['learning_rate']}, reg {s['reg']}, {s['epochs']} epochs "
        f"(median epoch); SGEMM ceiling {summary['sgemm_ceiling_gflops']:.1f} GFLOP/s",
        head,
        "-" * len(head),
    ]
    for name, r in summary["contenders"].items():
        if "skipped" in r:
            lines.append(f"{name:28s} skipped: {r['skipped']}")
            continue
        lines.append(
            f"{name:28s} {r['seconds_per_epoch']:8.3f} {r['samples_per_second']:10.0f} "
            f"{r.get('time_vs_scratchnn', float('nan')):10.2f}x {r['gflops']:8.1f} "
            f"{r['ceiling_fraction']:7.0%} {r['val_acc']:8.4f} {r['peak_rss_mb']:7.0f}MB"
        )
    workloads = list(dict.fromkeys(WORKLOADS[n] for n in summary["contenders"] if n in WORKLOADS))
    for w in workloads:
        lines.append(
            f"{w.model}: x scratchnn is seconds per epoch relative to {w.baseline} (higher = "
            f"slower);\n  GFLOP/s and ceiling count the dense work, {w.flop_per_sample / 1e6:.2f} "
            "MFLOP per sample"
        )
    if any(w.baseline == "scratchnn float32 (fused)" for w in workloads):
        lines.append(
            "scratchnn's fused path skips pixel columns that are zero across the whole batch, so "
            "it does less"
        )
    return "\n".join(lines)
