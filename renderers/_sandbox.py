"""Isolation for worker processes: bubblewrap when it works here, or nothing by explicit choice.

A sandboxed worker runs in ``bwrap`` with: a fresh network namespace (no network at all),
a fresh PID namespace (killing the worker kills everything it started; strays are visible),
the file system read-only, ``/tmp`` and the home folder replaced by empty read-only folders,
one writable scratch folder, an environment reduced to an allow-list, and resource limits
(address space, open files, written file size, processes, CPU seconds per task) that the
worker applies to itself and everything it starts.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synth._errors import SynthError

INSTALL_HINT = "apt-get install bubblewrap  (or: bash scripts/setup.sh)"
#: everything read-only, a private /dev and /proc (the probe and the real sandbox share these)
BASE_MOUNTS = ("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc")
ENV_ALLOW = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SYNTH_DOMAINS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "PYTHONHASHSEED",
)


class SandboxUnavailable(SynthError, RuntimeError):
    """No isolation works on this machine; the message says how to enable it."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-worker limits. ``cpu_s``: CPU seconds one task may use (SIGXCPU past it)."""

    memory_mb: int = 4096
    open_files: int = 512
    file_mb: int = 256
    processes: int = 256  # tasks in the worker's whole tree (a pids cgroup, where available)
    cpu_s: float = 60.0


@functools.lru_cache(maxsize=1)
def bwrap_works() -> str | None:
    """None if bubblewrap can build our sandbox here, else the reason it cannot."""
    exe = shutil.which("bwrap")
    if exe is None:
        return f"bubblewrap (bwrap) is not installed; install it with: {INSTALL_HINT}"
    probe = [
        exe,
        *BASE_MOUNTS,
        "--unshare-net",
        "--unshare-pid",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        "true",
    ]
    try:
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to start: {exc}"
    if proc.returncode != 0:
        return f"bwrap cannot create namespaces in this container: {proc.stderr.strip()[:300]}"
    return None


def require_sandbox() -> None:
    reason = bwrap_works()
    if reason is not None:
        raise SandboxUnavailable(
            f"cannot isolate renderer workers: {reason}. synth refuses to run generated code "
            "without isolation; fix that, or pass --no-sandbox to run unisolated (recorded in the manifest)"
        )


PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")


def make_pids_cgroup(limit: int) -> Path | None:
    """A fresh cgroup (v1 pids controller) capping the worker's process tree at ``limit``
    tasks, or None where this machine offers none. RLIMIT_NPROC cannot do this for root:
    the kernel exempts uid 0 from it."""
    if not (PIDS_CGROUP_ROOT / "cgroup.procs").exists():
        return None
    sweep_stale_cgroups()
    try:
        path = Path(tempfile.mkdtemp(prefix=f"synth-{os.getpid()}-", dir=PIDS_CGROUP_ROOT))
        (path / "pids.max").write_text(str(limit))
        return path
    except OSError:
        return None


def sweep_stale_cgroups() -> None:
    """Remove groups left by runs that were killed (their creator's pid is gone)."""
    for path in PIDS_CGROUP_ROOT.glob("synth-*-*"):
        owner = path.name.split("-")[1]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            remove_cgroup(path, wait_s=0.5)


def join_cgroup(path: Path | None) -> None:
    """Move the calling process into ``path`` (run in the child before exec)."""
    if path is not None:
        with open(path / "cgroup.procs", "w") as f:
            f.write("0")


def remove_cgroup(path: Path | None, *, wait_s: float = 5.0) -> None:
    """Kill whatever is still in the group (a worker's whole tree), then remove it."""
    if path is None:
        return
    deadline = time.monotonic() + wait_s
    while True:
        try:
            pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            path.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                return  # left for the kernel; an empty group costs nothing
            time.sleep(0.05)


def import_path() -> list[str]:
    """This process's module search path, so a worker imports the same synth."""
    return [os.path.abspath(p or os.getcwd()) for p in sys.path if os.path.isdir(p or os.getcwd())]


def package_dirs() -> list[str]:
    """Where synth's packages really live. A strict editable install is a tree of symlinks
    into the checkout; the sandbox must show the checkout for those links to resolve."""
    import importlib.util

    out = []
    for name in (
        "synth",
        "synth.generators",
        "synth.renderers",
        "synth.templates",
        "synth.qa_synth",
        "synth.personas",
    ):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            out.append(str(Path(spec.origin).resolve().parent))
    return out


def worker_env(scratch: Path) -> dict[str, str]:
    """The allow-listed environment of a worker: no tokens or keys from ours."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env["HOME"] = str(scratch)
    env["TMPDIR"] = str(scratch)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(import_path()))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["HF_HUB_OFFLINE"] = "1"
    env["MPLCONFIGDIR"] = _mpl_dir(scratch)
    return env


def _mpl_dir(scratch: Path) -> str:
    """A private Matplotlib config folder seeded with the font cache (a rebuild costs seconds)."""
    target = scratch / "matplotlib"
    target.mkdir(exist_ok=True)
    try:
        import matplotlib

        for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy2(cache, target / cache.name)
    except (ImportError, OSError):
        pass
    return str(target)


def bwrap_command(argv: list[str], scratch: Path, env: dict[str, str]) -> list[str]:
    """``argv`` wrapped in bubblewrap (see the module docstring for what it isolates)."""
    home = Path.home()
    cmd = [
        shutil.which("bwrap") or "bwrap",
        *BASE_MOUNTS,
        "--tmpfs",
        "/tmp",
    ]
    hidden = ["/tmp"]
    if str(home) not in ("/", "/tmp") and home.is_dir():
        cmd += ["--tmpfs", str(home)]
        hidden.append(str(home))
    # what the worker needs from the hidden folders: the interpreter, its packages, the code
    needed = {sys.prefix, sys.base_prefix, sys.exec_prefix, *import_path(), *package_dirs()}
    for path in sorted(needed):
        if any(
            path == h or path.startswith(h.rstrip("/") + "/") for h in hidden
        ) and os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    cmd += ["--bind", str(scratch), str(scratch)]
    for h in hidden:
        cmd += ["--remount-ro", h]
    cmd += [
        "--chdir",
        str(scratch),
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
    ]
    cmd += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for k, v in sorted(env.items()):
        cmd += ["--setenv", k, v]
    return cmd + argv
