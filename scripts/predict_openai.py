"""Ask a VLM served behind an OpenAI-compatible API (vLLM, SGLang, llama.cpp's server) every
question of a LLaVA export, and write the predictions ``synth eval`` reads.

    synth export data/charts --format llava --out data/charts-llava
    vllm serve Qwen/Qwen2.5-VL-7B-Instruct --port 8000          # elsewhere, your model
    python scripts/predict_openai.py data/charts-llava --base-url http://localhost:8000/v1 \\
        --model Qwen/Qwen2.5-VL-7B-Instruct --out preds.jsonl
    synth eval data/charts --predictions preds.jsonl

Each question is one request (``/chat/completions``) with the image inline as a data URL
and temperature 0; the answer is written as ``{"question_id", "text"}``. Nothing is sent
anywhere but ``--base-url``. A failed request is retried ``--retries`` times, then written
as an empty answer (``synth eval`` counts it unparseable, not missing) and reported.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def ask(base_url: str, model: str, image: bytes, question: str, timeout_s: float) -> str:
    url = base_url.rstrip("/") + "/chat/completions"
    body = {
        "model": model,
        "temperature": 0,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {
                        "url": "data:image/png;base64," + base64.b64encode(image).decode()}},
                    {"type": "text", "text": question},
                ],
            }
        ],
    }  # fmt: skip
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - the user's URL
        reply: dict[str, Any] = json.loads(resp.read())
    return str(reply["choices"][0]["message"]["content"]).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", help="a folder written by synth export --format llava")
    ap.add_argument("--base-url", required=True, help="e.g. http://localhost:8000/v1")
    ap.add_argument("--model", default="default")
    ap.add_argument("--out", required=True, help="predictions to write (JSON lines)")
    ap.add_argument("--limit", type=int, default=0, help="ask at most this many questions")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--retries", type=int, default=2)
    args = ap.parse_args()
    root = Path(args.export)
    items = json.loads((root / "llava.json").read_text(encoding="utf-8"))
    asked = failed = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for item in items:
            image = (root / item["image"]).read_bytes()
            humans = [t["value"].removeprefix("<image>\n") for t in item["conversations"][::2]]
            for qid, question in zip(item["question_ids"], humans, strict=True):
                if args.limit and asked >= args.limit:
                    break
                text = ""
                for attempt in range(args.retries + 1):
                    try:
                        text = ask(args.base_url, args.model, image, question, args.timeout)
                        break
                    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
                        if attempt == args.retries:
                            failed += 1
                            print(f"{qid}: {exc}", file=sys.stderr)
                        time.sleep(0.5 * (attempt + 1))
                out.write(json.dumps({"question_id": qid, "text": text}, ensure_ascii=False) + "\n")
                asked += 1
    print(f"asked {asked} questions, {failed} failed; wrote {args.out}")
    return 1 if asked and failed == asked else 0


if __name__ == "__main__":
    sys.exit(main())
