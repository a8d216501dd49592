#!/bin/bash
# cma-val-*/: cma-val.sh NAME INPUT [train-weights args]; one core; code: the commit in train.log (a snapshot of src in /work/snap/s8c)
cd /work/main
NAME=$1; IN=$2; shift 2
OUT=/work/runs/s8/$NAME
mkdir -p $OUT
ARGS="--task swingup --out $OUT --generations 100000 $@"
echo "command: scratchnn wann train-weights $IN $ARGS (commit $COMMIT, NUMBA_NUM_THREADS=1, $(date))" > $OUT/train.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s8c/src /usr/bin/time -v .venv/bin/scratchnn wann train-weights $IN $ARGS >> $OUT/train.log 2>&1
echo "command: scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md ($(date))" > $OUT/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s8c/src /usr/bin/time -v .venv/bin/scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md >> $OUT/eval.log 2>&1
touch $OUT/DONE
