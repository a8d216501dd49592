"""scratchnn.review and ``scratchnn review``: each verdict rule flips with its evidence
(fabricated numbers), the printed lines are a pure function of the result (so ``--json``
round-trips), the same seed gives the same lines, and bad arguments are one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scratchnn.cli import main
from scratchnn.review import SCALES, claim_lines, report, verdict
from scratchnn.review import images as claim4_mod
from scratchnn.review import start as claim5_mod
from scratchnn.review.common import paired_interval, spread
from scratchnn.review.robustness import flat_share
from scratchnn.review.tuning import first_reach

S, N, M = verdict.SUPPORTED, verdict.NOT_SUPPORTED, verdict.MIXED

# --- the rules, on fabricated evidence ---------------------------------------------------------


def test_combine():
    assert verdict.combine([True, True]) == S
    assert verdict.combine([False, False]) == N
    assert verdict.combine([True, False]) == M
    assert verdict.combine([True, None]) == M
    assert verdict.combine([]) == M


def test_claim1_flips_with_the_paired_interval():
    assert verdict.claim1([(10.0, 50.0), (0.01, 0.2)]) == S
    assert verdict.claim1([(-50.0, -10.0), (-0.2, -0.01)]) == N
    assert verdict.claim1([(10.0, 50.0), (-0.2, -0.01)]) == M
    assert verdict.claim1([(10.0, 50.0), (-0.1, 0.1)]) == M  # one interval holds 0


def test_claim2_flips_at_its_thresholds():
    hi, lo = verdict.FLAT_SHARE, verdict.METHOD_SHARE
    assert verdict.claim2([hi, 0.9], [lo, 0.8]) == S
    assert verdict.claim2([hi - 0.01, 0.1], [lo - 0.01, 0.0]) == N
    assert verdict.claim2([0.9, 0.9], [0.1, 0.9]) == M


def test_claim2_flatness_measure():
    # best 100 over a floor of 0: 80 and above are near it
    assert flat_share(np.array([100.0, 80.0, 79.0, 10.0]), 0.0) == 0.5
    assert flat_share(np.array([0.5, 0.44, 0.1]), 0.1) == 2 / 3  # chance floor 0.1
    assert verdict.normalised(5.0, 1.0, 2.0) == 0.0  # the best does not beat the floor


def test_claim3_flips_with_the_cost_ratio():
    r = verdict.COST_RATIO
    assert verdict.claim3([verdict.cost_part(r, r), verdict.cost_part(None, 2 * r)]) == S
    assert verdict.claim3([verdict.cost_part(r - 1, 50), verdict.cost_part(1.0, 1.0)]) == N
    assert verdict.claim3([verdict.cost_part(2 * r, 0), verdict.cost_part(None, r / 2)]) == M


def test_claim4_flips_with_the_cnn_and_the_p_value():
    beats = verdict.cnn_part(0.97, 0.002, 5, 0.93)
    short = verdict.cnn_part(0.85, 0.002, 5, 0.93)
    assert beats is True and short is False
    assert verdict.cnn_part(0.93, 0.05, 3, 0.93) is None  # within two standard errors
    assert verdict.cnn_part(0.0, 0.0, 0, 0.93) is None  # no CNN ran
    assert verdict.claim4(beats, 0.5) == S
    assert verdict.claim4(short, 0.001) == N
    assert verdict.claim4(beats, 0.001) == M


def test_claim5_flips_with_who_reaches_first_and_the_result():
    assert verdict.claim5([True, True, None], 900.0, 800.0) == S
    assert verdict.claim5([False, False, True], 700.0, 800.0) == N
    assert verdict.claim5([True, True], 700.0, 800.0) == M
    assert verdict.claim5([None, None], 900.0, 800.0) == M  # nobody reached the target
    assert claim5_mod.first_of(100, 200) is True and claim5_mod.first_of(None, 5) is False
    assert claim5_mod.first_of(5, None) is True and claim5_mod.first_of(None, None) is None
    assert claim5_mod.first_of(7, 7) is False


def test_every_rule_is_stated():
    for rule in (verdict.claim1, verdict.claim2, verdict.claim3, verdict.claim4, verdict.claim5):
        text = verdict.rule_text(rule)
        assert text and "\n" not in text and ":func:" not in text
        assert not any(name in text for name in verdict.THRESHOLDS)  # their values instead


# --- the pieces of evidence --------------------------------------------------------------------


def test_locality_test_finds_local_nodes_and_not_random_ones():
    # nodes on neighbouring pixels of a row: far more local than relabellings of those pixels
    local = [[r * 16 + c, r * 16 + c + 1] for r in range(2, 14) for c in (2, 9)]
    found = claim4_mod.locality_test(local, 400, 0)
    assert found["p_value"] < 0.01 and found["observed"] == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    spread_out = [sorted(rng.choice(256, 3, replace=False).tolist()) for _ in range(20)]
    assert claim4_mod.locality_test(spread_out, 400, 0)["p_value"] > 0.05
    assert claim4_mod.locality_test([], 10, 0)["p_value"] == 1.0


def test_sizes_and_statistics():
    assert claim4_mod.cnn_channels_for(687) == 1  # SmallCNN: 650 C + 10 parameters
    assert claim5_mod.dense_hidden_for(61) == 9  # 7 H + 1 connections
    assert spread([1.0, 3.0]) == {"mean": 2.0, "sd": pytest.approx(2**0.5), "n": 2}
    ci = paired_interval(np.array([1.0, 2.0, 3.0, 4.0]), 500, 0)
    assert ci["lo"] <= ci["mean"] == 2.5 <= ci["hi"]
    curve = {"evaluations": [0, 10, 20], "validation": [1.0, 5.0, 9.0]}
    assert first_reach(curve, 5.0) == 10 and first_reach(curve, 10.0) is None


def _fabricated() -> dict:
    """A review result with made-up numbers, as run_review returns it (claims 4 and 5)."""
    pm = {"mean": 0.9, "sd": 0.01, "n": 3}
    return {
        "scale": SCALES["tiny"].to_dict(),
        "seed": 0,
        "claims": [
            {"claim": 4, "text": "claim four", "verdict": S, "connections": 687,
             "wann": {"tuned": {"test_acc": 0.91}, "trained": {"test_acc": 0.93}},
             "matched": {"mlp": {"test_acc": pm, "n_parameters": 811},
                         "cnn": {"test_acc": pm, "n_parameters": 660}},
             "locality": {"observed": 5.0, "null_mean": 7.0, "null_sd": 0.2, "nodes": 80,
                          "p_value": 0.02}},
            {"claim": 5, "text": "claim five", "verdict": M, "target": 800.0,
             "connections": {"wann": 61, "dense": 64}, "dense_hidden": 9, "tuned_weight": -1.0,
             "budget": 96, "runs": [{"wann_first": True}, {"wann_first": None}],
             "summary": {k: {"start": pm, "best": pm} for k in ("wann", "dense")}},
        ],
    }  # fmt: skip


def test_lines_are_a_pure_function_of_the_result():
    lines = claim_lines(_fabricated())
    assert lines[0] == "review of the writeup's WANN claims: scale tiny, seed 0"
    assert lines[1].startswith("[SUPPORTED] claim 4, claim four: MNIST-256 test accuracy")
    assert "p = 0.02" in lines[1] and "90.0 ± 1.0 %" in lines[1]
    assert lines[2].startswith("[MIXED] claim 5, claim five: swingup, CMA-ES over 2 seeds")
    assert lines[-1] == "1 supported, 0 not supported, 1 mixed"
    assert claim_lines(json.loads(json.dumps(_fabricated()))) == lines


# --- the command -------------------------------------------------------------------------------


def _review(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(["review", *argv])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--claims", "7"], "claims must be among 1, 2, 3, 4, 5"),
        (["--seed", "-1"], "--seed must be >= 0"),
        (["--json", "/no/such/folder/r.json"], "--json"),
    ],
)
def test_bad_arguments_are_one_line_errors(capsys, argv, expected):
    code, out, err = _review(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2 and out == [] and len(lines) == 1
    assert lines[0].startswith("error:") and expected in lines[0]


@pytest.mark.parametrize(
    "argv", [["--claims", "x"], ["--full", "--scale", "tiny"], ["--scale", "huge"]]
)
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["review", *argv])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("scratchnn review: error:")


def _tiny(capsys, tmp_path, claims: str) -> tuple[list[str], dict]:
    path = tmp_path / "review.json"
    code, out, _ = _review(
        capsys, "--scale", "tiny", "--claims", claims, "--json", str(path), "--seed", "3"
    )
    assert code == 0 and out[-1] == f"written: {path}"
    return out[:-1], json.loads(path.read_text())


@pytest.mark.mnist
def test_same_seed_same_lines_and_json_round_trips(capsys, tmp_path, mnist):
    first, data = _tiny(capsys, tmp_path, "1,2,4,5")
    second, _ = _tiny(capsys, tmp_path, "1,2,4,5")
    assert first == second and len(first) == 6
    assert claim_lines(data) == first  # the JSON holds everything the lines say
    assert [c["claim"] for c in data["claims"]] == [1, 2, 4, 5]
    for c in data["claims"]:
        assert c["verdict"] in verdict.VERDICTS and c["rule"]
    # the report's section renders from the same result
    md = "\n".join(report.render_markdown(data, {2: ["figures/x.png"]}))
    assert md.count("### Claim ") == 4 and "![claim 2](figures/x.png)" in md
    assert f"**Verdict: {data['claims'][0]['verdict']}.**" in md
    page = report.render_html(data, {2: ["figures/x.png"]}, lambda f: f"<img alt='{f}'>")
    assert page.startswith("<section id='review'>") and page.count("<table>") == 4
    assert "<img alt='figures/x.png'>" in page


@pytest.mark.slow
@pytest.mark.mnist
def test_every_claim_same_seed_same_lines_with_figures(capsys, tmp_path, mnist):
    path = tmp_path / "r.json"
    argv = ["--scale", "tiny", "--json", str(path), "--out", str(tmp_path / "figs")]
    code, first, _ = _review(capsys, *argv)
    code2, second, _ = _review(capsys, *argv)
    assert code == code2 == 0 and first == second and len(first) == 9
    assert claim_lines(json.loads(path.read_text())) == first[:7]
    for name in ("review_weight_sweep.png", "review_training.png"):
        assert (tmp_path / "figs" / name).stat().st_size > 2000


def test_results_table_from_a_record():
    from publication.review import REVIEW_RECORD, review_table

    from scratchnn.results.records import Record

    assert "No review record yet" in review_table({})
    claims = [{"claim": 1, "text": "a | b", "verdict": S, "rule": "the rule", "evidence": "e"}]
    data = {"command": "scratchnn review --full", "seed": 0, "commit": "abc1234",
            "dirty": False, "versions": {"cpu": "CPU", "cores": 2}, "time": {"wall_s": 120.0},
            "metrics": {"claims": claims, "scale": {"name": "full"}}}  # fmt: skip
    text = review_table({REVIEW_RECORD: Record(REVIEW_RECORD, data)})
    assert "| 1 | a \\| b | **supported** | e |" in text
    assert "- claim 1: the rule" in text
    assert "`scratchnn review --full` (scale full, seed 0) at commit abc1234" in text
    assert "in 2.0 minutes" in text
