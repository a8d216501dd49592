"""scratchnn.results: records, the tables generated from them (drift test) and the slim tree."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scratchnn.results import (
    GENERATED_DIR,
    ZOO,
    ResultsError,
    fill_block,
    load_records,
    published,
    render,
    write_all,
)
from scratchnn.results.__main__ import main
from scratchnn.results.tables import BANNER, HEADLINE, MLP_RECORD, headline

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
    from scratchnn.results.commands import chain

    names = [r.name for r in chain(records, HEADLINE["swingup"]["trained"])]
    assert names[0] == HEADLINE["swingup"]["trained_topology"]
    assert names[-1] == HEADLINE["swingup"]["trained"]
    assert len(names) == len(set(names)) > 2
    mnist = [r.name for r in chain(records, HEADLINE["mnist256"]["trained"])]
    assert mnist == [HEADLINE["mnist256"]["champion"], HEADLINE["mnist256"]["trained"]]


def test_every_experiment_has_its_commands_page(records):
    from scratchnn.results.commands import EXPERIMENTS

    files, _ = render(ROOT)
    for key, spec in EXPERIMENTS.items():
        page = files[GENERATED_DIR / f"commands-{key}.md"]
        for name in spec["records"]:
            assert f"`results/{name}`" in page
            assert records[name].data["commit"] in page
