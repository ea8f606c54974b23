"""A test domain pack whose samples misbehave on purpose.

The first draw of each sample's rng picks a mode (see MODES); the rest draw a normal chart.
Tests recompute the mode from the per-sample seed. Registered in tests with
$SYNTH_DOMAINS=hostile=hostile_pack:DOMAIN. Network modes aim only at 127.0.0.1 and the
documentation address 192.0.2.1.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import pwd
import signal
import socket
import sys
import time

import numpy as np
from chart_based import ChartBased

from synth.generators.chart import ChartGenerator
from synth.pack import Sample
from synth.record import Rendered

#: mode -> the failure kind it must produce (None: a normal chart)
MODES: dict[int, str | None] = {
    0: "crash",  # SIGKILL to itself
    1: "timeout",  # sleeps forever
    2: "exception",  # raises
    3: "memory",  # allocates without bound
    4: "timeout",  # fork bomb
    5: "crash",  # segfault through ctypes
    6: "forbidden",  # reads a file in root's home
    7: "forbidden",  # writes outside scratch
    8: "forbidden",  # TCP to 127.0.0.1
    9: "forbidden",  # TCP to 192.0.2.1
    10: "forbidden",  # prints a gigabyte
    11: "forbidden",  # leaves a child running
    12: "forbidden",  # tries to kill its parent (root's: refused), then waits
}
N_MODES = 20  # modes 13..19 draw a normal chart
CRASH, HANG, RAISE, FORK_BOMB = 0, 1, 2, 4


def mode_of(rng: np.random.Generator) -> int:
    return int(rng.integers(N_MODES))


def misbehave(mode: int) -> None:
    if mode == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == 1:
        time.sleep(3600)
    elif mode == 2:
        raise ValueError("this sample refuses to render")
    elif mode == 3:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 2**20))
    elif mode == 4:
        while True:
            try:
                os.fork()
            except OSError:
                pass
    elif mode == 5:
        ctypes.string_at(0)
    elif mode == 6:
        with open(os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".profile")) as f:
            f.read()
        raise FileNotFoundError(
            2, "No such file or directory", "/root/.profile"
        )  # readable: still refuse
    elif mode == 7:
        with open("/usr/synth-hostile.txt", "w") as f:
            f.write("x")
    elif mode == 8:
        socket.create_connection(("127.0.0.1", 80), timeout=30)
    elif mode == 9:
        socket.create_connection(("192.0.2.1", 80), timeout=30)
    elif mode == 10:
        for _ in range(1024):
            sys.stdout.write("x" * 2**20)
    elif mode == 11:
        if os.fork() == 0:
            os.setsid()
            time.sleep(3600)
            os._exit(0)
    elif mode == 12:
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(3600)


class HostileDomain(ChartBased):
    name = "hostile"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        mode = mode_of(rng)
        # Matplotlib only: the memory mode needs the address-space limit Chromium cannot run under
        chart = ChartGenerator(renderer="matplotlib").sample(rng=rng)
        return dataclasses.replace(chart, domain="hostile", persona={"mode": mode})

    def render(self, sample: Sample) -> Rendered:
        misbehave(sample.persona["mode"])
        return super().render(sample)


DOMAIN = HostileDomain()
