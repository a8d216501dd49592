"""Run records and the table of any folder of them (``scratchnn results DIR``); this
repository's publication generated from its records (scripts/publication: the drift test); the
slim tree."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from publication import (
    GENERATED_DIR,
    ZOO,
    fill_block,
    render,
    write_all,
)
from publication.__main__ import main
from publication.tables import BANNER, HEADLINE, MLP_RECORD, headline

from scratchnn.cli import main as cli
from scratchnn.results import (
    ResultsError,
    flatten_metrics,
    load_records,
    published,
    summary_rows,
    tabulate,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


@pytest.fixture(scope="module")
def records():
    return load_records(RESULTS)


def _copy_root(tmp_path: Path) -> Path:
    """A repository-shaped folder: the records, the zoo and the generated files, copied."""
    root = tmp_path / "repo"
    shutil.copytree(RESULTS, root / "results")
    shutil.copytree(ROOT / "src/scratchnn/zoo", root / "src/scratchnn/zoo")
    shutil.copytree(ROOT / GENERATED_DIR, root / GENERATED_DIR)
    return root


# ---------------------------------------------------------------- drift


def test_committed_tables_are_what_the_records_give():
    """The drift test: regenerating every table, model card and manifest from the committed
    records reproduces the committed files byte for byte (and README.md's headline block
    when README.md has the markers)."""
    assert write_all(ROOT, check=True) == []


def test_a_number_edited_by_hand_is_caught(tmp_path):
    root = _copy_root(tmp_path)
    path = root / GENERATED_DIR / "headline.md"
    text = path.read_text()
    assert "930.62 ± 5.11" in text  # the SwingUp trained row, from its record
    path.write_text(text.replace("930.62 ± 5.11", "931.62 ± 5.11"))
    assert write_all(root, check=True) == [
        f"{GENERATED_DIR / 'headline.md'}: differs from what the records give"
    ]
    assert main(["--root", str(root), "--check"]) == 1
    assert main(["--root", str(root)]) == 0  # regenerates it
    assert write_all(root, check=True) == []
    assert "930.62 ± 5.11" in path.read_text()


def test_a_changed_record_changes_the_table(tmp_path):
    root = _copy_root(tmp_path)
    rec = root / "results" / HEADLINE["swingup"]["champion"] / "run.json"
    data = json.loads(rec.read_text())
    row = next(r for r in data["metrics"]["eval"]["rows"] if r["condition"].startswith("tuned"))
    row["mean"] = 123.456
    rec.write_text(json.dumps(data))
    files, _ = render(root)
    assert "123.5 ± " in files[GENERATED_DIR / "headline.md"]
    assert main(["--root", str(root), "--check"]) == 1  # the drift check sees it


def test_the_publication_runs_as_a_script_from_any_folder(tmp_path):
    """``make results-check`` runs ``python scripts/publication --check``: the folder is a
    script, and the repository it checks is the one holding it."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "publication"), "--check"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "results tables: up to date"


def test_zoo_file_that_is_not_its_records_is_refused(tmp_path):
    root = _copy_root(tmp_path)
    best = root / "src/scratchnn/zoo/swingup/best.json"
    best.write_text(best.read_text().replace('"n_in"', ' "n_in"', 1))
    with pytest.raises(ResultsError, match="sha256 differs"):
        render(root)


def test_generated_files_carry_the_banner():
    for path in (ROOT / GENERATED_DIR).glob("*.md"):
        assert path.read_text().startswith(BANNER), path


# ---------------------------------------------------------------- README block


def test_fill_block_replaces_only_between_the_markers():
    text = "a\n<!-- BEGIN generated: headline -->\nold\n<!-- END generated: headline -->\nz\n"
    assert fill_block(text, "headline", "new\n") == (
        "a\n<!-- BEGIN generated: headline -->\nnew\n<!-- END generated: headline -->\nz\n"
    )
    assert fill_block("no markers\n", "headline", "x") is None
    swapped = "<!-- END generated: headline -->\n<!-- BEGIN generated: headline -->\n"
    assert fill_block(swapped, "headline", "x") is None


def test_readme_without_markers_is_left_alone(tmp_path, capsys):
    root = _copy_root(tmp_path)
    (root / "README.md").write_text("# no markers\n")
    assert main(["--root", str(root)]) == 0
    assert (root / "README.md").read_text() == "# no markers\n"
    assert "no '<!-- BEGIN generated: headline -->'" in capsys.readouterr().out


def test_readme_block_links_to_the_results_pages(records):
    table = headline(records, lambda page: f"docs/results/{page}.md")
    for page in ("mlp", "swingup", "mnist256", "biped"):
        assert f"(docs/results/{page}.md)" in table


