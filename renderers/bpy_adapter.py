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

ENGINES = {"cycles": "CYCLES", "workbench": "BLENDER_WORKBENCH", "eevee": "BLENDER_EEVEE"}
#: Workbench anti-aliasing levels (``scene.display.render_aa``), by samples per pixel
WORKBENCH_AA = ((32, "32"), (16, "16"), (11, "11"), (8, "8"), (5, "5"), (2, "FXAA"), (1, "OFF"))


SKY = (0.05, 0.05, 0.06)  # the world's colour, linear RGB


def workbench_aa(samples: int) -> str:
    """The largest Workbench anti-aliasing level with at most ``samples`` samples."""
    return next(level for n, level in WORKBENCH_AA if samples >= n)


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
    # one or two suns and the sky: the light tree only costs time here (~15% of a render)
    scene.cycles.use_light_tree = False
    layer = scene.view_layers[0]
    layer.use_pass_z = True
    layer.use_pass_object_index = True
    world = bpy.data.worlds.new("world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (*SKY, 1.0)
    world.color = SKY  # what Workbench draws behind the scene
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
    roughness = 0.25 if metal else 0.85
    bsdf.inputs["Metallic"].default_value = 1.0 if metal else 0.0
    bsdf.inputs["Roughness"].default_value = roughness
    mat.diffuse_color = (*rgb, 1.0)  # what Workbench shows
    mat.metallic = 0.5 if metal else 0.0  # Workbench: at 1.0 metal hides its colour
    mat.roughness = roughness
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


def _figure(parts_spec: list[list[Any]], r: float, location: tuple[float, float, float]) -> Any:
    """A figure joined from primitive parts ``[shape, dx, dy, dz, sx, sy, sz, rx, ry]``
    (offsets and scales in units of ``r``, part rotations about x and y in degrees)."""
    parts = []
    for shape, dx, dy, dz, sx, sy, sz, rx, ry in parts_spec:
        obj = _primitive(
            shape, 1.0, (location[0] + dx * r, location[1] + dy * r, location[2] + dz * r)
        )
        obj.scale = (sx * r, sy * r, sz * r)
        obj.rotation_euler = (radians(rx), radians(ry), 0.0)
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
    figures: dict[str, list[list[Any]]],
) -> None:
    """Blender state for a scene spec: objects (pass index i + 1), camera, lights, engine.
    ``palette`` (colour name -> linear RGB), ``sizes`` (name -> half-extent in metres) and
    ``figures`` (name -> parts) come from synth with the scene, so the two interpreters share
    one table of each. A cube of half-extent r has half-side r / sqrt(2) (CLEVR's rule) and
    stands on the table like every other object."""
    clear()
    scene = bpy.context.scene
    table = bpy.data.objects["table"]
    # no table in a viewpoint scene: the camera may look from below
    table.hide_render = scene_spec["family"] == "viewpoint"
    for i, o in enumerate(scene_spec["objects"]):
        r = sizes[o["size"]]
        loc = (o["x_m"], o["y_m"], r / math.sqrt(2) if o["shape"] == "cube" else r)
        obj = (
            _figure(figures[o["shape"]], r, loc)
            if o["shape"] in figures
            else _primitive(o["shape"], r, loc)
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
    scene.eevee.taa_render_samples = rs["samples"]
    _look(scene, rs["samples"])


def _look(scene: Any, samples: int) -> None:
    """Workbench's shaded look: studio light, material colours, metal shine, shadows."""
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "MATERIAL"
    shading.show_shadows = True
    shading.show_specular_highlight = True
    shading.show_cavity = False
    shading.show_object_outline = False
    scene.display.render_aa = workbench_aa(samples)


def _flat_ids(scene: Any) -> None:
    """Workbench set to draw object i + 1 in the flat colour ((i + 1) / 255, 0, 0) and
    everything else black, without anti-aliasing: an exact object-index map for engines
    that have no object-index pass."""
    scene.render.engine = ENGINES["workbench"]
    shading = scene.display.shading
    shading.light = "FLAT"
    shading.color_type = "OBJECT"
    shading.show_shadows = False
    shading.show_specular_highlight = False
    scene.display.render_aa = "OFF"
    scene.world.color = (0.0, 0.0, 0.0)
    for obj in scene.objects:
        if obj.type == "MESH":
            obj.color = (obj.pass_index / 255.0, 0.0, 0.0, 1.0)


def _render_exr(scene: Any, exr_path: str) -> None:
    fmt = scene.render.image_settings
    fmt.media_type = "MULTI_LAYER_IMAGE"
    fmt.file_format = "OPEN_EXR_MULTILAYER"
    fmt.exr_codec = "NONE"
    fmt.color_depth = "32"
    fmt.use_exr_interleave = True  # one part: simple to read
    scene.render.filepath = exr_path
    bpy.ops.render.render(write_still=True)


def render(exr_path: str, png_path: str, ids_path: str) -> bool:
    """One render: the multilayer EXR (combined, depth and, in Cycles, object index) is
    written by it, the PNG is the same render result saved again through the view transform.
    Workbench and EEVEE have no object-index pass: a second, flat Workbench render writes
    the index map into ``ids_path`` (red channel = index / 255). True when it did."""
    scene = bpy.context.scene
    _render_exr(scene, exr_path)
    fmt = scene.render.image_settings
    fmt.media_type = "IMAGE"
    fmt.file_format = "PNG"
    fmt.color_mode = "RGB"
    fmt.color_depth = "8"
    fmt.compression = 15
    bpy.data.images["Render Result"].save_render(filepath=png_path, scene=scene)
    if scene.render.engine == ENGINES["cycles"]:
        return False
    _flat_ids(scene)
    _render_exr(scene, ids_path)
    scene.world.color = SKY
    return True


def version() -> str:
    return f"blender {bpy.app.version_string}"
