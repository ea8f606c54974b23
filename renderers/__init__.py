"""Renderers: back-ends that turn emitted code into pixels plus render facts."""

from synth.renderers.mpl import render_matplotlib

__all__ = ["render_matplotlib"]
