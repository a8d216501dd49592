#!/bin/bash
# cma-authors/, cma-tourn2-seed5/ (SNAP=/work/snap/s8b, commit 5379128) and cma-val-*/ (SNAP=/work/snap/s8c,
# the commit in train.log), and session 9's cma-tourn2-seed10/ and pgpe-tourn2-seed10/ (RUNS=/work/runs/s9,
# SNAP=/work/snap/s9: commit 22285c8's src): SNAP=DIR [RUNS=DIR] cma.sh NAME INPUT [train-weights args];
# one core; code: the snapshot of src in SNAP; output in RUNS/NAME (default /work/runs/s8)
cd /work/main
NAME=$1; IN=$2; shift 2
OUT=${RUNS:-/work/runs/s8}/$NAME
mkdir -p $OUT
ARGS="--task swingup --out $OUT --generations 100000 $@"
echo "command: scratchnn wann train-weights $IN $ARGS (commit $COMMIT, NUMBA_NUM_THREADS=1, $(date))" > $OUT/train.log
NUMBA_NUM_THREADS=1 PYTHONPATH=$SNAP/src /usr/bin/time -v .venv/bin/scratchnn wann train-weights $IN $ARGS >> $OUT/train.log 2>&1
echo "command: scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md ($(date))" > $OUT/eval.log
NUMBA_NUM_THREADS=1 PYTHONPATH=$SNAP/src /usr/bin/time -v .venv/bin/scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md >> $OUT/eval.log 2>&1
touch $OUT/DONE
