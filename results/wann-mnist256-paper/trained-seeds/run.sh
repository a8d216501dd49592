#!/bin/bash
# Session 9: the one-tournament champion's weights trained with five training seeds (minibatch order);
# validation accuracy picks one, and the test accuracy of every seed is in its train.log.
# Run from the repository root (session 9 ran the same commands on copies under /work/runs/s9, commit 22285c8's src).
C=$(git rev-parse --short HEAD)
for SEED in 0 1 2 3 4; do
  O=results/wann-mnist256-paper/trained-seeds/seed$SEED; mkdir -p $O
  echo "command: scratchnn wann train-weights results/wann-mnist256-paper/best.json --task mnist256 --out $O --shared-weight 1.3 --seed $SEED (commit $C, $(date -u))" > $O/train.log
  /usr/bin/time -v scratchnn wann train-weights results/wann-mnist256-paper/best.json --task mnist256 --out $O --shared-weight 1.3 --seed $SEED >> $O/train.log 2>&1
  echo "seed $SEED: $(grep 'best epoch' $O/train.log)"
done
