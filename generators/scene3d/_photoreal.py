"""``scene3d.photoreal``: a scene's Blender render turned photographic by ControlNet diffusion,
its ground truth kept and checked per image.

The stage (:class:`PhotorealStage`) runs in the run's process, fed by every worker's
finished scene records (:mod:`synth.stage`). For each record it builds the control maps
(the render's depth and Canny edges), a prompt from the spec (the objects' colours,
materials and shapes, the lights, and a setting and photographic style that suit a persona
drawn from the sample's seed), calls the warm pipeline for a batch, and checks every output
against the render (:func:`check`):

- edges: inside each object's mask, the share of the render's edge pixels that have an edge
  of the photo within 2 px (:data:`MIN_EDGE_RECALL`): an object moved or erased loses them;
  and no clutter of new edges inside it (:data:`MAX_EXTRA_INNER_EDGES`): noise has edges
  next to every edge;
- colour: inside each object's mask, the photo's hue and saturation against the named
  colour as the clean render shows it under the scene's lights (:data:`MAX_HUE_SHIFT`);
- depth (with ``--option scene3d.photoreal.depth_estimator=PATH``, a local depth model):
  the objects the render orders in depth keep their order in the photo's estimate
  (:func:`depth_order`);
- background: no object-like blob (a compact patch whose colour stands out from the
  background, half the smallest object's size or 0.5% of the image) where the mask says
  background.

A question is kept only if every object its answer depends on passed; an image where any
object fails its edges, or a blob appears, fails whole (``invalid_image``). Records keep
the Blender render (``render.png``) and say what was checked (``annotations.photoreal``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from synth._errors import ConfigError
from synth.generators.scene3d._spec import SceneSpec
from synth.pack import OptionKind
from synth.personas import Persona, sample_persona
from synth.renderers import controlnet
from synth.stage import Item, Rejected, Stage

#: an object keeps its place if this share of the render's edge pixels inside its mask have a
#: photo edge within EDGE_SLACK_PX
MIN_EDGE_RECALL = 0.5
EDGE_SLACK_PX = 2
#: fewer control edge pixels than this inside a mask (a sliver of an object): not judged
MIN_EDGE_PX = 12
#: edges everywhere also "agree": inside an object, 3 px in from its outline, the photo may
#: have at most this share of pixels on edges beyond what the render has there (noise or a
#: texture pasted over the object has far more; a smooth solid has almost none)
MAX_EXTRA_INNER_EDGES = 0.12
#: a chromatic object keeps its colour if its mean hue moves at most this far (degrees) and
#: keeps at least MIN_SAT_RATIO of its saturation; a grey one stays below GREY_MAX_SAT
MAX_HUE_SHIFT = 25.0
MIN_SAT_RATIO = 0.5
GREY_MAX_SAT = 0.25
#: fewer pixels than this left inside a mask after the 2 px erosion: colour not judged
MIN_COLOUR_PX = 20
#: background pixels whose chroma lies this far (0-255 opponent units) from the background's
#: median are candidates; a connected patch of them is a blob when it is compact (fills
#: BLOB_FILL of its box) and at least half the smallest object's visible size (or
#: BLOB_MIN_SHARE of the image, if that is less: a viewpoint scene's one object is large)
BLOB_CHROMA = 45.0
BLOB_FILL = 0.4
BLOB_MIN_SHARE = 0.005
#: with a depth estimator: two objects whose median depths in the render differ by this
#: factor are ordered, and the photo's estimate must keep that order; more than this share
#: of such pairs reversed fails the image
DEPTH_RATIO = 1.15
MAX_REVERSED = 0.2
#: programs whose answer depends on every object in the scene (counts, existence, search)
SCENE_WIDE = ("count", "exist", "compare_count", "relate_query", "count_relation")
#: params naming the objects a question is about
OBJECT_PARAMS = ("object", "a", "b", "anchor", "occluder")

#: per persona style (the register of what the persona makes, ``Persona.style``): where the
#: objects stand, and how they are photographed (plain surfaces: a patterned one would read
#: as new objects on the background)
LOOKS: dict[str, tuple[tuple[str, ...], str]] = {
    "corporate": (
        ("on an office desk", "on a glass meeting table"),
        "product photograph, sharp focus, softbox lighting",
    ),
    "scientific": (
        ("on a laboratory bench", "on a white lab tray"),
        "documentation photograph, neutral colours, sharp focus",
    ),
    "editorial": (
        ("on a cafe table", "on a marble countertop"),
        "35mm film photograph, natural grain",
    ),
    "playful": (
        ("on a playroom table", "on a pale wooden floor"),
        "bright snapshot, vivid colours",
    ),
    "casual": (
        ("on a wooden kitchen table", "on a linen tablecloth"),
        "smartphone snapshot, realistic",
    ),
    "official": (
        ("on a grey concrete floor", "on a workshop bench"),
        "DSLR photo, 50mm lens, even light",
    ),
}
MATERIAL_WORDS = {"rubber": "matte rubber", "metal": "shiny metal"}

#: ``--option scene3d.photoreal.KEY=VALUE`` keys (``scene3d.photoreal=controlnet`` turns it on)
OPTIONS: Mapping[str, OptionKind] = {
    "photoreal": ("none", "controlnet"),
    "photoreal.base": str,
    "photoreal.controlnets": str,
    "photoreal.controls": str,
    "photoreal.scales": str,
    "photoreal.steps": range(1, 201),
    "photoreal.guidance": str,
    "photoreal.batch": range(1, 257),
    "photoreal.device": ("auto", "cpu", "cuda"),
    "photoreal.depth_estimator": str,
}


def settings_from(options: Mapping[str, Any]) -> controlnet.Settings | None:
    """The pipeline settings the ``photoreal.*`` options ask for (None: photoreal is off)."""
    if options.get("photoreal", "none") == "none":
        extra = sorted(k for k in options if k.startswith("photoreal."))
        if extra:
            raise ConfigError(
                f"--option scene3d.{extra[0]} is set but photoreal is off; "
                "add --option scene3d.photoreal=controlnet"
            )
        return None
    d = controlnet.Settings()

    def words(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        text = options.get(f"photoreal.{key}")
        return default if text is None else tuple(w.strip() for w in str(text).split(","))

    def number(text: str, key: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(
                f"--option scene3d.photoreal.{key} takes numbers (e.g. 0.5,0.8), got {text!r}"
            ) from None

    return controlnet.Settings(
        base=str(options.get("photoreal.base", d.base)),
        controlnets=words("controlnets", d.controlnets),
        controls=words("controls", d.controls),
        scales=tuple(number(s, "scales") for s in words("scales", tuple(map(str, d.scales)))),
        steps=int(options.get("photoreal.steps", d.steps)),
        guidance=number(str(options.get("photoreal.guidance", d.guidance)), "guidance"),
        batch=int(options.get("photoreal.batch", d.batch)),
        device=str(options.get("photoreal.device", d.device)),
        depth_estimator=str(options.get("photoreal.depth_estimator", d.depth_estimator)),
    )


def photo_persona(seed: int) -> Persona:
    """Who the photograph is for, drawn from the sample's seed (a scene spec has none)."""
    return sample_persona(np.random.default_rng([seed, 0x9407]))


