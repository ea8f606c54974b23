"""HTML back-end: Debian's Chromium driven by Playwright, one warm browser per thread.

:func:`render_html` loads a page (HTML + CSS, no network: every request that is not ``data:``
or ``about:`` is aborted and counted) and measures every semantic element (``data-key`` /
``data-role`` attributes) and every text node in ONE evaluate call (CDP ``Runtime.evaluate``,
what ``page.evaluate`` sends), then screenshots the viewport. Boxes are CSS pixels at device
scale 1, so they are image pixels.

All Playwright calls live here (the adapter for this engine).
"""

from __future__ import annotations

import atexit
import json
import shutil
import threading
import time
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar, cast

from synth._errors import MissingDependencyError, RenderError, RenderForbidden, RenderTimeout
from synth.backends import Language, Renderer
from synth.engine.forked import renders
from synth.pack import Check
from synth.record import Element, Rendered

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
    # a frame when one is asked for, not at the next 60 Hz tick: a capture waits for a frame,
    # and a page as tall as its content for two (its resize, then the capture); the same
    # pixels, ~11 ms less wall time per such page, no CPU spent while idle (BENCHMARKS.md)
    "--disable-frame-rate-limit",
)
SETTLE_MS = 10_000  # a page that has not loaded by then is a timeout failure (module setting)
MAX_FIT_HEIGHT = 2400  # a page rendered "as tall as its content" is cut here
FIT_PROBE_HEIGHT = 16  # the viewport's height while such a page loads and is measured

_MEASURE = """async () => {
  await document.fonts.ready;
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

#: Load a page into the reused one (what Playwright's set_content does, in one round trip
#: instead of three and without its lifecycle events) and measure it: HTML, settle ms, measure
_LOAD_AND_MEASURE = """(async () => {
  document.open(); document.write(%s); document.close();
  if (document.readyState !== 'complete')
    await new Promise((loaded, late) => {
      window.addEventListener('load', loaded, {once: true});
      setTimeout(() => late(new Error('synth-settle: no load event in %d ms')), %d);
    });
  return JSON.stringify(await (%s)());
})()"""


def load_script(source: str, measure: str = _MEASURE) -> str:
    """The expression that writes ``source`` into the reused page, awaits its load event (at
    most SETTLE_MS) and returns ``measure``'s value as a JSON string (``"() => 0"``: the
    load alone, as the benchmarks' floor does)."""
    return _LOAD_AND_MEASURE % (json.dumps(source), SETTLE_MS, SETTLE_MS, measure)


_PLOT_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><style>html, body { margin: 0; }"
    "</style></head><body><div id='plot'></div></body></html>"
)
#: Draw a plotly figure (JSON text) and report the marks questions point at: bars, points
#: and pie slices (``ref`` "series|index"), tick labels, title and legend entries.
_PLOT = """async (text) => {
  const fig = JSON.parse(text);
  const div = document.getElementById('plot');
  Plotly.purge(div);
  await Plotly.newPlot(div, fig.data, fig.layout, {staticPlot: true, displayModeBar: false});
  await document.fonts.ready;
  const out = [];
  const box = el => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  div.querySelectorAll('.barlayer .trace').forEach((tr, s) =>
    tr.querySelectorAll('.point path').forEach((p, j) =>
      out.push({role: 'bar', ref: `${s}|${j}`, bbox: box(p)})));
  div.querySelectorAll('.scatterlayer .trace').forEach((tr, s) =>
    tr.querySelectorAll('.points path.point').forEach((p, j) => {
      const b = box(p);
      out.push({role: 'point', ref: `${s}|${j}`, bbox: b, point: [b[0] + b[2] / 2, b[1] + b[3] / 2]});
    }));
  div.querySelectorAll('.pielayer .trace .slice').forEach((sl, j) => {
    out.push({role: 'slice', ref: `0|${j}`, bbox: box(sl.querySelector('path.surface'))});
    const t = sl.querySelector('.slicetext');
    if (t && t.textContent) out.push({role: 'value', ref: `0|${j}`, label: t.textContent, bbox: box(t)});
  });
  for (const [sel, role] of [['.xtick text', 'xtick'], ['.ytick text', 'ytick'], ['.gtitle', 'title']])
    div.querySelectorAll(sel).forEach(t => { if (t.textContent) out.push({role: role, label: t.textContent, bbox: box(t)}); });
  div.querySelectorAll('.legend .traces .legendtext').forEach((t, s) =>
    out.push({role: 'legend', ref: `${s}`, label: t.textContent, bbox: box(t)}));
  return JSON.stringify(out);
}"""


