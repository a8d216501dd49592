#!/bin/bash
# run.sh [BEST W OUT SEEDS]: a champion's weights trained with several training seeds (minibatch
# order); validation accuracy picks one, and the test accuracy of every seed is in its train.log.
# Session 9 ran it with the defaults: the one-tournament champion at its tuned weight 1.3, seeds 0-4
# (on copies under /work/runs/s9, commit 22285c8's src). Session 13 ran it on seed 5's champion of the
# two-tournament search (../../wann-mnist256-tourn2-seed5/trained-seeds/README.md).
# Run from the repository root.
BEST=${1:-results/wann-mnist256-paper/best.json}
W=${2:-1.3}
OUT=${3:-results/wann-mnist256-paper/trained-seeds}
SEEDS=${4:-0 1 2 3 4}
C=$(git rev-parse --short HEAD)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1
for SEED in $SEEDS; do
  O=$OUT/seed$SEED; mkdir -p $O
  echo "command: scratchnn wann train-weights $BEST --task mnist256 --out $O --shared-weight $W --seed $SEED (commit $C, $(date -u))" > $O/train.log
  /usr/bin/time -v scratchnn wann train-weights $BEST --task mnist256 --out $O --shared-weight $W --seed $SEED >> $O/train.log 2>&1
  echo "seed $SEED: $(grep 'best epoch' $O/train.log)"
done
