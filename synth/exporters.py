"""Exporters: a dataset written for the training tool that reads it, with no glue.

Every format writes the PNGs under ``{out}/images/`` (Parquet holds them inline), asks every
question as a model should be asked it (a multiple-choice question with its lettered
options; a point or box question saying how to give it: ``--coords``, ``--box-format``)
and writes a dataset card, ``{out}/README.md`` (formats, counts, licence).

* ``llava``: ``llava.json``, a list of ``{"id", "image", "conversations", "question_ids"}``,
  turns alternating ``human``/``gpt``, the first human turn opened by ``<image>\\n``; the
  n-th human turn asks ``question_ids[n]`` (``RECORD_ID/QID``, what ``synth eval`` reads).
* ``sharegpt``: ``sharegpt.json``, a list of ``{"messages": [{"role", "content"}...],
  "images": [path]}``, the first user turn opened by ``<image>`` (LLaMA-Factory's and
  ms-swift's multimodal layout).
* ``llamafactory``: ``sharegpt.json`` and the ``dataset_info.json`` entry (``synth``) that
  LLaMA-Factory reads it by: copy the folder into its ``data/`` or point ``dataset_dir`` at it.
* ``swift``: ``swift.jsonl``, one ``{"messages", "images"}`` line per image (ms-swift).
* ``molmo``: ``molmo.jsonl``, one ``{"image", "messages"}`` line per image; points are
  written Molmo's way, ``<point x="61.5" y="40.2" alt="...">...</point>`` on a 0-100 scale.
* ``coco``: ``annotations.json`` (COCO detection: ``images``, ``annotations`` with ``bbox``
  as ``[x, y, width, height]`` in pixels, ``categories`` named ``domain/role``): every
  element a record's render facts hold; its text in ``attributes.label``.
* ``hf``: ``data/{domain}/train-0000i-of-0000N.parquet`` with an ``image`` column that
  ``datasets`` decodes into PIL images, ``id``, ``domain``, ``family``, ``questions``,
  ``answers`` (as the prompts and answers of the other formats), ``qa`` as structured
  columns (the answer as text, its typed value as JSON in ``value``) and ``record`` (JSON);
  the card names one config per domain (``load_dataset(out, "chart")``) and ``all``.

``--with-reasoning`` answers with the chain of thought, then the answer. A point or box
question in other coordinates than pixels answers without it (its steps are in pixels).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synth._errors import ConfigError, MissingDependencyError
from synth.dataset import iter_samples, load_manifest
from synth.record import option_letter, with_options

ROWS_PER_FILE = 5000
FORMATS = ("llava", "sharegpt", "llamafactory", "swift", "molmo", "coco", "hf")
COORDS = ("pixel", "norm1", "norm1000")
BOX_FORMATS = ("xywh", "xyxy")


@dataclasses.dataclass(frozen=True)
class Style:
    """How answers are written: ``coords`` of points and boxes (pixels; fractions of the
    width and height; a 0-1000 scale), a box as ``xywh`` or ``xyxy``, and whether the
    chain of thought comes before the answer."""

    coords: str = "pixel"
    box_format: str = "xywh"
    reasoning: bool = False

    def __post_init__(self) -> None:
        if self.coords not in COORDS:
            raise ConfigError(f"--coords must be one of {', '.join(COORDS)}, got {self.coords!r}")
        if self.box_format not in BOX_FORMATS:
            raise ConfigError(
                f"--box-format must be one of {', '.join(BOX_FORMATS)}, got {self.box_format!r}"
            )


def export(
    root: Path, fmt: str, out: Path, *, balanced: bool = True, style: Style | None = None
) -> Path:
    """Write the dataset at ``root`` for a training tool; ``balanced``: only the questions the
    run's answer balancing keeps (``balance.json``; every question when there is none)."""
    style = style or Style()
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    load_manifest(root)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file; export writes a folder, give a folder's path")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot make output folder {out}: {exc.strerror or exc}") from None
    samples = iter_samples(root, balanced=balanced)
    counts: Counter[str] = Counter()
    counted = _counting(samples, counts)
    if fmt == "hf":
        path = export_hf(counted, out, style)
    elif fmt == "coco":
        path = export_coco(counted, out)
    else:
        path = WRITERS[fmt](counted, out, style)
    write_card(out, fmt, style, counts, root)
    return path


def _counting(
    samples: Iterator[tuple[dict[str, Any], bytes]], counts: Counter[str]
) -> Iterator[tuple[dict[str, Any], bytes]]:
    for record, png in samples:
        counts[record["domain"]] += 1
        counts["questions"] += len(record["qa"])
        yield record, png


