"""Domain registry: name -> import path, imported on first use, collisions refused.

Built-in domains and third-party packs both register through the entry-point group
``synth.domains`` (``name = "package.module:OBJECT"``); the built-ins are also listed here so
that a source checkout works before it is installed. Importing this module imports no domain.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from synth._errors import MissingDependencyError, RegistryError
from synth.pack import DomainPack

if TYPE_CHECKING:
    from synth.engine.packhost import Described, PackHost

ENTRY_POINT_GROUP = "synth.domains"
#: ``name[,name]``: packs from outside synth that may be imported in synth's own process
#: (a pack with a stage needs it); the others load there only in the sandbox (``described``)
TRUST_VAR = "SYNTH_TRUSTED_PACKS"
#: ``name=module:attr[,name=module:attr]``: packs registered without packaging (pack
#: development, tests). Inherited by worker processes, so they see the same domains.
ENV_VAR = "SYNTH_DOMAINS"

#: name -> (import path, install hint if its imports fail)
BUILTIN: dict[str, tuple[str, str]] = {
    "chart": (
        "synth.generators.chart:DOMAIN",
        "pip install matplotlib  (or: bash scripts/setup.sh)",
    ),
    "document": (
        "synth.generators.document:DOMAIN",
        "apt-get install chromium && pip install playwright jinja2  (or: bash scripts/setup.sh)",
    ),
    "table": (
        "synth.generators.table:DOMAIN",
        "apt-get install chromium && pip install playwright jinja2  (or: bash scripts/setup.sh)",
    ),
    "screen": (
        "synth.generators.screen:DOMAIN",
        "apt-get install chromium && pip install playwright jinja2  (or: bash scripts/setup.sh)",
    ),
    "diagram": (
        "synth.generators.diagram:DOMAIN",
        "apt-get install chromium npm && npm ci (mermaid)  (or: bash scripts/setup.sh)",
    ),
    "geometry": (
        "synth.generators.geometry:DOMAIN",
        "pip install matplotlib  (or: bash scripts/setup.sh)",
    ),
    "graph": (
        "synth.generators.graph:DOMAIN",
        "apt-get install graphviz  (or: bash scripts/setup.sh)",
    ),
    "scene3d": (
        "synth.generators.scene3d:DOMAIN",
        "bash scripts/setup.sh (bpy==5.0.1 in .venv-blender)",
    ),
}


def available() -> dict[str, tuple[str, str]]:
    """Every known domain: built-ins, entry points, then ``$SYNTH_DOMAINS``. Raises on a name
    claimed twice by different targets."""
    return _table(os.environ.get(ENV_VAR, ""))


@lru_cache(maxsize=4)
def _table(env: str) -> dict[str, tuple[str, str]]:
    table = dict(BUILTIN)
    found: list[tuple[str, str, str]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        hint = (
            f"pip install {ep.dist.name}"
            if ep.dist is not None
            else f"install the package providing {ep.value}"
        )
        found.append((ep.name, ep.value, hint))
    for item in filter(None, (part.strip() for part in env.split(","))):
        name, sep, target = item.partition("=")
        if not sep or ":" not in target:
            raise RegistryError(
                f"{ENV_VAR} entry {item!r} must look like name=package.module:OBJECT"
            )
        found.append(
            (name.strip(), target.strip(), f"make {target.strip()} importable (check PYTHONPATH)")
        )
    for name, target, hint in found:
        if name in table:
            if table[name][0] == target:
                continue
            raise RegistryError(
                f"domain {name!r} is registered twice: by {table[name][0]} and by {target}; "
                "uninstall one of the packs or rename its entry point"
            )
        table[name] = (target, hint)
    return table


def pack_paths() -> list[str]:
    """Where the packs registered outside synth live (a package's folder, a module's file),
    found without importing them: what a sandboxed worker must see to import them, wherever
    they are (in the home folder or a checkout the sandbox otherwise hides). A module lying
    directly in the home folder or /tmp is shown alone, not its folder."""
    import importlib.util
    import tempfile

    builtin = {target for target, _ in BUILTIN.values()}
    private = {"/", str(Path.home().resolve()), str(Path(tempfile.gettempdir()).resolve())}
    out = []
    for target, _ in available().values():
        if target in builtin:
            continue
        top = target.partition(":")[0].split(".")[0]
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            continue  # the import itself fails later, with the pack's install hint
        if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
            continue
        origin = Path(spec.origin).resolve()
        if spec.submodule_search_locations:
            out.append(str(origin.parent))  # a package: its folder
        elif str(origin.parent) in private:
            out.append(str(origin))  # a module in the home folder or /tmp: that file alone
        else:
            out.append(str(origin.parent))  # a module: its folder, with the modules beside it
    return sorted(set(out))


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


def get(name: str, options: Mapping[str, str] | None = None) -> DomainPack:
    """The domain pack called ``name``, imported now if it was not yet; with ``options``
    (``{key: value}`` strings, from ``--option name.key=value``) the pack its ``configure``
    returns. A pack without options, or a bad option, is a ConfigError naming the fix."""
    check_names((name,))
    if options:
        return _configured(name, tuple(sorted(options.items())))
    return _load(name, *available()[name])


@lru_cache(maxsize=32)
def _configured(name: str, options: tuple[tuple[str, str], ...]) -> DomainPack:
    return _load(name, *available()[name]).configure(dict(options))


@cache
def _load(name: str, target: str, hint: str) -> DomainPack:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingDependencyError(
            f"domain {name!r} cannot be loaded because {exc.name or 'a dependency'} is missing; "
            f"install it with: {hint}"
        ) from exc
    pack = vars(module).get(attr) if attr else module
    if pack is None:
        raise RegistryError(f"domain {name!r}: {module_name} has no attribute {attr!r}")
    if not isinstance(pack, DomainPack):
        raise RegistryError(
            f"domain {name!r}: {target} is a {type(pack).__name__}, not a pack; make it an "
            "instance of a subclass of synth.pack.DomainPack"
        )
    if pack.name != name:
        raise RegistryError(f"domain {name!r}: {target} is a pack named {pack.name!r}")
    return pack


def outside(name: str) -> bool:
    """Pack ``name`` comes from outside synth and is not trusted (``$SYNTH_TRUSTED_PACKS``):
    under the sandbox, synth's own process never imports it."""
    trusted = {t.strip() for t in os.environ.get(TRUST_VAR, "").split(",")}
    return name not in BUILTIN and name not in trusted