@cache
def _plotly_js() -> str:
    from importlib import resources

    try:
        return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_text()
    except (ImportError, FileNotFoundError):
        raise MissingDependencyError(
            "plotly.min.js not found: pip install plotly (bash scripts/setup.sh)"
        ) from None


#: Draw Mermaid text and report nodes (and each node's label, inside its frame), edge labels,
#: participants and messages.
_MERMAID = """async ([code, config, background]) => {
  mermaid.initialize(Object.assign({startOnLoad: false, securityLevel: 'strict',
                                    deterministicIds: true}, config));
  document.body.style.background = background;
  const div = document.getElementById('plot');
  div.style.padding = '16px';
  div.style.display = 'inline-block';
  div.innerHTML = '';
  const {svg} = await mermaid.render('diagram', code);
  div.innerHTML = svg;
  await document.fonts.ready;
  const out = [];
  const box = el => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
  div.querySelectorAll('g.node').forEach(n => {
    const m = /flowchart-(.+)-[0-9]+$/.exec(n.id);
    out.push({role: 'node', key: m ? m[1] : null, label: n.textContent.trim(), bbox: box(n)});
    // the label's own box, inside the node's frame: what the legibility gate measures
    const t = n.querySelector('.nodeLabel') || n.querySelector('g.label');
    if (t && t.textContent.trim()) out.push({role: 'node_label', label: n.textContent.trim(), bbox: box(t)});
  });
  div.querySelectorAll('g.edgeLabel').forEach(n => {
    if (n.textContent.trim()) out.push({role: 'edge_label', label: n.textContent.trim(), bbox: box(n)});
  });
  div.querySelectorAll('rect.actor-top').forEach(n => out.push({role: 'actor_box', bbox: box(n)}));
  div.querySelectorAll('text.actor').forEach(n => out.push({role: 'actor_text', label: n.textContent.trim(), bbox: box(n)}));
  div.querySelectorAll('.messageText').forEach((n, j) =>
    out.push({role: 'message', key: `m${j}`, label: n.textContent.trim(), bbox: box(n)}));
  const title = div.querySelector('.flowchartTitleText, .titleText');
  if (title) out.push({role: 'title', key: 'title', label: title.textContent.trim(), bbox: box(title)});
  const r = div.getBoundingClientRect();
  return JSON.stringify({elements: out, width: Math.ceil(r.right), height: Math.ceil(r.bottom)});
}"""
#: background behind each mermaid theme
MERMAID_BACKGROUNDS = {"dark": "#1f2020"}
MERMAID_VIEWPORT = (2000, 2400)  # the largest diagram image; a bigger one is cut


#: where set-up's ``npm ci`` puts mermaid (the checkout's node_modules)
MERMAID_JS = str(Path(__file__).resolve().parents[1] / "node_modules/mermaid/dist/mermaid.min.js")


def sandbox_paths() -> tuple[str, ...]:
    """The folders this back-end reads that a worker's sandbox must show: mermaid.js (the
    node_modules/mermaid, or the folder of ``$SYNTH_MERMAID_JS``)."""
    import os

    paths = [
        str(Path(MERMAID_JS).parents[1]),
        os.path.dirname(os.environ.get("SYNTH_MERMAID_JS", "")),
    ]
    return tuple(p for p in paths if p and os.path.isdir(p))


def mermaid_js_path() -> str | None:
    """Where mermaid.min.js is: ``$SYNTH_MERMAID_JS``, else node_modules; None if nowhere."""
    import os

    for path in (os.environ.get("SYNTH_MERMAID_JS", ""), MERMAID_JS):
        if path and Path(path).is_file():
            return str(path)
    return None


def _mermaid_js() -> str:
    path = mermaid_js_path()
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    raise MissingDependencyError(
        "mermaid.min.js not found: bash scripts/setup.sh (npm ci installs mermaid into "
        "node_modules), or point SYNTH_MERMAID_JS at a copy"
    )


