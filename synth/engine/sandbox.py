"""Isolation for worker processes: bubblewrap when it works here, or nothing by explicit choice.

A sandboxed worker runs in ``bwrap`` as an unprivileged user (uid/gid :data:`SANDBOX_UID`
on the host too, every capability dropped, no new privileges), so ``/proc/sys`` and every
root-only file are out of its reach. It sees a minimal file system built for it, read-only:
the system's programs and libraries (``/usr`` and its links), a short list of ``/etc``
entries, the font cache, and the folders its code needs wherever they are (the Python
interpreters and their packages, synth's package folders, ``node_modules``, ``.venv-blender``):
no home folder, no ``/tmp``, no checkout beyond its packages, no ``/etc/shadow``. It has a
fresh network namespace (no network at all), a fresh PID namespace (killing the worker kills
everything it started), a size-capped tmpfs as its scratch, home and temporary folder, a
size-capped ``/dev/shm``, an environment reduced to an allow-list, resource limits it applies
to itself, and, where cgroups allow, a memory and a pids cgroup over its whole tree
(Chromium and Blender included).
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
#: the host uid and gid sample code runs as ("nobody" on Debian): no file of root's, no
#: writable sysctl, no capability
SANDBOX_UID = 65534
SETPRIV = "/usr/bin/setpriv"  # util-linux, on every Debian
#: system folders shown read-only (a symlink, e.g. /bin -> usr/bin, is re-created as one)
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: the /etc entries programs read at start (loader, fonts, users, time zone, MIME types,
#: Debian's alternatives and Chromium's start script); nothing secret
ETC_ENTRIES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "fonts",
    "passwd",
    "group",
    "nsswitch.conf",
    "localtime",
    "timezone",
    "mime.types",
    "alternatives",
    "chromium",
    "chromium.d",
    "os-release",
    "debian_version",
    "ssl/openssl.cnf",
    "glvnd",
    "drirc",
)
#: caches that make fonts fast; nothing written by anyone but root
CACHE_PATHS = ("/var/cache/fontconfig",)
ENV_ALLOW = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SYNTH_DOMAINS",
    "SYNTH_MERMAID_JS",
    "SYNTH_BLENDER_PYTHON",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "PYTHONHASHSEED",
)
#: where a worker's copy of Matplotlib's font cache is shown (read-only; copied to scratch)
MPL_CACHE_MOUNT = "/run/synth-mpl-cache"


class SandboxUnavailable(SynthError, RuntimeError):
    """No isolation works on this machine; the message says how to enable it."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-worker limits. ``memory_mb``: the worker's whole tree (a memory cgroup where
    available; an address-space limit on the worker itself where its back-end allows one).
    ``cpu_s``: CPU seconds one task may use (SIGXCPU past it). ``scratch_mb`` and ``shm_mb``:
    the sizes of its scratch tmpfs and of ``/dev/shm``."""

    memory_mb: int = 4096
    open_files: int = 512
    file_mb: int = 256
    processes: int = 1024  # tasks (threads too) in the worker's whole tree (a pids cgroup,
    # where available); a warm Chromium alone runs ~250 threads
    cpu_s: float = 60.0
    scratch_mb: int = 512
    shm_mb: int = 64


@functools.lru_cache(maxsize=1)
def bwrap_works() -> str | None:
    """None if bubblewrap can build our sandbox here (an unprivileged uid included), else
    the reason it cannot."""
    exe = shutil.which("bwrap")
    if exe is None:
        return f"bubblewrap (bwrap) is not installed; install it with: {INSTALL_HINT}"
    if not os.path.exists(SETPRIV):
        return f"{SETPRIV} is missing (apt-get install util-linux)"
    scratch = Path(tempfile.mkdtemp(prefix="synth-probe-"))
    try:
        probe = bwrap_command(
            ["sh", "-c", 'test "$(id -u)" != 0'],
            scratch,
            {"PATH": "/usr/bin:/bin"},
            [],
            fonts=False,
        )
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to start: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode != 0:
        return (
            "bwrap cannot create namespaces or drop to an unprivileged uid in this container: "
            f"{proc.stderr.strip()[:300] or f'exit {proc.returncode}'}"
        )
    return None


def require_sandbox() -> None:
    reason = bwrap_works()
    if reason is not None:
        raise SandboxUnavailable(
            f"cannot isolate renderer workers: {reason}. synth refuses to run generated code "
            "without isolation; fix that, or pass --no-sandbox to run unisolated (recorded in the manifest)"
        )


# -- cgroups: a pids and a memory group per worker, under this process's own groups -------

CGROUP_V1 = Path("/sys/fs/cgroup")
#: cgroup v1 controllers synth uses: controller -> (limit file, how a limit is written)
CONTROLLERS = {"pids": "pids.max", "memory": "memory.limit_in_bytes"}
PIDS_CGROUP_ROOT = CGROUP_V1 / "pids"


def own_cgroup(controller: str) -> Path | None:
    """This process's group in a cgroup v1 ``controller`` (where new groups go), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            base = CGROUP_V1 / controller / path.lstrip("/")
            return base if (base / "cgroup.procs").exists() else None
    return None


