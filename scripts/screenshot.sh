#!/usr/bin/env bash
# Screenshot a report page, its full height, with headless Chromium (Debian package `chromium`,
# driven by Playwright's Python package: see scripts/page_check.py, which also checks the page).
# Usage: scripts/screenshot.sh reports/writeup/index.html out.png [--open-details]
set -euo pipefail
here=$(dirname "$0")
python=${PYTHON:-python3}
[ -x .venv/bin/python ] && [ -z "${PYTHON:-}" ] && python=.venv/bin/python
"$python" "$here/page_check.py" "$1" --screenshot "$2" "${@:3}" >/dev/null
test -s "$2"
echo "$2"
