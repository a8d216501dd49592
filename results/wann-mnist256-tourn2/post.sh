#!/bin/bash
# After a finished MNIST-256 search in DIR: evaluate the champion, then train its weights
# (30 epochs at the tuned shared weight; and --refit). Code: the snapshot the search used, SRC
# (default /work/snap/s12/src, commit a88923a: seeds 0-6) and COMMIT, which the logs name; the
# alias searches of session 14 used SRC=/work/snap/s14/src COMMIT=3456433.
D=$1; cd $D || exit 1
SRC=${SRC:-/work/snap/s12/src} COMMIT=${COMMIT:-a88923a}
export PYTHONPATH=$SRC NUMBA_NUM_THREADS=${THREADS:-1} OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
S=/work/main/.venv/bin/scratchnn
echo "command: scratchnn wann eval best.json --task mnist256 --json eval.json --figure eval.png --markdown table.md (commit $COMMIT, $(date -u))" > eval.log
/usr/bin/time -v $S wann eval best.json --task mnist256 --json eval.json --figure eval.png --markdown table.md >> eval.log 2>&1
W=$(/work/main/.venv/bin/python -c "import json; print(json.load(open('eval.json'))['tuned_weight'])")
for V in trained trained-refit; do
  X=""; [ $V = trained-refit ] && X="--refit"
  mkdir -p $V
  echo "command: scratchnn wann train-weights best.json --task mnist256 --out $V --shared-weight $W $X (commit $COMMIT, $(date -u))" > $V/train.log
  /usr/bin/time -v $S wann train-weights best.json --task mnist256 --out $V --shared-weight $W $X >> $V/train.log 2>&1
  echo "command: scratchnn wann eval $V/trained.json --task mnist256 --json $V/eval.json --markdown $V/table.md (commit $COMMIT, $(date -u))" > $V/eval.log
  /usr/bin/time -v $S wann eval $V/trained.json --task mnist256 --json $V/eval.json --markdown $V/table.md >> $V/eval.log 2>&1
done
grep -h "random\|ensemble\|tuned\|mean" eval.log | head; grep -h "best epoch\|test" trained*/train.log | tail -4
