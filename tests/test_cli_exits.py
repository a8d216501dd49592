"""Exit codes and error lines of the command line: a search that ran is not a crash (exit 0
with "not solved"; ``--require-solved`` asks for 1), and an error that quotes input is one
bounded line whatever the input's size or shape."""

import json

import pytest

from scratchnn.cli import main
from scratchnn.errors import MAX_MESSAGE, ScratchnnError, bounded

XOR = ["wann", "search", "--task", "xor", "--pop", "8", "--generations", "1", "--time-limit", "0"]


def test_a_search_that_does_not_solve_exits_0_and_says_so(tmp_path, capsys):
    assert main([*XOR, "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "not solved: the champion computes XOR at not all six weights" in out
    for name in ("best.json", "best.csv", "stats.csv", "checkpoint.npz"):
        assert (tmp_path / "a" / name).stat().st_size > 0, name


def test_require_solved_turns_not_solved_into_exit_1_and_solved_into_0(tmp_path, capsys):
    assert main([*XOR, "--require-solved", "--out", str(tmp_path / "a")]) == 1
    assert "not solved: the champion" in capsys.readouterr().out
    assert (tmp_path / "a" / "best.json").exists()  # written all the same
    solved = ["wann", "search", "--task", "and", "--require-solved", "--out", str(tmp_path / "b")]
    assert main(solved) == 0
    assert "solved: the champion computes AND at all six weights" in capsys.readouterr().out


def _genome(kind: object) -> dict:
    """A genome JSON whose bias node's kind is ``kind`` (echoed by the 'unknown kind' error)."""
    nodes = [[0, kind, 0], [1, "input", 0], [2, "input", 0], [3, "output", 0]]
    return {"genome": {"n_in": 2, "n_out": 1, "nodes": nodes, "conns": []}}


HOSTILE = {
    "deep list": "[" * 900 + "]" * 900,
    "deep object": '{"a":' * 900 + "1" + "}" * 900,
    "wide list": json.dumps(list(range(100_000))),
    "long string": json.dumps("x" * 400_000),
}


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_an_error_that_quotes_a_genome_value_is_one_bounded_line(tmp_path, capsys, shape):
    path = tmp_path / "g.json"
    genome = json.dumps(_genome("KIND"))
    path.write_text(genome.replace('"KIND"', HOSTILE[shape]))
    assert main(["wann", "eval", str(path), "--task", "xor"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: unknown node kind") and err.count("\n") == 1
    assert len(err) <= len("error: \n") + MAX_MESSAGE + 60, len(err)
    assert "..." in err  # an excerpt of the value (errors.shown), not all of it


@pytest.mark.parametrize(
    "text", ["1," * 200_000 + "x" * 300_000, ("9" * 5000 + ",") * 100 + "\n1,2"]
)
def test_an_error_that_quotes_a_csv_cell_is_one_bounded_line(tmp_path, capsys, text):
    path = tmp_path / "g.csv"
    path.write_text(text)
    assert main(["wann", "eval", str(path), "--task", "xor"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and err.count("\n") == 1
    assert len(err) <= len("error: \n") + MAX_MESSAGE + 60, len(err)


def test_a_long_command_line_value_is_echoed_as_an_excerpt(capsys):
    with pytest.raises(SystemExit) as info:
        main(["tune", "--space", "s.yaml", "--pruner", "p" * 100_000])
    assert info.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("scratchnn tune: error: argument --pruner: invalid choice: 'ppp")
    assert len(last) <= len("scratchnn tune: error: ") + MAX_MESSAGE + 60


def test_bounded_keeps_short_messages_and_cuts_the_middle_of_long_ones():
    assert bounded("short") == "short" and str(ScratchnnError("short")) == "short"
    long = "head " + "x" * 5000 + " tail"
    cut = str(ScratchnnError(long))
    assert cut.startswith("head xx") and cut.endswith("xx tail")
    kept = MAX_MESSAGE * 7 // 10 + MAX_MESSAGE // 5  # the head and the tail
    assert f"[{len(long) - kept:,} characters left out]" in cut
    assert len(cut) <= MAX_MESSAGE + 60