@cache
def browser_version() -> str:
    """Asked once per process: reading package metadata costs ~2 ms, every sample."""
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
        self._script_pages: dict[str, Any] = {}
        self._cdp: dict[int, Any] = {}
        self._sizes: dict[int, tuple[int, int]] = {}  # viewports set through CDP, by page

    def cdp(self, page: Any) -> Any:
        """A CDP session on ``page``: Chromium's own calls, one round trip each."""
        session = self._cdp.get(id(page))
        if session is None:
            session = self._cdp[id(page)] = self._context.new_cdp_session(page)
        return session

    def capture(self, page: Any, width: int, height: int, beyond: bool = False) -> bytes:
        """PNG of the page's top-left ``width`` x ``height`` CSS pixels, straight from
        Chromium's ``Page.captureScreenshot``: the bytes Playwright's ``screenshot(clip=...)``
        gives, without its round trips around it (a utility world injected into every new
        document, a font wait, layout metrics, a clean-up): ~10 ms of CPU per page. Pages
        load local fonts only; :data:`_MEASURE` and the script pages await fonts first.
        ``beyond``: the clip may reach past the viewport's bottom (Chromium draws the page
        that far for this capture only)."""
        import base64

        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        params = {"format": "png", "clip": clip, "captureBeyondViewport": beyond}
        shot = self.cdp(page).send("Page.captureScreenshot", params)
        return base64.b64decode(shot["data"])

    def viewport(self, page: Any, width: int, height: int) -> None:
        """Size ``page``'s viewport (as Playwright's set_viewport_size does, without the
        checks around it), unless it has that size already."""
        if self._sizes.get(id(page)) != (width, height):
            metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
            self.cdp(page).send("Emulation.setDeviceMetricsOverride", metrics)
            self._sizes[id(page)] = (width, height)

    def evaluate(self, page: Any, expression: str) -> Any:
        """The value of a JavaScript ``expression`` (awaited) on ``page``. A script still
        running after SETTLE_MS is stopped and, like a page that never loads, is a Playwright
        TimeoutError; any other exception a Playwright Error."""
        from playwright.sync_api import Error, TimeoutError

        params = {
            "expression": expression,
            "awaitPromise": True,
            "returnByValue": True,
            "timeout": SETTLE_MS,
        }
        start = time.monotonic()
        try:
            out = self.cdp(page).send("Runtime.evaluate", params)
        except Error:  # Chromium reports a stopped script as an "Internal error"
            if time.monotonic() - start >= SETTLE_MS / 1000:
                raise TimeoutError(f"a script ran past {SETTLE_MS} ms") from None
            raise
        failed = out.get("exceptionDetails")
        if failed:
            text = failed.get("exception", {}).get("description") or failed.get("text", "")
            if "synth-settle" in text or "terminated" in text:
                raise TimeoutError(text.split("\n")[0])
            raise Error(text.split("\n")[0])
        return out["result"].get("value")

    def script_page(self, name: str, script: Any) -> Any:
        """A page of its own with one JavaScript library loaded once (``script()`` gives its
        text: plotly.js from the plotly package, mermaid.js from npm; no network)."""
        if name not in self._script_pages:
            page = self._context.new_page()
            page.route("**/*", self._route)
            page.set_content(_PLOT_PAGE, wait_until="load")
            page.add_script_tag(content=script())
            self._script_pages[name] = page
        return self._script_pages[name]

    def plotly_page(self) -> Any:
        return self.script_page("plotly", _plotly_js)

    def mermaid_page(self) -> Any:
        return self.script_page("mermaid", _mermaid_js)

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


_local = threading.local()  # one warm browser per thread: Playwright's sync API is per thread


def _browser() -> _Browser:
    """This thread's warm browser, started on first use."""
    b: _Browser | None = getattr(_local, "browser", None)
    if b is None:
        b = _local.browser = _Browser()
        atexit.register(_close_at_exit, b, threading.get_ident())
    return b


def _close_at_exit(b: _Browser, thread: int) -> None:
    """Close a browser at interpreter exit from the thread that started it; another thread's
    (a worker's render thread) goes with its Playwright driver, which closes its browsers when
    this process's end closes the driver's stdin."""
    if threading.get_ident() == thread:
        b.close()


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


def warm_up_mermaid() -> None:
    """Start the browser and load mermaid.js into its diagram page."""
    _browser().mermaid_page()


T = TypeVar("T")


