"""3D scene specs: typed, frozen, JSON-serialisable; units explicit (metres, degrees).

Angles are stored in degrees and converted to radians in one place (:func:`radians`). The
camera looks at the origin from ``azimuth_deg`` (counter-clockwise from +x, seen from above),
``elevation_deg`` (above the table) and ``distance_m``. The table is the plane z = 0; an
object stands on it with its centre at ``(x_m, y_m, half height)``. A viewpoint scene has no
table (a camera below the object would look through it) and the camera looks at the object's
centre.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from synth._errors import SpecError
from synth.generators._common import plain

SCHEMA_VERSION = 1
FAMILIES = ("tabletop", "viewpoint")
SHAPES = ("cube", "sphere", "cylinder", "cone")
#: viewpoint objects with a clear front (+x), joined from primitive parts
#: ``(shape, dx, dy, dz, sx, sy, sz, rx, ry)``: the unit primitive (cube half-side 1/sqrt(2),
#: others radius 1 and half-height 1) scaled by ``s * r``, turned by ``rx``/``ry`` degrees
#: about x/y, and moved by ``d * r`` from the figure's centre (r: its half-extent)
FIGURE_PARTS: dict[
    str, tuple[tuple[str, float, float, float, float, float, float, float, float], ...]
] = {
    "chair": (
        ("cube", 0.0, 0.0, 0.0, 0.9, 0.9, 0.12, 0.0, 0.0),  # seat
        ("cube", -0.8, 0.0, 0.8, 0.1, 0.9, 0.8, 0.0, 0.0),  # back rest (behind)
        ("cube", 0.7, 0.7, -0.5, 0.08, 0.08, 0.5, 0.0, 0.0),
        ("cube", 0.7, -0.7, -0.5, 0.08, 0.08, 0.5, 0.0, 0.0),
        ("cube", -0.7, 0.7, -0.5, 0.08, 0.08, 0.5, 0.0, 0.0),
        ("cube", -0.7, -0.7, -0.5, 0.08, 0.08, 0.5, 0.0, 0.0),
    ),
    "car": (
        ("cube", 0.0, 0.0, -0.3, 1.4, 0.6, 0.3, 0.0, 0.0),  # body
        ("cube", -0.3, 0.0, 0.2, 0.7, 0.55, 0.25, 0.0, 0.0),  # cabin, set back
        ("cube", 1.35, 0.0, -0.25, 0.08, 0.5, 0.12, 0.0, 0.0),  # front bumper
        # wheels: radius 0.3, 0.2 wide, rolling along +x
        ("cylinder", 0.9, 0.6, -0.6, 0.3, 0.3, 0.1, 90.0, 0.0),
        ("cylinder", 0.9, -0.6, -0.6, 0.3, 0.3, 0.1, 90.0, 0.0),
        ("cylinder", -0.9, 0.6, -0.6, 0.3, 0.3, 0.1, 90.0, 0.0),
        ("cylinder", -0.9, -0.6, -0.6, 0.3, 0.3, 0.1, 90.0, 0.0),
    ),
    "arrow": (
        ("cube", -0.4, 0.0, 0.0, 0.8, 0.2, 0.2, 0.0, 0.0),  # shaft
        ("cone", 0.7, 0.0, 0.0, 0.5, 0.5, 0.4, 0.0, 90.0),  # head, the tip pointing +x
    ),
    "lamp": (
        ("cylinder", 0.0, 0.0, -0.9, 0.6, 0.6, 0.1, 0.0, 0.0),  # base
        ("cylinder", 0.0, 0.0, -0.2, 0.06, 0.06, 0.7, 0.0, 0.0),  # pole
        ("cone", 0.35, 0.0, 0.6, 0.45, 0.45, 0.35, 0.0, 0.0),  # shade, leaning forward
    ),
}
FIGURES = tuple(FIGURE_PARTS)
COLOURS = {
    "gray": (0.34, 0.34, 0.34),
    "red": (0.68, 0.08, 0.08),
    "blue": (0.07, 0.22, 0.72),
    "green": (0.08, 0.45, 0.1),
    "brown": (0.42, 0.25, 0.08),
    "purple": (0.4, 0.09, 0.6),
    "cyan": (0.08, 0.6, 0.62),
    "yellow": (0.85, 0.78, 0.1),
}
MATERIALS = ("rubber", "metal")
SIZES = {"small": 0.35, "large": 0.7}  # half-extent (radius) in metres
ENGINES = ("cycles", "workbench", "eevee")


def radians(degrees: float) -> float:
    """The one place degrees become radians."""
    return math.radians(degrees)


@dataclasses.dataclass(frozen=True)
class Obj:
    shape: str  # one of SHAPES, or a FIGURE in the viewpoint family
    colour: str
    material: str
    size: str
    x_m: float
    y_m: float
    rotation_deg: float  # about the vertical axis; 0: the object's front faces +x

    @property
    def radius_m(self) -> float:
        return SIZES[self.size]

    @property
    def half_height_m(self) -> float:
        """A cube's half-side is r / sqrt(2) (CLEVR's rule); other shapes are r high."""
        return self.radius_m / math.sqrt(2) if self.shape == "cube" else self.radius_m

    def centre(self) -> tuple[float, float, float]:
        return (self.x_m, self.y_m, self.half_height_m)

    def describe(self) -> str:
        return f"{self.size} {self.colour} {self.material} {self.shape}"


@dataclasses.dataclass(frozen=True)
class Camera:
    azimuth_deg: float
    elevation_deg: float
    distance_m: float
    lens_mm: float = 35.0
    sensor_mm: float = 36.0
    target_z_m: float = 0.0  # the camera looks at (0, 0, target_z_m)

    def position(self) -> tuple[float, float, float]:
        az, el = radians(self.azimuth_deg), radians(self.elevation_deg)
        d = self.distance_m
        return (
            d * math.cos(el) * math.cos(az),
            d * math.cos(el) * math.sin(az),
            self.target_z_m + d * math.sin(el),
        )

    def target(self) -> tuple[float, float, float]:
        return (0.0, 0.0, self.target_z_m)


@dataclasses.dataclass(frozen=True)
class Light:
    azimuth_deg: float
    elevation_deg: float
    energy_w: float


#: what one scene may ask of Blender (the domain's options allow the same)
MIN_SIDE_PX, MAX_SIDE_PX, MAX_SAMPLES = 16, 4096, 4096
MAX_OBJECTS, MAX_LIGHTS = 254, 16


@dataclasses.dataclass(frozen=True)
class Render:
    width_px: int
    height_px: int
    engine: str  # cycles | workbench
    samples: int  # Cycles samples per pixel
    seed: int  # Cycles noise seed


@dataclasses.dataclass(frozen=True)
class SceneSpec:
    @staticmethod
    def vocabulary() -> dict[str, tuple[str, ...]]:
        """Each attribute an object is described by, and every word it may take."""
        return {
            "colour": tuple(COLOURS),
            "shape": SHAPES,
            "material": MATERIALS,
            "size": tuple(SIZES),
        }

    family: str
    objects: tuple[Obj, ...]
    camera: Camera
    lights: tuple[Light, ...]
    render: Render
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # a scene JSON can come from outside (render-code, reproduce): bound what it asks of
        # Blender before anything is built, as the domain's options do
        r = self.render
        if not (
            MIN_SIDE_PX <= r.width_px <= MAX_SIDE_PX and MIN_SIDE_PX <= r.height_px <= MAX_SIDE_PX
        ):
            raise SpecError(
                f"image size {r.width_px}x{r.height_px} is outside "
                f"{MIN_SIDE_PX}..{MAX_SIDE_PX} pixels a side"
            )
        if not 1 <= r.samples <= MAX_SAMPLES:
            raise SpecError(f"samples {r.samples} is outside 1..{MAX_SAMPLES}")
        if len(self.objects) > MAX_OBJECTS or len(self.lights) > MAX_LIGHTS:
            raise SpecError(
                f"{len(self.objects)} objects and {len(self.lights)} lights: at most "
                f"{MAX_OBJECTS} objects (the index map holds object i as i + 1 in a byte) "
                f"and {MAX_LIGHTS} lights"
            )
        parts: list[Obj | Light | Camera] = [*self.objects, *self.lights, self.camera]
        numbers = [v for part in parts for v in dataclasses.astuple(part) if isinstance(v, float)]
        if not all(math.isfinite(v) for v in numbers):
            raise SpecError("a scene's coordinates, angles and energies must be finite numbers")
        if any(o.shape not in SHAPES and o.shape not in FIGURES for o in self.objects):
            raise SpecError(f"an object's shape is not one of {SHAPES + FIGURES}")
        if self.family not in FAMILIES:
            raise SpecError(f"scene family {self.family!r} is not one of {FAMILIES}")
        if self.render.engine not in ENGINES:
            raise SpecError(f"engine {self.render.engine!r} is not one of {ENGINES}")
        if not self.objects:
            raise SpecError("a scene needs at least one object")
        for i, a in enumerate(self.objects):
            if a.colour not in COLOURS or a.material not in MATERIALS or a.size not in SIZES:
                raise SpecError(f"object {i}: unknown colour, material or size: {a}")
            for b in self.objects[:i]:
                gap = math.dist((a.x_m, a.y_m), (b.x_m, b.y_m)) - a.radius_m - b.radius_m
                if gap < 0:
                    raise SpecError(f"objects overlap: {a.describe()} and {b.describe()}")

    def camera_axes(self) -> tuple[Vec, Vec, Vec, Vec]:
        """The camera's position and its right, up and forward (view) unit axes."""
        cam = self.camera.position()
        fwd = _unit(tuple(t - c for t, c in zip(self.camera.target(), cam, strict=True)))
        right = _unit(_cross(fwd, (0.0, 0.0, 1.0)))
        return cam, right, _cross(right, fwd), fwd

    def focal_px(self) -> float:
        """The focal length in pixels: the sensor fits the image width."""
        return self.camera.lens_mm / self.camera.sensor_mm * self.render.width_px

    def project(self, point: tuple[float, float, float]) -> tuple[float, float, float]:
        """Pixel ``(u, v)`` of a world point and its depth along the view axis (pinhole,
        the sensor fitted to the image width, as the Blender adapter sets the camera)."""
        cam, right, up, fwd = self.camera_axes()
        d = tuple(p - c for p, c in zip(point, cam, strict=True))
        depth = _dot(d, fwd)
        w, h, f_px = self.render.width_px, self.render.height_px, self.focal_px()
        return (w / 2 + f_px * _dot(d, right) / depth, h / 2 - f_px * _dot(d, up) / depth, depth)

    def camera_coords(self, i: int) -> tuple[float, float]:
        """Object ``i``'s centre along the camera's right axis and along its view axis
        (metres): what "left of" and "behind" compare."""
        cam, right, _, fwd = self.camera_axes()
        d = tuple(p - c for p, c in zip(self.objects[i].centre(), cam, strict=True))
        return _dot(d, right), _dot(d, fwd)

    def to_json(self) -> dict[str, Any]:
        return plain(dataclasses.asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SceneSpec:
        d = dict(data)
        if d.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise SpecError(f"scene schema {d.get('schema_version')} is not {SCHEMA_VERSION}")
        d["objects"] = tuple(Obj(**o) for o in d["objects"])
        d["camera"] = Camera(**d["camera"])
        d["lights"] = tuple(Light(**li) for li in d["lights"])
        d["render"] = Render(**d["render"])
        return cls(**d)


Vec = tuple[float, float, float]


def _dot(a: Any, b: Any) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def _cross(a: Any, b: Any) -> tuple[float, float, float]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _unit(a: Any) -> tuple[float, float, float]:
    n = math.sqrt(_dot(a, a))
    return (a[0] / n, a[1] / n, a[2] / n)
