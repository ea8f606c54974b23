"""Stable Diffusion + ControlNet folders with random weights, built from configs: the same
classes and files :mod:`synth.renderers.controlnet` loads from real weights, for tests
(``size="tiny"``: a few MB, a CPU call in well under a second) and benchmarks
(``size="sd15"``: the full SD 1.5 architecture, so the compute per image is the real one).

A fresh ControlNet's output convolutions start at zero (it adds nothing until trained);
they (and the small convolutions that embed the control map) are given magnitude-keeping
random weights here, so that the control maps visibly steer the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: (unet, vae, text encoder, controlnet conditioning channels) per size
CONFIGS: dict[str, dict[str, Any]] = {
    "tiny": {
        "unet": {
            "block_out_channels": (32, 64),
            "layers_per_block": 1,
            "sample_size": 32,
            "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"),
            "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D"),
            "cross_attention_dim": 32,
            "attention_head_dim": 4,
        },
        "vae": {"block_out_channels": (32, 32, 32, 32), "layers_per_block": 1},
        "text": {
            "hidden_size": 32,
            "intermediate_size": 37,
            "num_attention_heads": 4,
            "num_hidden_layers": 2,
            "projection_dim": 32,
        },
        "conditioning": (16, 32, 32, 32),
    },
    "sd15": {
        "unet": {
            "block_out_channels": (320, 640, 1280, 1280),
            "layers_per_block": 2,
            "sample_size": 64,
            "down_block_types": ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
            "up_block_types": ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
            "cross_attention_dim": 768,
            "attention_head_dim": 8,
        },
        "vae": {"block_out_channels": (128, 256, 512, 512), "layers_per_block": 2},
        "text": {
            "hidden_size": 768,
            "intermediate_size": 3072,
            "num_attention_heads": 12,
            "num_hidden_layers": 12,
            "projection_dim": 768,
        },
        "conditioning": (16, 32, 96, 256),
    },
}


def _tokenizer(folder: Path) -> Any:
    """A byte-level CLIP BPE with no merges: every byte a token. Written to files and read
    with ``from_pretrained`` (the constructor's ``vocab_file`` is ignored by transformers 5)."""
    from transformers import CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    # byte-level BPE's alphabet: printable bytes stand for themselves, the rest are
    # shifted past 255 so that every byte is one visible character
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = iter(range(256, 512))
    chars = [chr(b) if b in printable else chr(next(extra)) for b in range(256)]
    vocab = {t: i for i, t in enumerate(chars + [c + "</w>" for c in chars])}
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)


def build(
    folder: Path,
    *,
    size: str = "tiny",
    controls: tuple[str, ...] = ("depth", "canny"),
    seed: int = 0,
    variant: str | None = None,
) -> tuple[Path, tuple[Path, ...]]:
    """Write ``folder/base`` (a StableDiffusionPipeline folder) and one ControlNet folder per
    control; returns their paths. Same seed, same weights. ``variant="fp16"`` saves half
    precision weights as ``*.fp16.safetensors``, as the Hub's fp16 downloads are named."""
    import torch
    from diffusers import (
        AutoencoderKL,
        ControlNetModel,
        StableDiffusionPipeline,
        UNet2DConditionModel,
        UniPCMultistepScheduler,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    cfg = CONFIGS[size]
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(in_channels=4, out_channels=4, **cfg["unet"])
    n = len(cfg["vae"]["block_out_channels"])
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * n,
        up_block_types=("UpDecoderBlock2D",) * n,
        **cfg["vae"],
    )
    tokenizer = _tokenizer(folder / "vocab")
    text = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            max_position_embeddings=77,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_act="quick_gelu",
            **cfg["text"],
        )
    )
    scheduler = UniPCMultistepScheduler(
        num_train_timesteps=1000,
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        steps_offset=1,
    )
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    base = folder / "base"
    if variant == "fp16":
        pipe = pipe.to(torch.float16)
    pipe.save_pretrained(str(base), variant=variant)
    nets = []
    for c in controls:
        net = ControlNetModel.from_unet(
            unet, conditioning_embedding_out_channels=cfg["conditioning"]
        )
        with torch.no_grad():  # magnitude-keeping weights where a fresh net has zeros or
            # near-zero ones, so that its residuals depend on the control map
            for m in net.controlnet_cond_embedding.modules():
                if isinstance(m, torch.nn.Conv2d):
                    torch.nn.init.kaiming_normal_(m.weight)
            for conv in [*net.controlnet_down_blocks, net.controlnet_mid_block]:
                torch.nn.init.kaiming_normal_(conv.weight)
        path = folder / f"controlnet-{c}"
        if variant == "fp16":
            net = net.to(torch.float16)
        net.save_pretrained(str(path), variant=variant)
        nets.append(path)
    return base, tuple(nets)


def build_depth_estimator(folder: Path, *, seed: int = 0) -> Path:
    """A DPT depth estimator with random weights (a few hundred kB): the classes a real DPT
    or Depth Anything folder loads as, for the depth-order check's plumbing."""
    import torch
    from transformers import DPTConfig, DPTForDepthEstimation, DPTImageProcessor

    torch.manual_seed(seed)
    config = DPTConfig(
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=37,
        image_size=64,
        patch_size=16,
        backbone_out_indices=[0, 1, 2, 3],
        neck_hidden_sizes=[16, 16, 32, 32],
        fusion_hidden_size=16,
        is_hybrid=False,
    )
    DPTForDepthEstimation(config).save_pretrained(str(folder))
    DPTImageProcessor(size={"height": 64, "width": 64}, keep_aspect_ratio=False).save_pretrained(
        str(folder)
    )
    return folder
