#!/bin/bash
# benchmarks on a quiet machine (the long runs paused with SIGSTOP meanwhile)
cd /work/main
B=/work/runs/bench
echo "== wann bench (evaluation, one thread) $(date -u)" > $B/window.log
.venv/bin/scratchnn wann bench --json $B/eval.json >> $B/window.log 2>&1
echo "== wann bench --search $(date -u)" >> $B/window.log
.venv/bin/scratchnn wann bench --search --json $B/search.json >> $B/window.log 2>&1
echo "== old engine (507833f) $(date -u)" >> $B/window.log
PYTHONPATH=/work/snap/old .venv/bin/python $B/old_engine.py >> $B/window.log 2>&1
echo "== xor search $(date -u)" >> $B/window.log
rm -rf /tmp/xor-bench
/usr/bin/time -f "%e s wall, %U s user" .venv/bin/scratchnn wann search --task xor --out /tmp/xor-bench 2>&1 | tail -4 >> $B/window.log
echo "== done $(date -u)" >> $B/window.log
