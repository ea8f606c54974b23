"""HTML back-end: Debian's Chromium driven by Playwright, one warm browser per process.

:func:`render_html` loads a page (HTML + CSS, no network: every request that is not ``data:``
or ``about:`` is aborted and counted), measures every semantic element (``data-key`` /
``data-role`` attributes) and every text node in ONE ``page.evaluate`` call, and screenshots
the viewport. Boxes are CSS pixels at device scale 1, so they are image pixels.

All Playwright calls live here (the adapter for this engine).
"""

from __future__ import annotations

import atexit
import json
import shutil
from functools import cache
from importlib.metadata import version
from typing import Any

from synth._errors import MissingDependencyError, RenderError, RenderTimeout
from synth.generators.base import Rendered

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "the HTML renderer needs Debian's Chromium and Playwright: bash scripts/setup.sh "
    "(or: apt-get install chromium && pip install playwright jinja2)"
)
LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",  # root in a container; the worker's bubblewrap is the sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",  # the same glyph positions on every machine with the fonts
    "--force-color-profile=srgb",
)
SETTLE_MS = 10_000  # a page that has not loaded by then is a timeout failure (module setting)
MAX_FIT_HEIGHT = 2400  # a page rendered "as tall as its content" is cut here

_MEASURE = """() => {
  const out = [];
  const box = r => [r.x, r.y, r.width, r.height];
  for (const el of document.querySelectorAll('[data-key], [data-role]')) {
    const r = el.getBoundingClientRect();
    out.push({kind: 'element', key: el.dataset.key || null, role: el.dataset.role || null,
              text: el.innerText, bbox: box(r), clipped: el.scrollWidth > el.clientWidth + 1
                || el.scrollHeight > el.clientHeight + 1});
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    range.selectNodeContents(node);
    out.push({kind: 'text', text: text, bbox: box(range.getBoundingClientRect())});
  }
  return {elements: out, height: Math.ceil(document.body.scrollHeight)};
}"""


def browser_version() -> str:
    return f"chromium via playwright {version('playwright')}"


class _Browser:
    """One Chromium and one reused page; requests leaving the page are aborted and counted."""

    def __init__(self) -> None:
        if not shutil.which(CHROMIUM):
            raise MissingDependencyError(f"{CHROMIUM} not found: {INSTALL_HINT}")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise MissingDependencyError(INSTALL_HINT) from None
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=list(LAUNCH_ARGS))
        self._context = self._browser.new_context(
            viewport={"width": 800, "height": 600}, device_scale_factor=1
        )
        self.page = self._context.new_page()
        self.blocked: list[str] = []
        self._closed = False
        self.page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def alive(self) -> bool:
        return bool(self._browser.is_connected())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._browser.close()
        finally:
            self._pw.stop()


@cache
def _browser() -> _Browser:
    b = _Browser()
    atexit.register(b.close)
    return b


def helper_dirs() -> tuple[str, ...]:
    """Where the processes this back-end keeps running live (Chromium, Playwright's driver):
    the worker does not count them as processes a sample left behind."""
    import os

    dirs = [os.path.dirname(os.path.realpath("/usr/lib/chromium/chromium")) + "/"]
    try:
        from playwright._impl._driver import compute_driver_executable

        node = compute_driver_executable()[0]
        dirs.append(os.path.dirname(os.path.realpath(node)) + "/")
    except ImportError:
        pass
    return tuple(dirs)


def warm_up() -> None:
    """Start the browser now (workers call this before announcing they are ready)."""
    _browser()


def reset() -> None:
    """Close this process's warm browser, if any; the next render starts a new one."""
    if _browser.cache_info().currsize:
        _discard(_browser())


def _discard(b: _Browser) -> None:
    _browser.cache_clear()
    try:
        b.close()
    except Exception:  # noqa: BLE001 - it may be dead already; a new one starts next time
        pass


def render_html(html: str, width: int, height: int) -> Rendered:
    """Screenshot ``html`` at ``width`` x ``height``; elements: semantic boxes and text nodes.
    ``height`` 0: as tall as the content (at most :data:`MAX_FIT_HEIGHT`).

    ``elements``: ``{"label", "role", "bbox", "key"?, "clipped"?}``; ``role`` is the element's
    ``data-role`` (``field``, ``item``, ``button``...) or ``"text"`` for a text node. A page
    that asked for anything outside itself raises RenderError (forbidden) with the URLs.
    """
    b = _browser()
    if not b.alive():  # a crashed browser: start another one
        _discard(b)
        b = _browser()
    b.blocked.clear()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        b.page.set_viewport_size({"width": width, "height": height or MAX_FIT_HEIGHT})
        b.page.set_content(html, wait_until="load", timeout=SETTLE_MS)
        # one JSON string back: Playwright's value-by-value serialisation of the same list
        # costs ~27 ms per page, a string ~6 ms
        measured = json.loads(b.page.evaluate(f"() => JSON.stringify(({_MEASURE})())"))
        facts = measured["elements"]
        if not height:
            height = max(1, min(int(measured["height"]), MAX_FIT_HEIGHT))
        clip: Any = {"x": 0, "y": 0, "width": width, "height": height}
        png = b.page.screenshot(type="png", animations="disabled", caret="hide", clip=clip)
    except PlaywrightTimeout as exc:
        _discard(b)  # a page stuck in a script would block the next sample too
        raise RenderTimeout(f"page did not settle in {SETTLE_MS} ms: {exc}") from None
    except PlaywrightError as exc:
        _discard(b)  # the next sample starts a fresh browser
        raise RenderError(f"chromium failed: {exc}") from None
    if b.blocked:
        raise RenderError(
            f"forbidden: the page requested {len(b.blocked)} outside resource(s), e.g. "
            f"{b.blocked[0]} (only data: URLs load)"
        )
    elements = []
    for f in facts:
        x, y, w, h = (round(float(v), 2) for v in f["bbox"])
        if f["kind"] == "element":
            e: dict[str, Any] = {
                "label": f["text"],
                "role": f["role"] or "field",
                "bbox": [x, y, w, h],
            }
            if f["key"]:
                e["key"] = f["key"]
            if f["clipped"]:
                e["clipped"] = True
        else:
            e = {"label": f["text"], "role": "text", "bbox": [x, y, w, h]}
        elements.append(e)
    return Rendered(
        png=png,
        width=width,
        height=height,
        elements=tuple(elements),
        backend=browser_version(),
    )
