"""A pack from outside synth, loaded in the sandbox for synth's own process.

synth's main process needs little of a domain pack: that it loads, that its options are
right, its version, whether it declares a stage, its doctor checks, and the family of a
sample that failed (for the failure's id). A pack installed from elsewhere (an entry point,
``$SYNTH_DOMAINS``) is imported for those in a *pack host*: a process in the same sandbox as
the workers (unprivileged uid, minimal file-system view, no network, capped memory), which
answers over a pipe. Its import-time code, and the ``sample`` the main process asks it for,
never run in the main process. Trusting a pack (``$SYNTH_TRUSTED_PACKS``, or
``--no-sandbox``) imports it in the main process as before; a pack that declares a stage
needs that, since a stage runs there.

The host replies with the protocol's frames; each is read with a deadline and checked for
its types. A pack can only lie about itself: what it answers is never run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from synth.engine.protocol import read_message, write_message

#: seconds a host has to import its pack and describe it, and to answer one question after
START_S = 120.0
ASK_S = 20.0
LOG = "packhost.log"


@dataclass(frozen=True)
class Described:
    """What the main process knows of a pack: its name, version, options (as ``synth
    doctor`` lists them), whether it declares a stage, its checks as
    ``(ok, what, fix, optional)`` and its code languages (whose renderers its workers warm)."""

    name: str
    version: str
    options: str
    stage: bool
    checks: tuple[tuple[bool, str, str, bool], ...]
    languages: tuple[str, ...] = ()


def describe(pack: Any) -> dict[str, Any]:
    """The JSON a host sends for ``pack``."""
    from synth.pack import describe_options

    return {
        "name": str(pack.name),
        "version": str(pack.version),
        "options": describe_options(pack.options) if pack.options else "",
        "stage": pack.stage() is not None,
        "checks": [[bool(c.ok), str(c.what), str(c.fix), bool(c.optional)] for c in pack.checks()],
        "languages": [str(lang) for lang in pack.languages],
    }


def _described(head: dict[str, Any]) -> Described:
    """A host's description, its types checked (ValueError on anything else)."""
    d = head.get("pack")
    if not isinstance(d, dict):
        raise ValueError("no description")
    checks = d.get("checks")
    if not (
        all(isinstance(d.get(k), str) for k in ("name", "version", "options"))
        and isinstance(d.get("stage"), bool)
        and isinstance(checks, list)
        and all(
            isinstance(c, list)
            and len(c) == 4
            and isinstance(c[0], bool)
            and isinstance(c[1], str)
            and isinstance(c[2], str)
            and isinstance(c[3], bool)
            for c in checks
        )
        and isinstance(d.get("languages"), list)
        and all(isinstance(lang, str) for lang in d["languages"])
    ):
        raise ValueError("a description of the wrong shape")
    return Described(
        d["name"],
        d["version"],
        d["options"],
        d["stage"],
        tuple(tuple(c) for c in checks),
        tuple(d["languages"]),
    )


class PackHost:
    """The sandboxed process that holds pack ``name`` configured with ``options``. Raises
    the pack's own ConfigError, MissingDependencyError or RegistryError (its message
    rebuilt) when it does not load, and a RegistryError when the host does not answer."""

    def __init__(self, name: str, options: dict[str, str]) -> None:
        from synth.engine.sandbox import (
            Limits,
            bwrap_command,
            make_cgroups,
            make_scratch,
            worker_env,
        )

        self.name = name
        self.scratch = make_scratch()
        limits = Limits()
        self.cgroups = make_cgroups(limits)
        argv = [sys.executable, "-m", "synth.engine.packhost", name, json.dumps(options)]
        env = worker_env(self.scratch)
        cmd = bwrap_command(argv, self.scratch, env, limits=limits, fonts=False)
        with open(self.scratch / LOG, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,
                close_fds=True,
                preexec_fn=self.cgroups.join if self.cgroups.paths else None,
            )
        try:
            head = self._read(START_S)
            if "error" in head:
                raise _rebuilt(name, head)
            self.described = _described(head)
        except BaseException:
            self.close()
            raise

    def _read(self, seconds: float) -> dict[str, Any]:
        from synth._errors import RegistryError

        assert self.proc.stdout is not None
        try:
            head, _ = read_message(self.proc.stdout.fileno(), time.monotonic() + seconds)
        except (EOFError, TimeoutError, ValueError) as exc:
            raise RegistryError(
                f"domain {self.name!r}: its pack did not answer from the sandbox ({exc}); "
                "`synth doctor` shows why it does not load"
            ) from None
        return head

    def family(self, seed: int) -> str:
        """The family of the sample ``seed`` draws ("unknown" when the pack cannot say)."""
        if self.proc.poll() is not None or self.proc.stdin is None:
            return "unknown"
        try:
            write_message(self.proc.stdin.fileno(), {"op": "family", "seed": int(seed)})
            head = self._read(ASK_S)
        except Exception:  # noqa: BLE001 - a host that broke or lies gives no family
            self.close()
            return "unknown"
        family = head.get("family")
        if not isinstance(family, str):
            return "unknown"
        ok = 0 < len(family) <= 64 and family.isprintable() and "/" not in family
        return family if ok else "unknown"

    def close(self) -> None:
        from synth.engine.sandbox import remove_cgroup

        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        for path in self.cgroups.paths.values():
            remove_cgroup(path)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _rebuilt(name: str, head: dict[str, Any]) -> Exception:
    """The pack's own error, rebuilt by its type's name (its message as it said it)."""
    from synth import _errors

    kinds: dict[str, type[Exception]] = {
        "ConfigError": _errors.ConfigError,
        "MissingDependencyError": _errors.MissingDependencyError,
        "RegistryError": _errors.RegistryError,
    }
    kind, message = str(head.get("error")), str(head.get("message", ""))[:4000]
    if kind in kinds:
        return kinds[kind](message)
    return _errors.RegistryError(f"domain {name!r} fails to load: {kind}: {message}")


def main() -> int:
    """In the sandbox: load the pack, describe it, then answer family questions."""
    name, options = sys.argv[1], json.loads(sys.argv[2])
    reply = os.dup(1)
    os.dup2(2, 1)  # what the pack prints goes to the log, not into the replies
    from synth import registry
    from synth._seeding import sample_rng

    try:
        pack = registry.get(name, options or None)
        write_message(reply, {"pack": describe(pack)})
    except Exception as exc:  # noqa: BLE001 - the main process gets every error, typed
        write_message(reply, {"error": type(exc).__name__, "message": str(exc)})
        return 0
    while True:
        try:
            head, _ = read_message(0)
        except EOFError:
            return 0
        try:
            family = str(pack.sample(rng=sample_rng(int(head["seed"]))).family)
        except Exception:  # noqa: BLE001 - a pack that cannot sample has no family
            family = "unknown"
        write_message(reply, {"family": family})


if __name__ == "__main__":
    sys.exit(main())
