"""Optional dependencies: one place that imports them and says how to install a missing one.

``pip install scratchnn`` installs what training the assignment's network needs (NumPy; Numba,
SciPy and threadpoolctl for the fused path; PyYAML, tqdm and matplotlib for ``train``'s configs,
progress bar and figures). Everything else is an extra declared in ``pyproject.toml``
(``[tune]``, ``[wann]``, ``[gym]``, ...). Code that needs one imports it through
:func:`require`, which raises :class:`MissingExtraError` (a
:class:`~scratchnn.errors.ScratchnnError`, so the command line prints one line and exits 2)
when it is not installed::

    optuna = require("optuna", "tune", "scratchnn tune")
    # scratchnn tune needs optuna: pip install 'scratchnn[tune]'

:func:`version_line` is ``scratchnn --version``: the installed version and which extras are
installed, read from the package's metadata (the extras and their requirements are declared in
``pyproject.toml`` only).
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from .errors import ScratchnnError

DISTRIBUTION = "scratchnn"

#: the extras that are tools for working on scratchnn itself, not features: left out of
#: ``--version``'s list
DEVELOPER_EXTRAS = frozenset({"all", "dev", "docs", "notebooks", "bench"})


class MissingExtraError(ScratchnnError, ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra that installs it.
    Also a :class:`ModuleNotFoundError`, so ``except ImportError`` catches it."""


def install_hint(extra: str) -> str:
    """``pip install 'scratchnn[EXTRA]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(module: str, extra: str, feature: str, package: str | None = None) -> ModuleType:
    """``import module`` and return it; when it (or its top-level package) is not installed,
    raise :class:`MissingExtraError`: ``FEATURE needs PACKAGE: pip install 'scratchnn[EXTRA]'``.

    ``feature`` says what needs the module (``"scratchnn tune"``, ``"--executor ray"``);
    ``package`` is the name to install when it is not the module's (``"scikit-learn"`` for
    ``sklearn``). A module that is installed but fails to import for another reason (one of
    its own dependencies is missing, a broken build) raises its own error unchanged."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the module is there; something it imports is not
        raise MissingExtraError(
            f"{feature} needs {package or top}: {install_hint(extra)}", name=module
        ) from None


# --- scratchnn --version ----------------------------------------------------------------------

_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def extras_status() -> dict[str, bool]:
    """Each feature extra of the installed scratchnn (in ``pyproject.toml``'s order, developer
    extras left out) -> whether every distribution it requires is installed. An extra that
    requires another of scratchnn's extras (``scratchnn[gym]``) counts that one's
    requirements."""
    from importlib import metadata

    by_extra: dict[str, list[str]] = {}
    for extra in metadata.metadata(DISTRIBUTION).get_all("Provides-Extra") or []:
        by_extra[extra] = []
    for requirement in metadata.requires(DISTRIBUTION) or []:
        marker = _EXTRA_MARKER.search(requirement)
        name = _NAME.match(requirement)
        if marker and name:
            by_extra.setdefault(marker.group(1), []).append(requirement)

    def installed(requirement: str, seen: frozenset[str]) -> bool:
        name = _NAME.match(requirement).group(1)  # type: ignore[union-attr]
        if _normalized(name) == DISTRIBUTION:  # scratchnn[other,extras]
            inner = re.search(r"\[([^\]]*)\]", requirement)
            wanted = [e.strip() for e in inner.group(1).split(",")] if inner else []
            return all(complete(e, seen) for e in wanted if e not in seen)
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            return False
        return True

    def complete(extra: str, seen: frozenset[str] = frozenset()) -> bool:
        return all(installed(r, seen | {extra}) for r in by_extra.get(extra, []))

    return {e: complete(e) for e in by_extra if e not in DEVELOPER_EXTRAS}


def version() -> str:
    """The installed scratchnn's version (from its metadata; ``0+unknown`` when the package runs
    from a source tree that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def version_line() -> str:
    """``scratchnn VERSION (extras: ...; missing: ...)``: what ``scratchnn --version`` prints."""
    from importlib import metadata

    try:
        status = extras_status()
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return f"{DISTRIBUTION} {version()}"
    have = ", ".join(e for e, ok in status.items() if ok) or "none"
    missing = ", ".join(e for e, ok in status.items() if not ok) or "none"
    return f"{DISTRIBUTION} {version()} (extras: {have}; missing: {missing})"
