#!/bin/bash
# Session 10's four CMA-ES stages on seed 10, each run to the generation its validation chose
# (2750, 750, 425, 200), with commit 6e4be6b's lane kernel, one thread: output /work/runs/s11/repro/stageK
cd /work/main
R=/work/runs/s11/repro; mkdir -p $R
run() {  # DIR INPUT ARGS...
  D=$1; I=$2; shift 2; mkdir -p $D
  C="scratchnn wann train-weights $I --task swingup --out $D --method cma --pairs 16 $@"
  echo "command: $C (commit 6e4be6b, NUMBA_NUM_THREADS=1, $(date))" > $D/train.log
  NUMBA_NUM_THREADS=1 PYTHONPATH=/work/snap/s11b/src /usr/bin/time -v .venv/bin/$C >> $D/train.log 2>&1
}
T0=$(date +%s)
run $R/stage1 results/wann-swingup-tourn2-seed10/best.json --shared-weight 1 --generations 2750
run $R/stage2 $R/stage1/trained.json --episodes 64 --sigma 0.02 --generations 750
run $R/stage3 $R/stage2/trained.json --episodes 128 --sigma 0.01 --seed 1 --generations 425
run $R/stage4 $R/stage3/trained.json --episodes 128 --sigma 0.01 --seed 2 --generations 200
echo "wall $(( $(date +%s) - T0 )) s" > $R/wall.txt
touch $R/DONE
