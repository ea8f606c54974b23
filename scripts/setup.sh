#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Python 3.11: system packages (apt), then
# a virtual environment in .venv with synth (editable) and its test tools. Safe to re-run:
# it skips what is already in place. Usage: bash scripts/setup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"

# System packages: venv support (stock Debian splits it out), bubblewrap (the sandbox that
# isolates renderer workers), the typefaces personas style charts with, Chromium (the renderer
# of HTML pages, plotly charts and mermaid diagrams; Playwright drives it, no browser download)
# and npm (installs mermaid.js).
FONTS=(fonts-liberation2 fonts-comic-neue fonts-lato fonts-open-sans fonts-ebgaramond)
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# the X/GL libraries bpy loads (Blender as a Python module, the scene3d domain)
for pkg in libxrender1 libxi6 libxkbcommon0 libsm6 libgl1 libegl1 libxfixes3 libxxf86vm1; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
"$PY" -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)  # the graph domain
for pkg in "${FONTS[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "setup: please install: ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
    exit 2
  fi
fi

# JavaScript libraries the warm Chromium page loads (mermaid for the diagram domain), exactly as
# package-lock.json pins them, into ./node_modules (no CDN at run time)
if ! cmp -s package-lock.json node_modules/.synth-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.synth-lock
fi

# Blender (bpy 5.0.1 pins numpy<2) in a venv of its own; synth talks to it over pipes
if ! .venv-blender/bin/python -c "import bpy" >/dev/null 2>&1; then
  "$PY" -m venv .venv-blender
  .venv-blender/bin/pip install -q --disable-pip-version-check "bpy==5.0.1"
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.synth-installed
# strict editable installs link each package file: re-install when the file list changes too
WANT="$( (cat pyproject.toml setup.py; find synth generators renderers templates qa_synth personas \
  -name '*.py' -o -name '*.yaml' -o -name '*.j2' | sort) | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ] || ! .venv/bin/python -c "import synth.generators.chart" >/dev/null 2>&1; then
  .venv/bin/python -m pip install -q --upgrade pip
  # the CPU build of torch lies on this machine's disk; install it first so nothing pulls CUDA
  .venv/bin/python -m pip install -q torch==2.13.0
  # strict editable mode maps generators/, renderers/, ... into the synth namespace exactly
  # as a wheel install does (and lets mypy see them)
  .venv/bin/python -m pip install -q -e ".[test,stats,photoreal]" --config-settings editable_mode=strict
  echo "$WANT" > "$STAMP"
fi
# Matplotlib builds its font cache on first import (~3 s); do it once here, not in a worker.
# A cache from before the fonts above were installed does not list them: rebuild it then.
.venv/bin/python - <<'PY'
import glob
import os

import matplotlib
from matplotlib import font_manager

try:
    for family in ("Comic Neue", "Liberation Sans", "Lato", "Open Sans", "EB Garamond"):
        font_manager.fontManager.findfont(family, fallback_to_default=False)
except ValueError:
    for path in glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json")):
        os.remove(path)  # the next import rebuilds it
PY
.venv/bin/python -c "import matplotlib.font_manager" >/dev/null
echo "setup: ok ($(.venv/bin/python --version), synth at $ROOT/.venv/bin/synth)"
