"""Personas and topics: who a sample is for and what it is about.

The vocabularies are YAML files in this package; :func:`load_vocabulary` reads one by name
(a domain pack can ship its own file of the same shape and load it the same way).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["load_vocabulary"]


@cache
def load_vocabulary(name: str, package: str = "synth.personas") -> dict[str, Any]:
    """The parsed YAML file ``{name}.yaml`` of ``package`` (cached per process)."""
    text = resources.files(package).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"vocabulary {package}/{name}.yaml must hold a mapping")
    return data
