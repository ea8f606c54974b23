"""One exception root for synth; each subclass also inherits the matching builtin."""

from __future__ import annotations


class SynthError(Exception):
    """Root of every error synth raises on purpose."""


class ConfigError(SynthError, ValueError):
    """A run configuration or CLI argument is invalid; the message names the fix."""


class SpecError(SynthError, ValueError):
    """A generator produced (or was given) a spec that violates its own invariants."""


class RegistryError(SynthError, LookupError):
    """A domain name is unknown, registered twice, or its package cannot be imported."""


class MissingDependencyError(RegistryError, ImportError):
    """An optional back-end is not installed; the message carries the install step."""


class RenderError(SynthError, RuntimeError):
    """A renderer failed on one sample."""


class RenderForbidden(RenderError, PermissionError):
    """A sample reached for something the sandbox refuses (a page's request off the page)."""


class RenderCrash(RenderError):
    """The process that ran a sample's code died: ``kind`` is the failure it counts as
    (``crash``, or ``timeout`` past its CPU seconds)."""

    def __init__(self, message: str, kind: str = "crash") -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self) -> tuple[type[RenderCrash], tuple[str, str]]:
        return type(self), (str(self), self.kind)


class SampleRejected(RenderError):
    """The sample rendered, but its own checks failed (content off the canvas, clipped text,
    no question): it never becomes a record. ``checks`` names the failed ones."""

    def __init__(self, message: str, checks: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.checks = checks


class RenderTimeout(RenderError, TimeoutError):
    """A renderer took longer than the per-sample timeout."""


class OutputError(SynthError, OSError):
    """The output folder is unusable (unwritable, made by another config, locked)."""


class TooManyFailures(SynthError, RuntimeError):
    """More samples failed than --max-failures allows."""