# how a question and its answer are written ------------------------------------------


def answer_text(
    qa: dict[str, Any], size: tuple[int, int] | None = None, style: Style | None = None
) -> str:
    """The answer as a model should say it (points and boxes in ``style``'s coordinates of an
    image of ``size``; pixels without one)."""
    style = style or Style()
    a = qa["answer"]
    kind = qa["answer_type"]
    if kind == "bool":
        return "Yes" if a else "No"
    if kind in ("point", "box"):
        values = coords(a, kind, size, style)
        digits = 3 if style.coords == "norm1" and size else 0
        text = ", ".join(f"{v:.{digits}f}" for v in values)
        return f"({text})" if kind == "point" else f"[{text}]"
    if kind == "choice":
        return f"{option_letter(qa['choices'], a)} {a}"
    if isinstance(a, float):
        return f"{a:g}"
    return str(a)


def coords(
    value: list[float], kind: str, size: tuple[int, int] | None, style: Style
) -> list[float]:
    """A point ``[x, y]`` or a box ``[x, y, w, h]`` (pixels) in ``style``'s coordinates."""
    v = list(value)
    if kind == "box" and style.box_format == "xyxy":
        v = [v[0], v[1], v[0] + v[2], v[1] + v[3]]
    if size is None or style.coords == "pixel":
        return v
    w, h = size
    scale = 1.0 if style.coords == "norm1" else 1000.0
    return [x / (h if i % 2 else w) * scale for i, x in enumerate(v)]


UNITS = {
    "pixel": "in pixels from the top-left corner of the {w}x{h} image",
    "norm1": "as fractions of the image's width and height, from 0 to 1",
    "norm1000": "on a 0-1000 scale of the image's width and height",
}


def question_text(
    qa: dict[str, Any], size: tuple[int, int] | None = None, style: Style | None = None
) -> str:
    """The question as a model is asked it: a multiple-choice one with its lettered options
    (records written before they were part of the question get them here); a point or box
    one saying how to give it, for an image of ``size``."""
    style = style or Style()
    q = str(qa["question"])
    if qa["answer_type"] == "choice" and qa.get("choices"):
        return with_options(q, qa["choices"])
    if qa["answer_type"] in ("point", "box") and size is not None:
        unit = UNITS[style.coords].format(w=size[0], h=size[1])
        if qa["answer_type"] == "point":
            return f"{q} Answer with the point (x, y) {unit}."
        shape = "[x, y, width, height]" if style.box_format == "xywh" else "[x1, y1, x2, y2]"
        return f"{q} Answer with the box {shape} {unit}."
    return q


def reply(qa: dict[str, Any], size: tuple[int, int], style: Style) -> str:
    """The answer turn: the answer, or with ``--with-reasoning`` the chain of thought before it
    (not for points and boxes in other coordinates than pixels: their steps are pixels)."""
    answer = answer_text(qa, size, style)
    spatial = qa["answer_type"] in ("point", "box") and style.coords != "pixel"
    if not style.reasoning or spatial or not qa.get("reasoning"):
        return answer
    steps = str(qa["reasoning"]).rsplit(" So the answer is ", 1)[0]
    return f"{steps} So the answer is {answer}."


def _size(record: dict[str, Any]) -> tuple[int, int]:
    return int(record["image"]["width"]), int(record["image"]["height"])


def _pairs(record: dict[str, Any], style: Style) -> list[tuple[str, str]]:
    size = _size(record)
    return [(question_text(qa, size, style), reply(qa, size, style)) for qa in record["qa"]]


def _image(out: Path, record: dict[str, Any], png: bytes) -> str:
    images = out / "images"
    images.mkdir(exist_ok=True)
    name = f"{record['id']}.png"
    (images / name).write_bytes(png)
    return f"images/{name}"


# the formats ---------------------------------------------------------------------------


def export_llava(samples: Any, out: Path, style: Style) -> Path:
    items = []
    for record, png in samples:
        image = _image(out, record, png)
        turns = []
        for i, (q, a) in enumerate(_pairs(record, style)):
            turns.append({"from": "human", "value": ("<image>\n" if i == 0 else "") + q})
            turns.append({"from": "gpt", "value": a})
        if turns:
            qids = [f"{record['id']}/{qa['id']}" for qa in record["qa"]]
            items.append(
                {"id": record["id"], "image": image, "conversations": turns, "question_ids": qids}
            )
    return _json(out / "llava.json", items)


