"""Open a report page in headless Chromium and check it; optionally screenshot its full height.

Usage: python scripts/page_check.py PAGE.html [--screenshot OUT.png] [--open-details]
       python scripts/page_check.py DOCS_PAGE.html --offline-math

Drives the system's Chromium (Debian package ``chromium``, or the browser named by ``$CHROMIUM``)
through Playwright's Python package (``pip install playwright``; its own browser download is not
needed). Prints one JSON object:

- ``console_errors``: console messages of type error, and uncaught page errors;
- ``images``: ``[alt, naturalWidth]`` of every ``<img>`` (0 = did not load);
- ``contents_links``: ``[href, resolves]`` of every ``#`` link in the contents bar;
- ``sections``: the id of every ``<section>``, in order;
- ``height``: the page's full height in CSS pixels;
- ``ok``: no console error, at least one image and every image loaded, at least one contents
  link and every one resolving to an element id.

``--offline-math`` checks a documentation page's formulas instead, with the network blocked
(every request that is not to a file or to localhost is aborted): the page's MathJax must come
with the site. It adds

- ``blocked``: the URLs of the requests aborted;
- ``math``: ``typeset``, the formulas MathJax rendered, and ``raw``, excerpts of TeX left as
  text (``\\(``, ``\\[`` or ``$$`` outside code blocks);

and then ``ok`` means: no console error, no request blocked, at least one formula typeset and no
raw TeX left (the images and contents-bar checks are the report page's).

Exit status 0 when ``ok``, 1 otherwise, 2 when the browser is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

JS_IMAGES = "() => [...document.images].map(i => [i.alt, i.complete ? i.naturalWidth : 0])"
JS_LINKS = """() => [...document.querySelectorAll("#contents a[href^='#']")].map(
    a => [a.getAttribute("href"), document.getElementById(a.getAttribute("href").slice(1)) !== null]
)"""
JS_SECTIONS = "() => [...document.querySelectorAll('section')].map(s => s.id)"
JS_OPEN = "() => document.querySelectorAll('details').forEach(d => d.open = true)"
# waits for MathJax's first typesetting (if MathJax loaded), then counts the rendered formulas
# and collects TeX left as text outside code, scripts and the formulas themselves (one excerpt
# per opening \( or \[, one per $$ ... $$)
JS_MATH = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const typeset = document.querySelectorAll("mjx-container").length;
  const body = document.body.cloneNode(true);
  body.querySelectorAll("pre, code, script, style, mjx-container").forEach(e => e.remove());
  const text = body.textContent;
  const raw = [];
  for (const m of text.matchAll(/\\\(|\\\[|\$\$(?:[^$]*\$\$)?/g)) {
    raw.push(text.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\s+/g, " "));
    if (raw.length >= 5) break;
  }
  return {typeset, raw};
}"""
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def chromium() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else ``chromium`` on the PATH."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


def record_errors(page) -> list[str]:
    """The list that collects ``page``'s console errors and uncaught page errors as they come."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    return errors


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine: a file, inline data, or localhost."""
    parts = urlparse(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in LOCAL_HOSTS


def block_network(page) -> list[str]:
    """Abort every request of ``page`` that leaves this machine; returns the list that collects
    their URLs."""
    blocked: list[str] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def check(
    page_file: Path,
    screenshot: Path | None = None,
    open_details: bool = False,
    offline_math: bool = False,
) -> dict:
    """Load ``page_file`` in headless Chromium and return the findings (see the module doc)."""
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if exe is None:
        raise FileNotFoundError("no chromium on the PATH (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors = record_errors(page)
            blocked = block_network(page) if offline_math else []
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            math = page.evaluate(JS_MATH) if offline_math else None
            if open_details:
                page.evaluate(JS_OPEN)
                page.wait_for_load_state("load")
            images = page.evaluate(JS_IMAGES)
            links = page.evaluate(JS_LINKS)
            section_ids = page.evaluate(JS_SECTIONS)
            height = page.evaluate("() => document.documentElement.scrollHeight")
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    found = {
        "console_errors": errors,
        "images": images,
        "contents_links": links,
        "sections": section_ids,
        "height": height,
    }
    if math is not None:
        found |= {"blocked": blocked, "math": math}
        ok = not errors and not blocked and math["typeset"] > 0 and not math["raw"]
    else:
        ok = (
            not errors
            and bool(images)
            and all(w > 0 for _, w in images)
            and bool(links)
            and all(r for _, r in links)
        )
    return found | {"ok": ok}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("--screenshot", type=Path, help="write a full-height PNG screenshot here")
    ap.add_argument(
        "--open-details", action="store_true", help="open every <details> before checking"
    )
    ap.add_argument(
        "--offline-math",
        action="store_true",
        help="a documentation page: with the network blocked, its formulas render (no raw TeX)",
    )
    args = ap.parse_args(argv)
    if not args.page.is_file():
        print(f"error: no such page: {args.page}", file=sys.stderr)
        return 2
    try:
        found = check(args.page, args.screenshot, args.open_details, args.offline_math)
    except (FileNotFoundError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(found, indent=1))
    return 0 if found["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
