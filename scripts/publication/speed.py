"""The MLP speed table, generated from the record ``make bench`` writes
(``results/mlp-bench/run.json``: ``scratchnn bench --json`` at each batch size, see
``scripts/make_records.py --bench``)."""

from __future__ import annotations

from scratchnn.results.markdown import DASH, table
from scratchnn.results.records import Record, ResultsError

#: the record ``make bench`` writes (``scratchnn bench`` at each batch size)
BENCH_RECORD = "mlp-bench"
#: the contender every ratio of the speed table is relative to
BENCH_BASELINE = "scratchnn float32 (fused)"


def mlp_speed(records: dict[str, Record]) -> str:
    """The speed table: per contender and batch size, seconds per epoch (median epoch), the
    share of the one-thread SGEMM ceiling and the time relative to scratchnn's fused float32
    path in the same run; then the command, the commit, the machine and the versions."""
    if BENCH_RECORD not in records:
        return (
            f"No speed record yet: `make bench` writes `results/{BENCH_RECORD}/run.json`, and "
            "`make results` the table from it.\n"
        )
    rec = records[BENCH_RECORD]
    runs = [r for r in rec.metrics.values() if isinstance(r, dict) and "contenders" in r]
    if not runs:
        raise ResultsError(f"record {rec.name}: no scratchnn bench summary in its metrics")
    runs.sort(key=lambda r: r["setup"]["batch_size"])
    names = list(dict.fromkeys(n for r in runs for n in r["contenders"]))
    rows = []
    for name in names:
        for r in runs:
            c = r["contenders"].get(name)
            if c is None:
                continue
            batch = str(r["setup"]["batch_size"])
            if "skipped" in c:
                rows.append([name, batch, f"skipped: {c['skipped']}", DASH, DASH, DASH])
                continue
            ratio = c.get("time_vs_scratchnn")
            rows.append([
                name, batch, f"{c['seconds_per_epoch']:.3f}", f"{c['ceiling_fraction']:.0%}",
                DASH if ratio is None else f"{ratio:.2f}x", f"{c['val_acc']:.4f}",
            ])  # fmt: skip
    header = ["Contender", "batch", "s / epoch", "share of SGEMM ceiling",
              f"time / {BENCH_BASELINE}", "val acc"]  # fmt: skip
    setup = runs[0]["setup"]
    v = rec.data.get("versions") or {}
    ceilings = ", ".join(
        f"{r['sgemm_ceiling_gflops']:.1f} GFLOP/s (batch {r['setup']['batch_size']} run)"
        for r in runs
    )
    commands = [c["command"] for c in rec.data.get("commands") or []]
    peers = ", ".join(
        f"{label} {v[key]}"
        for key, label in (("numpy", "NumPy"), ("scipy", "SciPy"), ("numba", "Numba"),
                           ("torch", "PyTorch"), ("scikit-learn", "scikit-learn"))
        if v.get(key)
    )  # fmt: skip
    blas = "; BLAS: " + ", ".join(v["blas"]) if v.get("blas") else ""
    epochs = f"{setup['epochs']} epoch" + ("s" if setup["epochs"] != 1 else "")
    mflop = setup["flop_per_epoch"] / setup["n_train"] / 1e6
    out = [
        f"{setup['model']}, SGD + L2 (lr {setup['learning_rate']:g}, reg "
        f"{setup['reg']:g}), {setup['n_train']:,} training images, {epochs} per contender, "
        f"each in a fresh process with {setup.get('blas_threads', 1)} BLAS thread; seconds per "
        "epoch is the median epoch's training pass. The share of the SGEMM ceiling counts the "
        f"dense work ({mflop:.2f} MFLOP per sample) against the best one-thread 2048³ "
        f"float32 matrix product measured in the same run: {ceilings}. scratchnn's fused path "
        "skips pixel columns that are zero across a whole batch, so it does less work than "
        "it is credited with.\n",
        table(header, rows),
        f"Made by `{rec.data['command']}`"
        + (" (" + "; ".join(f"`{c}`" for c in commands) + ")" if commands else "")
        + f" at commit {rec.data.get('commit') or 'not recorded'}"
        + (" (with uncommitted changes)" if rec.data.get("dirty") else "")
        + f", on {v.get('cpu', 'an unrecorded CPU')} with {v.get('cores', '?')} usable cores; "
        f"scratchnn {v.get('scratchnn')}, Python {v.get('python')}, {peers}{blas}.\n",
    ]
    return "\n".join(out)
