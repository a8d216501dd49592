"""Reading back scratchnn's own .npz files: a damaged archive is a named error, never a crash.

The zip features below were found by the checkpoint fuzzer (tests/test_fuzz.py): zipfile raises
``RuntimeError`` for an encrypted member and ``NotImplementedError`` for "compressed patched
data", neither of which the readers caught.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from scratchnn.errors import DataError, ScratchnnError
from scratchnn.fileio import read_npz


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _with_flags(data: bytes, flags: int) -> bytes:
    """The archive with the first central-directory entry's general-purpose flags set."""
    at = data.index(b"PK\x01\x02") + 8
    return data[:at] + flags.to_bytes(2, "little") + data[at + 2 :]


DAMAGED = {
    "encrypted member": lambda d: _with_flags(d, 0x0001),
    "patched data": lambda d: _with_flags(d, 0x0020),
    "cut short": lambda d: d[: len(d) // 2],
    "not a zip": lambda d: b"hello, not an archive",
    "pickled object": lambda d: b"\x80\x04K\x01.",
}


def test_read_npz_round_trips_and_refuses_every_damage(tmp_path):
    good = _npz(a=np.arange(5.0), b=np.eye(2))
    path = tmp_path / "x.npz"
    path.write_bytes(good)
    back = read_npz(path)
    assert set(back) == {"a", "b"} and np.array_equal(back["b"], np.eye(2))
    for damage in DAMAGED.values():
        path.write_bytes(damage(good))
        with pytest.raises(DataError, match=r"not a readable \.npz archive"):
            read_npz(path)
    with pytest.raises(FileNotFoundError):
        read_npz(tmp_path / "missing.npz")


def test_checkpoints_and_parameters_with_a_damaged_archive_are_refused(tmp_path):
    from scratchnn.runs import load_params, save_params
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.loop import load_checkpoint
    from scratchnn.wann.search.run import search
    from scratchnn.wann.tasks import SwingUpTask
    from scratchnn.wann.weights import ESConfig, PGPEState

    search(SwingUpTask(steps=20), tmp_path / "s", SearchConfig(pop=8, generations=1), log=None)
    PGPEState.start(np.ones(3), ESConfig()).save(tmp_path / "pgpe.npz")
    save_params(tmp_path / "model.npz", {"W1": np.ones((2, 2))})
    readers = {
        tmp_path / "s" / "checkpoint.npz": (load_checkpoint, "is damaged .*; delete it"),
        tmp_path / "pgpe.npz": (PGPEState.load, "is damaged .*; delete it"),
        tmp_path / "model.npz": (load_params, r"not a readable \.npz archive"),
    }
    for path, (read, message) in readers.items():
        read(path)  # the intact file loads
        intact = path.read_bytes()
        for damage in DAMAGED.values():
            path.write_bytes(damage(intact))
            with pytest.raises(ScratchnnError, match=message) as info:
                read(path)
            assert str(path) in str(info.value)


def test_a_failed_atomic_write_leaves_the_old_file_and_nothing_else(tmp_path, monkeypatch):
    """Every writer of the package goes through fileio.atomic_file: the search checkpoint (which
    used to leave a ``.tmp`` behind on failure), the MNIST cache, weight checkpoints."""
    from scratchnn.data import sources
    from scratchnn.fileio import atomic_file
    from scratchnn.wann.search import loop
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.tasks import make_task

    state = loop.initial_state(make_task("xor"), SearchConfig(pop=8, seed=1))
    target = tmp_path / "checkpoint.npz"
    target.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(loop.np, "savez_compressed", fail)
    with pytest.raises(OSError):
        loop.save_checkpoint(state, target)
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "other.bin") as fh:
        fh.write(b"partial")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz"]
    assert not hasattr(sources, "atomic_write")  # one helper, not two
