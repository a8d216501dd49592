#!/bin/bash
cd /work/main
OUT=/work/runs/tw-swingup-fine
IN=results/wann-swingup-trained/champion-4000/trained.json
ARGS="--task swingup --out $OUT --generations 2000 --sigma 0.02 --lr 0.005 --episodes 32 --time-limit 1260"
echo "command: scratchnn wann train-weights $IN $ARGS (commit $(git rev-parse --short HEAD), NUMBA_NUM_THREADS=1, $(date))" > $OUT/train.log
NUMBA_NUM_THREADS=1 /usr/bin/time -v .venv/bin/scratchnn wann train-weights $IN $ARGS >> $OUT/train.log 2>&1
echo "command: scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md ($(date))" > $OUT/eval.log
NUMBA_NUM_THREADS=1 /usr/bin/time -v .venv/bin/scratchnn wann eval $OUT/trained.json --task swingup --json $OUT/eval.json --figure $OUT/eval.png --markdown $OUT/table.md >> $OUT/eval.log 2>&1
touch $OUT/DONE