def prompt(spec: SceneSpec, seed: int) -> str:
    """The photograph asked for: the objects as the spec has them, a setting and a style
    that suit the persona it is for (:func:`photo_persona`), and the lights as the spec
    places them."""
    persona = photo_persona(seed)
    rng = np.random.default_rng([seed, 0x9408])
    things = [
        f"a {o.size} {o.colour} {MATERIAL_WORDS.get(o.material, o.material)} {o.shape}"
        for o in spec.objects
    ]
    listed = things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]
    places, style = LOOKS.get(persona.style, LOOKS["casual"])
    if spec.family == "tabletop":
        where = places[int(rng.integers(len(places)))]
    else:
        where = "against a plain studio backdrop"
    high = min(light.elevation_deg for light in spec.lights) >= 55
    soft = sum(light.energy_w for light in spec.lights) < 4.5
    light_words = f"{'soft' if soft else 'bright'} {'overhead' if high else 'side'} light"
    if len(spec.lights) > 1:
        light_words += " from two lamps"
    return f"a photo of {listed} {where}, {light_words}, {style}"


def _hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue (degrees), saturation and value (0..1) of an (..., 3) uint8 array."""
    x = rgb[..., :3].astype(np.float64) / 255.0
    mx, mn = x.max(axis=-1), x.min(axis=-1)
    c = mx - mn
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    safe = np.where(c > 0, c, 1.0)
    h = np.where(
        mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4)
    )
    return np.where(c > 0, h * 60.0, 0.0), np.where(mx > 0, c / np.where(mx > 0, mx, 1), 0), mx


def _colour(rgb: np.ndarray) -> tuple[float, float]:
    """A patch's saturation-weighted mean hue (degrees) and median saturation."""
    h, s, _ = _hsv(rgb)
    rad = np.radians(h)
    mean = np.degrees(np.arctan2((s * np.sin(rad)).sum(), (s * np.cos(rad)).sum())) % 360
    return float(mean), float(np.median(s))


