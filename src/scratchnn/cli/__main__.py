"""``python -m scratchnn.cli``: the command line (as ``python -m scratchnn`` and ``scratchnn``)."""

import sys

from . import main

if __name__ == "__main__":  # spawned worker processes import this module under another name
    sys.exit(main())
