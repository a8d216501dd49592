#!/bin/sh
# The EnvPool backend's record (results/biped-envpool): the cost of both backends side by side,
# and whether fixed networks score the same on both (CartPole's zoo champion; the biped walker
# at its tuned shared weight). Each log starts with its command and the commit.
#   scripts/biped-envpool.sh OUT WALKER WALKER_WEIGHT
set -eu
OUT=${1:?usage: scripts/biped-envpool.sh OUT WALKER WALKER_WEIGHT}
WALKER=${2:?walker network file}
W=${3:?the shared weight of the walker}
mkdir -p "$OUT"
COMMIT="commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo +dirty)"
run() {  # run LOG COMMAND...
  log=$1; shift
  echo "Command: $* ($COMMIT, $(date -u))" > "$OUT/$log"
  "$@" >> "$OUT/$log" 2>&1 || true
}
run bench-biped.log scratchnn wann bench --gym biped --json "$OUT/bench-biped.json"
run agree-cartpole.log scratchnn wann bench --gym gym:CartPole-v1 --agree cartpole \
  --weight -1.5 --episodes 1000 --json "$OUT/agree-cartpole.json"
run agree-biped.log scratchnn wann bench --gym biped --agree "$WALKER" --weight "$W" \
  --episodes 300 --json "$OUT/agree-biped.json"
