#!/usr/bin/env bash
# Install everything, then run the main job on the embedded default: 1,000 chart QA samples.
# Usage: bash scripts/quickstart.sh [OUT_DIR]   (default data/charts; re-running resumes)
# SYNTH_N=20 bash scripts/quickstart.sh makes a smaller first dataset (the README's test does).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
OUT="${1:-data/charts}"
if [ -f "$OUT/manifest.json" ]; then RESUME=(--resume); else RESUME=(); fi
.venv/bin/synth generate --domain chart --n "${SYNTH_N:-1000}" --out "$OUT" "${RESUME[@]}"
.venv/bin/synth validate "$OUT" > "$OUT.validate.json"
echo "quickstart: dataset in $OUT, validation report in $OUT.validate.json"
echo "next: .venv/bin/synth preview $OUT --n 36 --out sheet.png"
