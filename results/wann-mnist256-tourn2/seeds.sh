#!/bin/bash
# seeds.sh SEED: the MNIST-256 search of this folder (paper preset, two tournaments, best_reps 20) with
# another seed, started, or resumed when its checkpoint exists, in /work/runs/wann-mnist256-tourn2-seedSEED.
# Session 12 ran seeds 1-4 with it: code of commit a88923a (a snapshot of src/ in /work/snap/s12/src),
# NUMBA_NUM_THREADS=${THREADS:-1} (seeds 1 and 2: 1; seed 3: 1, then 2 from its resume; seed 4: 2, then 1 from
# its resume in session 13; session 13's seed 5: 1; seed 6: 2).
# Each search.log records its commands and thread counts. Then post.sh evaluates the champion.
SEED=$1
OUT=/work/runs/wann-mnist256-tourn2-seed$SEED
mkdir -p $OUT
CMD="scratchnn wann search --task mnist256 --preset paper --seed $SEED --out $OUT"
[ -f $OUT/checkpoint.npz ] && CMD="scratchnn wann search --task mnist256 --resume --out $OUT"
echo "command: $CMD  (code: commit a88923a, PYTHONPATH=/work/snap/s12/src, NUMBA_NUM_THREADS=${THREADS:-1}, $(date -u))" >> $OUT/search.log
PYTHONPATH=/work/snap/s12/src NUMBA_NUM_THREADS=${THREADS:-1} OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v /work/main/.venv/bin/$CMD >> $OUT/search.log 2>&1
