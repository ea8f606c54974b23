"""Renderers: one declaration each, the one place the engine, ``render-code``, ``reproduce``,
the sandbox and ``synth doctor`` learn how a code language becomes pixels.

A renderer module declares ``RENDERER = Renderer(...)``: the languages it runs (each with
the function that renders a piece of code alone, and the warm-up that readies it), its
helper processes, whether it lives under an address-space limit or on a thread of its own,
the folders its workers must see, its install hint and its doctor checks. Registering it is
one line: :data:`BUILTIN` here, or an entry point in the group ``synth.renderers``
(``name = "package.module:RENDERER"``) of a third-party package. Importing this module
imports no renderer.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib.metadata import entry_points

from synth._errors import MissingDependencyError, RegistryError
from synth.pack import Check, DomainPack
from synth.record import Rendered

ENTRY_POINT_GROUP = "synth.renderers"

#: name -> where its declaration is
BUILTIN = {
    "matplotlib": "synth.renderers.mpl:RENDERER",
    "chromium": "synth.renderers.html:RENDERER",
    "blender": "synth.generators.scene3d:RENDERER",
    "graphviz": "synth.renderers.graphviz:RENDERER",
}


def _nothing() -> tuple[str, ...]:
    return ()


def _no_pids() -> tuple[int, ...]:
    return ()


def _no_checks() -> list[Check]:
    return []


@dataclasses.dataclass(frozen=True)
class Language:
    """A code language: ``render`` turns a piece of code alone into an image and its render
    facts (``render-code``, ``reproduce``); ``warm_up`` readies this process (or this
    thread) for it before the first task."""

    render: Callable[[str], Rendered]
    warm_up: Callable[[], None] | None = None


@dataclasses.dataclass(frozen=True)
class Renderer:
    """Everything synth asks of one rendering back-end."""

    name: str
    languages: Mapping[str, Language]
    install_hint: str
    #: folders of the back-end's own executables: processes run from them are its helpers,
    #: not strays a sample left behind
    helper_dirs: Callable[[], tuple[str, ...]] = _nothing
    #: helper processes running now that no folder names (a back-end's own interpreter)
    helper_pids: Callable[[], tuple[int, ...]] = _no_pids
    #: False for back-ends that reserve far more address space than they use (Chromium,
    #: Blender): an RLIMIT_AS would kill them; the worker's memory cgroup bounds them instead
    limit_address_space: bool = True
    #: True for back-ends that mostly wait (a browser): a worker renders on a thread of its
    #: own and meanwhile samples the next spec and finishes the last record
    render_thread: bool = False
    #: folders (or files) the sandboxed workers must see for it, wherever they are
    sandbox_paths: Callable[[], tuple[str, ...]] = _nothing
    #: what ``synth doctor`` checks for it
    checks: Callable[[], list[Check]] = _no_checks
    #: from now on, run each piece of code in a process of its own (code from outside:
    #: ``render-code``, ``reproduce``), so it cannot reach the worker or leave state behind
    isolate: Callable[[], None] | None = None


def available() -> dict[str, str]:
    """Every registered renderer: name -> ``module:attr``. Raises on a name claimed twice."""
    return dict(_table())


@cache
def _table() -> tuple[tuple[str, str], ...]:
    table = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if table.get(ep.name, ep.value) != ep.value:
            raise RegistryError(
                f"renderer {ep.name!r} is registered twice: by {table[ep.name]} and by "
                f"{ep.value}; uninstall one of the packages or rename its entry point"
            )
        table[ep.name] = ep.value
    return tuple(table.items())


@cache
def get(name: str) -> Renderer:
    """The renderer declared as ``name``, imported now if it was not yet."""
    target = available().get(name)
    if target is None:
        raise RegistryError(f"unknown renderer {name!r}; known: {', '.join(available())}")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"renderer {name!r} cannot be loaded because {exc.name or 'a dependency'} is "
            f"missing; install it (bash scripts/setup.sh installs every built-in one)"
        ) from exc
    renderer = getattr(module, attr, None)
    if not isinstance(renderer, Renderer) or renderer.name != name:
        raise RegistryError(f"renderer {name!r}: {target} is not a Renderer named {name!r}")
    return renderer


def loadable() -> list[Renderer]:
    """The renderers whose modules import here (a missing back-end is doctor's to report)."""
    out = []
    for name in available():
        try:
            out.append(get(name))
        except MissingDependencyError:
            continue
    return out


def for_language(language: str) -> Renderer:
    """The renderer that runs ``language``; a RegistryError names the known languages."""
    found = _by_language().get(language)
    if found is None:
        known = ", ".join(sorted(_by_language()))
        raise RegistryError(f"no renderer runs the code language {language!r}; known: {known}")
    return found


def languages() -> list[str]:
    """Every code language a loadable renderer runs."""
    return sorted(_by_language())


def _by_language() -> dict[str, Renderer]:
    out: dict[str, Renderer] = {}
    for renderer in loadable():
        for language in renderer.languages:
            if language in out:
                raise RegistryError(
                    f"code language {language!r} is declared by two renderers: "
                    f"{out[language].name} and {renderer.name}"
                )
            out[language] = renderer
    return out


def warm_up(pack: DomainPack) -> None:
    """Ready this process (this thread) for ``pack``: its data, then the warm-up of each
    language it draws with (a browser started, a page with its library loaded)."""
    pack.warm_up_data()
    for fn in warm_ups(pack.languages):
        fn()


def warm_ups(languages: Iterable[str]) -> list[Callable[[], None]]:
    """The warm-ups of ``languages``, each once, in order (a RegistryError for a language no
    loadable renderer runs)."""
    out: list[Callable[[], None]] = []
    for language in languages:
        fn = for_language(language).languages[language].warm_up
        if fn is not None and fn not in out:
            out.append(fn)
    return out
