"""``python -m scratchnn``: the command line of :mod:`scratchnn.cli`."""

import sys

from .cli import main

if __name__ == "__main__":  # spawned worker processes import this module under another name
    sys.exit(main())
