"""The ControlNet back-end (renderers/controlnet.py) on a tiny pipeline with random weights:
loaded from local folders with the Hub offline, two ControlNets both steering the output,
batches, seeds, CPU determinism, the control maps, and the errors for a short scale list
and for models that are not here."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from synth._errors import ConfigError

from ..conftest import needs_diffusers

pytestmark = needs_diffusers


def _settings(tiny: tuple[str, tuple[str, str]], **kw: object) -> object:
    from synth.renderers.controlnet import Settings

    base, nets = tiny
    return Settings(base=base, controlnets=nets, steps=2, device="cpu", **kw)  # type: ignore[arg-type]


def _scene() -> tuple[np.ndarray, np.ndarray]:
    """A 64x48 render: a bright square on grey, the square 2 m away, the floor 4 m, sky inf."""
    rgb = np.full((48, 64, 3), 90, np.uint8)
    rgb[12:36, 20:44] = (220, 220, 60)
    depth = np.full((48, 64), 4.0, np.float32)
    depth[:8] = np.inf
    depth[12:36, 20:44] = 2.0
    return rgb, depth


@pytest.fixture(scope="module")
def pipe(tiny_diffusion: tuple[str, tuple[str, str]]) -> object:
    from synth.renderers import controlnet

    return controlnet.pipeline(_settings(tiny_diffusion))  # type: ignore[arg-type]


def test_loads_local_folders_offline_with_both_nets(pipe: object) -> None:
    from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel

    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    net = pipe.pipe.controlnet  # type: ignore[attr-defined]
    assert isinstance(net, MultiControlNetModel) and len(net.nets) == 2
    assert pipe.device == "cpu"  # type: ignore[attr-defined]
    # a tokenizer that ignored its vocabulary files would give unknown tokens here
    tok = pipe.pipe.tokenizer  # type: ignore[attr-defined]
    ids = tok("a red cube").input_ids
    assert len(ids) == 10 and tok.unk_token_id not in ids[1:-1] and len(set(ids[1:-1])) == 8


def test_each_control_map_steers_the_image_and_seeds_decide_the_noise(pipe: object) -> None:
    from synth.renderers.controlnet import control_images

    rgb, depth = _scene()
    depth_map, canny = control_images(rgb, depth, ("depth", "canny"))
    blank = np.zeros_like(depth_map)
    call = pipe  # type: ignore[assignment]
    a, same, other_seed = call(["a photo of a red cube"] * 3, [[depth_map, canny]] * 3, [5, 5, 6])  # type: ignore[operator]
    assert a.shape == (48, 64, 3) and a.dtype == np.uint8
    # one seed, one noise: at another place in the batch only the arithmetic's rounding moves
    assert np.abs(a.astype(int) - same).max() <= 3
    assert np.abs(a.astype(int) - other_seed).mean() > 10
    (no_depth,) = call(["a photo of a red cube"], [[blank, canny]], [5])  # type: ignore[operator]
    (no_edges,) = call(["a photo of a red cube"], [[depth_map, blank]], [5])  # type: ignore[operator]
    (again,) = call(["a photo of a red cube"], [[depth_map, canny]], [5])  # type: ignore[operator]
    # a net whose output convolutions were left at zero, or dropped for want of a scale,
    # would change nothing here
    assert np.abs(no_depth.astype(int) - again).mean() > 0.05
    assert np.abs(no_edges.astype(int) - again).mean() > 0.05
    (again2,) = call(["a photo of a red cube"], [[depth_map, canny]], [5])  # type: ignore[operator]
    assert np.array_equal(again, again2), "CPU runs repeat to the byte"
    (other_prompt,) = call(["a photo of a blue sphere"], [[depth_map, canny]], [5])  # type: ignore[operator]
    assert not np.array_equal(again, other_prompt)


def test_control_maps_are_drawn_as_controlnets_expect() -> None:
    from synth.renderers.controlnet import depth_map, edges

    rgb, depth = _scene()
    d = depth_map(depth)
    assert d[20, 30] == 255 and d[40, 5] == 40 and d[2, 2] == 0, "near white, far grey, sky black"
    e = edges(rgb)
    assert e[12:36, 18:22].any() and e[12:36, 42:46].any(), "the square's sides are edges"
    assert not e[20:28, 26:38].any() and not e[40:, :10].any(), "flat areas are not"


def test_a_short_scale_list_is_refused_not_silently_dropped(
    tiny_diffusion: tuple[str, tuple[str, str]],
) -> None:
    with pytest.raises(ConfigError, match="one scale per ControlNet"):
        _settings(tiny_diffusion, scales=(0.5,))
    with pytest.raises(ConfigError, match="not one of depth, canny"):
        _settings(tiny_diffusion, controls=("depth", "pose"))


def test_models_that_are_not_here_name_the_fix_and_nothing_is_fetched(
    tmp_path: Path, tiny_diffusion: tuple[str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth.renderers import controlnet

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    s = controlnet.Settings(base="some-org/not-here", controlnets=tiny_diffusion[1], steps=2)
    by_what = {c.what: c for c in controlnet.checks(s)}
    assert not by_what["photoreal base model some-org/not-here"].ok
    assert "hf download some-org/not-here" in by_what["photoreal base model some-org/not-here"].fix
    assert by_what[f"photoreal canny ControlNet model {tiny_diffusion[1][1]}"].ok
    with pytest.raises(ConfigError, match="synth doctor"):
        controlnet.Pipeline(s)
    assert not (tmp_path / "hf").exists() or not any((tmp_path / "hf").rglob("*.json"))


def test_fp16_downloads_load_as_they_are_named(tmp_path: Path) -> None:
    """The Hub's half-precision files (``*.fp16.safetensors``, what the README downloads)
    load without naming the variant, on the CPU in fp32."""
    import torch

    from synth.renderers import controlnet
    from synth.renderers._random_diffusion import build

    base, nets = build(tmp_path, variant="fp16")
    assert list((base / "unet").glob("*.fp16.safetensors"))
    assert not list((base / "unet").glob("diffusion_pytorch_model.safetensors"))
    s = controlnet.Settings(base=str(base), controlnets=tuple(map(str, nets)), steps=1,
                            device="cpu")  # fmt: skip
    pipe = controlnet.Pipeline(s)
    assert pipe.pipe.unet.dtype == torch.float32
    (img,) = pipe(["a cube"], [[np.zeros((32, 32, 3), np.uint8)] * 2], [1])
    assert img.shape == (32, 32, 3)


def test_a_size_that_is_no_multiple_of_8_comes_back_at_its_own_size(pipe: object) -> None:
    (img,) = pipe(["a cube"], [[np.zeros((45, 61, 3), np.uint8)] * 2], [1])  # type: ignore[operator]
    assert img.shape == (45, 61, 3)


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


@pytest.mark.skipif(not _cuda(), reason="no CUDA device (runs on a GPU machine only)")
def test_on_cuda_in_fp16_a_batch_repeats_to_the_byte_and_the_estimator_runs(
    tiny_diffusion: tuple[str, tuple[str, str]], tmp_path: Path
) -> None:
    import torch

    from synth.renderers import controlnet
    from synth.renderers._random_diffusion import build_depth_estimator

    base, nets = tiny_diffusion
    s = controlnet.Settings(
        base=base,
        controlnets=nets,
        steps=2,
        device="cuda",
        depth_estimator=str(build_depth_estimator(tmp_path / "dpt")),
    )
    pipe = controlnet.Pipeline(s)
    assert pipe.pipe.unet.dtype == torch.float16 and pipe.device == "cuda"
    rgb, depth = _scene()
    maps = controlnet.control_images(rgb, depth, s.controls)
    first = pipe(["a cube", "a ball"], [maps, maps], [3, 4])
    again = pipe(["a cube", "a ball"], [maps, maps], [3, 4])
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert pipe.depth is not None
    (estimate,) = pipe.depth([first[0]])
    assert estimate.shape == rgb.shape[:2] and np.isfinite(estimate).all()
