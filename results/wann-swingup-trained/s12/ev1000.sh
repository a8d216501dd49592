#!/bin/bash
# ev1000.sh: wann eval on 1,000 episodes of each NAMES folder in ${RUNS:-/work/runs/s12/sw}; output in RUNS/../eval1000/NAME
cd /work/main
export NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src
for N in ${NAMES:-a1 a2 a3r}; do
  D=${RUNS:-/work/runs/s12/sw}/../eval1000/$N; mkdir -p $D
  F=${RUNS:-/work/runs/s12/sw}/$N/trained.json
  echo "command: scratchnn wann eval $F --task swingup --episodes 1000 --tune-episodes 100 --json eval.json ($(date -u))" > $D/eval.log
  /usr/bin/time -v .venv/bin/scratchnn wann eval $F --task swingup --episodes 1000 --tune-episodes 100 --json $D/eval.json >> $D/eval.log 2>&1
done