def _messages(record: dict[str, Any], style: Style) -> list[dict[str, str]]:
    out = []
    for i, (q, a) in enumerate(_pairs(record, style)):
        out.append({"role": "user", "content": ("<image>" if i == 0 else "") + q})
        out.append({"role": "assistant", "content": a})
    return out


def export_sharegpt(samples: Any, out: Path, style: Style) -> Path:
    items = []
    for record, png in samples:
        image = _image(out, record, png)
        if record["qa"]:
            items.append({"messages": _messages(record, style), "images": [image]})
    return _json(out / "sharegpt.json", items)


#: LLaMA-Factory's ``dataset_info.json`` entry for ``sharegpt.json``
LLAMAFACTORY_ENTRY = {
    "file_name": "sharegpt.json",
    "formatting": "sharegpt",
    "columns": {"messages": "messages", "images": "images"},
    "tags": {
        "role_tag": "role",
        "content_tag": "content",
        "user_tag": "user",
        "assistant_tag": "assistant",
    },  # fmt: skip
}


def export_llamafactory(samples: Any, out: Path, style: Style) -> Path:
    export_sharegpt(samples, out, style)
    return _json(out / "dataset_info.json", {"synth": LLAMAFACTORY_ENTRY})


def export_swift(samples: Any, out: Path, style: Style) -> Path:
    path = out / "swift.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for record, png in samples:
            image = _image(out, record, png)
            if record["qa"]:
                line = {"messages": _messages(record, style), "images": [image]}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def molmo_point(qa: dict[str, Any], record: dict[str, Any]) -> str:
    """A point answer as Molmo writes one: 0-100 of the width and height, with the text of
    the element it lies in (the question's target) as ``alt``."""
    w, h = _size(record)
    x, y = qa["answer"]
    alt = _target(qa, record)
    return f'<point x="{100 * x / w:.1f}" y="{100 * y / h:.1f}" alt="{alt}">{alt}</point>'


def _target(qa: dict[str, Any], record: dict[str, Any]) -> str:
    box = (qa.get("tolerance") or {}).get("box")
    for e in record.get("annotations", {}).get("elements", []):
        if box is not None and [round(v, 1) for v in e["bbox"]] == [round(v, 1) for v in box]:
            label = str(e.get("label", "")).strip()
            if label:
                return label.replace('"', "'")
    return "target"


def export_molmo(samples: Any, out: Path, style: Style) -> Path:
    path = out / "molmo.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for record, png in samples:
            image = _image(out, record, png)
            messages = []
            for qa in record["qa"]:
                if qa["answer_type"] == "point":
                    q, a = str(qa["question"]), molmo_point(qa, record)
                else:
                    q, a = question_text(qa, _size(record), style), reply(qa, _size(record), style)
                messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            if messages:
                line = {"id": record["id"], "image": image, "messages": messages}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def export_coco(samples: Any, out: Path) -> Path:
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    categories: dict[str, int] = {}
    for n, (record, png) in enumerate(samples, start=1):
        w, h = _size(record)
        images.append({"id": n, "file_name": _image(out, record, png), "width": w, "height": h,
                       "synth_id": record["id"]})  # fmt: skip
        for e in record.get("annotations", {}).get("elements", []):
            x, y, bw, bh = (float(v) for v in e["bbox"])
            if bw <= 0 or bh <= 0:
                continue
            name = f"{record['domain']}/{e['role']}"
            cat = categories.setdefault(name, len(categories) + 1)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": n,
                    "category_id": cat,
                    "bbox": [round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)],
                    "area": round(bw * bh, 2),
                    "iscrowd": 0,
                    "attributes": {"label": str(e.get("label", ""))},
                }
            )
    cats = [{"id": i, "name": name, "supercategory": name.split("/")[0]}
            for name, i in categories.items()]  # fmt: skip
    data = {"info": {"description": "synth render facts"}, "images": images,
            "annotations": annotations, "categories": cats}  # fmt: skip
    return _json(out / "annotations.json", data)


def _json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


WRITERS = {
    "llava": export_llava,
    "sharegpt": export_sharegpt,
    "llamafactory": export_llamafactory,
    "swift": export_swift,
    "molmo": export_molmo,
}


# Parquet ---------------------------------------------------------------------------------


def _hf_features() -> dict[str, Any]:
    string = {"dtype": "string", "_type": "Value"}
    strings = {"_type": "List", "feature": string}
    qa = {
        "id": string,
        "question": string,
        "answer": string,
        "value": string,
        "answer_type": string,
        "reasoning": string,
        "program": string,
        "skills": strings,
        "difficulty": {"dtype": "int32", "_type": "Value"},
        "choices": strings,
    }
    return {
        "id": string,
        "image": {"_type": "Image"},
        "domain": string,
        "family": string,
        "questions": strings,
        "answers": strings,
        "qa": {"_type": "List", "feature": qa},
        "record": string,
    }


