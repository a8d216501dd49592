#!/bin/bash
# run.sh SEED: MNIST-256 paper preset with disabled_hidden: reference (config.yaml of the seed-0 folder),
# in /work/runs/wann-mnist256-alias-seedSEED; resumes when a checkpoint exists. THREADS (default 2) Numba threads.
SEED=${1:-0}
OUT=/work/runs/wann-mnist256-alias-seed$SEED
mkdir -p $OUT
[ -f $OUT/config.yaml ] || cp /work/runs/wann-mnist256-alias-seed0/config.yaml $OUT/
CMD="scratchnn wann search --task mnist256 --config $OUT/config.yaml --seed $SEED --out $OUT"
[ -f $OUT/checkpoint.npz ] && CMD="scratchnn wann search --task mnist256 --resume --out $OUT"
echo "command: $CMD  (code: commit 3456433, PYTHONPATH=/work/snap/s14/src, NUMBA_NUM_THREADS=${THREADS:-2}, $(date -u))" >> $OUT/search.log
PYTHONPATH=/work/snap/s14/src NUMBA_NUM_THREADS=${THREADS:-2} OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v /work/main/.venv/bin/$CMD >> $OUT/search.log 2>&1
