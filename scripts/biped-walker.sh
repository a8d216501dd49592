#!/bin/sh
# The BipedalWalker search of results/wann-biped-walker (scripts/biped-walker.yaml),
# checkpointed every 4 generations: run it again with --resume to continue after an
# interruption (the checkpoint keeps the settings).
#   scripts/biped-walker.sh OUT [--resume] [--generations N] [--time-limit SECONDS]
set -eu
OUT=${1:?usage: scripts/biped-walker.sh OUT [--resume] [--generations N] [--time-limit S]}
shift
CONFIG="--config scripts/biped-walker.yaml"
for a in "$@"; do [ "$a" = --resume ] && CONFIG=""; done
# shellcheck disable=SC2086  # CONFIG is empty or two words
exec scratchnn wann search --task biped $CONFIG --workers 2 --out "$OUT" "$@"
