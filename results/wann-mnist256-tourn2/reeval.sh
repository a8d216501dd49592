#!/bin/bash
# reeval.sh DIR...: session 13 re-ran `wann eval` on each MNIST-256 champion with the code that added
# the random shared weight row (commit e0e2f90), and checked that every other number of eval.json is
# the one the earlier evaluation wrote, before replacing eval.json, table.md, eval.png and eval.log.
# Run from the repository root.
for D in "$@"; do
  T=$(mktemp -d)
  echo "command: scratchnn wann eval best.json --task mnist256 --json eval.json --figure eval.png --markdown table.md (in $D, commit $(git rev-parse --short HEAD), $(date -u))" > $T/eval.log
  (cd $D && OPENBLAS_NUM_THREADS=1 /usr/bin/time -v scratchnn wann eval best.json --task mnist256 --json $T/eval.json --figure $T/eval.png --markdown $T/table.md) >> $T/eval.log 2>&1
  python3 -c "
import json, sys
old, new = json.load(open('$D/eval.json')), json.load(open('$T/eval.json'))
new.pop('random_shared')
sys.exit(0 if old == new else 'eval.json of $D changed beyond the new row')" || { echo "$D: kept the old evaluation"; continue; }
  cp $T/eval.json $T/table.md $T/eval.png $T/eval.log $D/
  echo "$D: $(grep 'random shared' $D/eval.log)"
done
