"""MNIST file formats: IDX (raw or gzip) and the assignment's CSV, parsed strictly.

IDX layout (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), the number of
dimensions ``d``, then ``d`` int32 sizes, then ``prod(sizes)`` bytes of data. Labels are 1-D
(magic 0x00000801), images 3-D (magic 0x00000803).

CSV layout (the course starter's ``mnist_train.csv`` / ``mnist_test.csv``): no header, one image per
row, the label then 784 pixel values in 0..255.

Every parser refuses a malformed file with a :class:`~scratchnn.errors.DataError` that names the
file and the problem.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError

IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE


@dataclass(frozen=True)
class IdxFile:
    """One of the four standard MNIST files and its published checksums."""

    name: str  # uncompressed file name, e.g. "train-images-idx3-ubyte"
    md5: str  # MD5 of the uncompressed IDX bytes
    size: int  # size in bytes of the uncompressed file
    gz_md5: str  # MD5 of the usual ``.gz`` download

    @property
    def gz_name(self) -> str:
        return self.name + ".gz"


TRAIN_IMAGES = IdxFile(
    "train-images-idx3-ubyte",
    "6bbc9ace898e44ae57da46a324031adb",
    47_040_016,
    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
)
TRAIN_LABELS = IdxFile(
    "train-labels-idx1-ubyte",
    "a25bea736e30d166cdddb491f175f624",
    60_008,
    "d53e105ee54ea40749a09fcbcd1e9432",
)
TEST_IMAGES = IdxFile(
    "t10k-images-idx3-ubyte",
    "2646ac647ad5339dbf082846283269ea",
    7_840_016,
    "9fb629c4189551a2d022fa330f9573f3",
)
TEST_LABELS = IdxFile(
    "t10k-labels-idx1-ubyte",
    "27ae3e4e09519cfbb04c329615203637",
    10_008,
    "ec29112dd5afa0611ce80d1b7f02629c",
)
IDX_FILES: tuple[IdxFile, ...] = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def gzip_bound(n: int) -> int:
    """The most bytes a gzip file of ``n`` bytes of data can take (deflate's stored blocks add
    5 bytes per 64 KiB, plus header and trailer; generous)."""
    return n + n // 100 + 4096


def decompress_gzip(data: bytes, name: str, limit: int | None = None) -> bytes:
    """Uncompress gzip bytes; a truncated or corrupt stream is a :class:`DataError`.

    ``limit``: the most bytes the uncompressed data may hold (the known file size); the stream
    is read only that far, so a gzip bomb (a small file that expands to gigabytes) is refused
    without being expanded."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read() if limit is None else fh.read(limit + 1)
    except (EOFError, OSError, zlib.error) as exc:
        raise DataError(
            f"{name}: not a complete gzip file ({exc}); the download or copy was probably cut "
            "short - delete it and fetch again"
        ) from exc
    if limit is not None and len(out) > limit:
        raise DataError(
            f"{name}: expands to more than {limit:,} bytes, the size of the MNIST file; it is "
            "not MNIST"
        )
    return out


def parse_idx(data: bytes, name: str) -> np.ndarray:
    """Parse IDX bytes into a uint8 array of the header's shape.

    Raises :class:`DataError` for a wrong magic number, an unsupported type, or a data length that
    does not match the header.
    """
    if len(data) < 4:
        raise DataError(f"{name}: only {len(data)} bytes, too short for an IDX header")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or ndim not in (1, 3):
        raise DataError(
            f"{name}: wrong IDX magic 0x{data[:4].hex()} (expected 0x00000801 for labels or "
            "0x00000803 for images); this is not an uncompressed MNIST IDX file"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{name}: header truncated ({len(data)} bytes)")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims, dtype=np.int64))
    actual = len(data) - header
    if actual != expected:
        raise DataError(
            f"{name}: header says shape {dims} ({expected} bytes of data) but the file has "
            f"{actual}; the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def encode_idx(array: np.ndarray) -> bytes:
    """Inverse of :func:`parse_idx`: the IDX bytes of a uint8 array with 1 or 3 dimensions."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim not in (1, 3):
        raise ValueError(f"IDX arrays here are 1-D or 3-D, got shape {array.shape}")
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def read_idx_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a raw or ``.gz`` IDX file and return the uncompressed bytes.

    ``limit``: the known size of the uncompressed file; a file (or a ``.gz`` that expands)
    larger than that is refused before it is read whole into memory."""
    path = Path(path)
    try:
        size = path.stat().st_size
        most = None if limit is None else gzip_bound(limit) if path.suffix == ".gz" else limit
        if most is not None and size > most:
            raise DataError(f"{path}: {size:,} bytes, more than the MNIST file can be ({most:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from exc
    if str(path).endswith(".gz"):
        data = decompress_gzip(data, str(path), limit)
    return data


def parse_csv(text: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse the starter's CSV format into ``(images (N, 28, 28) uint8, labels (N,) uint8)``.

    Each row must hold exactly 785 integers in 0..255 (label first, and the label in 0..9).
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{name}: empty CSV file")
    for i, line in enumerate(lines):
        fields = line.count(",") + 1
        if fields != N_PIXELS + 1:
            raise DataError(
                f"{name}: row {i + 1} has {fields} fields, expected {N_PIXELS + 1} "
                "(label then 784 pixels); the file is not the assignment's MNIST CSV"
            )
    try:
        values = np.array(",".join(lines).split(","), dtype=np.int64)
    except (ValueError, OverflowError) as exc:
        raise DataError(f"{name}: non-integer value in CSV ({exc})") from exc
    values = values.reshape(len(lines), N_PIXELS + 1)
    if values.min() < 0 or values[:, 1:].max() > 255 or values[:, 0].max() > 9:
        raise DataError(f"{name}: values out of range (labels must be 0..9, pixels 0..255)")
    labels = values[:, 0].astype(np.uint8)
    images = values[:, 1:].astype(np.uint8).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    return images, labels


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as ASCII CSV ({exc})") from exc
    return parse_csv(text, str(path))
