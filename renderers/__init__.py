"""Renderers: back-ends that turn emitted code into pixels plus render facts, and the
isolated worker pool that runs them. Imported lazily: importing this package starts nothing
and imports no back-end."""

from __future__ import annotations

from typing import Any

__all__ = ["render_matplotlib"]


def __getattr__(name: str) -> Any:
    if name == "render_matplotlib":
        from synth.renderers.mpl import render_matplotlib

        return render_matplotlib
    raise AttributeError(name)
