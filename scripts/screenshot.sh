#!/usr/bin/env bash
# Screenshot a report page with headless Chromium (Debian package `chromium`).
# Usage: scripts/screenshot.sh reports/writeup/index.html out.png [height]
set -euo pipefail
page=$(realpath "$1"); out=$(realpath -m "$2"); height=${3:-6000}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,"$height" \
  --screenshot="$out" "file://$page" 2>/dev/null
test -s "$out"
echo "$out"
