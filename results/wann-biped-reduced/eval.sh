#!/bin/sh
# evaluate the reduced biped run's champion with the paper's protocol (100 episodes per
# condition; the tuned weight chosen on 10 episodes per grid weight), reference reward
cd /work/runs/biped
CMD="scratchnn wann eval /work/runs/biped/search/best.json --task biped --episodes 100 --tune-episodes 10 --workers 2 --json /work/runs/biped/eval.json --markdown /work/runs/biped/eval.md --figure /work/runs/biped/eval.png"
echo "Command: $CMD (PYTHONPATH=/work/snap/biped-eval/src = wt18 821e208, $(date))" > eval.log
exec /usr/bin/time -v env PYTHONPATH=/work/snap/biped-eval/src /work/main/.venv/bin/python \
  -c "from scratchnn.cli import main; raise SystemExit(main())" ${CMD#scratchnn } >> eval.log 2>&1
