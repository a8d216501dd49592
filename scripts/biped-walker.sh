#!/bin/sh
# The BipedalWalker search of champions/biped (scripts/biped-walker.yaml), checkpointed
# every 4 generations: run it again with --resume to continue after an interruption.
#   scripts/biped-walker.sh OUT [--resume] [--time-limit SECONDS]
set -eu
OUT=${1:?usage: scripts/biped-walker.sh OUT [--resume] [--time-limit S]}
shift
exec scratchnn wann search --task biped --config scripts/biped-walker.yaml \
  --workers 2 --out "$OUT" "$@"
