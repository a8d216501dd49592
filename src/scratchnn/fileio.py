"""Writing outputs so that nothing already recorded is lost.

* :func:`check_output_dir` / :func:`check_output_file`: an output location is checked before any
  work (an existing file where a folder is needed, a folder that cannot be written, a missing
  parent folder), so that a long run never ends in a ``PermissionError`` with its result lost;
* :func:`atomic_write_bytes`, :func:`atomic_write_text`, :func:`atomic_path`: a file is written
  to a temporary name in the same folder and renamed over the target only when complete
  (``os.replace`` is atomic), so a failed write (full disk, Ctrl-C, kill -9) leaves the previous
  version intact instead of a truncated one;
* :func:`dumps_json`: JSON that other tools can read (a NaN or infinity, e.g. the metric of a
  diverged run, is written as ``null``, never as the bare ``NaN`` that is not JSON);
* :func:`write_failure`: the one line a failed write (``OSError``) is reported with;
* :func:`read_npz`: reading back the ``.npz`` archives scratchnn writes (model parameters, search
  and weight-training checkpoints), without pickle, a damaged one refused with a ``DataError``.
"""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .errors import DataError, ScratchnnError

# what a failed write most often means, and what the user can do about it
_WHY = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is exceeded; free some space",
    errno.EROFS: "the file system is read-only; choose another location",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "operation not permitted; choose a folder you can write to",
    errno.EFBIG: "the file is too large for this file system",
}


def write_failure(exc: OSError) -> str:
    """One line for a failed file operation: where, what the OS said, and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    hint = _WHY.get(exc.errno or 0)
    reason = exc.strerror or str(exc)
    return f"{where}{reason}" + (f" ({hint})" if hint else "")


def _first_existing(path: Path) -> Path:
    """``path`` or its nearest existing ancestor."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe_writable(folder: Path, option: str) -> None:
    """Create and remove a temporary file in ``folder``: the one test of writability that also
    holds for root, read-only mounts and full disks (``os.access`` answers none of these)."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".scratchnn-probe-"):
            pass
    except OSError as exc:
        raise ScratchnnError(
            f"{option} {folder}: cannot write there ({exc.strerror or exc}); "
            "choose a folder you can write to"
        ) from None


def check_output_dir(path: Path | str, option: str = "--out") -> None:
    """Refuse, before any work, a folder output that could not be written: ``path`` is an
    existing file, sits below a file, or its nearest existing ancestor is not writable. Missing
    folders are fine (they are created when the output is written)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ScratchnnError(
            f"{option} {path}: exists and is not a folder; give a folder (it is created if "
            "missing) or move the file away"
        )
    base = _first_existing(path)
    if not base.is_dir():
        raise ScratchnnError(f"{option} {path}: {base} is a file, not a folder")
    _probe_writable(base, option)


def check_output_file(path: Path | str, option: str) -> None:
    """Refuse, before any work, a file output that could not be written: ``path`` is a folder,
    its parent folder does not exist (or is a file), or the parent is not writable."""
    path = Path(path)
    if path.is_dir():
        raise ScratchnnError(f"{option} {path}: is a folder; give a file name")
    parent = Path(os.path.abspath(path)).parent
    if not parent.exists():
        raise ScratchnnError(
            f"{option} {path}: the folder {parent} does not exist; create it first or choose "
            "another location"
        )
    if not parent.is_dir():
        raise ScratchnnError(f"{option} {path}: {parent} is a file, not a folder")
    _probe_writable(parent, option)


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix, so writers that go by the extension, like
    ``savefig``, choose the right format) that replaces ``path`` when the block ends without an
    exception; on any exception the temporary file is removed and ``path`` is left untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(fh: Any, data: bytes) -> None:
    """The one place output bytes are written (tests inject a full disk here)."""
    fh.write(data)
    fh.flush()


@contextmanager
def atomic_file(path: Path | str, fsync: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write that replaces ``path`` when the block ends without an exception
    (:func:`atomic_path`); ``fsync``: flushed to disk before the rename, so a power cut leaves the
    old or the new file, never an empty one. On any exception nothing is left behind."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())


def atomic_write_bytes(path: Path | str, data: bytes, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_file`); the parent folder is created
    if missing. A failure is an ``OSError`` naming ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path, fsync) as fh:
            _write(fh, data)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def atomic_write_text(path: Path | str, text: str, fsync: bool = True) -> None:
    """:func:`atomic_write_bytes` of ``text`` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def finite(obj: Any) -> Any:
    """``obj`` with every non-finite float (NaN, infinities) replaced by ``None``, recursively
    through dicts, lists and tuples (tuples become lists, as JSON has them)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def dumps_json(obj: Any, indent: int = 1, default: Callable[[Any], Any] | None = None) -> str:
    """Strict JSON text of ``obj`` (non-finite floats as ``null``, see :func:`finite`) and a
    final newline."""
    return json.dumps(finite(obj), indent=indent, allow_nan=False, default=default) + "\n"


def save_figure(fig: Any, path: Path | str, **kwargs: Any) -> None:
    """``fig.savefig(path, **kwargs)`` atomically (the format from ``path``'s suffix, PNG when
    it has none): an interrupted or failed save leaves the previous figure intact."""
    path = Path(path)
    kwargs.setdefault("format", path.suffix[1:].lower() or "png")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **kwargs)


#: what reading a damaged or hostile ``.npz`` can raise (zip, deflate, ``.npy`` header, dtype)
_NPZ_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,  # a zip member with a feature zipfile does not read (patched data, ...)
    RuntimeError,  # an encrypted zip member
    ValueError,
    KeyError,
    TypeError,
    OverflowError,
)


def read_npz(path: Path | str) -> dict[str, Any]:
    """Every array of a ``.npz`` archive (written by ``np.savez``), read without pickle.

    A missing file raises ``FileNotFoundError`` (callers say what to do then); anything else that
    stops the read (a damaged zip or deflate stream, an encrypted or unsupported member, a bad
    ``.npy`` header, pickled objects) raises :class:`~scratchnn.errors.DataError` naming the cause.
    """
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: np.array(z[k]) for k in z.files}
    except FileNotFoundError:
        raise
    except _NPZ_ERRORS as exc:
        raise DataError(f"not a readable .npz archive: {type(exc).__name__}: {exc}") from exc
