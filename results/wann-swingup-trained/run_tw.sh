#!/bin/bash
# session 9: SNAP=/work/snap/s9 COMMIT=0507c28 run_tw.sh NAME INPUT [train-weights args]; one core
cd /work/main
NAME=$1; IN=$2; shift 2
OUT=/work/runs/s9/$NAME
mkdir -p $OUT
ARGS="--task swingup --out $OUT --generations 100000 $@"
echo "command: scratchnn wann train-weights $IN $ARGS (commit $COMMIT, NUMBA_NUM_THREADS=1, $(date))" > $OUT/train.log
NUMBA_NUM_THREADS=1 PYTHONPATH=$SNAP/src /usr/bin/time -v .venv/bin/scratchnn wann train-weights $IN $ARGS >> $OUT/train.log 2>&1
echo "command: scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md ($(date))" > $OUT/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=$SNAP/src /usr/bin/time -v .venv/bin/scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md >> $OUT/eval.log 2>&1
touch $OUT/DONE
