#!/bin/bash
# resume.sh NAME GENERATIONS: continue a stage's checkpoint (one thread, commit a88923a's code) then wann eval
cd /work/main
NAME=$1; G=$2; D=${RUNS:-/work/runs/s12/sw}/$NAME
C="scratchnn wann train-weights $(sed -n 's/^command: scratchnn wann train-weights \([^ ]*\) .*/\1/p' $D/train.log | head -1) --task swingup --out $D --resume --generations $G"
echo "command: $C (commit a88923a, NUMBA_NUM_THREADS=1, $(date -u))" >> $D/train.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src /usr/bin/time -v .venv/bin/$C >> $D/train.log 2>&1
echo "command: scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md ($(date -u))" > $D/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src /usr/bin/time -v .venv/bin/scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md >> $D/eval.log 2>&1
touch $D/DONE