@dataclasses.dataclass(frozen=True)
class Cgroups:
    """A worker's groups, by controller (those this machine offers and lets us create)."""

    paths: dict[str, Path]

    def join(self) -> None:
        """Move the calling process into every group (run in the child before exec)."""
        for path in self.paths.values():
            with open(path / "cgroup.procs", "w") as f:
                f.write("0")

    def oom_kills(self) -> int:
        """How often the kernel killed a process of the group for memory."""
        path = self.paths.get("memory")
        if path is None:
            return 0
        try:
            for line in (path / "memory.oom_control").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def resident_mb(self) -> float:
        """Memory the whole tree holds that only a restart gives back: anonymous pages and
        tmpfs/shared pages (``total_rss`` + ``total_shmem``), not the file cache; 0 without
        a memory group."""
        path = self.paths.get("memory")
        if path is None:
            return 0.0
        total = 0
        try:
            for line in (path / "memory.stat").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key in ("total_rss", "total_shmem"):
                    total += int(value)
        except (OSError, ValueError):
            return 0.0
        return total / 2**20

    def remove(self, *, wait_s: float = 5.0) -> None:
        for path in self.paths.values():
            remove_cgroup(path, wait_s=wait_s)


def make_cgroups(limits: Limits) -> Cgroups:
    """Fresh pids and memory groups capping a worker's whole tree, each where available.
    RLIMIT_NPROC would count every process of the shared sandbox uid; a cgroup counts one
    worker's. Memory counts Chromium, Blender and the tmpfs pages they write."""
    values = {"pids": str(limits.processes), "memory": str(limits.memory_mb * 2**20)}
    paths: dict[str, Path] = {}
    for controller, limit_file in CONTROLLERS.items():
        base = own_cgroup(controller)
        if base is None:
            continue
        sweep_stale_cgroups(base)
        try:
            path = Path(tempfile.mkdtemp(prefix=f"synth-{os.getpid()}-", dir=base))
        except OSError:
            continue
        try:
            (path / limit_file).write_text(values[controller])
            paths[controller] = path
        except OSError:
            remove_cgroup(path, wait_s=0)
    return Cgroups(paths)


def sweep_stale_cgroups(base: Path = PIDS_CGROUP_ROOT) -> None:
    """Remove groups left by runs that were killed (their creator's pid is gone)."""
    for path in stale(base, "synth-"):
        remove_cgroup(path, wait_s=0.5)


def stale(folder: Path, prefix: str) -> list[Path]:
    """Entries of ``folder`` named ``{prefix}{pid}-...`` whose pid is gone: left by a run
    that was killed (cgroups, scratch folders)."""
    out = []
    for path in folder.glob(f"{prefix}*-*"):
        owner = path.name[len(prefix) :].split("-")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            out.append(path)
    return out


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


# -- scratch folders on the host: one per worker, named after the run's pid -----------------

SCRATCH_PREFIX = "synth-worker-"


def make_scratch() -> Path:
    """A worker's host folder (its log; unsandboxed, its scratch too). Folders left by runs
    that were killed (their pid is gone) are removed first."""
    for path in stale(Path(tempfile.gettempdir()), SCRATCH_PREFIX):
        shutil.rmtree(path, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))


def read_tail(path: Path, limit: int = 400) -> bytes:
    """The last ``limit`` bytes of a regular file, never following a link, never waiting on
    a FIFO or device: b"" for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b""
        os.lseek(fd, max(0, st.st_size - limit), os.SEEK_SET)
        return os.read(fd, limit)
    except OSError:
        return b""
    finally:
        os.close(fd)


# -- what a worker sees -------------------------------------------------------------------


def import_path() -> list[str]:
    """This process's module search path, so a worker imports the same synth."""
    return [os.path.abspath(p or os.getcwd()) for p in sys.path if os.path.isdir(p or os.getcwd())]


def package_dirs() -> list[str]:
    """Where synth's packages really live. A strict editable install is a tree of symlinks
    into the checkout; the sandbox must show the checkout's package folders for those links
    to resolve (and nothing else of the checkout: not its .git)."""
    import importlib.util

    from synth._layout import FOLDERS

    out = []
    for name in FOLDERS:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            out.append(str(Path(spec.origin).resolve().parent))
    return out


def runtime_paths() -> list[str]:
    """The folders a worker's code needs, wherever they are: the interpreters and their
    packages, synth's package folders, the registered packs' folders (or files), and the
    back-ends' own files (node_modules, the Blender venv and its base interpreter)."""
    from synth import backends, registry

    packages = package_dirs() + registry.pack_paths()
    private = (str(Path.home()), tempfile.gettempdir())

    def shown(entry: str) -> bool:
        # not the checkout that holds the packages (its .git and data), nor /, /tmp or the
        # home folder, which a ``python -m`` run from there puts on the path
        above = [p for p in (*packages, *private) if p.startswith(entry.rstrip("/") + "/")]
        return entry not in private and not above

    paths = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(sys.executable).resolve().parent.parent),
        *filter(shown, import_path()),
        *packages,
        *(p for r in backends.loadable() for p in r.sandbox_paths()),
    }
    return sorted(p for p in paths if p and os.path.exists(p))