def _in_browser(what: str, failed: str, draw: Callable[[_Browser], T]) -> T:
    """Run ``draw`` on the warm browser (a dead one is replaced first) and turn what can go
    wrong into synth's failures: a ``what`` that never settles is a RenderTimeout, any other
    Chromium error a RenderError starting with ``failed`` (both drop the browser, so the next
    sample starts a fresh one), and a request that left the page a RenderForbidden."""
    b = _browser()
    if not b.alive():  # a crashed browser: start another one
        _discard(b)
        b = _browser()
    b.blocked.clear()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        out = draw(b)
    except PlaywrightTimeout as exc:
        _discard(b)  # a page stuck in a script would block the next sample too
        raise RenderTimeout(f"{what} did not settle in {SETTLE_MS} ms: {exc}") from None
    except PlaywrightError as exc:
        _discard(b)
        raise RenderError(f"{failed}: {exc}") from None
    if b.blocked:
        raise RenderForbidden(
            f"forbidden: the {what} requested {len(b.blocked)} outside resource(s), e.g. "
            f"{b.blocked[0]} (only data: URLs load)"
        )
    return out


@renders("chromium.render_mermaid")
def render_mermaid(
    source: str,
    *,
    theme: str = "default",
    font: str = "Liberation Sans",
    font_px: int = 16,
    curve: str = "basis",
) -> Rendered:
    """Draw Mermaid text in the warm diagram page; the image is as large as the diagram.
    Elements: flowchart nodes (``key``: the node id; the frame and its text) and their labels
    (``node_label``: the text alone), edge labels, sequence participants
    (``key`` p0, p1... in the order the text declares them) and messages (m0, m1...)."""
    config = {
        "theme": theme,
        "fontFamily": font,
        "themeVariables": {"fontFamily": font, "fontSize": f"{font_px}px"},
        "flowchart": {"htmlLabels": False, "curve": curve, "useMaxWidth": False},
        "sequence": {"useMaxWidth": False},
        "handDrawnSeed": 1,  # rough.js draws node outlines: a fixed seed gives fixed bytes
    }
    background = MERMAID_BACKGROUNDS.get(theme, "#ffffff")

    def draw(b: _Browser) -> tuple[dict[str, Any], bytes]:
        page = b.mermaid_page()
        page.set_viewport_size({"width": MERMAID_VIEWPORT[0], "height": MERMAID_VIEWPORT[1]})
        page.set_default_timeout(SETTLE_MS)
        measured = json.loads(page.evaluate(_MERMAID, [source, config, background]))
        w = max(1, min(int(measured["width"]), MERMAID_VIEWPORT[0]))
        h = max(1, min(int(measured["height"]), MERMAID_VIEWPORT[1]))
        return {**measured, "width": w, "height": h}, b.capture(page, w, h)

    measured, png = _in_browser("diagram", "mermaid could not draw the diagram", draw)
    width, height = measured["width"], measured["height"]
    elements = _participants(source, measured["elements"])
    for e in elements:
        e["bbox"] = [round(float(v), 2) for v in e["bbox"]]
        if e.get("key") is None:
            e.pop("key", None)
    return Rendered(
        png=png,
        width=width,
        height=height,
        elements=tuple(cast(Element, e) for e in elements),  # the browser's JSON, checked above
        backend=f"mermaid.js via {browser_version()}",
    )


def render_page_code(source: str) -> Rendered:
    """:func:`render_html` of a page synth wrote: its size is the body's CSS width and height
    (no height: as tall as the content)."""
    import re

    width = re.search(r"body \{ width: (\d+)px;", source)
    if width is None:
        raise RenderError("not a synth page: its body sets no width (body { width: Npx; })")
    height = re.search(r"body \{ width: \d+px; height: (\d+)px;", source)
    return render_html(source, int(width.group(1)), int(height.group(1)) if height else 0)


def render_mermaid_code(source: str) -> Rendered:
    """:func:`render_mermaid` with the look the text's front matter gives (theme, fontFamily,
    fontSize, curve), else the defaults (``synth reproduce`` / ``render-code``)."""
    import re

    def get(pattern: str, default: str) -> str:
        m = re.search(pattern, source.split("\n---\n", 1)[0] if source.startswith("---") else "")
        return m.group(1) if m else default

    return render_mermaid(
        source,
        theme=get(r"\n  theme: (\S+)", "default"),
        font=get(r'\n  fontFamily: "([^"]+)"', "Liberation Sans"),
        font_px=int(get(r'fontSize: "(\d+)px"', "16")),
        curve=get(r"\n    curve: (\S+)", "basis"),
    )


