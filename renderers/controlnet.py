"""ControlNet diffusion: a render's depth and edge maps in, a photograph-like image out.

A diffusers ``StableDiffusionControlNetPipeline`` with one ControlNet per control map (two or
more make a ``MultiControlNetModel``), loaded once per process from local folders or the
local Hugging Face cache (``local_files_only=True``; ``HF_HUB_OFFLINE`` is set before
diffusers is imported, so nothing is fetched at run time). On CUDA when present (fp16), else
on the CPU (fp32). Every image of a batch has its own noise, drawn on the CPU from its own
seed, so an image depends on its seed and not on its neighbours' noise or the device's RNG.

Getting real weights needs a machine with internet (README, "Photoreal scenes"); tests and
benchmarks build pipelines of the same classes from configs with random weights
(``scripts/bench_photoreal.py``, ``tests/renderers/tiny_diffusion.py``).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from synth._errors import ConfigError, MissingDependencyError
from synth.pack import Check

#: Stable Diffusion 1.5 and its v1.1 depth and Canny ControlNets, as on the Hugging Face Hub
DEFAULT_BASE = "stable-diffusion-v1-5/stable-diffusion-v1-5"
DEFAULT_CONTROLNETS = ("lllyasviel/control_v11f1p_sd15_depth", "lllyasviel/control_v11p_sd15_canny")
#: which control map each ControlNet reads, and how strongly (Ultimate3D: depth 0.5, Canny 0.8)
CONTROLS = ("depth", "canny")
DEFAULT_SCALES = (0.5, 0.8)
#: OpenCV's Canny thresholds, after a 5x5 Gaussian blur (a path-traced render is grainy)
CANNY_LOW, CANNY_HIGH = 100, 200
INSTALL_HINT = "pip install 'synth[photoreal]'  (diffusers, transformers, opencv-python-headless)"
NEGATIVE = "cartoon, drawing, illustration, render, cgi, blurry, lowres, text, watermark"


@dataclasses.dataclass(frozen=True)
class Settings:
    """One pipeline: ``base`` (a Stable Diffusion 1.x folder or Hub id), ``controlnets``
    (one per entry of ``controls``: the map it reads), their conditioning ``scales``, the
    denoising ``steps`` and ``guidance``, ``batch`` images per call, ``device``
    (auto|cpu|cuda), and a monocular ``depth_estimator`` (a local transformers
    depth-estimation model such as DPT or Depth Anything; "" for none) whose estimate of
    each photo is checked against the scene's depth order."""

    base: str = DEFAULT_BASE
    controlnets: tuple[str, ...] = DEFAULT_CONTROLNETS
    controls: tuple[str, ...] = CONTROLS
    scales: tuple[float, ...] = DEFAULT_SCALES
    steps: int = 20
    guidance: float = 7.5
    batch: int = 8  # SD 1.5 at 512 px on an H200: 0.80 images/s at 1, 3.44 at 8 (BENCHMARKS.md)
    device: str = "auto"
    depth_estimator: str = ""

    def __post_init__(self) -> None:
        # diffusers silently drops the nets past the last scale: say so here instead
        if not (len(self.controlnets) == len(self.controls) == len(self.scales) >= 1):
            raise ConfigError(
                f"photoreal needs one control map and one scale per ControlNet: "
                f"{len(self.controlnets)} controlnets ({', '.join(self.controlnets)}), "
                f"{len(self.controls)} controls ({', '.join(self.controls)}), "
                f"{len(self.scales)} scales; give as many of each"
            )
        bad = [c for c in self.controls if c not in CONTROLS]
        if bad:
            raise ConfigError(f"photoreal control {bad[0]!r} is not one of {', '.join(CONTROLS)}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"photoreal device must be auto, cpu or cuda, got {self.device!r}")
        if any(not 0.0 <= s <= 2.0 for s in self.scales):
            raise ConfigError(f"photoreal scales must lie in 0..2, got {self.scales}")


def edges(rgb: np.ndarray) -> np.ndarray:
    """The Canny edge map (bool, HxW) of an RGB image, after a 5x5 Gaussian blur. OpenCV
    takes each pixel's strongest channel gradient (as the Canny ControlNet's own annotator
    did), so a red cube on a grey table of the same brightness still has its outline."""
    import cv2

    blurred = cv2.GaussianBlur(np.ascontiguousarray(rgb[..., :3]), (5, 5), 0)
    return np.asarray(cv2.Canny(blurred, CANNY_LOW, CANNY_HIGH) > 0)


def depth_map(depth: np.ndarray) -> np.ndarray:
    """Depth in metres as a ControlNet depth image (uint8, HxW): inverse depth scaled to the
    scene's range, near white, far and empty (inf) black, as MiDaS-style maps are drawn."""
    finite = np.isfinite(depth) & (depth > 0)
    out = np.zeros(depth.shape, dtype=np.uint8)
    if not finite.any():
        return out
    inv = np.where(finite, 1.0 / np.where(finite, depth, 1.0), 0.0)
    lo, hi = float(inv[finite].min()), float(inv[finite].max())
    scaled = (inv - lo) / max(hi - lo, 1e-9) * 215 + 40  # the farthest surface stays grey
    out[finite] = np.clip(np.round(scaled[finite]), 0, 255).astype(np.uint8)
    return out


def control_images(
    rgb: np.ndarray, depth: np.ndarray, controls: tuple[str, ...]
) -> list[np.ndarray]:
    """The control maps of one render, in the order of ``controls``, as HxWx3 uint8."""

    def one(control: str) -> np.ndarray:
        if control == "depth":
            return depth_map(depth)
        return edges(rgb).astype(np.uint8) * 255

    return [np.repeat(one(c)[..., None], 3, axis=2) for c in controls]


def offline() -> None:
    """No Hub requests from this process (set before diffusers or transformers load)."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[var] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no notes about torchvision


def device_of(settings: Settings) -> str:
    import torch

    if settings.device == "cuda" or (settings.device == "auto" and torch.cuda.is_available()):
        return "cuda"
    return "cpu"


class Pipeline:
    """A loaded pipeline: call it with prompts, each image's control maps and seeds."""

    def __init__(self, settings: Settings) -> None:
        offline()
        try:
            import torch
            from diffusers import ControlNetModel, StableDiffusionControlNetPipeline
            from diffusers.utils import logging as diffusers_logging
        except ImportError as exc:
            raise MissingDependencyError(f"photoreal needs diffusers: {INSTALL_HINT}") from exc
        from transformers.utils import logging as transformers_logging

        for log in (diffusers_logging, transformers_logging):
            log.disable_progress_bar()
            log.set_verbosity_error()
        self.settings = settings
        self.device = device_of(settings)
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        warnings.filterwarnings("ignore", message=".*torch_dtype.*", category=FutureWarning)
        try:
            nets = [_load(ControlNetModel, p, torch_dtype=dtype) for p in settings.controlnets]
            pipe = _load(
                StableDiffusionControlNetPipeline,
                settings.base,
                controlnet=nets if len(nets) > 1 else nets[0],
                torch_dtype=dtype,
                safety_checker=None,
                feature_extractor=None,
                requires_safety_checker=False,
            )
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"photoreal could not load its models from local files ({exc}); "
                "`synth doctor` lists which are present and how to get them"
            ) from exc
        pipe.set_progress_bar_config(disable=True)
        self.pipe = pipe.to(self.device)
        self.torch = torch
        self.depth = (
            DepthEstimator(settings.depth_estimator, self.device, dtype)
            if (settings.depth_estimator)
            else None
        )

    def __call__(
        self, prompts: list[str], controls: list[list[np.ndarray]], seeds: list[int]
    ) -> list[np.ndarray]:
        """One denoising call for the whole batch: an HxWx3 uint8 image per prompt, the size
        of the control maps (drawn at the multiple of 8 below it, then resized)."""
        from PIL import Image

        s = self.settings
        h, w = controls[0][0].shape[:2]
        images: Any = [[Image.fromarray(m) for m in per] for per in controls]
        if len(s.controlnets) == 1:
            images = [per[0] for per in images]
        scale: Any = list(s.scales) if len(s.scales) > 1 else s.scales[0]
        generators = [self.torch.Generator("cpu").manual_seed(int(x)) for x in seeds]
        with self.torch.inference_mode():
            out = self.pipe(
                prompt=prompts,
                negative_prompt=[NEGATIVE] * len(prompts),
                image=images,
                height=h - h % 8,
                width=w - w % 8,
                num_inference_steps=s.steps,
                guidance_scale=s.guidance,
                controlnet_conditioning_scale=scale,
                generator=generators,
                output_type="np",
            )
        photos = [np.round(np.asarray(im) * 255).clip(0, 255).astype(np.uint8) for im in out.images]
        if (h % 8, w % 8) != (0, 0):  # drawn at the multiple of 8 below; back to the render's size
            photos = [
                np.asarray(Image.fromarray(p).resize((w, h), Image.Resampling.LANCZOS))
                for p in photos
            ]
        return photos


