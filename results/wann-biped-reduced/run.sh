#!/bin/sh
# reduced biped WANN search from the snapshot /work/snap/biped (scratchnn at wt18 HEAD)
cd /work/runs/biped
exec /usr/bin/time -v -o /work/runs/biped/time.log env PYTHONPATH=/work/snap/biped/src \
  /work/main/.venv/bin/python -c "from scratchnn.cli import main; raise SystemExit(main())" \
  wann search --task biped --config /work/runs/biped/config.yaml --workers 2 \
  --time-limit 3300 --out /work/runs/biped/search
