"""User-facing errors.

Every problem a user can cause or fix (a corrupt data file, a bad config value, a missing file)
raises a subclass of :class:`ScratchnnError` whose message says what is wrong and how to fix it.
The CLI prints that message as one line and exits non-zero; anything else is a bug.
"""

from __future__ import annotations


class ScratchnnError(Exception):
    """Base class of every error that is the user's to fix."""


class DataError(ScratchnnError):
    """A data file is missing, malformed, or fails its checksum."""


class ConfigError(ScratchnnError):
    """A configuration file or value is invalid."""
