"""Domain registry: name -> import path, imported on first use, collisions refused.

Built-in domains and third-party packs both register through the entry-point group
``synth.domains`` (``name = "package.module:OBJECT"``); the built-ins are also listed here so
that a source checkout works before it is installed. Importing this module imports no domain.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from synth._errors import MissingDependencyError, RegistryError

if TYPE_CHECKING:
    from synth.generators.base import DomainPack

ENTRY_POINT_GROUP = "synth.domains"

#: name -> (import path, install hint if its imports fail)
BUILTIN: dict[str, tuple[str, str]] = {
    "chart": ("synth.generators.chart:DOMAIN", "pip install matplotlib  (or: bash scripts/setup.sh)"),
}


@lru_cache(maxsize=1)
def available() -> dict[str, tuple[str, str]]:
    """Every known domain: built-ins plus entry points. Raises on a name claimed twice."""
    table = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        hint = f"pip install {ep.dist.name}" if ep.dist is not None else f"install the package providing {ep.value}"
        if ep.name in table:
            if table[ep.name][0] == ep.value:
                continue
            raise RegistryError(
                f"domain {ep.name!r} is registered twice: by {table[ep.name][0]} and by {ep.value}; "
                "uninstall one of the packs or rename its entry point"
            )
        table[ep.name] = (ep.value, hint)
    return table


def names() -> list[str]:
    return sorted(available())


def check_names(requested: tuple[str, ...]) -> None:
    """Raise a RegistryError naming the known domains if any requested one is unknown."""
    known = available()
    unknown = [d for d in requested if d not in known]
    if unknown:
        raise RegistryError(
            f"unknown domain {', '.join(map(repr, unknown))}; known domains: {', '.join(sorted(known))}"
        )


@lru_cache(maxsize=None)
def get(name: str) -> DomainPack:
    """The domain pack called ``name``, imported now if it was not yet."""
    check_names((name,))
    target, hint = available()[name]
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"domain {name!r} cannot be loaded because {exc.name or 'a dependency'} is missing; "
            f"install it with: {hint}"
        ) from exc
    try:
        pack = getattr(module, attr) if attr else module
    except AttributeError:
        raise RegistryError(f"domain {name!r}: {module_name} has no attribute {attr!r}") from None
    if getattr(pack, "name", None) != name:
        raise RegistryError(f"domain {name!r}: {target} is a pack named {getattr(pack, 'name', None)!r}")
    return pack  # type: ignore[no-any-return]