def test_missing_results_folder_is_one_error_line(tmp_path, capsys):
    assert main(["--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no results folder")


# ---------------------------------------------------------------- records


def test_every_record_is_complete_and_its_kept_files_match(records):
    keys = {"schema", "name", "kind", "command", "commit", "dirty", "seed", "config",
            "versions", "missing", "metrics", "artifacts"}  # fmt: skip
    for name, rec in records.items():
        assert keys <= set(rec.data), name
        for field in ("versions", "commit", "dirty"):
            if rec.data[field] is None:
                assert field in rec.data["missing"], (name, field)
        for fname, art in rec.data["artifacts"].items():
            path = RESULTS / name / fname
            if art["in_tree"]:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == art["sha256"], path
            else:
                assert not path.exists(), path
                assert art.get("remake") or art.get("source"), (name, fname)


def test_headline_uses_the_zoo_champions_and_the_papers_numbers(records):
    for task in ("swingup", "mnist256"):
        assert HEADLINE[task]["champion"] == ZOO[task]["champion"]
        assert HEADLINE[task]["trained"] == ZOO[task]["trained"]
    pub = published()
    assert pub["wann"]["swingup"]["trained"] == [932, 6]
    assert "Gaier and Ha" in pub["source"]
    mlp = records[MLP_RECORD].data
    assert mlp["versions"]["numpy"] and len(mlp["seed"]) == 3


# ---------------------------------------------------------------- slim tree


def _tracked(*paths: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [ROOT / p for p in out.split("\0") if p]


def test_results_and_champions_stay_small():
    files = [p for p in _tracked("results", "champions") if p.is_file() and not p.is_symlink()]
    assert sum(p.stat().st_size for p in files) <= 15 * 2**20
    big = [str(p.relative_to(ROOT)) for p in files if p.stat().st_size > 2**20]
    assert not big, big


def test_no_python_or_shell_outside_the_code_folders():
    allowed = ("src", "tests", "scripts", "docs")
    stray = [
        str(p.relative_to(ROOT))
        for p in _tracked()
        if p.suffix in (".py", ".sh") and p.relative_to(ROOT).parts[0] not in allowed
    ]
    assert not stray, stray


# ---------------------------------------------------------------- commands per experiment


def test_trained_weights_chain_back_to_their_search(records):
    from publication.commands import chain

    names = [r.name for r in chain(records, HEADLINE["swingup"]["trained"])]
    assert names[0] == HEADLINE["swingup"]["trained_topology"]
    assert names[-1] == HEADLINE["swingup"]["trained"]
    assert len(names) == len(set(names)) > 2
    mnist = [r.name for r in chain(records, HEADLINE["mnist256"]["trained"])]
    assert mnist == [HEADLINE["mnist256"]["champion"], HEADLINE["mnist256"]["trained"]]


def test_every_experiment_has_its_commands_page(records):
    from publication.commands import EXPERIMENTS

    files, _ = render(ROOT)
    for key, spec in EXPERIMENTS.items():
        page = files[GENERATED_DIR / f"commands-{key}.md"]
        for name in spec["records"]:
            assert f"`results/{name}`" in page
            assert records[name].data["commit"] in page


# ---------------------------------------------------------------- any folder of records


def _write(folder: Path, data: dict | str) -> None:
    folder.mkdir(parents=True)
    text = data if isinstance(data, str) else json.dumps(data)
    (folder / "run.json").write_text(text, encoding="utf-8")


@pytest.fixture
def user_runs(tmp_path: Path) -> Path:
    """A user's folder of two records: an MLP run with most fields, a WANN search with few."""
    runs = tmp_path / "my-runs"
    _write(runs / "mlp-lr0.3", {
        "schema": "scratchnn.run/1", "name": "mlp-lr0.3", "kind": "train",
        "command": "scratchnn train --lr 0.3", "commit": "abcdef0123456789", "dirty": True,
        "seed": 7, "config": {"lr": 0.3, "epochs": 5},
        "metrics": {"test_acc": 0.9712, "history": [0.5, 0.8, 0.9],
                    "val_acc": {"mean": 0.97, "std": 0.002, "n": 3, "values": [0.968, 0.97]}},
    })  # fmt: skip
    _write(runs / "xor" / "s1", {
        "schema": "scratchnn.run/1", "kind": "wann-search", "seed": 1,
        "metrics": {"eval": {"rows": [
            {"condition": "random shared weight U(-2,2)", "mean": 0.75, "std": 0.25, "n": 4},
            {"condition": "tuned shared weight (w = 1)", "mean": 1.0, "std": 0.0, "n": 4},
        ], "tuned_weight": 1.0}, "search": {"generation": 12, "solved": True}},
    })  # fmt: skip
    return runs


def test_results_tabulates_a_users_own_records(user_runs, capsys, tmp_path):
    out_json = tmp_path / "rows.json"
    assert cli(["results", str(user_runs), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "| Run | kind | seed | commit | dirty | metrics |"
    assert out[2] == (
        "| `mlp-lr0.3` | train | 7 | abcdef0 | yes | test_acc 0.9712; val_acc 0.9700 ± 0.0020 |"
    )
    assert out[3] == (
        "| `xor/s1` | wann-search | 1 | – | – | "
        "eval.rows[random shared weight U(-2,2)] 0.7500 ± 0.2500; "
        "eval.rows[tuned shared weight (w = 1)] 1.000 ± 0.000; eval.tuned_weight 1; "
        "search.generation 12; search.solved true |"
    )
    assert out[4] == f"written: {out_json}"
    rows = json.loads(out_json.read_text())
    assert [r["name"] for r in rows] == ["mlp-lr0.3", "xor/s1"]
    assert rows[0]["metrics"] == {
        "test_acc": 0.9712, "val_acc": {"mean": 0.97, "std": 0.002, "n": 3}
    }  # fmt: skip
    assert rows[1]["commit"] is None and rows[1]["dirty"] is None


def test_results_shows_the_first_metrics_and_counts_the_rest(user_runs):
    text = tabulate(load_records(user_runs), max_metrics=1)
    assert "| test_acc 0.9712; +1 more |" in text
    assert "search.solved" not in text and "; +4 more |" in text
    with pytest.raises(ValueError, match=r"max_metrics \(--metrics\) must be an integer >= 0"):
        tabulate(load_records(user_runs), max_metrics=-1)
    assert cli(["results", "--metrics", "-1", str(user_runs)]) == 2


def test_flatten_keeps_results_not_settings_or_raw_lists():
    metrics = {
        "setup": {"epochs": 3}, "epoch_seconds": [1.0, 2.0], "note": "x" * 100, "skip": None,
        "eval": {"mean": 0.5, "std": 0.1, "ensemble": 0.6, "per_weight": {"-2": 0.4}},
        "claims": [{"claim": 1, "verdict": "supported"}, {"verdict": "mixed"}],
    }  # fmt: skip
    flat = flatten_metrics(metrics)
    assert list(flat) == [  # shallowest first; a repeated label gets a number
        "eval", "eval.ensemble", "claims[1].verdict", "claims[1].verdict#2", "eval.per_weight.-2"
    ]  # fmt: skip
    assert flat["eval"] == {"mean": 0.5, "std": 0.1} and flat["claims[1].verdict#2"] == "mixed"
    assert flatten_metrics(None) == {} and flatten_metrics(3) == {"value": 3}


def test_results_table_of_this_repository_has_a_row_per_record(records):
    text = tabulate(records)
    assert len(text.splitlines()) == 2 + len(records)
    row = next(r for r in summary_rows(records) if r["name"] == HEADLINE["swingup"]["champion"])
    assert row["kind"] == "wann-search" and row["seed"] == 29
    tuned = next(v for k, v in row["metrics"].items() if k.startswith("eval.rows[tuned shared"))
    assert tuned["mean"] == records[row["name"]].condition("tuned_shared")[0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: None, "no results folder {d}: it does not exist"),
        (lambda d: d.mkdir(), "no run.json records under {d}"),
        (lambda d: _write(d / "a", "{not json"), "{d}/a/run.json: not valid JSON"),
        (lambda d: _write(d / "a", "[1, 2]"), "{d}/a/run.json: not a scratchnn.run/1 record"),
    ],
    ids=["missing", "empty", "malformed", "not-a-record"],
)
def test_results_of_a_bad_folder_is_one_error_line(tmp_path, capsys, make, message):
    folder = tmp_path / "runs"
    make(folder)
    assert cli(["results", str(folder)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: " + message.format(d=folder)), err
    assert captured.out == ""


# --- writing a record ------------------------------------------------------------------------


def test_write_record_writes_what_results_reads(tmp_path, capsys):
    from scratchnn.results import write_record

    run = tmp_path / "runs" / "h256"
    run.mkdir(parents=True)
    (run / "log.txt").write_text("epoch 1\n")
    path = write_record(run, kind="train", command="python train.py --hidden 256", seed=0,
                        config={"hidden": 256}, metrics={"test_acc": 0.9712})  # fmt: skip
    assert path == run / "run.json"
    rec = json.loads(path.read_text())
    assert rec["name"] == "h256" and rec["kind"] == "train" and rec["seed"] == 0
    assert rec["commands"] == [
        {"log": None, "command": "python train.py --hidden 256", "context": None}
    ]
    digest = hashlib.sha256(b"epoch 1\n").hexdigest()
    assert rec["artifacts"] == {"log.txt": {"sha256": digest, "bytes": 8, "in_tree": True}}
    assert set(rec["versions"]) == {"scratchnn", "python", "numpy", "platform", "cpu", "cores"}
    assert (rec["commit"] is None) == (rec["missing"] == ["commit", "dirty"])
    # rewriting gives the same record (the record itself is not among its artifacts)
    write_record(run, kind="train", command="python train.py --hidden 256", seed=0,
                 config={"hidden": 256}, metrics={"test_acc": 0.9712})  # fmt: skip
    assert json.loads(path.read_text()) == rec
    assert cli(["results", str(tmp_path / "runs")]) == 0
    assert "| `h256` | train | 0 |" in capsys.readouterr().out


def test_a_record_from_a_stored_provenance_names_its_commit(tmp_path):
    from scratchnn.results import new_record

    prov = {"git_commit": "0123456789abcdef+dirty", "python": "3.11", "numpy": "2.0"}
    rec = new_record(tmp_path, kind="x", command=None, metrics={}, provenance=prov)
    assert (rec["commit"], rec["dirty"], rec["missing"]) == ("0123456", True, [])
    assert rec["versions"]["python"] == "3.11" and rec["versions"]["cpu"] is None
    assert rec["commands"] == [] and rec["name"] == tmp_path.name
    rec = new_record(tmp_path, kind="x", command=None, metrics={}, provenance={})
    assert (rec["commit"], rec["dirty"], rec["missing"]) == (None, None, ["commit", "dirty"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"folder": "missing"}, "is not an existing folder"),
        ({"kind": ""}, "kind must be a non-empty string"),
        ({"command": 5}, "command must be a string"),
        ({"metrics": [1]}, "metrics must be a mapping"),
        ({"metrics": {"a": object()}}, "is not JSON-able"),
        ({"root": "/nonexistent"}, "does not hold folder"),
        ({"commands": "scratchnn train"}, "commands must be a list"),
    ],
)
def test_write_record_refuses_bad_arguments_and_writes_nothing(tmp_path, kwargs, message):
    from scratchnn.errors import ScratchnnError
    from scratchnn.results import write_record

    args = {"folder": tmp_path, "kind": "train", "metrics": {"acc": 1.0}} | kwargs
    if args["folder"] == "missing":
        args["folder"] = tmp_path / "missing"
    with pytest.raises(ScratchnnError, match=message):
        write_record(args.pop("folder"), **args)
    assert not (tmp_path / "run.json").exists()


def test_odd_records_give_one_line_or_a_sound_table(tmp_path, capsys):
    """A huge integer, a pipe in a cell and NumPy numbers tabulate; JSON nested too deep and
    metrics that are not an object are one error line; a wrong argument is a clear error."""
    import numpy as np

    from scratchnn.errors import ConfigTypeError

    odd = tmp_path / "odd" / "a"
    odd.mkdir(parents=True)
    big = "1" + "0" * 400
    (odd / "run.json").write_text(
        '{"schema": "scratchnn.run/1", "seed": "a|b", "commit": "x|y", '
        f'"metrics": {{"x": {{"mean": {big}, "std": 1}}}}}}'
    )
    assert cli(["results", str(tmp_path / "odd")]) == 0
    row = capsys.readouterr().out.splitlines()[2]
    assert row.startswith("| `a` | – | a\\|b | x\\|y | – | x 1000") and row.count(" | ") == 5
    for text, why in (("[" * 5000, "nested too deep"), ('{"schema": "scratchnn.run/1", '
                      '"metrics": [1]}', "metrics must be an object")):  # fmt: skip
        bad = tmp_path / "bad" / "b"
        bad.mkdir(parents=True, exist_ok=True)
        (bad / "run.json").write_text(text)
        assert cli(["results", str(tmp_path / "bad")]) == 2
        assert why in capsys.readouterr().err.strip()
    assert flatten_metrics({"a": np.int64(3), "b": np.float32(0.5)}) == {"a": 3, "b": 0.5}
    with pytest.raises(ConfigTypeError, match="records must map names to Record objects"):
        tabulate({"a": 5})
    with pytest.raises(ResultsError, match="root must be a folder's path, got 5"):
        load_records(5)
