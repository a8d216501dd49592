"""Open a champion page (``scratchnn wann show``) in headless Chromium and check that it works.

Usage: python scripts/show_check.py PAGE.html [--screenshot OUT.png] [--node K]

The screenshot shows the whole page at the tuned weight with the hovered node pinned.

Drives the system's Chromium (Debian package ``chromium``, or the browser named by ``$CHROMIUM``)
through Playwright's Python package, with a fresh profile and no network services. Prints one
JSON object:

- ``console_errors``: console messages of type error, and uncaught page errors;
- ``load_ms``: from the start of navigation to the end of the load event (the page's script
  has run by then);
- ``edges`` / ``connections``: edges drawn in the network SVG, and the connections the page's
  data says the champion has;
- ``slider``: for a few grid indices ``[index, shown text, shown value, the page data's
  value, the index shown, the digits' accuracy labels, the test images' captions]`` after
  moving the slider there (the last two empty but on MNIST-256 pages);
- ``episodes``: whether the page's data holds recorded episodes; ``player``: ``{"frames":
  [before, after]}`` around half a second of playing (None when no player is shown);
- ``hover``: ``{"node", "highlighted"}``: the node hovered (``--node``, else the one with most
  connections) and the indices of the edges highlighted then;
- ``ok``: no console error, every connection drawn, the slider shows the data's value at every
  index tried, the player advanced (where the data has episodes), hovering highlighted some
  edges. A step that fails because the page's script broke is listed with the console errors.

Exit status 0 when ``ok``, 1 otherwise, 2 when the browser is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_check import chromium, record_errors

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JS_LOAD = """() => { const n = performance.getEntriesByType("navigation")[0];
  return n ? n.loadEventEnd - n.startTime : null; }"""
JS_COUNTS = """() => ({edges: document.querySelectorAll("#network svg .edge").length,
  connections: window.show ? window.show.data.connections : null,
  grid: window.show ? window.show.data.grid.weights.length : 0,
  episodes: window.show ? window.show.data.player !== null : false})"""
JS_SLIDER = """(i) => { const s = document.getElementById("slider");
  s.value = i; s.dispatchEvent(new Event("input"));
  const sc = document.getElementById("score"), g = window.show.data.grid;
  const want = g.kind === "accuracy" ? g.accuracy[i] : g.mean[i];
  const texts = q => [...document.querySelectorAll(q)].map(e => e.textContent);
  return [i, document.getElementById("score-value").textContent, Number(sc.dataset.value), want,
    Number(sc.dataset.index), texts("#digits-chart .digit-acc"), texts("#samples .pred")]; }"""
JS_FRAME = """() => { const f = document.getElementById("frame");
  const shown = f && !document.getElementById("player-section").hidden;
  return shown ? Number(f.dataset.frame) : null; }"""
JS_BUSIEST = """() => { const d = window.show.data.network, deg = d.nodes.map(() => 0);
  d.edges.forEach(([s, t]) => { deg[s]++; deg[t]++; });
  return deg.indexOf(Math.max(...deg)); }"""
JS_TUNED = """() => { const d = window.show.data, w = d.grid.weights, t = d.tuned_weight;
  let best = 0; w.forEach((x, i) => { if (Math.abs(x - t) < Math.abs(w[best] - t)) best = i; });
  window.show.setWeightIndex(best); window.scrollTo(0, 0); }"""
JS_HL = """() => [...document.querySelectorAll("#network .edge.hl")]
  .map(e => Number(e.dataset.k))"""


def _interact(page, n: int, node: int | None, errors: list[str]) -> dict:
    """Move the slider, play the episode, hover a node; a step that fails (the page's script
    broke) is an error in ``errors`` and leaves its finding empty."""
    from playwright.sync_api import Error

    found: dict = {"slider": [], "player": None, "hover": None}
    try:
        if n:
            found["slider"] = [
                page.evaluate(JS_SLIDER, i) for i in sorted({0, n // 3, n // 2, n - 1})
            ]
        before = page.evaluate(JS_FRAME)
        if before is not None:
            page.click("#play")
            page.wait_for_timeout(600)
            page.click("#play")
            found["player"] = {"frames": [before, page.evaluate(JS_FRAME)]}
        if page.evaluate(JS_COUNTS)["edges"]:
            k = page.evaluate(JS_BUSIEST) if node is None else node
            page.hover(f'#network .node[data-i="{k}"]', timeout=5000)
            found["hover"] = {"node": k, "highlighted": sorted(page.evaluate(JS_HL))}
    except Error as exc:
        errors.append(f"check: {str(exc).splitlines()[0]}")
    return found


def check(page_file: Path, screenshot: Path | None = None, node: int | None = None) -> dict:
    """Load ``page_file`` in headless Chromium and return the findings (see the module doc)."""
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if exe is None:
        raise FileNotFoundError("no chromium on the PATH (apt-get install chromium)")
    found: dict = {}
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=exe,
            headless=True,
            args=ARGS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            page = ctx.new_page()
            errors = record_errors(page)
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            found["load_ms"] = page.evaluate(JS_LOAD)
            found.update(page.evaluate(JS_COUNTS))
            found.update(_interact(page, found["grid"], node, errors))
            if screenshot is not None:
                page.mouse.move(0, 0)
                if found["hover"]:  # pinned: the highlight shows in the picture
                    page.click(f'#network .node[data-i="{found["hover"]["node"]}"]')
                page.evaluate(JS_TUNED)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            ctx.close()
    found["console_errors"] = errors
    slider_ok = bool(found["slider"]) and all(
        abs(shown - want) <= 1e-12 * max(1.0, abs(want)) and idx == i
        for i, _, shown, want, idx, *_ in found["slider"]
    )
    player = found["player"]
    player_ok = player["frames"][1] != player["frames"][0] if player else not found["episodes"]
    found["ok"] = (
        not errors
        and found["connections"] is not None
        and found["edges"] == found["connections"]
        and slider_ok
        and player_ok
        and bool(found["hover"] and found["hover"]["highlighted"])
    )
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--node", type=int, help="the node to hover (index in the page's data)")
    args = ap.parse_args(argv)
    if chromium() is None:
        print(json.dumps({"ok": False, "error": "no chromium on the PATH"}))
        return 2
    found = check(args.page, args.screenshot, args.node)
    print(json.dumps(found))
    return 0 if found["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
