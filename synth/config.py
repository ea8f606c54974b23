"""The run configuration: one frozen object that CLI flags and YAML files both resolve to.

Defaults live here and nowhere else. The fields that decide the dataset's bytes are hashed
(:meth:`RunConfig.content_hash`) into the manifest, so an output folder is never silently
extended by a run with another configuration.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from synth._errors import ConfigError

_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")
_MULT = {"": 1, "k": 1_000, "m": 1_000_000}

#: Fields that change what the dataset contains (hashed into the manifest).
CONTENT_FIELDS = ("domains", "mix", "n", "seed", "shard_size")
DEGRADE_MODES = ("none", "scan")  # --degrade: what synth/degrade.py applies after rendering


def parse_count(text: str | int, *, what: str = "--n") -> int:
    """``"1000"``, ``"100k"``, ``"1m"``, ``"2.5k"`` -> a positive int; anything else is a ConfigError."""
    if isinstance(text, bool):
        raise ConfigError(f"{what} must be a positive count such as 1000, 100k or 1m, got {text!r}")
    if isinstance(text, int):
        value = text
    else:
        m = _COUNT.match(str(text))
        if not m:
            raise ConfigError(
                f"{what} must be a positive count such as 1000, 100k or 1m, got {text!r}"
            )
        number = float(m.group(1)) * _MULT[m.group(2).lower()]
        if number != int(number):
            raise ConfigError(
                f"{what} must be a whole number of samples such as 1000, 100k or 1m, got {text!r}"
            )
        value = int(number)
    if value <= 0:
        raise ConfigError(f"{what} must be a positive count such as 1000, 100k or 1m, got {text!r}")
    return value


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """Everything that defines one ``synth generate`` run.

    ``domains``/``mix``: which domains and in which proportions (``mix`` sums to 1).
    ``n``: total samples. ``seed``: the run seed (0 is a seed like any other).
    ``shard_size``: samples per WebDataset tar; also the unit of resume.
    ``timeout_s``: wall-clock limit for one sample in a worker.
    ``max_failures``: the run exits non-zero past this many failed samples.
    ``sandbox``: run workers isolated (bubblewrap); False only by explicit ``--no-sandbox``.
    ``memory_mb``: address-space limit of one worker. ``recycle_after``: a worker is replaced
    after this many samples (long renderer sessions leak); ``recycle_rss_mb``: or once its
    resident memory passes this. ``degrade``: "scan" adds a slight rotation, blur, noise and
    JPEG compression to every image, with boxes and points moved to match. ``options``: per
    domain settings as sorted ``(domain, key, value)`` strings (``--option
    scene3d.engine=workbench``); each domain checks its own (:func:`synth.registry.get`).
    """

    out: str
    domains: tuple[str, ...] = ("chart",)
    mix: tuple[float, ...] = (1.0,)
    n: int = 1000
    seed: int = 0
    workers: int = dataclasses.field(default_factory=default_workers)
    shard_size: int = 500
    timeout_s: float = 60.0
    max_failures: int | None = None
    resume: bool = False
    overwrite: bool = False
    progress: str = "auto"
    sandbox: bool = True
    memory_mb: int = 4096
    recycle_after: int = 1000
    recycle_rss_mb: int = 1536
    degrade: str = "none"
    options: tuple[tuple[str, str, str], ...] = ()
    #: ``("family:chart/bar", 2.0)``, ``("program:chart/extremum", 3.0)``: more of what a model
    #: gets wrong (a recipe's ``weights``, written by ``synth target``; synth.targeting)
    weights: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if not self.out:
            raise ConfigError("out must name an output folder (--out DIR)")
        if not self.domains:
            raise ConfigError("domains must name at least one domain (--domain chart)")
        if len(set(self.domains)) != len(self.domains):
            raise ConfigError(f"domains are repeated in {','.join(self.domains)}")
        if len(self.mix) != len(self.domains):
            raise ConfigError(
                f"--mix has {len(self.mix)} weights for {len(self.domains)} domains "
                f"({','.join(self.domains)}); give one weight per domain, e.g. --mix 0.5,0.5"
            )
        if not all(math.isfinite(w) and w > 0 for w in self.mix):
            raise ConfigError(f"--mix weights must be positive numbers, got {self.mix}")
        if abs(sum(self.mix) - 1.0) > 1e-3:
            raise ConfigError(
                f"--mix weights must sum to 1, these sum to {sum(self.mix):g}: give the share "
                f"of each domain, e.g. --mix {','.join(f'{w / sum(self.mix):.3g}' for w in self.mix)}"
            )
        if abs(sum(self.mix) - 1.0) > 1e-9:  # 0.333,0.333,0.333: rounding, made exact
            object.__setattr__(self, "mix", tuple(w / sum(self.mix) for w in self.mix))
        if self.n <= 0:
            raise ConfigError(f"n must be at least 1, got {self.n}")
        if self.seed < 0:
            raise ConfigError(f"seed must be a non-negative integer, got {self.seed}")
        if self.workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {self.workers}")
        if self.shard_size < 1:
            raise ConfigError(f"--shard-size must be at least 1, got {self.shard_size}")
        if not 0 < self.timeout_s < float("inf"):  # nan too
            raise ConfigError(f"--timeout must be positive seconds, got {self.timeout_s}")
        if self.max_failures is not None and self.max_failures < 0:
            raise ConfigError(f"--max-failures must be 0 or more, got {self.max_failures}")
        if self.memory_mb < 256:
            raise ConfigError(f"--memory-mb must be at least 256, got {self.memory_mb}")
        if self.recycle_after < 0 or self.recycle_rss_mb < 0:
            raise ConfigError("--recycle-after and --recycle-rss-mb must be 0 (never) or more")
        if self.progress not in ("auto", "bar", "log", "off"):
            raise ConfigError(f"progress must be auto, bar, log or off, got {self.progress!r}")
        if self.degrade not in DEGRADE_MODES:
            raise ConfigError(
                f"--degrade must be one of {', '.join(DEGRADE_MODES)}, got {self.degrade!r}"
            )
        object.__setattr__(self, "options", parse_options(self.options))
        if not (
            isinstance(self.weights, tuple) and all(isinstance(w, tuple) for w in self.weights)
        ):
            from synth.targeting import parse

            object.__setattr__(self, "weights", parse(self.weights))
        for key, _ in self.weights:
            domain = key.partition(":")[2].partition("/")[0]
            if domain not in self.domains:
                raise ConfigError(
                    f"weights name {key.partition(':')[2]!r}, of domain {domain!r}, which this "
                    f"run does not generate ({','.join(self.domains)})"
                )
        for domain, key, _ in self.options:
            if domain not in self.domains:
                raise ConfigError(
                    f"option {domain}.{key} is for domain {domain!r}, which this run does not "
                    f"generate ({','.join(self.domains)}); add it to --domain or drop the option"
                )
        if self.resume and self.overwrite:
            raise ConfigError("--resume and --overwrite contradict each other; pick one")

    @property
    def out_path(self) -> Path:
        return Path(self.out)

    def content(self) -> dict[str, Any]:
        """The fields that decide the dataset's bytes, as plain JSON values."""
        out = {k: _plain(getattr(self, k)) for k in CONTENT_FIELDS}
        if self.degrade != "none":  # absent when off: older datasets keep their hash
            out["degrade"] = self.degrade
        if self.options:  # likewise
            out["options"] = [list(o) for o in self.options]
        if self.weights:  # likewise
            out["weights"] = [list(w) for w in self.weights]
        return out

    def options_for(self, domain: str) -> dict[str, str]:
        """The options given for ``domain``, as ``{key: value}``."""
        return {k: v for d, k, v in self.options if d == domain}

    def content_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RunConfig:
        """Build from YAML-style keys (``domain``/``domains`` as a list or comma string)."""
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            name = key.replace("-", "_")
            if name == "domain":
                name = "domains"
            if name not in known:
                raise ConfigError(
                    f"unknown config key {key!r}; known keys: {', '.join(sorted(known | {'domain'}))}"
                )
            kwargs[name] = value
        if "domains" in kwargs:
            kwargs["domains"] = _names(kwargs["domains"])
        if "mix" in kwargs:
            kwargs["mix"] = _weights(kwargs["mix"])
        elif "domains" in kwargs:
            k = len(kwargs["domains"])
            kwargs["mix"] = tuple(1.0 / k for _ in range(k))
        if "n" in kwargs:
            kwargs["n"] = parse_count(kwargs["n"])
        for name, kind in (
            ("seed", int),
            ("workers", int),
            ("shard_size", int),
            ("timeout_s", float),
            ("memory_mb", int),
            ("recycle_after", int),
            ("recycle_rss_mb", int),
        ):
            if name in kwargs:
                kwargs[name] = _typed(kwargs[name], kind, name)
        if kwargs.get("max_failures") is not None:
            kwargs["max_failures"] = _typed(kwargs["max_failures"], int, "max_failures")
        if "out" in kwargs:
            kwargs["out"] = str(kwargs["out"])
        return cls(**kwargs)

    def effective_max_failures(self) -> int:
        """Default: 10% of n (rounded down) may fail before the run exits non-zero."""
        if self.max_failures is not None:
            return self.max_failures
        return default_max_failures(self.n)

    def n_shards(self) -> int:
        return (self.n + self.shard_size - 1) // self.shard_size

    def shard_len(self, k: int) -> int:
        """How many samples shard ``k`` holds (written and failed)."""
        return min(self.shard_size, self.n - k * self.shard_size)


