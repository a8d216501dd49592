#!/bin/bash
# The swingup champions' conditions on 1,000 episodes instead of 100 (the tuned weight still chosen
# on 100 tuning episodes); run from the repository root. Session 9 ran it on the runs' own copies
# of these files (commit 0507c28, one thread).
export NUMBA_NUM_THREADS=1
D=results/wann-swingup-eval1000
ev() {  # ev NAME FILE: FILE's conditions on 1,000 episodes into $D/NAME
  mkdir -p $D/$1
  echo "command: scratchnn wann eval $2 --task swingup --episodes 1000 --tune-episodes 100 --json eval.json ($(date -u))" > $D/$1/eval.log
  /usr/bin/time -v scratchnn wann eval $2 --task swingup --episodes 1000 --tune-episodes 100 --json $D/$1/eval.json >> $D/$1/eval.log 2>&1
}
for F in results/wann-swingup-tourn2-seed4/best.json results/wann-swingup-tourn2-seed5/best.json \
         results/wann-swingup-tourn2-seed8/best.json results/wann-swingup-tourn2-seed10/best.json results/wann-swingup-tourn2-seed18/best.json \
         results/wann-swingup-trained/authors-weights/swing.out; do
  N=$(basename $(dirname $F)); N=${N#wann-swingup-}; [ $N = authors-weights ] && N=authors-swing.out
  ev $N $F
done
# Session 10: trained individual weights on the same 1,000 episodes (the fourth row): our best (seed 10,
# CMA-ES, and its later stages), the authors' zoo weights in swing.out, and our PGPE training of the authors' topology.
T=results/wann-swingup-trained
for P in trained-cma-tourn2-seed10:$T/cma-tourn2-seed10/trained.json trained-cma2-tourn2-seed10:$T/cma2-tourn2-seed10/trained.json \
         trained-cma3-tourn2-seed10:$T/cma3-tourn2-seed10/trained.json \
         trained-cma4-tourn2-seed10:$T/cma4-tourn2-seed10/trained.json \
         trained-authors-zoo:$T/authors-weights/zoo.csv \
         trained-authors-topology-pgpe:$T/authors-topology/trained.json; do
  N=${P%%:*}; F=${P#*:}
  ev $N $F
done
# Session 11: the later stages of seed 10's weights (commit 6e4be6b's lane kernel: the same returns)
for P in trained-cma5-tourn2-seed10:$T/cma5-tourn2-seed10/trained.json trained-cma6-tourn2-seed10:$T/cma6-tourn2-seed10/trained.json; do
  N=${P%%:*}; F=${P#*:}
  ev $N $F
done
# Session 11: two-tournament seed 29 (the champion since session 11)
ev tourn2-seed29 results/wann-swingup-tourn2-seed29/best.json
