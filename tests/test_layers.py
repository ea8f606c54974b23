"""The layers hold: read every import statement of synth's folders (those inside functions
too) and fail on an edge the layering forbids.

    synth core (record, pack, backends, registry, run, cli...) and synth.engine
        ^ personas, templates        vocabularies and question templates
        ^ renderers                  back-ends: code -> pixels and render facts
        ^ generators, qa_synth       domains: specs, samplers, code; questions from specs

A renderer never imports a domain (a generator or a question module); a question module
never imports a renderer; the engine imports no domain and no back-end (it reads their
declarations through the registries). ``if TYPE_CHECKING:`` imports are annotations, not
imports, and are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from synth._layout import FOLDERS

from .conftest import ROOT

#: folder of the checkout -> import name (synth._layout's list, read the other way)
NAMES = {folder: name for name, folder in FOLDERS.items()}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([NAMES[parts[0]], *parts[1:]])


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for every import in the file, resolved to absolute names."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    return imports_in(path.read_text(), package)


def imports_in(text: str, package: str) -> Iterator[tuple[int, str]]:
    """:func:`imports` of a module's source, the module lying in ``package``."""
    tree = ast.parse(text)
    skip = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # ``from synth import registry`` imports a module
                yield node.lineno, f"{target}.{alias.name}"


def layer(module: str) -> str | None:
    """The layer a module belongs to: a top-level folder's name, ``engine`` or ``core``."""
    if module == "synth" or not module.startswith("synth."):
        return "core" if module == "synth" else None
    second = module.split(".")[1]
    if second in ("generators", "renderers", "qa_synth", "personas", "templates", "engine"):
        return second
    return "core"


def edges() -> list[tuple[str, str, str]]:
    """``(where, from layer, to layer)`` for every import that crosses layers."""
    out = []
    for folder in FOLDERS.values():
        for path in sorted((ROOT / folder).rglob("*.py")):
            here = layer(module_name(path))
            for line, target in imports(path):
                there = layer(target)
                if there is not None and there != here:
                    out.append((f"{path.relative_to(ROOT)}:{line} imports {target}", here, there))
    return out


#: layer -> the layers it must never import
FORBIDDEN = {
    "renderers": {"generators", "qa_synth"},
    "qa_synth": {"renderers"},
    "engine": {"generators", "qa_synth", "renderers", "personas", "templates"},
    "core": {"generators", "qa_synth", "renderers", "personas", "templates"},
    "personas": {"generators", "qa_synth", "renderers"},
}


@pytest.mark.parametrize("source", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(source: str) -> None:
    bad = [where for where, a, b in edges() if a == source and b in FORBIDDEN[source]]
    assert not bad, "\n".join(bad)


def test_the_top_level_folders_form_no_cycle() -> None:
    """Lazy imports included (the engine is part of the core, the synth/ folder)."""
    folder = {"engine": "core"}
    graph: dict[str, set[str]] = {}
    for _, a, b in edges():
        if folder.get(a, a) != folder.get(b, b):
            graph.setdefault(folder.get(a, a), set()).add(folder.get(b, b))
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == "done":
            return
        assert state.get(node) != "open", f"import cycle: {' -> '.join([*path, node])}"
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*path, node])
        state[node] = "done"
        order.append(node)

    for node in sorted(graph):
        visit(node, [])


def test_the_reader_sees_lazy_relative_and_from_imports() -> None:
    """The test can fail: an import inside a function, a relative one, and a module named
    in ``from PACKAGE import module`` are each an edge; a TYPE_CHECKING one is not."""
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from synth.qa_synth import chart\n"
        "def f():\n    from synth.generators.chart import DOMAIN\n"
        "from . import html\nfrom ..engine.pool import run_code\n"
    )
    found = {target for _, target in imports_in(text, "synth.renderers")}
    assert {"synth.generators.chart", "synth.renderers.html", "synth.engine.pool"} <= found
    assert not any(t.startswith("synth.qa_synth") for t in found)
    assert layer("synth.generators.chart.DOMAIN") == "generators" and layer("synth.pack") == "core"


def test_a_bare_checkout_resolves_the_folders_and_nothing_else(tmp_path: Path) -> None:
    """On ``sys.path`` uninstalled (``PYTHONPATH``), the checkout's finder maps each folder
    of synth._layout to its import name; the rest of the checkout (tests/) is not synth."""
    import subprocess
    import sys

    probe = (
        "import importlib.util as u, synth\n"
        "print(synth.__file__)\n"
        "print(u.find_spec('synth.generators.chart').origin)\n"
        "print(u.find_spec('synth.tests'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [
        str(ROOT / "synth" / "__init__.py"),
        str(ROOT / "generators" / "chart" / "__init__.py"),
        "None",
    ]
