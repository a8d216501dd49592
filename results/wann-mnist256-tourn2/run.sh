#!/bin/bash
# MNIST-256 at the paper preset with the reference's selection (tournaments: 2, default since session 7) and best_reps 20;
# code: snapshot of commit 45baabf in /work/snap/s8/src; both cores
OUT=/work/runs/wann-mnist256-tourn2
mkdir -p $OUT
CMD="scratchnn wann search --task mnist256 --preset paper --out $OUT"
[ -f $OUT/checkpoint.npz ] && CMD="scratchnn wann search --task mnist256 --resume --out $OUT"
echo "command: $CMD  (code: commit 45baabf, PYTHONPATH=/work/snap/s8/src, $(date -u))" >> $OUT/search.log
PYTHONPATH=/work/snap/s8/src /usr/bin/time -v /work/main/.venv/bin/$CMD >> $OUT/search.log 2>&1
