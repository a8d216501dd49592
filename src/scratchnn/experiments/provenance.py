"""Where a report's numbers came from: date, versions, git commit, machine (read at the edge).

:func:`collect` does the I/O (clock, ``git``, ``/proc/cpuinfo``) once, in the job; the report only
renders the dict it returns, which is stored in ``results.json``.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else :func:`platform.processor`)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def git_commit(where: Path | None = None) -> str | None:
    """``HEAD``'s commit of the git checkout that holds scratchnn's source (``+dirty`` when it has
    uncommitted changes), or ``None`` outside a checkout (an installed wheel) or without git."""
    where = where or Path(__file__).resolve().parent
    try:

        def git(*args: str) -> str:
            return subprocess.run(
                ["git", "-C", str(where), *args],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            ).stdout.strip()

        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def collect(seeds: list[int]) -> dict[str, Any]:
    """Everything the report's provenance section shows, except the timings (added by the job).

    ``seeds``: the shuffle seeds the job ran.
    """
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "scratchnn": __version__,
        "git_commit": git_commit(),
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "shuffle_seeds": sorted(seeds),
    }
