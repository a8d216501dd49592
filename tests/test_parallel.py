"""Local parallelism and concurrency safety (issue 15): ``--jobs`` gives the results of
``--jobs 1``; two processes on one store train each run once; a stale claim is taken over; a
resumed tune study draws new parameters and fails the trials a dead process left RUNNING."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scratchnn.cli import main
from scratchnn.experiments.store import ResultStore
from scratchnn.parallel import check_jobs, usable_cores
from tests.conftest import make_splits
from tests.helpers import store_rows

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, NUMBA_NUM_THREADS="1", PYTHONPATH=f"{REPO / 'src'}{os.pathsep}{REPO}")
GRID = {"learning_rate": [0.05, 0.3], "hidden_size": [8, 24]}
OVERRIDES = ["epochs=2", "batch_size=16", "dtype=float64"]

SWEEP = """
import sys
from scratchnn.experiments.sweep import run_sweep
from tests.conftest import make_splits

if __name__ == "__main__":
    data = make_splits(n_train=1500, n_val=200, n_test=200, dim=32, classes=4)
    run_sweep(None, {GRID}, overrides={OVERRIDES}, seeds=1, out=sys.argv[1], data=data,
              progress=False, log=lambda m: print(m, flush=True), jobs=int(sys.argv[2]))
""".replace("{GRID}", repr(GRID)).replace("{OVERRIDES}", repr(OVERRIDES))


def _sweep(out: Path, jobs: int):
    from scratchnn.experiments.sweep import run_sweep

    data = make_splits(n_train=1500, n_val=200, n_test=200, dim=32, classes=4)
    return run_sweep(
        None,
        GRID,
        overrides=OVERRIDES,
        out=out,
        data=data,
        progress=False,
        log=lambda m: None,
        jobs=jobs,
    )


def test_jobs_two_gives_the_store_rows_and_table_of_jobs_one(tmp_path):
    one = _sweep(tmp_path / "one", 1)
    two = _sweep(tmp_path / "two", 2)
    assert two.table == one.table
    assert store_rows(tmp_path / "two" / "results.sqlite") == store_rows(
        tmp_path / "one" / "results.sqlite"
    )
    assert len(store_rows(tmp_path / "two" / "results.sqlite")) == 4
    for name in ("metrics.json", "history.csv"):  # run directories written by the parent
        assert len(list((tmp_path / "two" / "runs").rglob(name))) == 4


def test_two_sweeps_on_one_out_train_each_run_once(tmp_path):
    script = tmp_path / "sweep.py"
    script.write_text(SWEEP)
    out = tmp_path / "shared"
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(out), "1"],
            cwd=REPO,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    logs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], logs
    done = [line for out_, _ in logs for line in out_.splitlines() if line.startswith("done ")]
    assert len(done) == 4  # four runs, each trained by one of the two processes
    assert len({line.split(":")[0] for line in done}) == 4
    ref = _sweep(tmp_path / "ref", 1)
    assert store_rows(out / "results.sqlite") == store_rows(tmp_path / "ref" / "results.sqlite")
    assert (out / "table.txt").read_text().strip() == ref.table


def test_a_claim_is_won_once_and_a_dead_process_claim_is_taken_over(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert store.claim("k1") and store.claim("k1")  # ours already: still ours
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        with store.db:
            store.db.execute("UPDATE claims SET pid = ? WHERE key = 'k1'", (dead.pid,))
        assert store.claimed_by_others({"k1"}) == set()  # its process is gone: stale
        assert store.claim("k1")  # taken over
        with store.db:  # a live process's claim (the test runner's parent)
            store.db.execute("UPDATE claims SET pid = ? WHERE key = 'k1'", (os.getppid(),))
        assert not store.claim("k1") and store.claimed_by_others({"k1"}) == {"k1"}
        store.release("k1")  # not ours: left alone
        assert store.claimed_by_others({"k1"}) == {"k1"}


def test_jobs_default_and_bad_values(capsys, tmp_path):
    assert check_jobs(None) == usable_cores() == len(os.sched_getaffinity(0))
    assert check_jobs(3) == 3
    code = main(["sweep", "--config", "x.yaml", "--grid", "reg=1", "--jobs", "0"])
    assert (
        code == 2 and "error: --jobs must be a whole number >= 1, got 0" in capsys.readouterr().err
    )
    code = main(["sweep", "--config", "x", "--grid", "reg=1", "--address", "auto"])
    assert code == 2
    assert "--address is the Ray cluster's address" in capsys.readouterr().err


def test_executor_ray_without_ray_names_the_install_command(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    code = main(["sweep", "--config", "x", "--grid", "reg=1", "--executor", "ray"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0
    assert "pip install 'scratchnn[ray]'" in err


# --- tune ----------------------------------------------------------------------------------

SPACE = {
    "base": {"Train": {"epochs": 2, "batch_size": 16}, "Model": {"hidden_size": 8}},
    "space": {"learning_rate": {"low": 0.02, "high": 0.5, "log": True}},
}


def _spec(tmp_path):
    from scratchnn.experiments.tune import load_spec

    p = tmp_path / "space.yaml"
    p.write_text(yaml.safe_dump(SPACE))
    return load_spec(p)


def _lrs(study) -> list[float]:
    return [t.params["learning_rate"] for t in study.trials]


def test_a_resumed_study_draws_new_params_and_a_seeded_one_is_reproducible(tmp_path, tiny_splits):
    from scratchnn.experiments.tune import run_study

    spec = _spec(tmp_path)
    kw = dict(trials=3, study_name="t", pruner="none", log=lambda m: None)
    first = _lrs(run_study(spec, tiny_splits, storage=str(tmp_path / "a.journal"), **kw))
    again = run_study(spec, tiny_splits, storage=str(tmp_path / "a.journal"), **kw)
    lrs = _lrs(again)
    assert len(lrs) == 6 and len(set(lrs)) == 6  # the resumed study did not repeat trials
    assert first == lrs[:3]
    other = run_study(spec, tiny_splits, storage=str(tmp_path / "b.journal"), **kw)
    assert _lrs(other) == lrs[:3]  # same seed, --jobs 1: the same trials


def test_a_trial_left_running_by_a_dead_process_is_failed_on_resume(tmp_path):

    from scratchnn.experiments.tune import open_study

    storage = str(tmp_path / "s.journal")
    study = open_study(storage, "t")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    trial = study.ask()
    trial.set_user_attr("pid", dead.pid)
    trial.set_user_attr("host", __import__("socket").gethostname())
    live = study.ask()
    live.set_user_attr("pid", os.getppid())
    live.set_user_attr("host", __import__("socket").gethostname())
    # killed between writing the host and the pid, or (earlier order) the pid and the host
    study.ask().set_user_attr("host", __import__("socket").gethostname())
    study.ask().set_user_attr("pid", dead.pid)
    elsewhere = study.ask()  # another machine's process: not ours to judge
    elsewhere.set_user_attr("pid", dead.pid)
    elsewhere.set_user_attr("host", "another-host.invalid")
    states = [t.state.name for t in open_study(storage, "t").trials]
    assert states == ["FAIL", "RUNNING", "FAIL", "FAIL", "RUNNING"]


def test_tune_with_two_jobs_runs_its_trials_in_workers(tmp_path, tiny_splits):
    import optuna

    from scratchnn.experiments.tune import run_study

    lines: list[str] = []
    study = run_study(
        _spec(tmp_path),
        tiny_splits,
        trials=4,
        storage=str(tmp_path / "p.journal"),
        pruner="none",
        log=lines.append,
        jobs=2,
    )
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 4
    assert all(t.user_attrs["pid"] == os.getpid() for t in study.trials)
    assert "2 at once" in lines[0] and "4 trials run now, 4 in the study" in lines[-1]
    with pytest.raises(Exception, match="in-memory"):
        run_study(_spec(tmp_path), tiny_splits, trials=2, storage="sqlite://", jobs=2)


NUMBA_AFTER_POOL = """
import sys
import numba
import numpy as np
from scratchnn.experiments.sweep import run_sweep
from tests.conftest import make_splits

