"""Small helpers every generator uses: drawing one item, plain JSON of a frozen spec, and
reading a domain's ``--option`` settings."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from synth._errors import ConfigError

#: what a domain option accepts: a tuple of words, or a range of whole numbers
OptionKind = tuple[str, ...] | range


def describe_options(known: Mapping[str, OptionKind]) -> str:
    """``engine (cycles|workbench), samples (1-4096)``: for errors and ``synth doctor``."""
    return ", ".join(
        f"{k} ({'|'.join(v)})" if isinstance(v, tuple) else f"{k} ({v.start}-{v.stop - 1})"
        for k, v in known.items()
    )


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


def pick(rng: np.random.Generator, items: Any) -> Any:
    """One element of the sequence ``items``, uniformly."""
    return items[int(rng.integers(len(items)))]


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` output as plain JSON values (tuples become lists)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def jsonable(value: Any) -> Any:
    """``plain(dataclasses.asdict(value))`` in one pass, without asdict's deep copies: for
    specs, whose leaves are immutable (str, numbers, bools, None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value
