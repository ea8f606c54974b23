#!/usr/bin/env bash
# Install if needed, then lint (ruff, mypy --strict) and run the test suite.
# Usage: bash scripts/test.sh [pytest args]   e.g. bash scripts/test.sh -m slow
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
export PATH="$ROOT/.venv/bin:$PATH"
bash scripts/lint.sh
python -m pytest "$@"
