"""Reading vocabulary files (YAML data in a package) and merging a pack's additions into them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load_vocabulary(name: str, package: str = "synth.personas") -> dict[str, Any]:
    """The parsed YAML file ``{name}.yaml`` of ``package`` (cached per process; do not mutate)."""
    text = resources.files(package).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text)
    if not isinstance(data, dict):
        raise ValueError(f"vocabulary {package}/{name}.yaml must hold a mapping")
    return data


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's parser when PyYAML has it (~7x faster: the topic
    vocabulary alone took 0.2 s to parse in every worker)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def merge_vocabularies(base: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` extended by ``extra`` files of the same shape: lists are concatenated, mappings
    merged (an entry of a later file replaces one of the same name), other values replaced.

    A domain pack extends the persona or topic vocabulary this way::

        vocab = merge_vocabularies(load_vocabulary("persona_vocab"),
                                   load_vocabulary("my_personas", "my_pack"))
    """
    out = dict(base)
    for more in extra:
        for key, value in more.items():
            old = out.get(key)
            if isinstance(old, list) and isinstance(value, list):
                out[key] = [*old, *value]
            elif isinstance(old, dict) and isinstance(value, dict):
                out[key] = {**old, **value}
            else:
                out[key] = value
    return out
