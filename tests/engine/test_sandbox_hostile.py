"""Hostile code against the sandbox's walls: privilege, the file-system view, the pool's
reading of what a worker leaves and sends, sizes and memory, leftovers between samples.

Each case here was measured breaking the sandbox of 9e29a3d (issue 16) and must hold now.
A canary file planted outside the sandbox must never show up: not in a failure message,
not in a traceback, not in a record. Every test runs real code in a real bubblewrap worker
(skipped, with the reason, where bubblewrap cannot run here). Runs that could hang on a
broken pool go through ``synth render-code`` in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from synth._errors import RenderError
from synth.build import verify
from synth.engine.pool import run_code
from synth.engine.sandbox import SCRATCH_PREFIX, Limits, bwrap_works, own_cgroup
from synth.record import Rendered

from ..conftest import PACKS, ROOT, synth_cmd

REASON = bwrap_works()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"sandbox unavailable: {REASON}")

TIMEOUT = 8.0


def _run(code: str, timeout: float = TIMEOUT, limits: Limits | None = None) -> dict:
    header, _ = run_code("python-matplotlib", code, timeout_s=timeout, limits=limits)
    return header


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[tuple[str, list[Path]]]:
    """A secret planted in every kind of place outside the sandbox: the checkout (beside its
    packages and inside .git), the home folder, /tmp, /etc and /var/tmp."""
    secret = f"canary-{uuid.uuid4().hex}"
    places = [
        ROOT / f".synth-canary-{secret}",
        ROOT / ".git" / f"synth-canary-{secret}",
        Path.home() / f".synth-canary-{secret}",
        tmp_path / "canary.txt",
        Path("/etc") / f"synth-canary-{secret}",
        Path("/var/tmp") / f"synth-canary-{secret}",
    ]
    planted = []
    for path in places:
        try:
            path.write_text(secret)
            planted.append(path)
        except OSError:
            pass
    assert len(planted) >= 4, "the canary went into most places"
    yield secret, planted
    for path in planted:
        path.unlink(missing_ok=True)


#: sample code that tries every way it knows to read the canary files and the host's secrets
HUNT = """
import os
paths = {paths!r}
found = []
for p in paths + ["/etc/shadow", "/proc/1/environ", "/proc/self/mountinfo"]:
    try:
        found.append(open(p, errors="replace").read())
    except OSError as exc:
        found.append(f"{{p}}: {{exc.strerror}}")
for top in ("/", "/etc", "/var", "/work", "/root", "/home", "/tmp", "/srv", "/opt", "/run"):
    for d, dirs, files in os.walk(top):
        dirs[:] = [x for x in dirs if os.path.join(d, x) not in ("/usr", "/proc", "/sys", "/dev")]
        for f in files:
            if "canary" in f:
                try:
                    found.append(open(os.path.join(d, f)).read())
                except OSError:
                    pass
