"""What a domain is: one declaration of everything the engine, the CLI and ``synth doctor``
ask of it.

A domain pack subclasses :class:`DomainPack`: it names itself and the code languages its
samples are written in, and draws, renders and asks. Every other hook has a typed default
here; nothing else is looked up on a pack. How each language is turned into pixels (warm-up,
helper processes, limits, its doctor check) is its renderer's declaration
(:mod:`synth.backends`), not the domain's. Built-in domains register exactly as third-party
packs do (``synth.registry``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from synth._errors import ConfigError
from synth.record import QA, Rendered

if TYPE_CHECKING:
    from synth.stage import Stage

#: what a domain option accepts: a tuple of words, a range of whole numbers, or ``str``: any
#: text (a path, a list), which the pack's :meth:`DomainPack.configure` checks itself
OptionKind = tuple[str, ...] | range | type[str]


@dataclasses.dataclass(frozen=True)
class Code:
    """The program a renderer runs: ``language`` (e.g. ``"python-matplotlib"``) and its text."""

    language: str
    source: str


@dataclasses.dataclass(frozen=True)
class Sample:
    """A generated, not yet rendered, sample: the spec (source of truth) and its code."""

    domain: str
    family: str
    generator: str
    spec: Any  # a frozen dataclass with ``to_json() -> dict``
    code: Code
    persona: dict[str, Any]
    topic: str


@dataclasses.dataclass(frozen=True)
class Check:
    """One line of ``synth doctor``: what was checked, whether it works, the fix if not, the
    files the sandboxed workers must also see for it to work there, and whether it is
    optional."""

    ok: bool
    what: str
    fix: str = ""
    paths: tuple[str, ...] = ()
    #: for a feature a user turns on (photoreal's models): when absent, doctor says so and
    #: how to get it, but still exits 0
    optional: bool = False


class DomainPack:
    """The interface every domain implements. Subclass it, set the class attributes, define
    :meth:`sample`, :meth:`render` and :meth:`questions`; override any other hook whose
    default does not fit."""

    #: the name it is registered and asked for by (``--domain NAME``)
    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    #: how to get what its imports need, for the error when they fail
    install_hint: ClassVar[str] = ""
    #: the code languages its samples are written in: each is drawn by the renderer that
    #: declares it, whose warm-up, helper processes and limits the domain's workers get
    languages: ClassVar[tuple[str, ...]] = ()
    #: ``--option NAME.KEY=VALUE`` keys and what each accepts (none: it takes no options)
    options: ClassVar[Mapping[str, OptionKind]] = {}

    def sample(self, *, rng: np.random.Generator) -> Sample:
        """Draw one spec and emit its code."""
        raise NotImplementedError(f"{type(self).__name__}.sample")

    def render(self, sample: Sample) -> Rendered:
        """Run the sample's code in this process's warm back-end."""
        raise NotImplementedError(f"{type(self).__name__}.render")

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        """Answer-first QA from the spec (and render facts for grounding)."""
        raise NotImplementedError(f"{type(self).__name__}.questions")

    def configure(self, options: Mapping[str, str]) -> DomainPack:
        """This pack set by ``--option`` strings (checked against :attr:`options`)."""
        keys = ", ".join(f"{self.name}.{k}" for k in options)
        raise ConfigError(f"domain {self.name!r} takes no options (given {keys}); drop them")

    def warm_up_data(self) -> None:
        """Load what sampling needs (vocabularies, locales) before the first task, on the
        worker's main thread while its renderers warm up."""

    def targets(self, sample: Sample) -> dict[str, Any]:
        """Record annotations beyond boxes (a transcription, a key-value parse)."""
        return {}

    def refit(self, sample: Sample, rendered: Rendered, failed: tuple[str, ...]) -> Sample | None:
        """``sample`` laid out again so that what its render showed failing (``failed``: the
        names of the checks, e.g. ``boxes_on_canvas``) fits: a page made as tall as its
        content, say. None (the default): it can't be, and the sample is rejected. A refit
        sample is rendered and checked once more; if it fails again, it is rejected."""
        return None

    def checks(self) -> list[Check]:
        """What ``synth doctor`` checks for this domain beyond its renderers (fonts, data)."""
        return []

    def stage(self) -> Stage | None:
        """Work on this pack's finished records in the run's own process, after the
        sandboxed workers (diffusion on the machine's one GPU): a :class:`synth.stage.Stage`,
        or None (the default: records are written as the workers made them). Called once per
        run, in the main process only."""
        return None


def describe_options(known: Mapping[str, OptionKind]) -> str:
    """``engine (cycles|workbench), samples (1-4096)``: for errors and ``synth doctor``."""

    def kind(v: OptionKind) -> str:
        if isinstance(v, tuple):
            return "|".join(v)
        if isinstance(v, range):
            return f"{v.start}-{v.stop - 1}"
        return "text"

    return ", ".join(f"{k} ({kind(v)})" for k, v in known.items())


def read_options(
    domain: str, given: Mapping[str, str], known: Mapping[str, OptionKind]
) -> dict[str, Any]:
    """``given`` (strings from ``--option domain.key=value``) checked against ``known``;
    words stay strings, numbers become ints. A ConfigError names what is accepted."""
    out: dict[str, Any] = {}
    for key, text in given.items():
        kind = known.get(key)
        if kind is None:
            raise ConfigError(
                f"domain {domain!r} has no option {key!r}; its options: {describe_options(known)}"
            )
        if isinstance(kind, tuple):
            if text not in kind:
                raise ConfigError(
                    f"--option {domain}.{key} must be one of {', '.join(kind)}, got {text!r}"
                )
            out[key] = text
            continue
        if not isinstance(kind, range):  # text: the pack checks it
            out[key] = text
            continue
        try:
            number = int(text)
        except ValueError:
            number = kind.start - 1
        if number not in kind:
            raise ConfigError(
                f"--option {domain}.{key} must be a whole number from {kind.start} to "
                f"{kind.stop - 1}, got {text!r}"
            )
        out[key] = number
    return out
