#!/bin/bash
# recipe.sh NAME INPUT "STAGE ARGS" "STAGE ARGS" ...: CMA-ES stages chained (each from the previous
# trained.json), one thread, commit 6e4be6b's code (/work/snap/s11b); then wann eval of the last.
cd /work/main
NAME=$1; IN=$2; shift 2
R=/work/runs/s11/$NAME; mkdir -p $R
T0=$(date +%s); K=0; I=$IN
for ARGS in "$@"; do
  K=$((K+1)); D=$R/stage$K; mkdir -p $D
  C="scratchnn wann train-weights $I --task swingup --out $D --method cma --pairs 16 $ARGS"
  echo "command: $C (commit 6e4be6b, NUMBA_NUM_THREADS=1, $(date))" > $D/train.log
  NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s11b/src /usr/bin/time -v .venv/bin/$C >> $D/train.log 2>&1
  I=$D/trained.json
done
echo "stages: $K, wall $(( $(date +%s) - T0 )) s" > $R/wall.txt
D=$R/stage$K
echo "command: scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md ($(date))" > $D/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s11b/src /usr/bin/time -v .venv/bin/scratchnn wann eval $D/trained.json --task swingup --json $D/eval.json --figure $D/eval.png --markdown $D/table.md >> $D/eval.log 2>&1
touch $R/DONE
