"""Emit the HTML page of a document spec (Jinja2 template under synth.templates/documents)."""

from __future__ import annotations

from functools import cache
from typing import Any

from synth.generators.document._spec import DocumentSpec

LANGUAGE = "html"


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("synth.templates", "documents"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def emit_html(spec: DocumentSpec) -> str:
    """The complete, self-contained page (no external resources) that renders ``spec``."""
    return str(_environment().get_template("document.html.j2").render(s=spec))