def _participants(source: str, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Name each sequence participant's top box ``p{i}`` (i: its declaration order): the top
    copy of its name, and the actor box around it."""
    import re

    names = re.findall(r"^\s*participant \S+ as (.+)$", source, flags=re.M)
    boxes = [f for f in facts if f["role"] == "actor_box"]
    texts = [f for f in facts if f["role"] == "actor_text"]
    out = [f for f in facts if f["role"] not in ("actor_box", "actor_text")]
    for i, name in enumerate(names):
        own = sorted((t for t in texts if t["label"] == name.strip()), key=lambda t: t["bbox"][1])
        if not own:
            continue
        tx, ty, tw, th = own[0]["bbox"]
        cx, cy = tx + tw / 2, ty + th / 2
        around = [
            b
            for b in boxes
            if b["bbox"][0] <= cx <= b["bbox"][0] + b["bbox"][2]
            and b["bbox"][1] <= cy <= b["bbox"][1] + b["bbox"][3]
        ]
        bbox = around[0]["bbox"] if around else own[0]["bbox"]
        out.append({"role": "participant", "key": f"p{i}", "label": name.strip(), "bbox": bbox})
    return out


def warm_up_plotly() -> None:
    """Start the browser and load plotly.js into its plot page."""
    _browser().plotly_page()


def reset() -> None:
    """Close this thread's warm browser, if any; the next render starts a new one."""
    b = getattr(_local, "browser", None)
    if b is not None:
        _discard(b)


def _discard(b: _Browser) -> None:
    if getattr(_local, "browser", None) is b:
        _local.browser = None
    try:
        b.close()
    except Exception:  # noqa: BLE001 - it may be dead already; a new one starts next time
        pass


@renders("chromium.render_plotly")
def render_plotly(figure: str, width: int, height: int) -> Rendered:
    """Draw a plotly figure (JSON text with ``data`` and ``layout``) in the warm plotly page
    and screenshot it. Elements: bars, points and slices with ``ref`` "series|index" (a slice
    also has a ``point`` inside it), tick labels, the title and legend entries."""

    def draw(b: _Browser) -> tuple[list[dict[str, Any]], bytes]:
        page = b.plotly_page()
        page.set_viewport_size({"width": width, "height": height})
        page.set_default_timeout(SETTLE_MS)
        facts = json.loads(page.evaluate(_PLOT, figure))
        return facts, b.capture(page, width, height)

    facts, png = _in_browser("plot", "chromium failed drawing the plot", draw)
    elements = []
    for f in facts:
        e = {k: v for k, v in f.items() if k != "bbox"}
        e["bbox"] = [round(float(v), 2) for v in f["bbox"]]
        if "point" in e:
            e["point"] = [round(float(v), 1) for v in e["point"]]
        elements.append(e)
    _pie_points(figure, elements)
    return Rendered(
        png=png,
        width=width,
        height=height,
        elements=tuple(cast(Element, e) for e in elements),  # the browser's JSON, checked above
        backend=f"plotly.js via {browser_version()}",
    )


def render_plotly_code(source: str) -> Rendered:
    """:func:`render_plotly` of a figure JSON alone (its layout holds the image size)."""
    layout = json.loads(source)["layout"]
    return render_plotly(source, int(layout["width"]), int(layout["height"]))


def _pie_points(figure: str, elements: list[dict[str, Any]]) -> None:
    """A point inside each pie slice, on the slice's middle angle (slices run clockwise from
    12 o'clock), at the largest of a few radii that keeps clear of the slice's label; the
    pie's centre and radius come from the union of the slices' boxes."""
    import math

    slices = [e for e in elements if e["role"] == "slice"]
    if not slices:
        return
    trace = json.loads(figure)["data"][0]
    values, hole = trace["values"], float(trace.get("hole", 0))
    texts = {e["ref"]: e["bbox"] for e in elements if e["role"] == "value"}
    x0 = min(e["bbox"][0] for e in slices)
    y0 = min(e["bbox"][1] for e in slices)
    x1 = max(e["bbox"][0] + e["bbox"][2] for e in slices)
    y1 = max(e["bbox"][1] + e["bbox"][3] for e in slices)
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) / 2
    radii = [f for f in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3) if f > hole + 0.08]
    total, before = float(sum(values)), 0.0
    for e, v in zip(slices, values, strict=True):
        theta = 2 * math.pi * (before + v / 2) / total
        text = texts.get(e["ref"])
        for f in radii:
            px, py = cx + f * r * math.sin(theta), cy - f * r * math.cos(theta)
            if text is None or not (
                text[0] - 6 <= px <= text[0] + text[2] + 6
                and text[1] - 6 <= py <= text[1] + text[3] + 6
            ):
                break
        e["point"] = [round(px, 1), round(py, 1)]
        before += v


