#!/bin/bash
# MNIST-256 at the paper preset (two tournaments, best_reps 20), seed 4; code: snapshot of commit a88923a in /work/snap/s12/src; two threads (THREADS=2)
OUT=/work/runs/wann-mnist256-tourn2-seed4
mkdir -p $OUT
CMD="scratchnn wann search --task mnist256 --preset paper --seed 4 --out $OUT"
[ -f $OUT/checkpoint.npz ] && CMD="scratchnn wann search --task mnist256 --resume --out $OUT"
echo "command: $CMD  (code: commit a88923a, PYTHONPATH=/work/snap/s12/src, NUMBA_NUM_THREADS=${THREADS:-1}, $(date -u))" >> $OUT/search.log
PYTHONPATH=/work/snap/s12/src NUMBA_NUM_THREADS=${THREADS:-1} OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v /work/main/.venv/bin/$CMD >> $OUT/search.log 2>&1