@numba.njit(parallel=True)
def total(x):
    s = 0.0
    for i in numba.prange(len(x)):
        s += x[i]
    return s

if __name__ == "__main__":
    total(np.ones(8))  # the parent's Numba threads start (two of them)
    data = make_splits(n_train=300, n_val=100, n_test=100, dim=16, classes=3)
    run_sweep(None, {"learning_rate": [0.1, 0.2]}, overrides=["epochs=1"], out=sys.argv[1],
              data=data, progress=False, log=lambda m: None, jobs=2)

    @numba.njit(parallel=True)
    def twice(x):
        s = 0.0
        for i in numba.prange(len(x)):
            s += 2 * x[i]
        return s

    print(twice(np.ones(8)))  # a compile after the pool: the parent's Numba must still work
"""


def test_a_worker_pool_leaves_the_parents_numba_working(tmp_path):
    """The workers' one-Numba-thread setting stays in the workers: set in the parent's
    environment, it made the parent's next Numba compile fail ("Cannot set NUMBA_NUM_THREADS to
    a different value once the threads have been launched")."""
    script = tmp_path / "numba_after_pool.py"
    script.write_text(NUMBA_AFTER_POOL)
    env = {k: v for k, v in ENV.items() if k != "NUMBA_NUM_THREADS"}  # Numba's default: cores
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "s")], env=env, cwd=REPO,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "16.0"


POOL_THEN_SLEEP = """
import multiprocessing as mp
import time
from scratchnn.parallel import shared_pool

if __name__ == "__main__":
    pool = shared_pool(2)
    for f in [pool.submit(time.sleep, 0.5) for _ in range(2)]:  # both workers start
        f.result()
    print(*(p.pid for p in mp.active_children()), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    """``pid`` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_pool_workers_exit_when_their_parent_is_killed(tmp_path):
    """kill -9 of the parent (no cleanup runs) leaves no worker behind: each one sees its
    parent gone and exits within a few seconds."""
    import signal
    import time

    script = tmp_path / "pool_then_sleep.py"
    script.write_text(POOL_THEN_SLEEP)
    proc = subprocess.Popen(
        [sys.executable, str(script)], env=ENV, cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2 and all(map(_alive, workers))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "a worker outlived its parent"


def test_the_shared_pool_is_reused_and_replaced_for_another_size():
    from scratchnn.parallel import shared_pool, stop_shared_pool

    try:
        one = shared_pool(1)
        assert shared_pool(1) is one and one.submit(os.getpid).result() != os.getpid()
        two = shared_pool(2)
        assert two is not one and two.submit(abs, -3).result() == 3
        with pytest.raises(RuntimeError):  # the old pool was shut down
            one.submit(abs, -1)
    finally:
        stop_shared_pool()