print("\\n".join(found))
raise RuntimeError(" | ".join(found)[-3000:])
"""


#: the uid probe: raises before writing anything when it could (root, or /proc/sys writable)
UNPRIVILEGED = (
    "import os\n"
    "names = ['kernel/core_pattern', 'vm/drop_caches', 'net/ipv4/ip_forward', 'kernel/printk_ratelimit']\n"
    "w = [n for n in names if os.access('/proc/sys/' + n, os.W_OK)]\n"
    "if os.getuid() == 0 or w:\n"
    "    raise RuntimeError(f'uid {os.getuid()} may write {w}')\n"
    "cur = open('/proc/sys/kernel/printk_ratelimit').read()\n"
    "open('/proc/sys/kernel/printk_ratelimit', 'w').write(cur)\n"
)


def test_sample_code_runs_unprivileged_and_cannot_touch_kernel_settings() -> None:
    header = _run(UNPRIVILEGED)
    assert header["kind"] == "forbidden", header
    assert "Permission denied" in header["message"] or "Read-only" in header["message"], header


def test_a_canary_outside_the_sandbox_is_read_nowhere(canary: tuple[str, list[Path]]) -> None:
    secret, planted = canary
    shadow = Path("/etc/shadow").read_text() if os.access("/etc/shadow", os.R_OK) else ""
    header = _run(HUNT.format(paths=[str(p) for p in planted]))
    text = json.dumps(header)
    assert header["op"] == "failed" and secret not in text, "a canary leaked into the failure"
    first_hash = next((ln.split(":")[1] for ln in shadow.splitlines() if ":" in ln), "")
    assert not shadow or "root:" not in text or first_hash not in text, "/etc/shadow leaked"
    assert str(ROOT / ".git") not in header["message"] or "No such file" in header["message"]


def test_what_a_sample_leaves_in_its_folder_never_reaches_the_main_process(
    canary: tuple[str, list[Path]],
) -> None:
    """Links and FIFOs named like the worker's logs, in its working folder, then a crash:
    the exit reason reads only the pool's own log, never follows a link, never waits."""
    secret, planted = canary
    code = (
        "import os\n"
        f"target = {str(planted[0])!r}\n"
        "for name in ('output.log', 'stderr.log', 'worker.log'):\n"
        "    for d in (os.getcwd(), os.environ['HOME'], os.environ['TMPDIR']):\n"
        "        p = os.path.join(d, name)\n"
        "        try:\n"
        "            os.unlink(p)\n"
        "        except OSError:\n"
        "            pass\n"
        "        try:\n"
        "            os.symlink(target, p) if name != 'worker.log' else os.mkfifo(p)\n"
        "        except OSError:\n"
        "            pass\n"
        "os._exit(3)\n"
    )
    proc = _render_code_cli(code, timeout=60)
    assert proc.returncode == 1 and secret not in proc.stdout + proc.stderr, proc.stdout
    assert json.loads(proc.stdout)["kind"] == "crash", proc.stdout


