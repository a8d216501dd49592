"""The paper review's table, generated from the record of a ``scratchnn review --json`` run
(``results/review/run.json``, written by ``scripts/make_records.py --review``)."""

from __future__ import annotations

from scratchnn.results.markdown import table
from scratchnn.results.records import Record, ResultsError

#: the record of the review run the results page reports
REVIEW_RECORD = "review"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def review_table(records: dict[str, Record]) -> str:
    """Per claim: the claim (the writeup's, in our words), the verdict, the evidence and the
    rule that decided; then the command, the scale, the seed, the commit, the machine and the
    wall time."""
    if REVIEW_RECORD not in records:
        return (
            f"No review record yet: `scratchnn review --json review.json` and "
            f"`scripts/make_records.py --review results/{REVIEW_RECORD} COMMAND` write "
            f"`results/{REVIEW_RECORD}/run.json`.\n"
        )
    rec = records[REVIEW_RECORD]
    claims = rec.metrics.get("claims")
    if not claims:
        raise ResultsError(f"record {rec.name}: no metrics.claims")
    rows = [[str(c["claim"]), _cell(c["text"]), f"**{c['verdict']}**", _cell(c["evidence"])]
            for c in claims]  # fmt: skip
    rules = [f"- claim {c['claim']}: {c['rule']}" for c in claims]
    v = rec.data.get("versions") or {}
    scale = rec.metrics.get("scale") or {}
    wall = (rec.data.get("time") or {}).get("wall_s")
    return "\n".join([
        table(["Claim", "The writeup's claim (paraphrased)", "Verdict", "Evidence"], rows),
        "The rules (`scratchnn.review.verdict`):\n",
        *rules,
        "",
        f"Made by `{rec.data['command']}` (scale {scale.get('name', '?')}, seed {rec.seed}) at "
        f"commit {rec.data.get('commit') or 'not recorded'}"
        + (" (with uncommitted changes)" if rec.data.get("dirty") else "")
        + f", on {v.get('cpu', 'an unrecorded CPU')} with {v.get('cores', '?')} usable cores"
        + (f", in {wall / 60:.1f} minutes" if wall else "")
        + f"; scratchnn {v.get('scratchnn')}, Python {v.get('python')}, NumPy {v.get('numpy')}.\n",
    ])  # fmt: skip
