"""Exporters: LLaVA JSON and Hugging Face Parquet.

* ``llava``: ``{out}/llava.json`` (a list of ``{"id", "image", "conversations"}``, turns
  alternating ``human``/``gpt``, the first human turn opened by ``<image>\\n``) and the PNGs
  under ``{out}/images/``.
* ``hf``: ``{out}/data/train-00000-of-0000N.parquet`` with an ``image`` column that
  ``datasets.load_dataset("parquet", data_dir=out)`` decodes into PIL images (the Hugging
  Face feature schema is stored in the Parquet metadata), plus ``id``, ``domain``,
  ``family``, ``questions``, ``answers``, ``qa`` (JSON) and ``record`` (JSON).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synth._errors import ConfigError, MissingDependencyError
from synth.dataset import iter_samples, load_manifest
from synth.record import option_letter, with_options

ROWS_PER_FILE = 5000


def export(root: Path, fmt: str, out: Path, *, balanced: bool = True) -> Path:
    """Write the dataset at ``root`` for a training tool; ``balanced``: only the questions the
    run's answer balancing keeps (``balance.json``; every question when there is none)."""
    load_manifest(root)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; export writes a folder, give a folder's path")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot make output folder {out}: {exc.strerror or exc}") from None
    if fmt == "llava":
        return export_llava(root, out, balanced=balanced)
    if fmt == "hf":
        return export_hf(root, out, balanced=balanced)
    raise ConfigError(f"unknown export format {fmt!r}; choose llava or hf")


def answer_text(qa: dict[str, Any]) -> str:
    """The answer as a model should say it."""
    a = qa["answer"]
    if qa["answer_type"] == "bool":
        return "Yes" if a else "No"
    if qa["answer_type"] == "point":
        return f"({a[0]:.0f}, {a[1]:.0f})"
    if qa["answer_type"] == "box":
        return "[" + ", ".join(f"{v:.0f}" for v in a) + "]"
    if qa["answer_type"] == "choice":
        return f"{option_letter(qa['choices'], a)} {a}"
    if isinstance(a, float):
        return f"{a:g}"
    return str(a)


def question_text(qa: dict[str, Any]) -> str:
    """The question as a model is asked it: a multiple-choice one with its lettered options
    (records written before they were part of the question get them here)."""
    if qa["answer_type"] == "choice" and qa.get("choices"):
        return with_options(qa["question"], qa["choices"])
    return str(qa["question"])


def export_llava(root: Path, out: Path, *, balanced: bool = True) -> Path:
    images = out / "images"
    images.mkdir(exist_ok=True)
    items = []
    for record, png in iter_samples(root, balanced=balanced):
        name = f"{record['id']}.png"
        (images / name).write_bytes(png)
        turns = []
        for i, qa in enumerate(record["qa"]):
            prefix = "<image>\n" if i == 0 else ""
            turns.append({"from": "human", "value": prefix + question_text(qa)})
            turns.append({"from": "gpt", "value": answer_text(qa)})
        if turns:
            items.append({"id": record["id"], "image": f"images/{name}", "conversations": turns})
    path = out / "llava.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _hf_features() -> dict[str, Any]:
    string = {"dtype": "string", "_type": "Value"}
    return {
        "id": string,
        "image": {"_type": "Image"},
        "domain": string,
        "family": string,
        "questions": {"_type": "List", "feature": string},
        "answers": {"_type": "List", "feature": string},
        "qa": string,
        "record": string,
    }


def export_hf(root: Path, out: Path, *, balanced: bool = True) -> Path:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependencyError(
            "the hf exporter needs pyarrow: pip install pyarrow  (or: pip install 'synth[export]')"
        ) from exc
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
            ("domain", pa.string()),
            ("family", pa.string()),
            ("questions", pa.list_(pa.string())),
            ("answers", pa.list_(pa.string())),
            ("qa", pa.string()),
            ("record", pa.string()),
        ],
        metadata={"huggingface": json.dumps({"info": {"features": _hf_features()}})},
    )
    data = out / "data"
    data.mkdir(exist_ok=True)
    for old in data.glob("*.parquet"):
        old.unlink()
    rows: list[dict[str, Any]] = []
    chunks: list[Path] = []

    def flush() -> None:
        path = data / f"part-{len(chunks):05d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        chunks.append(path)
        rows.clear()

    for record, png in iter_samples(root, balanced=balanced):
        rows.append(
            {
                "id": record["id"],
                "image": {"bytes": png, "path": f"{record['id']}.png"},
                "domain": record["domain"],
                "family": record["family"],
                "questions": [question_text(q) for q in record["qa"]],
                "answers": [answer_text(q) for q in record["qa"]],
                "qa": json.dumps(record["qa"], ensure_ascii=False),
                "record": json.dumps(
                    {k: v for k, v in record.items() if k != "code"}, ensure_ascii=False
                ),
            }
        )
        if len(rows) >= ROWS_PER_FILE:
            flush()
    if rows or not chunks:
        flush()
    total = len(chunks)
    for i, path in enumerate(chunks):
        path.rename(data / f"train-{i:05d}-of-{total:05d}.parquet")
    return data
