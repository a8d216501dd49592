#!/usr/bin/env bash
# Issue 15 benchmark. Run from a scratchnn checkout on a quiet machine:
#   bash scripts/bench_parallel.sh [PYTHON]     (PYTHON default: .venv/bin/python; needs ray installed)
# 1. `scratchnn reproduce` with --jobs 1 and with the default --jobs, back to back, into two fresh
#    --out folders; their results.json tables compared for identity (timings left out).
# 2. A 20-generation swingup search: local, local Ray, a two-node Ray cluster on 127.0.0.1;
#    stats.csv compared (seconds column left out).
set -euo pipefail
PY=${1:-.venv/bin/python}
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
W=$(mktemp -d /tmp/bench15.XXXX)
echo "work folder $W; cores: $($PY -c 'import os; print(len(os.sched_getaffinity(0)))')"
t() { local s=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $s" | bc)"; }

if [ -z "${SKIP_REPRODUCE:-}" ]; then
s=$(date +%s.%N); $PY -m scratchnn reproduce --jobs 1 --out "$W/rep1" --no-progress > "$W/rep1.log" 2>&1
T1=$(echo "$(date +%s.%N) - $s" | bc)
s=$(date +%s.%N); $PY -m scratchnn reproduce --out "$W/repN" --no-progress > "$W/repN.log" 2>&1
TN=$(echo "$(date +%s.%N) - $s" | bc)
echo "reproduce --jobs 1: ${T1} s; default --jobs: ${TN} s; ratio $(echo "scale=2; $T1 / $TN" | bc)"
$PY - "$W/rep1/results.json" "$W/repN/results.json" <<'PY'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if "seconds" not in k and k != "provenance"}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(p))) for p in sys.argv[1:])
print("results.json tables identical:", a == b)
PY
fi

search() {  # $1 out, rest: extra options
  local out=$1; shift
  $PY -m scratchnn wann search --task swingup --generations 20 --seed 0 --out "$out" "$@" > "$out.log" 2>&1
}
s=$(date +%s.%N); search "$W/s-local"; TL=$(echo "$(date +%s.%N) - $s" | bc)
s=$(date +%s.%N); search "$W/s-ray" --executor ray; TR=$(echo "$(date +%s.%N) - $s" | bc)
RAY=$(dirname "$PY")/ray
# Ray >= 2.59 turns token authentication on for `ray start --head`: every node and the driver
# then need RAY_AUTH_MODE=token (here they share the head's token file, ~/.ray/auth_token)
export RAY_AUTH_MODE=token
$RAY start --head --port=6390 --num-cpus=1 --include-dashboard=false > "$W/head.log" 2>&1
$RAY start --address=127.0.0.1:6390 --num-cpus=1 > "$W/node.log" 2>&1
s=$(date +%s.%N); search "$W/s-cluster" --executor ray --address 127.0.0.1:6390 || true
TC=$(echo "$(date +%s.%N) - $s" | bc)
$RAY stop > /dev/null 2>&1 || true
echo "swingup 20 generations: local ${TL} s; local Ray ${TR} s; two-node Ray ${TC} s"
for x in s-ray s-cluster; do
  if cmp -s <(cut -d, -f1-7 "$W/s-local/stats.csv") <(cut -d, -f1-7 "$W/$x/stats.csv") &&
     cmp -s "$W/s-local/best.json" "$W/$x/best.json"; then
    echo "$x: stats.csv and champion identical to local"
  else
    echo "$x: DIFFERS from local (see $W)"
  fi
done
