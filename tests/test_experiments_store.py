"""The results store (scratchnn.experiments.store): run keys and the SQLite file."""

import pytest

from scratchnn.config import load_config
from scratchnn.errors import ScratchnnError
from scratchnn.experiments.store import ResultStore, RunRecord, run_key


def test_run_key_depends_on_config_seed_and_data_not_debug():
    a = load_config(None, ["debug=true"])
    assert run_key(a) == run_key(load_config(None, ["debug=false"]))
    assert run_key(a) != run_key(load_config(None, ["seed=1"]))
    assert run_key(a) != run_key(a, data="mnist-quick")
    assert run_key(a) != run_key(load_config(None, ["reg=0.01"]))


def test_run_keys_are_those_of_stores_written_before_the_activation_was_resolved():
    """Keys computed before ``activation: default`` was resolved (pinned): old stores still
    match, so their runs are skipped, not redone."""
    assert run_key(load_config(None)) == "8c75db4e199914a26610"
    assert run_key(load_config(None, ["type=SoftmaxRegression"])) == "5bb81816e7027eb804cf"
    assert run_key(load_config(None, ["activation=relu"])) != run_key(load_config(None))


def test_store_round_trip_and_corrupt_file(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        rec = RunRecord(
            "k1", "mnist", {"Train": {}}, 3, "ok", {"test_acc": 0.9}, [{"epoch": 1}], 1.5
        )
        store.put(rec)
        got = store.get("k1")
        assert got.metrics == {"test_acc": 0.9} and got.seed == 3 and got.finished_at > 0
        assert store.get("nope") is None and len(store) == 1
    (tmp_path / "bad.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ScratchnnError, match="not a readable SQLite file"):
        ResultStore(tmp_path / "bad.sqlite")
