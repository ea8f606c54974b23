"""The top-level folders of the project and the names they are imported by.

The one list of them: ``setup.py`` installs each folder (and every package below it) under
its name, a bare checkout on ``sys.path`` resolves them through :func:`checkout_finder`, and
the sandbox shows where each really lives. A new subpackage needs no entry anywhere; a new
top-level folder is one line here. Stdlib only: ``setup.py`` runs it before synth is installed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: import name -> folder, relative to the checkout root
FOLDERS = {
    "synth": "synth",
    "synth.generators": "generators",
    "synth.renderers": "renderers",
    "synth.templates": "templates",
    "synth.qa_synth": "qa_synth",
    "synth.personas": "personas",
}


def packages(root: Path) -> list[str]:
    """Every package under the folders, by import name (a folder with an ``__init__.py``)."""
    out = []
    for name, folder in FOLDERS.items():
        for init in sorted((root / folder).rglob("__init__.py")):
            out.append(".".join([name, *init.parent.relative_to(root / folder).parts]))
    return out


class _CheckoutFinder(importlib.abc.MetaPathFinder):
    """``synth.generators`` and its siblings from the checkout's top-level folders, for a
    checkout that is on ``sys.path`` but not installed (a copy run with ``PYTHONPATH``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        folder = FOLDERS.get(fullname)
        if folder is None or fullname == "synth":
            return None
        return importlib.util.spec_from_file_location(
            fullname,
            self.root / folder / "__init__.py",
            submodule_search_locations=[str(self.root / folder)],
        )


def checkout_finder(package_dir: Path) -> importlib.abc.MetaPathFinder | None:
    """The finder a checkout needs, or None where the folders are installed inside synth."""
    root = package_dir.parent
    if (package_dir / "generators").exists() or not (root / "generators" / "__init__.py").is_file():
        return None
    return _CheckoutFinder(root)