_HOSTS: dict[tuple[str, tuple[tuple[str, str], ...]], PackHost] = {}


def _host(name: str, options: Mapping[str, str] | None) -> PackHost:
    import atexit

    from synth.engine.packhost import PackHost
    from synth.engine.sandbox import require_sandbox

    key = (name, tuple(sorted((options or {}).items())))
    if key not in _HOSTS:
        require_sandbox()
        if not _HOSTS:
            atexit.register(close_hosts)
        _HOSTS[key] = PackHost(name, dict(options or {}))
    return _HOSTS[key]


def close_hosts() -> None:
    """Stop every pack host (they also die with this process)."""
    while _HOSTS:
        _HOSTS.popitem()[1].close()


def described(name: str, options: Mapping[str, str] | None = None) -> Described:
    """What synth's own process needs of a pack from outside (:func:`outside`), asked of
    its pack host in the sandbox, which loads and configures it. Raises the pack's own
    errors (a bad option: ConfigError)."""
    check_names((name,))
    return _host(name, options).described


def load(name: str, options: Mapping[str, str] | None = None, *, sandbox: bool) -> bool:
    """Load pack ``name`` with ``options`` where synth's process may (in its pack host
    when ``sandbox`` and it is :func:`outside`, else here), so that a missing dependency
    or a bad option fails now; whether it declares a stage."""
    if sandbox and outside(name):
        return described(name, options).stage
    return get(name, options).stage() is not None


def family(name: str, options: Mapping[str, str] | None, seed: int, *, sandbox: bool) -> str:
    """The family of the sample ``seed`` draws from pack ``name`` ("unknown" when it cannot
    draw it), asked of its pack host when ``sandbox`` and it is :func:`outside`."""
    from synth.targeting import draw_sample

    if sandbox and outside(name):
        return _host(name, options).family(seed)
    try:
        pack = get(name, options)
        return str(draw_sample(lambda rng: pack.sample(rng=rng), name, seed).family)
    except Exception:  # noqa: BLE001 - a pack that cannot even sample still gets an id
        return "unknown"
