#!/bin/bash
# MNIST-256 at the paper preset (two tournaments, best_reps 20), seed 3; code: snapshot of commit a88923a in /work/snap/s12/src; one thread (THREADS=2 from the first resume)
OUT=/work/runs/wann-mnist256-tourn2-seed3
mkdir -p $OUT
CMD="scratchnn wann search --task mnist256 --preset paper --seed 3 --out $OUT"
[ -f $OUT/checkpoint.npz ] && CMD="scratchnn wann search --task mnist256 --resume --out $OUT"
echo "command: $CMD  (code: commit a88923a, PYTHONPATH=/work/snap/s12/src, NUMBA_NUM_THREADS=${THREADS:-1}, $(date -u))" >> $OUT/search.log
PYTHONPATH=/work/snap/s12/src NUMBA_NUM_THREADS=${THREADS:-1} OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v /work/main/.venv/bin/$CMD >> $OUT/search.log 2>&1