def visible(path: str | Path) -> bool:
    """Whether a sandboxed worker sees ``path`` (a system folder, or under a runtime path)."""
    real = os.path.realpath(path)
    shown = (*SYSTEM_PATHS, *(os.path.realpath(p) for p in runtime_paths()))
    return any(real == p or real.startswith(p.rstrip("/") + "/") for p in shown)


def worker_env(scratch: Path) -> dict[str, str]:
    """The allow-listed environment of a worker: no tokens or keys from ours."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env["HOME"] = str(scratch)
    env["TMPDIR"] = str(scratch)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(import_path()))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["HF_HUB_OFFLINE"] = "1"
    env["MPLCONFIGDIR"] = str(scratch / "matplotlib")
    return env


def mpl_cache_dir() -> str | None:
    """Matplotlib's cache folder here, whose font list a worker copies (a rebuild costs
    seconds), or None."""
    try:
        import matplotlib

        path = Path(matplotlib.get_cachedir())
    except (ImportError, OSError):
        return None
    return str(path) if path.is_dir() else None


def share_font_cache(scratch: Path) -> Path | None:
    """A copy of Matplotlib's font list in ``scratch``, readable by the sandbox's user (the
    cache itself may sit in root's private home), to be shown at :data:`MPL_CACHE_MOUNT`."""
    source = mpl_cache_dir()
    if source is None:
        return None
    target = scratch / "mpl-cache"
    try:
        target.mkdir(mode=0o755)
        target.chmod(0o755)
        for cache in Path(source).glob("fontlist-*.json"):
            shutil.copyfile(cache, target / cache.name)
            (target / cache.name).chmod(0o644)
    except OSError:  # a full disk, say: the worker rebuilds the list (seconds), nothing worse
        shutil.rmtree(target, ignore_errors=True)
        return None
    return target


def _show(path: str) -> list[str]:
    """bwrap arguments that show the host's ``path`` read-only at the same place."""
    if os.path.islink(path) and os.path.dirname(path) == "/":
        return ["--symlink", os.readlink(path), path]
    return ["--ro-bind", path, path] if os.path.exists(path) else []


def bwrap_command(
    argv: list[str],
    scratch: Path,
    env: dict[str, str],
    paths: list[str] | None = None,
    limits: Limits | None = None,
    *,
    fonts: bool = True,
) -> list[str]:
    """``argv`` wrapped in bubblewrap (see the module docstring for what it isolates);
    ``paths``: the folders to show read-only besides the system's (default
    :func:`runtime_paths`); ``fonts``: show a copy of Matplotlib's font list."""
    limits = limits or Limits()
    cmd = [shutil.which("bwrap") or "bwrap"]
    for path in SYSTEM_PATHS:
        cmd += _show(path)
    # /tmp first: a checkout under /tmp is shown on top of it, not hidden by it
    cmd += ["--perms", "1777", "--size", str(16 * 2**20), "--tmpfs", "/tmp"]
    made: set[str] = {*SYSTEM_PATHS, "/tmp"}
    etc = [f"/etc/{entry}" for entry in ETC_ENTRIES]
    for path in (*etc, *CACHE_PATHS, *(runtime_paths() if paths is None else paths)):
        # the folders above a shown one, readable by the sandbox's user (bwrap makes 0700)
        for parent in reversed(Path(path).parents[:-1]):
            if str(parent) not in made:
                made.add(str(parent))
                cmd += ["--perms", "0755", "--dir", str(parent)]
        cmd += _show(path)
    shared = share_font_cache(scratch) if fonts else None
    if shared is not None:
        cmd += ["--perms", "0755", "--dir", str(Path(MPL_CACHE_MOUNT).parent)]
        cmd += ["--ro-bind", str(shared), MPL_CACHE_MOUNT]
    cmd += ["--dev", "/dev", "--proc", "/proc"]
    cmd += ["--perms", "1777", "--size", str(limits.shm_mb * 2**20), "--tmpfs", "/dev/shm"]
    cmd += ["--perms", "0777", "--size", str(limits.scratch_mb * 2**20), "--tmpfs", str(scratch)]
    cmd += ["--remount-ro", "/", "--chdir", str(scratch)]
    cmd += [
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    cmd += ["--die-with-parent", "--new-session", "--clearenv"]
    # only what setpriv needs to become nobody; it drops them with the uid
    cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    cmd += ["--cap-add", "CAP_SETPCAP"]
    for k, v in sorted(env.items()):
        cmd += ["--setenv", k, v]
    uid = str(SANDBOX_UID)
    drop = [SETPRIV, "--reuid", uid, "--regid", uid, "--clear-groups", "--no-new-privs"]
    drop += ["--inh-caps=-all", "--bounding-set=-all", "--"]
    return cmd + drop + argv
