"""The package list, found in the folders: synth._layout names the top-level folders and the
import name of each; every package below them is installed under that name."""

import runpy
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
layout = runpy.run_path(str(ROOT / "synth" / "_layout.py"))

setup(package_dir=layout["FOLDERS"], packages=layout["packages"](ROOT))
