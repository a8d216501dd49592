#!/bin/bash
# reeval.sh DIR...: session 13 re-ran `wann eval` on each MNIST-256 champion (DIR/best.json) and on
# each set of its trained weights (DIR/trained.json) with the code that added the random shared
# weight row (src of commit e0e2f90), and checked that every other number of eval.json is the one the
# earlier evaluation wrote, before replacing eval.json, table.md, eval.log (and eval.png, where the
# earlier evaluation drew one). Run from the repository root.
S=$PWD/.venv/bin/scratchnn
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
for D in "$@"; do
  F=best.json; [ -f "$D/trained.json" ] && F=trained.json
  FIG=""; [ -f "$D/eval.png" ] && FIG="--figure eval.png"
  T=$(mktemp -d)
  echo "command: scratchnn wann eval $F --task mnist256 --json eval.json $FIG --markdown table.md (in $D, commit $(git rev-parse --short HEAD), $(date -u))" > "$T/eval.log"
  (cd "$D" && /usr/bin/time -v $S wann eval $F --task mnist256 --json "$T/eval.json" ${FIG:+--figure "$T/eval.png"} --markdown "$T/table.md") >> "$T/eval.log" 2>&1
  if OLD="$D/eval.json" NEW="$T/eval.json" python3 -c "
import json, os, sys
old, new = json.load(open(os.environ['OLD'])), json.load(open(os.environ['NEW']))
new.pop('random_shared')
sys.exit(0 if old == new else 1)"; then
    cp "$T"/eval.json "$T"/table.md "$T"/eval.log "$D"/
    [ -n "$FIG" ] && cp "$T/eval.png" "$D"/
    echo "$D: $(grep 'random shared' "$D/eval.log")"
  else
    echo "$D: eval.json changed beyond the new row (or the evaluation failed); kept the old evaluation"
  fi
  rm -rf "$T"
done
