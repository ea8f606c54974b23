"""scene3d.photoreal: the prompt says what the spec has; the ground-truth check passes the
clean render, drops the questions of a recoloured object, fails a moved or erased object
and a new blob in the background; options are checked; and a run through ``synth generate``
with a tiny random pipeline writes typed failures for what the check refuses, the same
bytes with one worker or two."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth import registry
from synth._errors import ConfigError
from synth.generators.scene3d import SceneGenerator, SceneSpec
from synth.generators.scene3d._photoreal import (
    LOOKS,
    Inputs,
    PhotorealStage,
    Verdict,
    check,
    depth_order,
    keep,
    objects_of,
    photo_persona,
    prompt,
)
from synth.stage import Item, Rejected

from ..conftest import needs_diffusers, shard_bytes, synth_cmd
from .test_scene3d import needs_bpy


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), family=st.sampled_from(["tabletop", "viewpoint"]))
def test_the_prompt_names_every_object_as_the_spec_has_it(seed: int, family: str) -> None:
    spec: SceneSpec = SceneGenerator(family).sample(rng=np.random.default_rng(seed)).spec
    text = prompt(spec, seed)
    assert text == prompt(spec, seed)
    for o in spec.objects:
        material = {"rubber": "matte rubber", "metal": "shiny metal"}[o.material]
        assert f"a {o.size} {o.colour} {material} {o.shape}" in text
    assert ("studio backdrop" in text) == (family == "viewpoint")
    places, style = LOOKS[photo_persona(seed).style]
    assert text.endswith(style), "the persona decides how it is photographed"
    assert family == "viewpoint" or any(p in text for p in places)
    assert ("two lamps" in text) == (len(spec.lights) == 2)


def test_settings_and_styles_vary_with_the_seed() -> None:
    spec: SceneSpec = SceneGenerator("tabletop").sample(rng=np.random.default_rng(1)).spec
    assert len({prompt(spec, s) for s in range(40)}) >= 10


def _verdict(**objects: dict[str, Any]) -> Verdict:
    return Verdict({int(k[1:]): v for k, v in objects.items()}, ())


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_a_kept_question_never_rests_on_an_object_that_failed(seed: int, data: Any) -> None:
    sample = SceneGenerator("tabletop").sample(rng=np.random.default_rng(seed))
    spec: SceneSpec = sample.spec
    n = len(spec.objects)
    failed = data.draw(st.sets(st.integers(0, n - 1), max_size=n))
    how = data.draw(st.sampled_from(["colour_ok", "edges_ok"]))
    verdict = Verdict({i: {"ok": i not in failed, how: i not in failed} for i in range(n)}, ())
    programs = ["count", "query", "relate", "occluder", "point", "exist"]
    qa = [
        {"program": p, "params": {"object": i % n, "a": i % n, "b": (i + 1) % n}}
        for i, p in enumerate(programs)
    ]
    for q, kept in zip(qa, keep(qa, spec, verdict), strict=True):
        need = objects_of(q, n)
        if need & failed:
            assert not kept
        if not failed:
            assert kept
        if kept and how == "colour_ok":
            shapes = {spec.objects[i].shape for i in need}
            assert not any(spec.objects[j].shape in shapes for j in failed)


def test_options_turn_it_on_and_bad_ones_name_the_fix() -> None:
    pack = registry.get(
        "scene3d",
        {
            "photoreal": "controlnet",
            "photoreal.base": "/models/sd15",
            "photoreal.controlnets": "/models/depth,/models/canny",
            "photoreal.scales": "0.4,0.9",
            "photoreal.batch": "8",
            "engine": "workbench",
        },
    )
    s = pack.photoreal  # type: ignore[attr-defined]
    assert (s.base, s.controlnets, s.scales, s.batch) == (
        "/models/sd15",
        ("/models/depth", "/models/canny"),
        (0.4, 0.9),
        8,
    )
    assert pack.generator.engine == "workbench"  # type: ignore[attr-defined]
    assert registry.get("scene3d", {}).stage() is None
    with pytest.raises(ConfigError, match="one scale per ControlNet"):
        registry.get("scene3d", {"photoreal": "controlnet", "photoreal.scales": "0.5"})
    with pytest.raises(ConfigError, match="add --option scene3d.photoreal=controlnet"):
        registry.get("scene3d", {"photoreal.base": "/models/sd15"})
    with pytest.raises(ConfigError, match="takes numbers"):
        registry.get("scene3d", {"photoreal": "controlnet", "photoreal.guidance": "high"})
    with pytest.raises(ConfigError, match="is not on this machine.*synth|hf download"):
        registry.get(
            "scene3d", {"photoreal": "controlnet", "photoreal.base": "/nonexistent/sd15"}
        ).stage()


@pytest.fixture(scope="module")
def scene() -> Item:
    """A rendered tabletop scene as the stage receives it."""
    if needs_bpy.args[0] is not False:  # pragma: no cover - skipif(False) means present
        pytest.skip("bpy venv missing: bash scripts/setup.sh")
    gen = SceneGenerator("tabletop", width=240, height=180, engine="workbench")
    for seed in range(20):  # a scene with a query about one object and objects of two shapes
        sample = gen.sample(rng=np.random.default_rng(seed))
        done = synth.render(sample, seed=seed)
        if any(q["program"] == "query" for q in done.record["qa"]):
            return Item(0, seed, done.record, done.png, done.files)
    raise AssertionError("no scene with a query question in 20 seeds")


def _object(x: Inputs, program: str, it: Item) -> int:
    return next(q["params"]["object"] for q in it.record["qa"] if q["program"] == program)


def _stage() -> PhotorealStage:
    from synth.renderers.controlnet import Settings

    return PhotorealStage(Settings(base="/unused", controlnets=("a", "b"), steps=1))


@needs_diffusers
def test_the_clean_render_passes_and_the_record_says_what_was_checked(scene: Item) -> None:
    x = Inputs.of(scene)
    out = _stage().judge(scene, x, x.render)
    assert isinstance(out, Item)
    assert out.record["qa"] == scene.record["qa"], "every fact holds in the render itself"
    ann = out.record["annotations"]["photoreal"]
    assert ann["prompt"] == x.prompt and ann["scales"] == [0.5, 0.8]
    assert ann["persona"] == photo_persona(scene.seed).to_json()
    assert all(o["ok"] for o in ann["objects"].values())
    assert out.files["render.png"] == scene.png
    assert "render.png" in out.record["annotations"]["files"]
    import hashlib

    assert out.record["image"]["sha256"] == hashlib.sha256(out.png).hexdigest()


@needs_diffusers
def test_a_recoloured_object_loses_the_questions_that_rest_on_it(scene: Item) -> None:
    x = Inputs.of(scene)
    i = _object(x, "query", scene)
    photo = x.render.copy()
    inside = x.mask == i + 1
    photo[inside] = photo[inside][:, [2, 0, 1]]  # hues turned by 120 degrees
    if x.spec.objects[i].colour == "gray":
        photo[inside] = (200, 40, 40)
    verdict = check(photo, x.render, x.mask, x.spec)
    assert verdict.objects[i]["colour_ok"] is False and verdict.objects[i]["edges_ok"] is True
    out = _stage().judge(scene, x, photo)
    if isinstance(out, Rejected):  # every question rested on it
        assert "no question" in out.message
        return
    assert not any(i in objects_of(q, len(x.spec.objects)) for q in out.record["qa"])
    dropped = out.record["annotations"]["dropped"]
    assert {d["program"] for d in dropped if d["reason"] == "photoreal"} >= {"query"}


@needs_diffusers
def test_a_moved_or_erased_object_fails_its_edges_and_the_image(scene: Item) -> None:
    import cv2

    x = Inputs.of(scene)
    sizes = {i: int((x.mask == i + 1).sum()) for i in range(len(x.spec.objects))}
    i = max(sizes, key=lambda k: sizes[k])
    inside = x.mask == i + 1
    grown = cv2.dilate(inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    ring = (cv2.dilate(grown.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0) & ~grown
    erased = x.render.copy()
    erased[grown] = np.median(x.render[ring & (x.mask == 0)], axis=0)
    moved = x.render.copy()
    moved[grown] = erased[grown]
    ys, xs = np.nonzero(inside)
    moved[ys, np.clip(xs + 20, 0, x.render.shape[1] - 1)] = x.render[ys, xs]
    for photo in (erased, moved):
        verdict = check(photo, x.render, x.mask, x.spec)
        assert verdict.objects[i]["edges_ok"] is False
        out = _stage().judge(scene, x, photo)
        assert isinstance(out, Rejected) and out.kind == "invalid_image"


@needs_diffusers
def test_noise_agrees_with_every_edge_and_is_refused(scene: Item) -> None:
    """Edges everywhere keep every render edge "recalled": the clutter inside each object
    gives it away (an untrained pipeline draws such noise)."""
    x = Inputs.of(scene)
    noise = np.random.default_rng(0).integers(0, 256, x.render.shape, dtype=np.uint8)
    verdict = check(noise, x.render, x.mask, x.spec)
    judged = [o for o in verdict.objects.values() if "extra_inner_edges" in o]
    assert judged and all(o["edges_ok"] is False for o in judged)
    out = _stage().judge(scene, x, noise)
    assert isinstance(out, Rejected) and out.kind == "invalid_image"


@needs_diffusers
def test_a_new_blob_in_the_background_fails_the_image(scene: Item) -> None:
    x = Inputs.of(scene)
    photo = x.render.copy()
    free = (x.mask == 0).astype(np.uint8)
    import cv2

    far = cv2.distanceTransform(free, cv2.DIST_L2, 5)
    y, c = np.unravel_index(int(np.argmax(far)), far.shape)
    yy, xx = np.mgrid[: photo.shape[0], : photo.shape[1]]
    photo[(yy - y) ** 2 + (xx - c) ** 2 < 12**2] = (40, 60, 210)
    verdict = check(photo, x.render, x.mask, x.spec)
    assert verdict.blobs and all(o["ok"] for o in verdict.objects.values())
    out = _stage().judge(scene, x, photo)
    assert isinstance(out, Rejected) and "blob" in out.message


@needs_bpy
@needs_diffusers
def test_a_run_through_the_stage_types_what_the_check_refuses_the_same_with_any_workers(
    tmp_path: Path, tiny_diffusion: tuple[str, tuple[str, str]]
) -> None:
    base, (depth, canny) = tiny_diffusion
    args = [
        "generate",
        "--domain",
        "scene3d,chart",
        "--mix",
        "0.5,0.5",
        "--seed",
        "4",  # scenes at 0, 2, 3 and 4, charts at 1 and 5
        "--n",
        "6",
        "--shard-size",
        "3",
        "--max-failures",
        "6",
        "--option",
        "scene3d.engine=workbench",
        "--option",
        "scene3d.width=96",
        "--option",
        "scene3d.height=72",
        "--option",
        "scene3d.photoreal=controlnet",
        "--option",
        f"scene3d.photoreal.base={base}",
        "--option",
        f"scene3d.photoreal.controlnets={depth},{canny}",
        "--option",
        "scene3d.photoreal.steps=2",
        "--option",
        "scene3d.photoreal.batch=2",
    ]
    for workers in ("1", "2"):
        synth_cmd(*args, "--out", str(tmp_path / workers), "--workers", workers, check=True)
    assert shard_bytes(tmp_path / "1") == shard_bytes(tmp_path / "2")
    failures = (tmp_path / "1" / "failures.jsonl").read_text()
    assert failures == (tmp_path / "2" / "failures.jsonl").read_text()
    lines = [json.loads(line) for line in failures.splitlines()]
    stats = json.loads((tmp_path / "1" / "stats.json").read_text())
    scenes = stats["stage"]["photoreal/images"]
    # random weights draw noise: the check refuses every image, each a typed failure
    assert scenes == 4 and [f["kind"] for f in lines] == ["invalid_image"] * scenes
    assert all(f["domain"] == "scene3d" and "photoreal:" in f["message"] for f in lines)
    assert stats["photoreal_kept"] == {"images": 0.0, "questions": 0.0}
    assert stats["samples"] == 2 and set(stats["domain"]) == {"chart"}


@needs_diffusers
def test_the_depth_order_check_passes_the_truth_and_fails_it_reversed(scene: Item) -> None:
    x = Inputs.of(scene)
    truth = 1.0 / np.where(np.isfinite(x.depth), x.depth, 1e6)  # inverse depth: near is large
    kept = depth_order(truth, x.depth, x.mask)
    assert kept["pairs"] >= 1 and kept["reversed"] == []
    flipped = depth_order(-truth, x.depth, x.mask)
    assert len(flipped["reversed"]) == flipped["pairs"] == kept["pairs"]
    out = _stage().judge(scene, x, x.render, truth)
    assert isinstance(out, Item)
    assert out.record["annotations"]["photoreal"]["depth_order"] == kept
    bad = _stage().judge(scene, x, x.render, -truth)
    assert isinstance(bad, Rejected) and "depth order" in bad.message


@needs_diffusers
def test_a_local_depth_estimator_is_loaded_and_its_estimates_are_judged(
    scene: Item, tiny_diffusion: tuple[str, tuple[str, str]], tmp_path: Path
) -> None:
    from synth.renderers import controlnet
    from synth.renderers._random_diffusion import build_depth_estimator

    folder = build_depth_estimator(tmp_path / "dpt")
    base, nets = tiny_diffusion
    settings = controlnet.Settings(
        base=base, controlnets=nets, steps=1, batch=2, device="cpu", depth_estimator=str(folder)
    )
    assert all(c.ok for c in controlnet.checks(settings))
    stage = PhotorealStage(settings)
    prepared = stage.prepare([scene])
    photos, estimates = stage.compute([scene], prepared)
    assert estimates[0].shape == photos[0].shape[:2] == prepared[0][0].render.shape[:2]
    (result,) = stage.finish([scene], prepared, (photos, estimates))
    assert isinstance(result, Rejected) and result.kind == "invalid_image"  # random weights
    missing = controlnet.Settings(base=base, controlnets=nets, depth_estimator=str(tmp_path))
    assert [c.ok for c in controlnet.checks(missing)][-1] is False


@needs_bpy
@needs_diffusers
def test_reproduce_compares_a_photoreal_record_with_the_render_it_started_from(
    tmp_path: Path,
) -> None:
    """A record the stage kept (its photo here: the render a shade brighter, which passes
    every check) reproduces: its code draws ``render.png``, not the photo."""
    import io
    import tarfile

    out = tmp_path / "run"
    synth_cmd("generate", "--domain", "scene3d", "--n", "1", "--out", str(out),
              "--option", "scene3d.engine=workbench", "--option", "scene3d.family=tabletop",
              check=True)  # fmt: skip
    shard = next((out / "shards").glob("*.tar"))
    with tarfile.open(shard) as tar:
        files = {m.name.split(".", 1)[1]: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    record = json.loads(files.pop("json"))
    it = Item(0, record["seed"]["sample"], record, files.pop("png"), files)
    x = Inputs.of(it)
    photo = np.clip(x.render.astype(int) + 3, 0, 255).astype(np.uint8)
    kept = _stage().judge(it, x, photo)
    assert isinstance(kept, Item) and kept.png != it.png
    with tarfile.open(shard, "w") as tar:
        for ext, data in {
            **kept.files,
            "json": json.dumps(kept.record).encode(),
            "png": kept.png,
        }.items():
            info = tarfile.TarInfo(f"{record['id']}.{ext}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    proc = synth_cmd("reproduce", str(out), record["id"], "--out", str(tmp_path / "r.png"))
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["identical"] is True, proc.stderr
    assert "render.png" in report["compared_with"]
    assert (tmp_path / "r.png").read_bytes() == kept.files["render.png"]


def _flat_scene(size: int = 100) -> tuple[np.ndarray, np.ndarray, SceneSpec]:
    """A grey 100x100 image with one 40x40 red square (object 0) at its left."""
    spec: SceneSpec = SceneGenerator("tabletop").sample(rng=np.random.default_rng(3)).spec
    render = np.full((size, size, 3), 128, np.uint8)
    mask = np.zeros((size, size), np.uint8)
    render[30:70, 5:45] = (200, 30, 30)
    mask[30:70, 5:45] = 1
    return render, mask, spec


def test_hue_is_averaged_round_the_circle() -> None:
    from synth.generators.scene3d._photoreal import _colour

    for rgb, hue in (((220, 20, 20), 0.0), ((20, 220, 20), 120.0), ((20, 20, 220), 240.0)):
        got, sat = _colour(np.array([rgb] * 4, np.uint8))
        assert min(abs(got - hue), 360 - abs(got - hue)) < 0.5 and sat > 0.8
    reds = np.array([(220, 20, 60)] * 5 + [(220, 60, 20)] * 5, np.uint8)  # about 350 and 10
    got, _ = _colour(reds)
    assert min(got, 360 - got) < 1.0, "350 and 10 average to 0, not 180"


@pytest.mark.parametrize(("h", "w", "blob"), [(7, 7, False), (7, 8, True)])
def test_a_blob_counts_from_half_a_percent_of_the_image(h: int, w: int, blob: bool) -> None:
    render, mask, spec = _flat_scene()
    photo = render.copy()
    photo[10 : 10 + h, 70 : 70 + w] = (30, 60, 220)  # 49 px: under 0.5% of 10,000; 56: over
    assert bool(check(photo, render, mask, spec).blobs) is blob


def test_an_object_with_too_few_edges_is_not_judged_on_them() -> None:
    render, mask, spec = _flat_scene()
    render[:] = 128
    mask[:] = 0
    render[50:52, 50:53] = (200, 30, 30)  # a 2x3 sliver: a handful of edge pixels
    mask[50:52, 50:53] = 1
    verdict = check(render, render, mask, spec)
    assert "edge_recall" not in verdict.objects[0] and verdict.objects[0]["ok"]


@needs_diffusers
def test_a_record_that_cannot_be_read_fails_alone_not_its_batch(scene: Item) -> None:
    """A mask of another size than its image (a broken or hostile worker's record) is the
    record's own typed failure; its batch-mate is judged as usual."""
    import io as _io

    from PIL import Image

    buf = _io.BytesIO()
    Image.new("L", (7, 5)).save(buf, format="PNG")
    bad = Item(
        1, scene.seed + 1, scene.record, scene.png, {**scene.files, "mask.png": buf.getvalue()}
    )
    gone = Item(2, scene.seed + 2, scene.record, scene.png, {"mask.png": scene.files["mask.png"]})
    stage = _stage()
    prepared = stage.prepare([scene, bad, gone])
    inputs, controls = prepared
    assert isinstance(inputs[0], Inputs) and controls[1] is None and controls[2] is None
    good, broken, missing = stage.finish(
        [scene, bad, gone], prepared, ([inputs[0].render, None, None], [None, None, None])
    )
    assert isinstance(good, Item)
    assert isinstance(broken, Rejected) and "differ in size" in broken.message
    assert isinstance(missing, Rejected) and "depth.npz" in missing.message
