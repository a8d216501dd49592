"""The README's promises: its quick start runs as written, its length, its generated block.

The quick start is a ``console`` block under "## Quick start": lines starting with ``$ `` are
commands, the lines after each are its expected output, ``...`` standing for lines left out.
Each command runs here (in a temporary folder, through this interpreter's ``scratchnn``) and its
output must hold the expected lines in order, numbers aside: a different number passes, a
different line does not.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")


def quick_start() -> list[tuple[str, list[str]]]:
    """``[(command, expected lines)]`` of the README's quick-start console block."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the quick start has no ```console block"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].strip(), []))
        else:
            assert steps, f"output before the first command: {line!r}"
            steps[-1][1].append(line)
    return steps


def shape(line: str) -> str:
    """A line with every number replaced by ``N`` and runs of spaces collapsed."""
    return " ".join(NUMBER.sub("N", line).split())


def test_readme_is_a_few_screens() -> None:
    n = len(README.read_text(encoding="utf-8").splitlines())
    assert 100 <= n <= 250, f"README.md has {n} lines; keep it to 150-250"


def test_readme_has_the_generated_headline_block_once() -> None:
    text = README.read_text(encoding="utf-8")
    begin, end = "<!-- BEGIN generated: headline -->", "<!-- END generated: headline -->"
    assert text.count(begin) == 1 and text.count(end) == 1
    assert text.index(begin) < text.index(end)


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test\n" in ci
    assert re.search(r"^make test\s+#", README.read_text(encoding="utf-8"), re.M)


def test_user_facing_text_never_speaks_of_sessions() -> None:
    pages = [README, *sorted((ROOT / "docs").rglob("*.md")), *(ROOT / "docs").rglob("*.py")]
    pages = [p for p in pages if "_build" not in p.parts and "auto_tutorials" not in p.parts]
    bad = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in pages
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bsessions?\b", line, re.I)
    ]
    assert not bad, "user-facing text mentions development sessions:\n" + "\n".join(bad)


def test_quick_start_parses() -> None:
    steps = quick_start()
    assert [c.split()[:2] for c, _ in steps] == [
        ["scratchnn", "theory"],
        ["scratchnn", "wann"],
        ["scratchnn", "wann"],
    ]
    assert all(expected for _, expected in steps)


def test_quick_start_runs_as_written(tmp_path: Path) -> None:
    # in order, in one folder: the third command evaluates what the second wrote
    for command, expected in quick_start():
        argv = shlex.split(command)
        assert argv[0] == "scratchnn"
        proc = subprocess.run(
            [sys.executable, "-m", "scratchnn", *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        assert proc.returncode == 0, f"{command}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
        got = [shape(line) for line in proc.stdout.splitlines()]
        at = 0
        for want in expected:
            if want.strip() == "...":
                continue
            while at < len(got) and got[at] != shape(want):
                at += 1
            assert at < len(got), (
                f"{command}: no line shaped like\n  {want}\nin order in its output:\n"
                + proc.stdout[-3000:]
            )
            at += 1