class DepthEstimator:
    """A transformers depth-estimation model from local files: relative inverse depth
    (larger: nearer), as DPT and Depth Anything predict it, at each image's size."""

    def __init__(self, model: str, device: str, dtype: Any) -> None:
        import torch
        from transformers import AutoImageProcessor, AutoModelForDepthEstimation

        try:
            self.processor = AutoImageProcessor.from_pretrained(  # type: ignore[no-untyped-call]
                model, local_files_only=True
            )
            net = AutoModelForDepthEstimation.from_pretrained(model, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"photoreal could not load the depth estimator {model} from local files "
                f"({exc}); `synth doctor` lists what is present"
            ) from exc
        self.model = net.to(device=device, dtype=dtype).eval()
        self.device, self.dtype, self.torch = device, dtype, torch

    def __call__(self, images: list[np.ndarray]) -> list[np.ndarray]:
        torch = self.torch
        inputs = self.processor(images=images, return_tensors="pt")
        pixels = inputs["pixel_values"].to(device=self.device, dtype=self.dtype)
        with torch.inference_mode():
            predicted = self.model(pixel_values=pixels).predicted_depth
        out = []
        for pred, image in zip(predicted, images, strict=True):
            resized = torch.nn.functional.interpolate(
                pred[None, None].float(), size=image.shape[:2], mode="bilinear"
            )
            out.append(resized[0, 0].cpu().numpy())
        return out