def default_max_failures(n: int) -> int:
    """The README's rule: 10% of n (rounded down) may fail."""
    return n // 10


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a recipe file; errors name the file and what is wrong with it."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {p} is a folder; give the recipe's .yaml file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {p} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {p} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {p} must hold a mapping of keys to values")
    return data


def parse_options(value: Any) -> tuple[tuple[str, str, str], ...]:
    """Domain options from ``["scene3d.engine=workbench", ...]`` (the CLI), a YAML mapping
    ``{scene3d: {engine: workbench}}`` or ``(domain, key, value)`` triples; sorted, one value
    per key."""
    triples: list[tuple[str, str, str]] = []
    if isinstance(value, Mapping):
        for domain, settings in value.items():
            if not isinstance(settings, Mapping):
                raise ConfigError(
                    f"options.{domain} must map option names to values, e.g. "
                    f"options: {{{domain}: {{engine: workbench}}}}, got {settings!r}"
                )
            triples += [(str(domain), str(k), _option_value(v)) for k, v in settings.items()]
    elif isinstance(value, str):
        triples = [_option_triple(value)]
    else:
        triples = [
            _option_triple(v if isinstance(v, str) else "{}.{}={}".format(*v)) for v in value
        ]
    seen: dict[tuple[str, str], str] = {}
    for d, k, v in triples:
        if seen.get((d, k), v) != v:
            raise ConfigError(f"option {d}.{k} is given twice ({seen[d, k]!r} and {v!r})")
        seen[d, k] = v
    return tuple(sorted((d, k, v) for (d, k), v in seen.items()))


def _option_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _option_triple(text: str) -> tuple[str, str, str]:
    name, eq, value = text.partition("=")
    domain, dot, key = name.strip().partition(".")
    if not (eq and dot and domain and key.strip() and value.strip()):
        raise ConfigError(
            f"--option takes DOMAIN.KEY=VALUE, e.g. --option scene3d.engine=workbench, got {text!r}"
        )
    return domain, key.strip(), value.strip()


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    else:
        items = [str(v).strip() for v in value]
    if not all(items):
        raise ConfigError(f"empty domain name in {value!r}")
    return tuple(items)


def _weights(value: Any) -> tuple[float, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        return tuple(float(v) for v in items)
    except (TypeError, ValueError):
        raise ConfigError(
            f"--mix must be comma-separated numbers such as 0.5,0.5, got {value!r}"
        ) from None


def _typed(value: Any, kind: type, name: str) -> Any:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(
            f"{name} must be a {'whole ' if kind is int else ''}number, got {value!r}"
        ) from None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
