#!/bin/bash
cd /work/main
export NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src
for N in ${NAMES:-a1 a2 a3r}; do
  D=/work/runs/s12/eval1000/$N; mkdir -p $D
  F=/work/runs/s12/sw/$N/trained.json
  echo "command: scratchnn wann eval $F --task swingup --episodes 1000 --tune-episodes 100 --json eval.json ($(date -u))" > $D/eval.log
  /usr/bin/time -v .venv/bin/scratchnn wann eval $F --task swingup --episodes 1000 --tune-episodes 100 --json $D/eval.json >> $D/eval.log 2>&1
done
