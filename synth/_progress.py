"""Progress: a bar with rate and ETA on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(
        self,
        total: int,
        *,
        done: int = 0,
        mode: str = "auto",
        stream: TextIO | None = None,
        every_s: float = 10.0,
    ) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "log"
        self.mode = mode
        self.total = total
        self.start_done = done
        self.done = done
        self.failed = 0
        self.t0 = time.monotonic()
        self.every_s = every_s
        self._last = 0.0

    def update(self, done: int, failed: int) -> None:
        self.done, self.failed = done, failed
        now = time.monotonic()
        if self.mode == "off":
            return
        if self.mode == "bar" and now - self._last >= 0.1:
            self._last = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()
        elif self.mode == "log" and now - self._last >= self.every_s:
            self._last = now
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.t0, 1e-9)
        rate = (self.done - self.start_done) / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = _hms(left) if left != float("inf") else "--:--"
        frac = self.done / self.total if self.total else 1.0
        if self.mode == "bar":
            width = 28
            fill = int(frac * width)
            bar = "#" * fill + "." * (width - fill)
            return f"[{bar}] {self.done}/{self.total} {frac:6.1%} {rate:6.1f}/s ETA {eta} failed {self.failed}"
        return f"progress: {self.done}/{self.total} ({frac:.1%}) {rate:.1f} samples/s, ETA {eta}, failed {self.failed}"

    def finish(self) -> None:
        if self.mode == "bar":
            self.stream.write("\r" + self.line(time.monotonic()) + "\n")
        elif self.mode == "log":
            self.stream.write(self.line(time.monotonic()) + "\n")
        self.stream.flush()


def _hms(seconds: float) -> str:
    s = int(seconds)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
