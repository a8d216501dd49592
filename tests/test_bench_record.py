"""The speed record's plumbing, nothing timed: ``scratchnn bench --json`` summaries become
``results/mlp-bench/run.json`` (scripts/make_records.py --bench), the MLP page's speed table is
generated from it, and scripts/bench_compare.py handles its arguments and alternates its runs."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from publication.speed import BENCH_BASELINE, BENCH_RECORD, mlp_speed
from publication.tables import generate

from scratchnn.results import load_records

REPO = Path(__file__).resolve().parents[1]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _summary(batch: int, commit: str = COMMIT + "+dirty") -> dict:
    """A ``scratchnn bench --json`` summary with made-up numbers: the fused float32 path 1 s
    per epoch, PyTorch 3 s, scikit-learn skipped."""

    def row(sec: float, share: float) -> dict:
        return {"epoch_seconds": [sec, sec], "seconds_per_epoch": sec, "val_acc": 0.9,
                "ceiling_fraction": share, "time_vs_scratchnn": sec, "peak_rss_mb": 100.0,
                "gflops": 10.0, "samples_per_second": 48_000 / sec}  # fmt: skip

    return {
        "setup": {"epochs": 2, "batch_size": batch, "learning_rate": 0.5, "reg": 2e-4,
                  "model": "784-128-10 sigmoid", "n_train": 48_000,
                  "flop_per_epoch": 409_088 * 48_000, "seed": 0, "blas_threads": 1},
        "sgemm_ceiling_gflops": 100.0,
        "contenders": {
            BENCH_BASELINE: row(1.0, 0.8),
            "PyTorch CPU": row(3.0, 0.25),
            "scikit-learn MLPClassifier": {"skipped": "sklearn not installed"},
        },
        "wall_s": 10.0,
        "provenance": {"date": "2026-12-07T00:00:00+00:00", "scratchnn": "0.1.0",
                       "git_commit": commit, "cpu": "Test CPU 9000", "cores": 2,
                       "python": "3.11.7", "numpy": "2.4.6", "platform": "Linux",
                       "shuffle_seeds": [0], "scipy": "1.17.1", "threadpoolctl": "3.8.0",
                       "numba": "0.68.1", "torch": "2.13.0+cpu", "scikit-learn": None,
                       "blas": ["openblas 0.3.30"]},
        "command": f"scratchnn bench --epochs 2 --batch-size {batch} --learning-rate 0.5 "
        f"--reg 0.0002 --json results/mlp-bench/bench-b{batch}.json",
    }  # fmt: skip


@pytest.fixture
def bench_folder(tmp_path: Path) -> Path:
    """``results/mlp-bench`` holding a fabricated run at batch sizes 32 and 64."""
    folder = tmp_path / "results" / BENCH_RECORD
    folder.mkdir(parents=True)
    for batch in (32, 64):
        (folder / f"bench-b{batch}.json").write_text(json.dumps(_summary(batch), indent=2))
    return folder


def _record(folder: Path) -> dict:
    records = _script("make_records")
    return records.bench_record(folder, folder.parent, "make bench")


# ---------------------------------------------------------------- the record


def test_bench_record_has_the_fields_of_every_record(bench_folder):
    rec = _record(bench_folder)
    assert rec["schema"] == "scratchnn.run/1" and rec["name"] == BENCH_RECORD
    assert rec["command"] == "make bench" and rec["kind"] == "bench"
    assert [c["command"].split("--json")[0] for c in rec["commands"]] == [
        "scratchnn bench --epochs 2 --batch-size 32 --learning-rate 0.5 --reg 0.0002 ",
        "scratchnn bench --epochs 2 --batch-size 64 --learning-rate 0.5 --reg 0.0002 ",
    ]
    assert rec["commit"] == COMMIT[:7] and rec["dirty"] is True and rec["missing"] == []
    assert rec["seed"] == 0 and rec["config"]["batch_sizes"] == [32, 64]
    assert "batch_size" not in rec["config"]
    v = rec["versions"]
    assert (v["cpu"], v["cores"], v["torch"], v["numpy"]) == ("Test CPU 9000", 2, "2.13.0+cpu",
                                                               "2.4.6")  # fmt: skip
    assert set(rec["metrics"]) == {"bench-b32", "bench-b64"}
    assert "provenance" not in rec["metrics"]["bench-b32"]
    assert rec["metrics"]["bench-b64"]["contenders"]["PyTorch CPU"]["seconds_per_epoch"] == 3.0
    assert rec["time"]["wall_s"] == 20.0
    for name in ("bench-b32.json", "bench-b64.json"):
        data = (bench_folder / name).read_bytes()
        assert rec["artifacts"][name] == {
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "in_tree": True
        }  # fmt: skip


def test_bench_runs_of_different_commits_are_not_one_record(bench_folder):
    (bench_folder / "bench-b64.json").write_text(
        json.dumps(_summary(64, commit="f" * 40 + "+dirty"))
    )
    with pytest.raises(SystemExit, match=r"b32\.json \(commit 0123456 / fffffff\); one record"):
        _record(bench_folder)


def test_a_folder_without_bench_output_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="no bench-"):
        _record(tmp_path)


def test_make_records_writes_the_record_that_the_results_read(bench_folder, capsys):
    assert _script("make_records").main(["--bench", str(bench_folder), "make bench"]) == 0
    assert "bench, commit 0123456, dirty True" in capsys.readouterr().out
    records = load_records(bench_folder.parent)
    assert records[BENCH_RECORD].data["versions"]["blas"] == ["openblas 0.3.30"]


# ---------------------------------------------------------------- the table


def test_speed_table_renders_from_the_record(bench_folder):
    _script("make_records").main(["--bench", str(bench_folder), "make bench"])
    text = mlp_speed(load_records(bench_folder.parent))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| Contender | batch | s / epoch | share of SGEMM ceiling |")
    assert rows[1:] == [
        f"| {BENCH_BASELINE} | 32 | 1.000 | 80% | 1.00x | 0.9000 |",
        f"| {BENCH_BASELINE} | 64 | 1.000 | 80% | 1.00x | 0.9000 |",
        "| PyTorch CPU | 32 | 3.000 | 25% | 3.00x | 0.9000 |",
        "| PyTorch CPU | 64 | 3.000 | 25% | 3.00x | 0.9000 |",
        "| scikit-learn MLPClassifier | 32 | skipped: sklearn not installed | – | – | – |",
        "| scikit-learn MLPClassifier | 64 | skipped: sklearn not installed | – | – | – |",
    ]
    assert "Made by `make bench` (`scratchnn bench --epochs 2 --batch-size 32" in text
    assert "at commit 0123456 (with uncommitted changes)" in text
    assert "on Test CPU 9000 with 2 usable cores" in text
    assert "0.41 MFLOP per sample" in text and "100.0 GFLOP/s (batch 64 run)" in text
    assert "PyTorch 2.13.0+cpu" in text and "scikit-learn" not in text.split("Made by")[1]


def test_without_a_record_the_page_says_how_to_make_it():
    text = mlp_speed({})
    assert "make bench" in text and "|" not in text


def test_the_speed_table_is_a_generated_file_of_the_mlp_page(bench_folder):
    _script("make_records").main(["--bench", str(bench_folder), "make bench"])
    records = load_records(REPO / "results") | load_records(bench_folder.parent)
    assert "| PyTorch CPU | 32 |" in generate(records)["mlp-speed.md"]
    page = (REPO / "docs/results/mlp.md").read_text()
    assert "```{include} _generated/mlp-speed.md" in page


# ---------------------------------------------------------------- scratchnn bench


def test_bench_json_names_the_command_that_repeats_it():
    from scratchnn.cli import build_parser
    from scratchnn.cli.bench import command_line

    args = build_parser().parse_args(["bench", "--batch-size", "64", "--json", "out dir/b.json"])
    assert command_line(args) == (
        "scratchnn bench --epochs 3 --batch-size 64 --learning-rate 0.5 --reg 0.0002 "
        "--json 'out dir/b.json'"
    )
    assert build_parser().parse_args(command_line(args).split()[1:4]).epochs == 3


def test_bench_provenance_names_the_machine_and_the_peers():
    from scratchnn.benchmarks.runner import PEERS, provenance

    prov = provenance()
    assert {"git_commit", "cpu", "cores", "numpy", "date", *PEERS} <= set(prov)
    assert isinstance(prov["blas"], list)


# ---------------------------------------------------------------- bench_compare.py


def test_compare_arguments_default_to_the_bench_settings():
    args = _script("bench_compare").parse_args(["main"])
    assert (args.rev, args.repeats, args.epochs, args.batch_size) == ("main", 5, 3, 32)
    assert (args.learning_rate, args.reg, args.dtype) == (0.5, 2e-4, ["float32", "float64"])
    assert _script("bench_compare").parse_args(["HEAD~2", "--dtype", "float64"]).dtype == [
        "float64"
    ]


@pytest.mark.parametrize(
    "argv",
    [[], ["main", "--repeats", "0"], ["main", "--epochs", "x"], ["main", "--dtype", "float16"]],
)
def test_compare_refuses_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        _script("bench_compare").parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_compare_refuses_a_revision_that_is_no_commit(capsys):
    assert _script("bench_compare").main(["no-such-revision-xyz"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'no-such-revision-xyz' is not a commit" in err[0]


def test_compare_alternates_the_sides_and_takes_medians():
    mod = _script("bench_compare")
    args = argparse.Namespace(dtype=["float32"], repeats=3, epochs=2)
    calls: list[tuple[str, int]] = []
    seconds = {"old": iter([2.0, 4.0, 2.0]), "new": iter([1.0, 1.0, 3.0])}

    def timer(src, name, _args, epochs):
        calls.append((src.name, epochs))
        if epochs == 1:  # the warm-up
            return {"epoch_seconds": [99.0]}
        s = next(seconds[src.name])
        return {"epoch_seconds": [s, s, 50.0]}  # the median epoch is s

    out = mod.compare(
        {"REV": Path("old"), "tree": Path("new")}, args, log=lambda _: None, timer=timer
    )
    assert calls == [("old", 1), ("new", 1), ("old", 2), ("new", 2), ("new", 2), ("old", 2),
                     ("old", 2), ("new", 2)]  # fmt: skip
    r = out["scratchnn float32 (fused)"]
    assert r["median"] == {"REV": 2.0, "tree": 1.0}
    assert r["ratios"] == [0.5, 0.25, 1.5] and r["ratio"] == 0.5
    table = mod.format_table(out, "REV", "tree")
    assert "0.500x" in table and "0.500 0.250 1.500" in table
