"""scene3d domain: tabletop scenes (CLEVR-like) and object-camera viewpoint scenes rendered by
Blender in a worker of its own venv: Cycles on the CPU by default, Workbench (fast, flat
studio look) or EEVEE with ``--option scene3d.engine=...``.

A sample is a :class:`SceneSpec` (objects with shape, colour, material, size, position and
rotation; camera azimuth, elevation and distance; lights; engine and samples; units in
metres and degrees). The code is the scene JSON the Blender worker builds. One render gives
the image and, through a multilayer EXR, the depth and (Cycles) object-index passes; the
other engines get the index map from a flat Workbench render. Instance masks, boxes and
visible pixel counts come from it; each object's outline (its convex parts projected,
:mod:`._outline`) against the index map gives occlusion, truncation and which objects hide
it. The masks (PNG, one byte per pixel) and depth (NPZ, metres) are stored with the record.
Questions: ``synth.qa_synth.scene3d``.

    synth generate --domain scene3d --n 1000 --out data/scenes
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import numpy as np

from synth._errors import ConfigError, SpecError
from synth.backends import Language, Renderer
from synth.generators._common import pick
from synth.generators.scene3d import _photoreal
from synth.generators.scene3d._outline import occlusion_facts
from synth.generators.scene3d._spec import (
    COLOURS,
    ENGINES,
    FAMILIES,
    FIGURE_PARTS,
    FIGURES,
    MATERIALS,
    SHAPES,
    SIZES,
    Camera,
    Light,
    Obj,
    Render,
    SceneSpec,
)
from synth.pack import Check, Code, DomainPack, OptionKind, Sample, read_options
from synth.record import QA, Element, Rendered
from synth.renderers import blender, controlnet
from synth.stage import Stage

__all__ = [
    "DOMAIN",
    "FAMILIES",
    "Camera",
    "Light",
    "Obj",
    "Render",
    "Scene3DDomain",
    "SceneGenerator",
    "SceneSpec",
    "sample_scene",
]

VERSION = "2"
LANGUAGE = "synth-scene-json"
#: viewpoint bins: 8 azimuths (degrees of the camera around the object's front), 3 elevations,
#: 3 distances; a sample sits inside a bin, away from its edges
AZIMUTH_BINS = 8
ELEVATIONS = {"below": (-20.0, -8.0), "level": (4.0, 14.0), "above": (40.0, 65.0)}
DISTANCES = {"close-up": (3.2, 4.0), "medium": (6.0, 7.5), "long": (11.0, 14.0)}


def _place(
    rng: np.random.Generator, n: int, *, shapes: tuple[str, ...], spread: float
) -> tuple[Obj, ...]:
    objs: list[Obj] = []
    for _ in range(400):
        if len(objs) == n:
            break
        size = str(pick(rng, tuple(SIZES)))
        x, y = (float(round(v, 2)) for v in rng.uniform(-spread, spread, size=2))
        o = Obj(
            shape=str(pick(rng, shapes)),
            colour=str(pick(rng, tuple(COLOURS))),
            material=str(pick(rng, MATERIALS)),
            size=size,
            x_m=x,
            y_m=y,
            rotation_deg=float(round(rng.uniform(0, 360), 1)),
        )
        if all(
            math.dist((o.x_m, o.y_m), (p.x_m, p.y_m)) >= o.radius_m + p.radius_m + 0.3 for p in objs
        ):
            objs.append(o)
    return tuple(objs)


def sample_scene(
    rng: np.random.Generator,
    family: str | None = None,
    *,
    width: int = 320,
    height: int = 240,
    samples: int = 16,
    engine: str = "cycles",
) -> SceneSpec:
    family = family or str(pick(rng, FAMILIES))
    if family not in FAMILIES:
        raise SpecError(f"scene family {family!r} is not one of {FAMILIES}")
    if family == "tabletop":
        objects = _place(rng, int(rng.integers(3, 8)), shapes=SHAPES, spread=2.6)
        camera = Camera(
            azimuth_deg=float(round(rng.uniform(0, 360), 1)),
            elevation_deg=float(round(rng.uniform(25, 45), 1)),
            distance_m=float(round(rng.uniform(8.5, 10.5), 2)),
        )
    else:
        obj = Obj(
            shape=str(pick(rng, FIGURES)),
            colour=str(pick(rng, tuple(COLOURS))),
            material="rubber",
            size="large",
            x_m=0.0,
            y_m=0.0,
            rotation_deg=float(round(rng.uniform(0, 360), 1)),
        )
        objects = (obj,)
        b = int(rng.integers(AZIMUTH_BINS))
        width_deg = 360 / AZIMUTH_BINS
        offset = rng.uniform(-0.3, 0.3) * width_deg  # dead zones: away from bin edges
        lo, hi = ELEVATIONS[str(pick(rng, tuple(ELEVATIONS)))]
        dlo, dhi = DISTANCES[str(pick(rng, tuple(DISTANCES)))]
        camera = Camera(
            azimuth_deg=float(round((obj.rotation_deg + b * width_deg + offset) % 360, 1)),
            elevation_deg=float(round(rng.uniform(lo, hi), 1)),
            distance_m=float(round(rng.uniform(dlo, dhi), 2)),
            target_z_m=obj.radius_m,
        )
    lights = tuple(
        Light(
            azimuth_deg=float(round(rng.uniform(0, 360), 1)),
            elevation_deg=float(round(rng.uniform(35, 70), 1)),
            energy_w=float(round(rng.uniform(2.0, 4.0), 2)),
        )
        for _ in range(int(rng.integers(1, 3)))
    )
    render = Render(width, height, engine, samples, int(rng.integers(1, 2**31)))
    return SceneSpec(family, objects, camera, lights, render)


@dataclasses.dataclass(frozen=True)
class SceneGenerator:
    """Draws scene samples; ``family`` (tabletop, viewpoint) drawn when None."""

    family: str | None = None
    width: int = 320
    height: int = 240
    samples: int = 16
    engine: str = "cycles"

    def sample(self, *, rng: np.random.Generator) -> Sample:
        spec = sample_scene(
            rng,
            self.family,
            width=self.width,
            height=self.height,
            samples=self.samples,
            engine=self.engine,
        )
        return Sample(
            domain="scene3d",
            family=spec.family,
            generator=f"scene3d@{VERSION}",
            spec=spec,
            code=Code(LANGUAGE, json.dumps(spec.to_json(), sort_keys=True)),
            persona={},
            topic=", ".join(o.describe() for o in spec.objects),
        )


def _png_of(index: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(index, mode="L").save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _npz_of(depth: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, depth=depth.astype(np.float32))
    return buf.getvalue()


#: the domain's vocabulary, sent with every scene: what the Blender worker builds from
ASSETS = {"palette": COLOURS, "sizes": SIZES, "figures": FIGURE_PARTS}


class Scene3DDomain(DomainPack):
    """The scene3d domain pack (registered as ``scene3d``); :meth:`configure` pins the
    engine, samples, size or family (``--option scene3d.engine=workbench``)."""

    name = "scene3d"
    version = VERSION
    install_hint = (
        "bash scripts/setup.sh (creates .venv-blender with bpy==5.0.1 and its X/GL libraries)"
    )
    languages = (LANGUAGE,)
    options: ClassVar[Mapping[str, OptionKind]] = {
        "engine": ENGINES,
        "samples": range(1, 4097),
        "width": range(16, 4097),
        "height": range(16, 4097),
        "family": FAMILIES,
        **_photoreal.OPTIONS,
    }

    def __init__(
        self,
        generator: SceneGenerator | None = None,
        photoreal: controlnet.Settings | None = None,
    ) -> None:
        self.generator = generator or SceneGenerator()
        #: the diffusion stage's settings (None: records keep the Blender render)
        self.photoreal = photoreal

    def configure(self, options: Mapping[str, str]) -> Scene3DDomain:
        given = read_options(self.name, options, self.options)
        scene = {k: v for k, v in given.items() if not k.startswith("photoreal")}
        return Scene3DDomain(
            dataclasses.replace(self.generator, **scene), _photoreal.settings_from(given)
        )

    def stage(self) -> Stage | None:
        """With ``--option scene3d.photoreal=controlnet``: the diffusion stage, its models
        checked present here (nothing is downloaded)."""
        if self.photoreal is None:
            return None
        missing = [c for c in controlnet.checks(self.photoreal) if not c.ok]
        if missing:
            raise ConfigError(
                f"scene3d.photoreal: {missing[0].what} is not on this machine; fix: "
                f"{missing[0].fix}"
            )
        return _photoreal.PhotorealStage(self.photoreal)

    def sample(self, *, rng: np.random.Generator) -> Sample:
        return self.generator.sample(rng=rng)

    def render(self, sample: Sample) -> Rendered:
        spec: SceneSpec = sample.spec
        header, png, index, depth = blender.render_scene(spec.to_json(), ASSETS)
        elements: list[Element] = []
        occlusion = occlusion_facts(spec, index)
        for fact in header["objects"]:
            o = spec.objects[fact["object"]]
            e: dict[str, Any] = {
                "label": o.describe(),
                "role": "object",
                "key": f"obj-{fact['object']}",
                "bbox": [float(v) for v in fact["bbox"]],
                "visible_px": fact["visible_px"],
                **occlusion[fact["object"]],
            }
            elements.append(cast(Element, e))  # the Blender worker's facts, named above
        return Rendered(
            png=png,
            width=header["width"],
            height=header["height"],
            elements=tuple(elements),
            backend=f"{header['version']} ({spec.render.engine})",
            files=(("mask.png", _png_of(index)), ("depth.npz", _npz_of(depth))),
        )

    def checks(self) -> list[Check]:
        """The photoreal stage's models (the configured ones, else the defaults)."""
        return controlnet.checks(self.photoreal)

    def questions(
        self, sample: Sample, rendered: Rendered, *, rng: np.random.Generator
    ) -> list[QA]:
        from synth.qa_synth.scene3d import scene_questions

        return scene_questions(sample.spec, rendered, rng=rng)


DOMAIN = Scene3DDomain()


def render_code(source: str) -> Rendered:
    """Render a scene JSON alone (``synth reproduce`` / ``render-code``)."""
    spec = SceneSpec.from_json(json.loads(source))
    sample = Sample(
        "scene3d", spec.family, f"scene3d@{VERSION}", spec, Code(LANGUAGE, source), {}, ""
    )
    return DOMAIN.render(sample)


#: Blender, through the scene JSON this domain writes (registered as the ``blender`` renderer)
RENDERER = Renderer(
    name="blender",
    languages={LANGUAGE: Language(render=render_code, warm_up=lambda: blender.client().start())},
    install_hint=Scene3DDomain.install_hint,
    helper_pids=blender.helper_pids,
    limit_address_space=False,  # Blender reserves more address space than it uses
    sandbox_paths=blender.sandbox_paths,
    checks=blender.checks,
)