def _load(cls: Any, model: str, **kw: Any) -> Any:
    """``cls.from_pretrained(model)`` from local files: the full-precision weights, or the
    ``fp16`` variant when only those were downloaded (``*.fp16.safetensors``)."""
    try:
        return cls.from_pretrained(model, local_files_only=True, **kw)
    except (OSError, ValueError) as first:
        try:
            return cls.from_pretrained(model, local_files_only=True, variant="fp16", **kw)
        except (OSError, ValueError):
            raise first from None


_WARM: dict[Settings, Pipeline] = {}
_LOCK = threading.Lock()


def pipeline(settings: Settings) -> Pipeline:
    """The process's warm pipeline for ``settings`` (loaded on first use, then kept)."""
    with _LOCK:
        if settings not in _WARM:
            _WARM.clear()  # one pipeline at a time: they are large
            _WARM[settings] = Pipeline(settings)
        return _WARM[settings]


def _present(model: str, marker: str) -> bool:
    """Whether ``model`` (a folder, or a Hub id in the local cache) has ``marker``."""
    if Path(model).expanduser().is_dir():
        return (Path(model).expanduser() / marker).is_file()
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(model, marker), str)
    except (ImportError, ValueError):  # no hub library, or neither a folder nor a Hub id
        return False


def checks(settings: Settings | None = None) -> list[Check]:
    """``synth doctor``: diffusers, and which of the models are on this machine (optional:
    only ``--option scene3d.photoreal=controlnet`` needs them)."""
    s = settings or Settings()
    out: list[Check] = []
    try:
        import diffusers

        out.append(Check(True, f"diffusers {diffusers.__version__} (scene3d.photoreal)"))
    except ImportError:
        return [Check(False, "diffusers (scene3d.photoreal)", INSTALL_HINT, optional=True)]
    models = [(s.base, "model_index.json", "base")] + [
        (p, "config.json", f"{c} ControlNet")
        for p, c in zip(s.controlnets, s.controls, strict=True)
    ]
    if s.depth_estimator:
        models.append((s.depth_estimator, "config.json", "depth estimator"))
    for model, marker, what in models:
        key = {"base": "base=PATH", "depth estimator": "depth_estimator=PATH"}.get(
            what, "controlnets=PATH,PATH"
        )
        fix = (
            f"on a machine with internet: hf download {model} (then copy ~/.cache/huggingface "
            f"here), or give local folders: --option scene3d.photoreal.{key}"
        )
        out.append(
            Check(_present(model, marker), f"photoreal {what} model {model}", fix, optional=True)
        )
    return out
