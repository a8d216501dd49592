"""Shared fixtures: small synthetic data sets, fake MNIST files, a local HTTP server, real MNIST."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scratchnn.data import Split, Splits
from scratchnn.data import sources as src
from scratchnn.data.formats import IDX_FILES, IdxFile, encode_idx

# this repository's publication (its results tables and zoo cards, scripts/publication) is not
# part of the package: the tests of it import it from there
sys.path.append(str(Path(__file__).resolve().parents[1] / "scripts"))


def make_splits(
    n_train: int = 240,
    n_val: int = 60,
    n_test: int = 60,
    dim: int = 12,
    classes: int = 3,
    seed: int = 0,
) -> Splits:
    """A learnable uint8 problem: class k lights up pixel block k (plus noise)."""
    rng = np.random.default_rng(seed)

    def split(n: int) -> Split:
        y = rng.integers(0, classes, n).astype(np.uint8)
        X = rng.integers(0, 80, (n, dim))
        block = dim // classes
        for k in range(classes):
            X[y == k, k * block : (k + 1) * block] += 150
        return Split(X.clip(0, 255).astype(np.uint8), y)

    return Splits(split(n_train), split(n_val), split(n_test))


@pytest.fixture
def tiny_splits() -> Splits:
    return make_splits()


@pytest.fixture
def fake_mnist(monkeypatch: pytest.MonkeyPatch) -> FakeFiles:
    """Small IDX files with MNIST's names, installed as *the* expected checksums for the test.

    Returns the uncompressed IDX bytes by file name; ``.arrays`` holds the arrays.
    """
    rng = np.random.default_rng(42)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 10, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    files = {k: encode_idx(v) for k, v in arrays.items()}
    patched = tuple(
        IdxFile(
            f.name,
            hashlib.md5(files[f.name]).hexdigest(),
            len(files[f.name]),
            hashlib.md5(gzip.compress(files[f.name], mtime=0)).hexdigest(),
        )
        for f in IDX_FILES
    )
    monkeypatch.setattr(src, "IDX_FILES", patched)
    return FakeFiles(files, arrays)


class FakeFiles(dict):
    def __init__(self, files: dict[str, bytes], arrays: dict[str, np.ndarray]) -> None:
        super().__init__(files)
        self.arrays = arrays


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a fresh folder; yields (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()

    def handler(*args: object, **kwargs: object) -> _QuietHandler:
        return _QuietHandler(*args, directory=str(root), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def mnist():
    """The real, verified MNIST (fetched into the user cache on first use)."""
    from scratchnn.data import load_mnist

    return load_mnist()