def _hue_gap(a: float, b: float) -> float:
    return float(abs((a - b + 180) % 360 - 180))


def _grow(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return np.asarray(cv2.dilate(mask.astype(np.uint8), kernel) > 0)


def _shrink(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return np.asarray(cv2.erode(mask.astype(np.uint8), kernel) > 0)


def _chroma(rgb: np.ndarray) -> np.ndarray:
    """Opponent colour channels (..., 2), brightness left out: shadows move little."""
    x = rgb[..., :3].astype(np.float64)
    o1 = (x[..., 0] - x[..., 1]) / np.sqrt(2)
    o2 = (x[..., 0] + x[..., 1] - 2 * x[..., 2]) / np.sqrt(6)
    return np.stack([o1, o2], axis=-1)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What :func:`check` found: per object (by index) its edge recall, hue shift and
    whether it passed, and the background blobs (boxes) found."""

    objects: dict[int, dict[str, Any]]
    blobs: tuple[tuple[int, int, int, int], ...]
    #: with a depth estimator: the ordered pairs and those the estimate reversed
    depth: dict[str, Any] | None = None

    @property
    def failed(self) -> set[int]:
        return {i for i, o in self.objects.items() if not o["ok"]}

    def image_problem(self) -> str:
        """Why the image fails whole ("" if it does not)."""
        if self.blobs:
            return f"a new object-like blob in the background at {list(self.blobs[0])}"
        if self.depth and self.depth["pairs"]:
            wrong = len(self.depth["reversed"])
            if wrong > MAX_REVERSED * self.depth["pairs"]:
                return (
                    f"the depth order changed: {wrong} of {self.depth['pairs']} ordered object "
                    f"pairs reversed in the estimate (first: {self.depth['reversed'][0]})"
                )
        moved = [i for i, o in self.objects.items() if o.get("edges_ok") is False]
        if moved:
            o = self.objects[moved[0]]
            return (
                f"object {moved[0]} lost its shape: {o.get('edge_recall', 1.0):.2f} of its edges "
                f"kept (at least {MIN_EDGE_RECALL}), {o.get('extra_inner_edges', 0.0):.2f} of "
                f"its inside on new edges (at most {MAX_EXTRA_INNER_EDGES})"
            )
        return ""


def check(photo: np.ndarray, render: np.ndarray, mask: np.ndarray, spec: SceneSpec) -> Verdict:
    """Compare a diffused image with the render it was made from (both HxWx3 uint8) under
    the render's index mask (object i is pixel value i + 1)."""
    e_render = controlnet.edges(render)
    e_photo = controlnet.edges(photo)
    near_photo_edge = _grow(e_photo, EDGE_SLACK_PX)
    objects: dict[int, dict[str, Any]] = {}
    sizes = []
    h, w = mask.shape
    for i, obj in enumerate(spec.objects):
        ys, xs = np.nonzero(mask == i + 1)
        if not len(ys):
            continue
        sizes.append(len(ys))
        # the object's box and a margin: every measure below stays inside it
        m = EDGE_SLACK_PX + 4
        win = np.s_[max(0, ys.min() - m) : min(h, ys.max() + m + 1),
                    max(0, xs.min() - m) : min(w, xs.max() + m + 1)]  # fmt: skip
        inside = mask[win] == i + 1
        out: dict[str, Any] = {}
        ref = e_render[win] & _grow(inside, EDGE_SLACK_PX)
        if ref.sum() >= MIN_EDGE_PX:
            recall = float((ref & near_photo_edge[win]).sum() / ref.sum())
            out["edge_recall"] = round(recall, 3)
            out["edges_ok"] = recall >= MIN_EDGE_RECALL
        inner = _shrink(inside, 3)
        if inner.sum() >= MIN_COLOUR_PX:
            extra = float(e_photo[win][inner].mean() - e_render[win][inner].mean())
            out["extra_inner_edges"] = round(extra, 3)
            out["edges_ok"] = out.get("edges_ok", True) and extra <= MAX_EXTRA_INNER_EDGES
        core = _shrink(inside, 2)
        if core.sum() >= MIN_COLOUR_PX:
            hue_r, sat_r = _colour(render[win][core])
            hue_p, sat_p = _colour(photo[win][core])
            out["saturation"] = round(sat_p, 3)
            if obj.colour == "gray" or sat_r < GREY_MAX_SAT:
                out["colour_ok"] = sat_p < max(GREY_MAX_SAT, sat_r + 0.1)
            else:
                out["hue_shift"] = round(_hue_gap(hue_r, hue_p), 1)
                out["colour_ok"] = (
                    out["hue_shift"] <= MAX_HUE_SHIFT and sat_p >= MIN_SAT_RATIO * sat_r
                )
        out["ok"] = out.get("edges_ok", True) and out.get("colour_ok", True)
        objects[i] = out
    return Verdict(objects, _blobs(photo, mask, min(sizes, default=0)))


def depth_order(estimate: np.ndarray, depth: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    """The pairs of objects the render orders in depth (median depths :data:`DEPTH_RATIO`
    apart) and those the photo's estimate (inverse depth: larger is nearer) reverses,
    as ``[nearer, farther]``."""
    near: dict[int, tuple[float, float]] = {}  # object -> (true depth, estimated closeness)
    for k in np.unique(mask):
        inside = _shrink(mask == k, 2) if k else None
        if inside is None or inside.sum() < MIN_COLOUR_PX:
            continue
        true = depth[inside]
        true = true[np.isfinite(true)]
        if len(true):
            near[int(k) - 1] = (float(np.median(true)), float(np.median(estimate[inside])))
    pairs, wrong = 0, []
    for i in sorted(near):
        for j in sorted(near):
            (di, ei), (dj, ej) = near[i], near[j]
            if i == j or dj < di * DEPTH_RATIO:
                continue  # only i clearly nearer than j
            pairs += 1
            if ei <= ej:
                wrong.append([i, j])
    return {"pairs": pairs, "reversed": wrong}


def _blobs(
    photo: np.ndarray, mask: np.ndarray, smallest: int
) -> tuple[tuple[int, int, int, int], ...]:
    import cv2

    background = _shrink(mask == 0, 4)
    if background.sum() < 100:
        return ()
    chroma = _chroma(photo)
    median = np.median(chroma[background], axis=0)
    far = background & (np.linalg.norm(chroma - median, axis=-1) > BLOB_CHROMA)
    n, _, stats, _ = cv2.connectedComponentsWithStats(far.astype(np.uint8), connectivity=8)
    least = max(30, min(smallest // 2, int(BLOB_MIN_SHARE * photo.shape[0] * photo.shape[1])))
    found = []
    for k in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[k])
        if area >= least and area >= BLOB_FILL * w * h:
            found.append((x, y, w, h))
    return tuple(found)


def objects_of(q: Mapping[str, Any], n: int) -> set[int]:
    """The objects a question's answer depends on."""
    if q["program"] in SCENE_WIDE:
        return set(range(n))
    params = q.get("params", {})
    named = {int(params[k]) for k in OBJECT_PARAMS if isinstance(params.get(k), int)}
    return named or set(range(n))


def keep(qa: list[dict[str, Any]], spec: SceneSpec, verdict: Verdict) -> list[bool]:
    """Per question: whether every object its answer depends on passed. A question about
    particular objects also goes when an object of the same shape lost its colour (the
    name "the red cube" might now fit two)."""
    failed = verdict.failed
    recoloured = {i for i in failed if verdict.objects[i].get("colour_ok") is False}
    out = []
    for q in qa:
        need = objects_of(q, len(spec.objects))
        shapes = {spec.objects[i].shape for i in need}
        clash = any(spec.objects[j].shape in shapes for j in recoloured - need)
        out.append(not (need & failed) and not clash)
    return out


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _rgb(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What the stage reads of one record: its spec, render, index mask, depth, prompt and
    seed."""

    spec: SceneSpec
    render: np.ndarray
    mask: np.ndarray
    depth: np.ndarray
    prompt: str
    seed: int

    @classmethod
    def of(cls, it: Item) -> Inputs:
        spec = SceneSpec.from_json(it.record["spec"])
        return cls(
            spec,
            _rgb(it.png),
            _rgb(it.files["mask.png"])[..., 0],
            np.load(io.BytesIO(it.files["depth.npz"]))["depth"],
            prompt(spec, it.seed),
            it.seed % 2**63,
        )


class PhotorealStage(Stage):
    """The diffusion stage of ``scene3d`` with ``--option scene3d.photoreal=controlnet``."""

    name = "photoreal"

    def __init__(self, settings: controlnet.Settings) -> None:
        self.settings = settings
        self.batch_size = settings.batch
        self.pipe: controlnet.Pipeline | None = None

    def warm_up(self) -> None:
        self.pipe = controlnet.pipeline(self.settings)

    def prepare(self, items: list[Item]) -> Any:
        """Each record's inputs and control maps; a record that cannot be read (a mask or
        depth of another size than its image, a file missing) gets the reason instead, so
        it fails alone and not its whole batch."""
        inputs: list[Inputs | str] = []
        controls: list[list[np.ndarray] | None] = []
        for it in items:
            try:
                x = Inputs.of(it)
                sizes = {x.render.shape[:2], x.mask.shape, x.depth.shape}
                if len(sizes) > 1:
                    raise ValueError(f"image, mask and depth differ in size: {sorted(sizes)}")
            except (KeyError, ValueError, OSError) as exc:
                inputs.append(f"unreadable record ({type(exc).__name__}: {exc})")
                controls.append(None)
                continue
            inputs.append(x)
            controls.append(controlnet.control_images(x.render, x.depth, self.settings.controls))
        return inputs, controls

    def compute(self, items: list[Item], prepared: Any) -> Any:
        if self.pipe is None:
            self.warm_up()
        assert self.pipe is not None
        inputs, controls = prepared
        good = [k for k, x in enumerate(inputs) if isinstance(x, Inputs)]
        photos: list[np.ndarray | None] = [None] * len(items)
        estimates: list[np.ndarray | None] = [None] * len(items)
        if good:
            made = self.pipe(
                [inputs[k].prompt for k in good],
                [controls[k] for k in good],
                [inputs[k].seed for k in good],
            )
            guessed = self.pipe.depth(made) if self.pipe.depth is not None else [None] * len(made)
            for k, photo, estimate in zip(good, made, guessed, strict=True):
                photos[k], estimates[k] = photo, estimate
        return photos, estimates

    def finish(self, items: list[Item], prepared: Any, computed: Any) -> list[Item | Rejected]:
        inputs, _ = prepared
        photos, estimates = computed
        return [
            Rejected(it.index, "invalid_image", f"photoreal: {x}")
            if isinstance(x, str)
            else self.judge(it, x, photo, estimate)
            for it, x, photo, estimate in zip(items, inputs, photos, estimates, strict=True)
        ]

    def judge(
        self, it: Item, x: Inputs, photo: np.ndarray, estimate: np.ndarray | None = None
    ) -> Item | Rejected:
        """``photo`` (and, with a depth estimator, its estimated inverse depth) checked
        against the render of ``it``: the record rewritten with the questions whose facts
        held, or the image rejected whole."""
        verdict = check(photo, x.render, x.mask, x.spec)
        if estimate is not None:
            verdict = dataclasses.replace(verdict, depth=depth_order(estimate, x.depth, x.mask))
        problem = verdict.image_problem()
        kept = keep(it.record["qa"], x.spec, verdict)
        if not problem and not any(kept):
            problem = "no question's facts survived the diffusion"
        if problem:
            return Rejected(it.index, "invalid_image", f"photoreal: {problem}")
        return self._rewrite(it, photo, x.prompt, verdict, kept)

    def _rewrite(
        self, it: Item, photo: np.ndarray, text: str, verdict: Verdict, kept: list[bool]
    ) -> Item:
        s = self.settings
        record = json.loads(json.dumps(it.record))
        png = _png(photo)
        qa = record["qa"]
        record["qa"] = [q for q, k in zip(qa, kept, strict=True) if k]
        ann = record["annotations"]
        dropped = [
            {"program": q["program"], "question": q["question"], "reason": "photoreal"}
            for q, k in zip(qa, kept, strict=True)
            if not k
        ]
        if dropped:
            ann["dropped"] = [*ann.get("dropped", []), *dropped]
        ann["photoreal"] = {
            "prompt": text,
            "persona": photo_persona(it.seed).to_json(),
            "negative_prompt": controlnet.NEGATIVE,
            "seed": it.seed % 2**63,  # the noise's seed: the sample's
            "base": s.base,
            "controlnets": list(s.controlnets),
            "controls": list(s.controls),
            "scales": list(s.scales),
            "steps": s.steps,
            "guidance": s.guidance,
            "objects": {str(k): v for k, v in sorted(verdict.objects.items())},
            # what `synth reproduce` re-renders from the code: the Blender render
            "render_sha256": hashlib.sha256(it.png).hexdigest(),
        }
        if verdict.depth is not None:
            ann["photoreal"]["depth_estimator"] = s.depth_estimator
            ann["photoreal"]["depth_order"] = verdict.depth
        files = {**it.files, "render.png": it.png}
        ann["files"] = {ext: f"{record['id']}.{ext}" for ext in files}
        record["image"]["sha256"] = hashlib.sha256(png).hexdigest()
        record["versions"]["renderer"] += f" + controlnet ({s.base})"
        return Item(it.index, it.seed, record, png, files)