def export_hf(samples: Any, out: Path, style: Style) -> Path:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependencyError(
            "the hf exporter needs pyarrow: pip install pyarrow  (or: pip install 'synth[export]')"
        ) from exc
    strings = pa.list_(pa.string())
    qa_type = pa.struct(
        [("id", pa.string()), ("question", pa.string()), ("answer", pa.string()),
         ("value", pa.string()), ("answer_type", pa.string()), ("reasoning", pa.string()),
         ("program", pa.string()), ("skills", strings), ("difficulty", pa.int32()),
         ("choices", strings)]
    )  # fmt: skip
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
            ("domain", pa.string()),
            ("family", pa.string()),
            ("questions", strings),
            ("answers", strings),
            ("qa", pa.list_(qa_type)),
            ("record", pa.string()),
        ],
        metadata={"huggingface": json.dumps({"info": {"features": _hf_features()}})},
    )
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir()
    rows: dict[str, list[dict[str, Any]]] = {}
    chunks: dict[str, list[Path]] = {}

    def flush(domain: str) -> None:
        folder = data / domain
        folder.mkdir(exist_ok=True)
        path = folder / f"part-{len(chunks.setdefault(domain, [])):05d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows.pop(domain), schema=schema), path)
        chunks[domain].append(path)

    for record, png in samples:
        size = _size(record)
        row = {
            "id": record["id"],
            "image": {"bytes": png, "path": f"{record['id']}.png"},
            "domain": record["domain"],
            "family": record["family"],
            "questions": [question_text(q, size, style) for q in record["qa"]],
            "answers": [reply(q, size, style) for q in record["qa"]],
            "qa": [
                {
                    "id": q["id"],
                    "question": q["question"],
                    "answer": answer_text(q),
                    "value": json.dumps(q["answer"], ensure_ascii=False),
                    "answer_type": q["answer_type"],
                    "reasoning": q.get("reasoning", ""),
                    "program": q.get("program", ""),
                    "skills": list(q.get("skills", [])),
                    "difficulty": int(q.get("difficulty", 1)),
                    "choices": list(q.get("choices") or []),
                }
                for q in record["qa"]
            ],
            "record": json.dumps(
                {k: v for k, v in record.items() if k != "code"}, ensure_ascii=False
            ),
        }
        rows.setdefault(record["domain"], []).append(row)
        if len(rows[record["domain"]]) >= ROWS_PER_FILE:
            flush(record["domain"])
    for domain in list(rows):
        flush(domain)
    for paths in chunks.values():
        for i, path in enumerate(paths):
            path.rename(path.parent / f"train-{i:05d}-of-{len(paths):05d}.parquet")
    return data


# the card --------------------------------------------------------------------------------


def write_card(out: Path, fmt: str, style: Style, counts: Counter[str], root: Path) -> Path:
    """``{out}/README.md``: what was exported, how, how many, and the licence; for ``hf``
    the YAML configs (one per domain and ``all``) that ``datasets`` reads."""
    domains = sorted(k for k in counts if k != "questions")
    lines = ["---"]
    if fmt == "hf":
        lines.append("configs:")
        lines += ["- config_name: all", "  default: true", "  data_files: data/*/*.parquet"]
        for d in domains:
            lines += [f"- config_name: {d}", f"  data_files: data/{d}/*.parquet"]
    lines += ["license: other", "tags:", "- synthetic", "- vision-language", "---", ""]
    lines += [
        f"# {root.name}: synthetic images with exact questions and answers",
        "",
        f"Exported by `synth export --format {fmt}` from `{root}`"
        f" (coordinates: {style.coords}, boxes: {style.box_format},"
        f" reasoning: {'yes' if style.reasoning else 'no'}).",
        "",
        "| domain | images |",
        "|---|---|",
        *(f"| {d} | {counts[d]} |" for d in domains),
        f"| all | {sum(counts[d] for d in domains)} |",
        "",
        f"{counts['questions']} questions. Every image and text is generated by synth from a "
        "spec; each answer is computed from that spec, not by a model. Fonts are drawn from "
        "Debian's font packages (SIL Open Font License, Apache 2.0, GPL with font exception); "
        "place names and personal names from Faker's locale data (MIT). The dataset is "
        "yours to license; nothing in it comes from a third party's images.",
        "",
    ]
    path = out / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
