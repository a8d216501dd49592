#!/bin/bash
# stage.sh NAME INPUT ARGS...: one CMA-ES stage (one thread, commit a88923a's code) then wann eval, in ${RUNS:-/work/runs/s12/sw}/NAME
cd /work/main
NAME=$1; IN=$2; shift 2
D=${RUNS:-/work/runs/s12/sw}/$NAME; mkdir -p $D
C="scratchnn wann train-weights $IN --task swingup --out $D --method cma $*"
echo "command: $C (commit a88923a, NUMBA_NUM_THREADS=1, $(date -u))" > $D/train.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src /usr/bin/time -v .venv/bin/$C >> $D/train.log 2>&1
echo "command: scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md ($(date -u))" > $D/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s12/src /usr/bin/time -v .venv/bin/scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md >> $D/eval.log 2>&1
touch $D/DONE
