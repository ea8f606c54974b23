"""Every bpy call synth makes, for Blender 5.0 (runs inside the Blender venv, never imported
by synth's own interpreter). A scene spec (JSON, metres and degrees) becomes Blender state;
one render writes the image and a multilayer EXR with depth and object-index passes.

Blender 5.0 changes this module absorbs: multilayer EXR is chosen with
``image_settings.media_type = "MULTI_LAYER_IMAGE"``; the Workbench engine is
``BLENDER_WORKBENCH``; render metadata (render time) is written into PNG text chunks, so the
worker strips them for fixed bytes.
"""

from __future__ import annotations

import math
from typing import Any

import bpy
import mathutils

ENGINES = {"cycles": "CYCLES", "workbench": "BLENDER_WORKBENCH"}


def radians(degrees: float) -> float:
    return math.radians(degrees)


def reset() -> None:
    """An empty scene with the table, camera and render settings that never change (once per
    process: later scenes remove only their own objects and lights, see :func:`clear`)."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = False
    for name in dir(scene.render):  # no stamp, no date or time in the files
        if name.startswith("use_stamp"):
            try:
                setattr(scene.render, name, False)
            except (AttributeError, TypeError):
                pass
    scene.cycles.device = "CPU"
    scene.cycles.use_denoising = False
    scene.cycles.use_adaptive_sampling = False
    # few bounces: matte and metal objects on a table need no more, and renders take 2-4x less
    scene.cycles.max_bounces = 4
    scene.cycles.diffuse_bounces = 2
    scene.cycles.glossy_bounces = 2
    scene.cycles.transmission_bounces = 0
    scene.cycles.volume_bounces = 0
    scene.cycles.transparent_max_bounces = 0
    scene.cycles.caustics_reflective = False
    scene.cycles.caustics_refractive = False
    layer = scene.view_layers[0]
    layer.use_pass_z = True
    layer.use_pass_object_index = True
    world = bpy.data.worlds.new("world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (0.05, 0.05, 0.06, 1.0)
    scene.world = world
    bpy.ops.mesh.primitive_plane_add(size=40, location=(0.0, 0.0, 0.0))
    table = bpy.context.object
    table.name = "table"
    table.pass_index = 0
    table.data.materials.append(_material("table", (0.55, 0.55, 0.52), metal=False))
    cam = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    scene.collection.objects.link(cam)
    scene.camera = cam


def _material(name: str, rgb: tuple[float, float, float], *, metal: bool) -> Any:
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Metallic"].default_value = 1.0 if metal else 0.0
    bsdf.inputs["Roughness"].default_value = 0.25 if metal else 0.85
    mat.diffuse_color = (*rgb, 1.0)  # what Workbench shows
    return mat


def _primitive(shape: str, r: float, location: tuple[float, float, float]) -> Any:
    if shape == "cube":
        bpy.ops.mesh.primitive_cube_add(size=2 * r / math.sqrt(2), location=location)
    elif shape == "sphere":
        bpy.ops.mesh.primitive_uv_sphere_add(
            radius=r, location=location, segments=48, ring_count=24
        )
    elif shape == "cylinder":
        bpy.ops.mesh.primitive_cylinder_add(radius=r, depth=2 * r, location=location, vertices=48)
    elif shape == "cone":
        bpy.ops.mesh.primitive_cone_add(radius1=r, depth=2 * r, location=location, vertices=48)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return bpy.context.object


#: figures with a clear front (+x): parts as (shape, dx, dy, dz, sx, sy, sz) in units of r
FIGURES: dict[str, list[tuple[str, float, float, float, float, float, float]]] = {
    "chair": [
        ("cube", 0.0, 0.0, 0.0, 0.9, 0.9, 0.12),  # seat
        ("cube", -0.8, 0.0, 0.8, 0.1, 0.9, 0.8),  # back rest (behind)
        ("cube", 0.7, 0.7, -0.5, 0.08, 0.08, 0.5),
        ("cube", 0.7, -0.7, -0.5, 0.08, 0.08, 0.5),
        ("cube", -0.7, 0.7, -0.5, 0.08, 0.08, 0.5),
        ("cube", -0.7, -0.7, -0.5, 0.08, 0.08, 0.5),
    ],
    "car": [
        ("cube", 0.0, 0.0, -0.3, 1.4, 0.6, 0.3),  # body
        ("cube", -0.3, 0.0, 0.2, 0.7, 0.55, 0.25),  # cabin, set back
        ("cube", 1.35, 0.0, -0.25, 0.08, 0.5, 0.12),  # front bumper
        ("cylinder", 0.9, 0.6, -0.6, 0.3, 0.3, 0.1),  # wheels: radius 0.3, 0.2 wide
        ("cylinder", 0.9, -0.6, -0.6, 0.3, 0.3, 0.1),
        ("cylinder", -0.9, 0.6, -0.6, 0.3, 0.3, 0.1),
        ("cylinder", -0.9, -0.6, -0.6, 0.3, 0.3, 0.1),
    ],
    "arrow": [
        ("cube", -0.4, 0.0, 0.0, 0.8, 0.2, 0.2),  # shaft
        ("cone", 0.7, 0.0, 0.0, 0.5, 0.5, 0.4),  # head, pointing +x
    ],
    "lamp": [
        ("cylinder", 0.0, 0.0, -0.9, 0.6, 0.6, 0.1),  # base
        ("cylinder", 0.0, 0.0, -0.2, 0.06, 0.06, 0.7),  # pole
        ("cone", 0.35, 0.0, 0.6, 0.45, 0.45, 0.35),  # shade, leaning forward
    ],
}


def _figure(name: str, r: float, location: tuple[float, float, float]) -> Any:
    parts = []
    for shape, dx, dy, dz, sx, sy, sz in FIGURES[name]:
        obj = _primitive(
            shape, 1.0, (location[0] + dx * r, location[1] + dy * r, location[2] + dz * r)
        )
        obj.scale = (sx * r, sy * r, sz * r)
        if shape in ("cylinder",) and name == "car":
            obj.rotation_euler = (radians(90), 0.0, 0.0)  # wheels roll along +x
        if shape == "cone" and name == "arrow":
            obj.rotation_euler = (0.0, radians(90), 0.0)  # the tip points +x
        parts.append(obj)
    bpy.ops.object.select_all(action="DESELECT")
    for p in parts:
        p.select_set(True)
    bpy.context.view_layer.objects.active = parts[0]
    bpy.ops.object.join()
    obj = bpy.context.object
    # rotate about the figure's own vertical axis through its location
    bpy.context.scene.cursor.location = location
    bpy.ops.object.origin_set(type="ORIGIN_CURSOR")
    return obj


def clear() -> None:
    """Remove the previous scene's objects and lights and the data only they used; the table,
    camera, world and settings stay (rebuild only what changes; nothing accumulates)."""
    if "table" not in bpy.data.objects or bpy.context.scene.camera is None:
        reset()
        return
    for obj in list(bpy.data.objects):
        if obj.name.startswith(("object-", "sun-")):
            bpy.data.objects.remove(obj, do_unlink=True)
    for pool in (bpy.data.meshes, bpy.data.materials, bpy.data.lights):
        for block in list(pool):
            if block.users == 0:
                pool.remove(block)


def build(
    scene_spec: dict[str, Any],
    palette: dict[str, list[float]],
    sizes: dict[str, float],
) -> None:
    """Blender state for a scene spec: objects (pass index i + 1), camera, lights, engine.
    ``palette`` (colour name -> linear RGB) and ``sizes`` (name -> half-extent in metres)
    come from synth with the scene, so the two interpreters share one table of each."""
    clear()
    scene = bpy.context.scene
    table = bpy.data.objects["table"]
    # no table in a viewpoint scene: the camera may look from below
    table.hide_render = scene_spec["family"] == "viewpoint"
    for i, o in enumerate(scene_spec["objects"]):
        r = sizes[o["size"]]
        loc = (o["x_m"], o["y_m"], r)
        obj = (
            _figure(o["shape"], r, loc) if o["shape"] in FIGURES else _primitive(o["shape"], r, loc)
        )
        obj.name = f"object-{i}"
        obj.pass_index = i + 1
        obj.rotation_euler = (0.0, 0.0, radians(o["rotation_deg"]))
        obj.data.materials.clear()
        c = palette[o["colour"]]
        rgb = (float(c[0]), float(c[1]), float(c[2]))
        obj.data.materials.append(_material(f"m{i}", rgb, metal=o["material"] == "metal"))
        obj.color = (*rgb, 1.0)
    cam = scene.camera
    c = scene_spec["camera"]
    az, el, d = radians(c["azimuth_deg"]), radians(c["elevation_deg"]), c["distance_m"]
    tz = c.get("target_z_m", 0.0)
    cam.location = (
        d * math.cos(el) * math.cos(az),
        d * math.cos(el) * math.sin(az),
        tz + d * math.sin(el),
    )
    target = mathutils.Vector((0.0, 0.0, tz))
    cam.rotation_euler = (target - cam.location).to_track_quat("-Z", "Y").to_euler()
    cam.data.lens = c["lens_mm"]
    cam.data.sensor_width = c["sensor_mm"]
    cam.data.sensor_fit = "HORIZONTAL"
    for j, li in enumerate(scene_spec["lights"]):
        light = bpy.data.objects.new(f"sun-{j}", bpy.data.lights.new(f"sun-{j}", "SUN"))
        light.data.energy = li["energy_w"]
        light.rotation_euler = (
            radians(90 - li["elevation_deg"]),
            0.0,
            radians(li["azimuth_deg"] + 90),
        )
        scene.collection.objects.link(light)
    rs = scene_spec["render"]
    scene.render.engine = ENGINES[rs["engine"]]
    scene.render.resolution_x, scene.render.resolution_y = rs["width_px"], rs["height_px"]
    scene.cycles.samples = rs["samples"]
    scene.cycles.seed = rs["seed"]
    if rs["engine"] == "workbench":
        shading = scene.display.shading
        shading.light = "STUDIO"
        shading.color_type = "OBJECT"
        scene.display.render_aa = "8"


def render(exr_path: str, png_path: str) -> None:
    """One render: the multilayer EXR (combined, depth, object index) is written by it, the
    PNG is the same render result saved again through the view transform."""
    scene = bpy.context.scene
    fmt = scene.render.image_settings
    fmt.media_type = "MULTI_LAYER_IMAGE"
    fmt.file_format = "OPEN_EXR_MULTILAYER"
    fmt.exr_codec = "NONE"
    fmt.color_depth = "32"
    fmt.use_exr_interleave = True  # one part: simple to read
    scene.render.filepath = exr_path
    bpy.ops.render.render(write_still=True)
    fmt.media_type = "IMAGE"
    fmt.file_format = "PNG"
    fmt.color_mode = "RGB"
    fmt.color_depth = "8"
    fmt.compression = 15
    bpy.data.images["Render Result"].save_render(filepath=png_path, scene=scene)


def version() -> str:
    return f"blender {bpy.app.version_string}"