def _render_code_cli(code: str, timeout: float, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "hostile.py"
        script.write_text(code)
        return synth_cmd(
            "render-code", str(script), "--out", str(Path(d) / "out.png"), "--timeout", "5",
            *extra, timeout=timeout,
        )  # fmt: skip


#: writes ``frame`` to every pipe the sample's process can write to, then waits
TAMPER = """
import os, time
frame = {frame!r}
for fd in sorted(int(x) for x in os.listdir("/proc/self/fd")):
    if fd > 2 and os.readlink(f"/proc/self/fd/{{fd}}").startswith("pipe:"):
        try:
            os.write(fd, frame)
        except OSError:
            pass
time.sleep({wait})
"""


def test_half_a_frame_on_the_protocol_is_a_timeout_not_a_hang() -> None:
    # a header length of 64 bytes, then 1 byte of it
    proc = _render_code_cli(TAMPER.format(frame=b"\x00\x00\x00\x40{", wait=3600), timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["kind"] in ("timeout", "crash", "forbidden"), proc.stdout


def test_a_forged_frame_fails_its_sample_and_the_run_goes_on(tmp_path: Path) -> None:
    """A pack that writes a frame for another task: that sample is a typed failure, every
    other sample is written, and the run exits by the failure rule, not a traceback."""
    out = tmp_path / "forged"
    env = {"SYNTH_DOMAINS": "forger=forger_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    proc = synth_cmd(
        "generate", "--domain", "forger", "--n", "6", "--seed", "6", "--out", str(out),
        "--workers", "1", "--timeout", "20", "--max-failures", "6", env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    failures = [json.loads(ln) for ln in (out / "failures.jsonl").read_text().splitlines()]
    sys.path.insert(0, str(PACKS))
    import forger_pack

    forged = forger_pack.forged_indices(6, 6)
    assert forged, "the seed forges at least one frame"
    assert {f["index"]: f["kind"] for f in failures} == dict.fromkeys(forged, "forbidden")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["written"] == 6 - len(forged)


def test_dev_shm_and_scratch_are_capped() -> None:
    limits = Limits(memory_mb=2048, cpu_s=30, shm_mb=32, scratch_mb=64)
    for folder in ("/dev/shm", "."):
        code = (
            "import os\n"
            f"with open(os.path.join({folder!r}, 'fill'), 'wb') as f:\n"
            "    for _ in range(200):\n"
            "        f.write(b'x' * 2**20)\n"
            "        f.flush()\n"
        )
        header = _run(code, timeout=30, limits=limits)
        assert header["kind"] == "forbidden", (folder, header)
        assert "No space left" in header["message"], (folder, header)


def test_samples_find_nothing_of_the_samples_before_them(tmp_path: Path) -> None:
    out = tmp_path / "left"
    env = {"SYNTH_DOMAINS": "leftover=leftover_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    synth_cmd(
        "generate", "--domain", "leftover", "--n", "4", "--out", str(out), "--workers", "1",
        env=env, check=True, timeout=300,
    )  # fmt: skip
    from synth.dataset import iter_samples

    found = [record["persona"]["found"] for record, _ in iter_samples(out)]
    assert found == [[]] * 4, found


def _bomb_png(width: int, height: int) -> bytes:
    """A valid PNG header and a few KB of zlib that inflate to ``width * height`` grey bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width
    body = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_an_invalid_image() -> None:
    bomb = _bomb_png(30000, 30000)
    assert len(bomb) < 100_000
    with pytest.raises(RenderError, match="invalid PNG"):
        verify(Rendered(png=bomb, width=30000, height=30000, elements=(), backend="x"), [])
    script = (
        "import matplotlib.figure\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        f"BOMB = {bomb!r}\n"
        "def draw(target, inspect=None):\n"
        "    fig = matplotlib.figure.Figure(figsize=(2, 2))\n"
        "    FigureCanvasAgg(fig)\n"
        "    fig.add_subplot().plot([0, 1], [1, 0])\n"
        "    fig.canvas.draw()\n"
        "    inspect(fig)\n"
        "    target.write(BOMB)\n"
        "    return fig\n"
    )
    header = _run(script, timeout=30)
    assert header["kind"] == "invalid_image", header


@pytest.mark.skipif(own_cgroup("memory") is None, reason="no memory cgroup to join here")
def test_a_page_allocating_past_the_limit_is_a_memory_failure() -> None:
    """Chromium is not under the worker's address-space limit; the memory cgroup holds it."""
    page = (
        "<html><head><style>body { width: 400px; }</style></head><body><p>x</p>"
        "<script>const hoard = [];"
        "for (let i = 0; i < 48; i++) { const a = new Uint8Array(64 * 1024 * 1024);"
        " a.fill(i + 1); hoard.push(a); }</script></body></html>"
    )
    header, _ = run_code("html", page, timeout_s=60, limits=Limits(memory_mb=1024, cpu_s=60))
    assert header["op"] == "failed" and header["kind"] == "memory", header


def test_a_page_that_asks_the_network_is_forbidden() -> None:
    page = (
        "<html><head><style>body { width: 400px; }</style></head>"
        '<body><p>hello</p><img src="http://192.0.2.1/x.png"></body></html>'
    )
    header, _ = run_code("html", page, timeout_s=60)
    assert header["op"] == "failed" and header["kind"] == "forbidden", header


def test_scratch_folders_of_a_killed_run_are_swept() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{dead.pid}-"))
    (stale / "worker.log").write_text("left by a killed run")
    header = _run("def draw(target, inspect=None):\n    raise ValueError('x')\n")
    assert header["kind"] == "exception"
    assert not stale.exists(), "the folder of a run whose pid is gone was removed"


def test_a_runtime_folder_under_tmp_or_home_is_shown(tmp_path: Path) -> None:
    """A checkout in /tmp or under $HOME: its folders are shown on top of the hidden /tmp and
    home, readable by the sandbox's user (the sandbox of 9e29a3d hid node_modules there; a
    /tmp tmpfs mounted after the binds hid a whole /tmp checkout)."""
    from synth.engine.sandbox import bwrap_command

    with tempfile.TemporaryDirectory(dir=Path.home()) as in_home:
        shown = [tmp_path / "pkg", Path(in_home) / "pkg"]
        for d in shown:
            d.mkdir()
            d.chmod(0o755)
            (d / "mod.py").write_text("X = 1\n")
            (d / "mod.py").chmod(0o644)
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        test = " && ".join(f"test -r {d}/mod.py" for d in shown)
        cmd = bwrap_command(
            ["sh", "-c", test], scratch, {"PATH": "/usr/bin:/bin"}, [str(d) for d in shown]
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_a_script_cannot_reach_the_protocol_or_change_later_samples(tmp_path: Path) -> None:
    """A chart script runs in a child with no descriptor of its worker's (its own fds and
    the worker's through /proc/PPID/fd), so a forged 'rendered' frame never arrives; and
    what it changes in Matplotlib dies with it."""
    forge = (
        "import json, os\n"
        "head = json.dumps({'op': 'rendered', 'width': 1, 'height': 1, 'elements': [],"
        " 'backend': 'forged', 'blobs': [6]}).encode()\n"
        "frame = len(head).to_bytes(4, 'big') + head + b'forged'\n"
        "fds = [f'/proc/self/fd/{x}' for x in os.listdir('/proc/self/fd')]\n"
        "fds += [f'/proc/{os.getppid()}/fd/{x}' for x in range(64)]\n"
        "for path in fds:\n"
        "    try:\n"
        "        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)\n"
        "        os.write(fd, frame)\n"
        "    except OSError:\n"
        "        pass\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, frame)\n"
        "    except OSError:\n"
        "        pass\n"
        "raise ValueError('no frame got through')\n"
    )
    header = _run(forge)
    # its own result pipe takes the frame as a malformed result; the worker's pipes never see it
    assert header["op"] == "failed" and header["kind"] == "render", header
    assert "malformed result" in header["message"], header
    # a script that monkeypatches Matplotlib, then a normal chart in the same worker: the
    # second renders as it does in-process
    import numpy as np

    import synth
    from synth.generators.chart import ChartGenerator

    sample = ChartGenerator(renderer="matplotlib").sample(rng=np.random.default_rng(5))
    patch = (
        "import matplotlib\n"
        "matplotlib.rcParams['axes.facecolor'] = 'red'\n"
        "matplotlib.rcParams['font.size'] = 30\n"
        "import matplotlib.figure\n"
        "matplotlib.figure.Figure.savefig = lambda *a, **k: None\n"
    )
    replies = _code_in_one_worker([patch + sample.code.source, sample.code.source])
    assert replies[1][0]["op"] == "rendered", replies[1][0]
    assert replies[1][1][0] == synth.render(sample).png, "the patch did not reach the next sample"


def _build(pool: object, tasks: list[tuple[int, str, int]]) -> list[object]:
    from synth.engine.pool import WorkerPool

    assert isinstance(pool, WorkerPool)
    pending, results = list(tasks), []
    while len(results) < len(tasks):
        while pending and pool.has_capacity():
            pool.submit(pending.pop(0))
        results += pool.poll(1.0)
    return results


@pytest.mark.skipif(own_cgroup("memory") is None, reason="no memory cgroup to read here")
def test_a_worker_whose_whole_tree_nears_its_memory_limit_is_recycled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recycling reads the whole tree's memory (as it would Chromium's or Blender's), not
    the worker's own RSS: a worker whose tree holds more than the share of --memory-mb is
    replaced after a sample, one under it is not. The share is lowered to just under what a
    warm worker holds (a real limit that close would leave no room to render)."""
    from synth._seeding import sample_seed
    from synth.engine import pool as _pool
    from synth.engine.pool import Done, WorkerPool

    monkeypatch.setenv("SYNTH_DOMAINS", "leftover=leftover_pack:DOMAIN")
    monkeypatch.syspath_prepend(str(PACKS))
    tasks = [(i, "leftover", sample_seed(0, "leftover", i)) for i in range(3)]
    limits = Limits(memory_mb=4096, cpu_s=60)
    with WorkerPool(1, run_seed=0, timeout_s=60, domains=("leftover",), limits=limits) as pool:
        assert all(isinstance(r, Done) for r in _build(pool, tasks))
        held = pool.workers[0].cgroups.resident_mb()
        assert pool.replaced == 0 and held > 20, held
    monkeypatch.setattr(_pool, "TREE_RECYCLE_SHARE", 0.8 * held / limits.memory_mb)
    with WorkerPool(1, run_seed=0, timeout_s=60, domains=("leftover",), limits=limits) as pool:
        results = _build(pool, tasks)
        assert all(isinstance(r, Done) for r in results), results
        assert pool.replaced >= 1, (held, pool.replaced)


def _code_in_one_worker(
    sources: list[str], domains: tuple[str, ...] = ("chart",)
) -> list[tuple[dict, list[bytes]]]:
    """Each Matplotlib script rendered in turn by ONE warm worker of ``domains``' packs."""
    from synth.engine.pool import WorkerPool
    from synth.engine.protocol import read_message, write_message

    replies = []
    with WorkerPool(1, run_seed=0, timeout_s=60, domains=domains, isolate_scripts=True) as pool:
        worker = pool.workers[0]
        assert worker.proc.stdin is not None and worker.proc.stdout is not None
        for source in sources:
            write_message(
                worker.proc.stdin.fileno(),
                {"op": "code", "index": None, "language": "python-matplotlib"},
                [source.encode()],
            )
            while True:
                head, blobs = read_message(worker.proc.stdout.fileno())
                if head.get("op") != "ready":
                    break
            replies.append((head, blobs))
    return replies


def test_a_daemon_started_from_a_helper_program_is_a_stray() -> None:
    """Playwright's node is a helper of a chart worker (it drives Chromium): one that a
    script starts and leaves running is not spared like the worker's own."""
    import numpy as np

    from synth.generators.chart import ChartGenerator
    from synth.renderers.html import helper_dirs

    node = next((d for d in helper_dirs() if "playwright" in d), None)
    if node is None:
        pytest.skip("Playwright's driver is not installed")
    sample = ChartGenerator(renderer="matplotlib").sample(rng=np.random.default_rng(6))
    daemon = (
        "import os, subprocess\n"
        f"node = [os.path.join({node!r}, n) for n in os.listdir({node!r}) if n == 'node'][0]\n"
        "subprocess.Popen([node, '-e', 'setInterval(() => {}, 1000)'], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    )
    (head, _), (after, _) = _code_in_one_worker([daemon + sample.code.source, sample.code.source])
    assert head["op"] == "failed" and head["kind"] == "forbidden", head
    assert "process" in head["message"], head
    assert after["op"] == "rendered", "the worker's own Chromium and node were spared"


def test_a_crafted_scene_json_is_refused_before_blender_builds_it() -> None:
    """A scene JSON from outside (render-code, reproduce) asking for a huge image, endless
    samples, more objects than the index map holds or non-finite numbers is a spec failure."""
    import numpy as np

    from synth.generators.scene3d import SceneGenerator

    scene = json.loads(SceneGenerator().sample(rng=np.random.default_rng(3)).code.source)
    crafted = []
    for key, value in (("width_px", 100_000), ("height_px", 3), ("samples", 10**7)):
        bad = json.loads(json.dumps(scene))
        bad["render"][key] = value
        crafted.append(bad)
    many = json.loads(json.dumps(scene))
    many["objects"] = [dict(scene["objects"][0], x_m=float(i), y_m=0.0) for i in range(300)]
    crafted.append(many)
    nan = json.loads(json.dumps(scene))
    nan["objects"][0]["x_m"] = float("nan")
    crafted.append(nan)
    for bad in crafted:
        header, _ = run_code("synth-scene-json", json.dumps(bad), timeout_s=60)
        assert header["op"] == "failed" and header["kind"] == "spec", header


#: sample code that tries to reach listeners on the host: TCP and UDP on its loopback, and an
#: abstract Unix socket (those live in the network namespace, not the file system)
REACH = """
import socket
reached = []
try:
    socket.create_connection(("127.0.0.1", {tcp}), timeout=5).close()
    reached.append("tcp")
except OSError:
    pass
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"ping", ("127.0.0.1", {udp}))
except OSError:
    pass
try:
    x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    x.settimeout(5)
    x.connect({unix!r})
    reached.append("unix")
except OSError:
    pass
raise RuntimeError(f"reached={{reached}}")
"""


def _reach_host(monkeypatch: pytest.MonkeyPatch | None = None) -> set[str]:
    """What sandboxed code reaches of three listeners on this host (``udp``: a datagram
    arrived)."""
    import socket

    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(3)
    unix_name = f"\0synth-probe-{uuid.uuid4().hex}"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_name)
    unix.listen(1)
    try:
        code = REACH.format(tcp=tcp.getsockname()[1], udp=udp.getsockname()[1], unix=unix_name)
        header = _run(code, timeout=30)
        assert header["kind"] == "exception" and "reached=" in header["message"], header
        reached = set(eval(header["message"].split("reached=")[1]))  # noqa: S307 - a list literal
        try:
            if udp.recvfrom(16)[0] == b"ping":
                reached.add("udp")
        except TimeoutError:
            pass
        return reached
    finally:
        for s in (tcp, udp, unix):
            s.close()


def test_sandboxed_code_reaches_no_listener_on_the_host() -> None:
    """Listeners that exist (a free port on the host's loopback, by TCP and UDP, and an
    abstract Unix socket): refused inside, so this test can fail here, unlike a connect to a
    port nobody listens on."""
    assert _reach_host() == set()


def test_the_network_probe_fails_without_the_network_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pairing: the same probe with --unshare-net dropped from the sandbox reaches all
    three, so the test above is one that can fail."""
    _weaken(monkeypatch, lambda cmd: [a for a in cmd if a != "--unshare-net"])
    assert _reach_host() == {"tcp", "udp", "unix"}


def _weaken(monkeypatch: pytest.MonkeyPatch, change: Callable[[list[str]], list[str]]) -> None:
    """Run this test's workers with one protection taken out of their bubblewrap command: a
    pairing shows that the test of that protection can fail."""
    from synth.engine import pool as _pool

    real = _pool.bwrap_command

    def weakened(*args: Any, **kwargs: Any) -> list[str]:
        return change(real(*args, **kwargs))

    monkeypatch.setattr(_pool, "bwrap_command", weakened)


def test_the_uid_probe_fails_without_setpriv(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pairing of the unprivileged-uid test: without setpriv the sample runs as root and
    the same probe says so (it raises before writing anything)."""
    from synth.engine.sandbox import SETPRIV

    def no_setpriv(cmd: list[str]) -> list[str]:
        at = cmd.index(SETPRIV)
        return cmd[:at] + cmd[cmd.index("--", at) + 1 :]

    _weaken(monkeypatch, no_setpriv)
    header = _run(UNPRIVILEGED)
    assert header["kind"] == "exception" and "uid 0 may write" in header["message"], header


def test_the_canary_probe_fails_with_the_host_file_system_shown(
    monkeypatch: pytest.MonkeyPatch, canary: tuple[str, list[Path]]
) -> None:
    """The pairing of the file-system view: with the whole checkout shown, as on 9e29a3d
    (which showed all of /), the canaries planted in it and its .git are read."""
    secret, planted = canary
    probe = (
        f"found = []\nfor p in {[str(p) for p in planted]!r}:\n    try:\n        found.append(open(p).read())\n"
        "    except OSError:\n        pass\nraise RuntimeError(' '.join(found) or 'none')\n"
    )
    assert secret not in _run(probe)["message"]
    shown = ["--ro-bind", str(ROOT), str(ROOT)]  # the checkout, its .git included

    def host_shown(cmd: list[str]) -> list[str]:
        at = cmd.index("--dev")
        return cmd[:at] + shown + cmd[at:]

    _weaken(monkeypatch, host_shown)
    assert secret in _run(probe)["message"]


def test_a_pack_from_outside_is_loaded_in_the_sandbox_never_in_synths_process(
    tmp_path: Path,
) -> None:
    """Issue 16, item 7: a pack's import-time code ran in synth's own process, which could
    read what the sandbox hides. Now synth's process asks a pack host in the sandbox for
    what it needs (options, version, checks, a failed sample's family): the pack's import
    reads no canary and writes nothing beside itself, for generate and for doctor alike.
    Trusting it (SYNTH_TRUSTED_PACKS) imports it here again, and then it sees the canary:
    the probe can tell the two apart."""
    import shutil

    canary = f"CANARY-{uuid.uuid4().hex}"
    (tmp_path / "canary.txt").write_text(canary)
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(PACKS / "curious_pack.py", packs)
    env = {"SYNTH_DOMAINS": "curious=curious_pack:DOMAIN", "PYTHONPATH": str(packs)}
    out = tmp_path / "o"
    gen = synth_cmd("generate", "--domain", "curious", "--n", "3", "--workers", "1",
                    "--max-failures", "3", "--out", str(out), env=env)  # fmt: skip
    doctor = synth_cmd("doctor", env=env)
    assert list(packs.glob("imported-by-*")) == [], "the pack wrote beside itself on the host"
    said = gen.stdout + gen.stderr + doctor.stdout + doctor.stderr
    said += "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert canary not in said
    assert "domain curious (version none" in doctor.stdout, doctor.stdout
    assert "(loaded in the sandbox)" in doctor.stdout
    ids = [json.loads(line)["id"] for line in (out / "failures.jsonl").read_text().splitlines()]
    assert ids == [f"curious-fam-none-{i:09d}" for i in range(3)], ids  # from the pack host
    trusted = synth_cmd("doctor", env={**env, "SYNTH_TRUSTED_PACKS": "curious"})
    assert f"domain curious (version {canary}" in trusted.stdout
    assert [p.name for p in packs.glob("imported-by-*")] == [f"imported-by-uid-{os.getuid()}"]


def test_a_pack_that_patches_a_library_changes_no_other_sample(tmp_path: Path) -> None:
    """Issue 16, item 6: a sample of a pack from outside that patches Matplotlib (no text
    drawn from then on) changes only itself. Each sample runs in a process of its own
    forked from the warm worker, so the bytes do not depend on which samples a worker made
    before, and runs with 1 and 2 workers are the same dataset. That process holds none of
    the worker's protocol pipes."""
    from synth.dataset import iter_samples

    sys.path.insert(0, str(PACKS))
    import patcher_pack

    from synth._seeding import sample_rng, sample_seed

    n, seed = 10, 3
    patching = [
        i
        for i in range(n)
        if patcher_pack.mode_of(sample_rng(sample_seed(seed, "patcher", i))) == patcher_pack.PATCH
    ]
    assert patching and patching[0] < n - 2, "the seed patches early enough to matter"
    env = {"SYNTH_DOMAINS": "patcher=patcher_pack:DOMAIN", "PYTHONPATH": str(PACKS)}
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        synth_cmd(
            "generate", "--domain", "patcher", "--n", str(n), "--seed", str(seed),
            "--out", str(out), "--workers", str(workers), "--max-failures", str(n),
            env=env, check=True, timeout=300,
        )  # fmt: skip
        runs[workers] = {
            r["seed"]["index"]: (png, r["qa"], r["persona"]["pipes"])
            for r, png in iter_samples(out)
        }
    after = [i for i in runs[1] if i > patching[0] and i not in patching]
    assert after, "a sample that patches nothing follows one that patches"
    assert runs[1] == runs[2]
    assert {pipes for _, _, pipes in runs[1].values()} == {0}
