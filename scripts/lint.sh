#!/usr/bin/env bash
# ruff (lint + format check) and mypy --strict over the installed synth namespace.
# mypy runs outside the checkout so it sees synth.generators etc. as setuptools maps them
# (needs the strict editable install that scripts/setup.sh makes).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
ruff check .
ruff format --check .
cd "$(mktemp -d)"
mypy --config-file "$ROOT/pyproject.toml" -p synth