@renders("chromium.render_html")
def render_html(html: str, width: int, height: int) -> Rendered:
    """Screenshot ``html`` at ``width`` x ``height``; elements: semantic boxes and text nodes.
    ``height`` 0: as tall as the content (at most :data:`MAX_FIT_HEIGHT`).

    ``elements``: ``{"label", "role", "bbox", "key"?, "clipped"?}``; ``role`` is the element's
    ``data-role`` (``field``, ``item``, ``button``...) or ``"text"`` for a text node. A page
    that asked for anything outside itself raises RenderError (forbidden) with the URLs.
    The page must not animate: the screenshot does not stop CSS animations or hide a caret.
    """

    def draw(b: _Browser) -> tuple[list[dict[str, Any]], int, bytes]:
        # a page as tall as its content is laid out in a short viewport and captured past
        # it: ~5 ms of CPU less than drawing a MAX_FIT_HEIGHT one and cutting it (synth's
        # pages lay out the same whatever the viewport's height: a test checks it)
        b.viewport(b.page, width, height or FIT_PROBE_HEIGHT)
        # load and measure in one call, one JSON string back (Playwright's set_content, then
        # its value-by-value serialisation of the list, cost ~15 ms of CPU more per page)
        measured = json.loads(b.evaluate(b.page, load_script(html)))
        if height:
            return measured["elements"], height, b.capture(b.page, width, height)
        # captured past the short viewport: no resize (a round trip and a relayout less), and
        # the next page of this width needs no viewport call at all
        h = max(1, min(int(measured["height"]), MAX_FIT_HEIGHT))
        return measured["elements"], h, b.capture(b.page, width, h, beyond=True)

    facts, height, png = _in_browser("page", "chromium failed", draw)
    elements: list[Element] = []
    for f in facts:
        bbox = [round(float(v), 2) for v in f["bbox"]]
        if f["kind"] == "element":
            e: Element = {"label": f["text"], "role": f["role"] or "field", "bbox": bbox}
            if f["key"]:
                e["key"] = f["key"]
            if f["clipped"]:
                e["clipped"] = True
        else:
            e = {"label": f["text"], "role": "text", "bbox": bbox}
        elements.append(e)
    return Rendered(
        png=png,
        width=width,
        height=height,
        elements=tuple(elements),
        backend=browser_version(),
    )


def checks() -> list[Check]:
    """Playwright, Debian's Chromium, plotly.js and mermaid.js: what ``synth doctor`` reports."""
    from importlib.metadata import PackageNotFoundError

    out = []
    for package, what in (
        ("playwright", "drives Chromium"),
        ("plotly", "plotly.js, for plotly-json code"),
    ):
        try:
            out.append(Check(True, f"{package} {version(package)} ({what})"))
        except PackageNotFoundError:
            out.append(
                Check(False, f"{package} ({what})", f"pip install {package}; {INSTALL_HINT}")
            )
    if shutil.which(CHROMIUM) is None:  # the path the renderer launches
        out.append(Check(False, f"{CHROMIUM} (HTML pages, plotly charts)", INSTALL_HINT))
    else:
        out.append(Check(True, f"{CHROMIUM} (HTML pages and plotly charts, driven by playwright)"))
    mermaid = mermaid_js_path()
    if mermaid is None:
        fix = "bash scripts/setup.sh (npm ci), or point SYNTH_MERMAID_JS at a copy"
        out.append(Check(False, "mermaid.js (mermaid code: the diagram domain)", fix))
    else:
        out.append(
            Check(
                True, f"mermaid.js (mermaid code: the diagram domain): {mermaid}", paths=(mermaid,)
            )
        )
    return out


RENDERER = Renderer(
    name="chromium",
    languages={
        "html": Language(render=render_page_code, warm_up=warm_up),
        "plotly-json": Language(render=render_plotly_code, warm_up=warm_up_plotly),
        "mermaid": Language(render=render_mermaid_code, warm_up=warm_up_mermaid),
    },
    install_hint=INSTALL_HINT,
    helper_dirs=helper_dirs,
    limit_address_space=False,  # Chromium reserves far more address space than it uses
    render_thread=True,  # a render mostly waits on the browser
    sandbox_paths=sandbox_paths,
    checks=checks,
)
