"""Photoreal stage throughput: the stage as a run drives it (control maps, prompt, the
pipeline, the ground-truth check and the record rewrite, on the stage's thread) vs the same
pipeline called in a plain loop on ready-made inputs (the floor) vs a naive loop that loads
the pipeline for every image.

Pipelines are built from configs with random weights (``--size tiny``: a few MB;
``--size sd15``: the full Stable Diffusion 1.5 UNet, VAE, CLIP text encoder and two
ControlNets, so the compute is the real one). The scenes are a scene3d run's records
(``--scenes DIR``, any synth output folder of scene3d samples; made here with Blender when
absent).

    python scripts/bench_photoreal.py --size tiny --images 8 --batch 4 --steps 2
    python scripts/bench_photoreal.py --size sd15 --scenes .bench/scenes512 --images 32 \\
        --batch 8 --steps 20 --naive 2      # on a GPU

Prints a markdown table (paste it into BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import platform
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from synth.stage import Item, StageRunner


def load_items(folder: Path, n: int) -> list[Item]:
    """The first scene records of a run folder, with their mask and depth files, repeated
    up to ``n``."""
    import json

    items: list[Item] = []
    for shard in sorted((folder / "shards").glob("*.tar")):
        with tarfile.open(shard) as tar:
            by_id: dict[str, dict[str, bytes]] = {}
            for m in tar.getmembers():
                sid, _, ext = m.name.partition(".")
                f = tar.extractfile(m)
                if f is not None:
                    by_id.setdefault(sid, {})[ext] = f.read()
        for files in by_id.values():
            record = json.loads(files.pop("json"))
            png = files.pop("png")
            items.append(Item(len(items), record["seed"]["sample"], record, png, files))
    if not items:
        raise SystemExit(f"no scene records in {folder}")
    return [
        Item(i, items[i % len(items)].seed + i // len(items), *_rest(items[i % len(items)]))
        for i in range(n)
    ]


def _rest(it: Item) -> tuple[dict[str, Any], bytes, dict[str, bytes]]:
    return it.record, it.png, it.files


def make_scenes(folder: Path, size: int) -> None:
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "synth.cli", "generate", "--domain", "scene3d", "--n", "8",
         "--option", f"scene3d.width={size}", "--option", f"scene3d.height={size}",
         "--option", "scene3d.family=tabletop", "--out", str(folder), "--progress", "off"],
        check=True,
    )  # fmt: skip


class GpuMeter:
    """Mean GPU utilisation (NVML, every 50 ms) while it runs; None without NVML."""

    def __init__(self) -> None:
        self.samples: list[int] = []
        self._stop = threading.Event()
        try:
            import pynvml

            pynvml.nvmlInit()
            self._nvml: Any = pynvml
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        except Exception:  # noqa: BLE001 - no NVIDIA driver or library: nothing to meter
            self._nvml = None

    def __enter__(self) -> GpuMeter:
        if self._nvml is not None:
            threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.samples.append(self._nvml.nvmlDeviceGetUtilizationRates(self._handle).gpu)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()

    @property
    def mean(self) -> str:
        return f"{sum(self.samples) / len(self.samples):.0f}%" if self.samples else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=("tiny", "sd15"), default="tiny")
    ap.add_argument("--models", type=Path, help="built pipeline folder (built when absent)")
    ap.add_argument("--scenes", type=Path, help="a synth output folder of scene3d records")
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--naive", type=int, default=2, help="images for the reload-per-image loop")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument(
        "--oom-check",
        action="store_true",
        help="on CUDA: cap the process's GPU memory just above the weights and check that a "
        "batch fails as `memory` and the next one, uncapped, still runs",
    )
    args = ap.parse_args()

    from synth.generators.scene3d._photoreal import Inputs, PhotorealStage
    from synth.renderers import controlnet
    from synth.renderers._random_diffusion import build

    tmp = Path(tempfile.mkdtemp(prefix="bench-photoreal-"))
    models = args.models or tmp / "models"
    t0 = time.perf_counter()
    if not (models / "base" / "model_index.json").exists():
        build(models, size=args.size)
    built_s = time.perf_counter() - t0
    scenes = args.scenes or tmp / "scenes"
    if not (scenes / "shards").exists():
        make_scenes(scenes, 512 if args.size == "sd15" else 96)
    items = load_items(scenes, args.images)
    settings = controlnet.Settings(
        base=str(models / "base"),
        controlnets=(str(models / "controlnet-depth"), str(models / "controlnet-canny")),
        steps=args.steps,
        batch=args.batch,
        device=args.device,
    )
    t0 = time.perf_counter()
    pipe = controlnet.pipeline(settings)
    load_s = time.perf_counter() - t0
    import torch

    def sync() -> None:
        if pipe.device == "cuda":
            torch.cuda.synchronize()

    # the floor: the pipeline alone, inputs made beforehand, the same batches
    inputs = [Inputs.of(it) for it in items]
    controls = [controlnet.control_images(x.render, x.depth, settings.controls) for x in inputs]
    pipe([inputs[0].prompt], [controls[0]], [inputs[0].seed])  # warm-up (kernels, allocator)
    sync()
    t0 = time.perf_counter()
    with GpuMeter() as floor_gpu:
        for s in range(0, len(items), args.batch):
            pipe(
                [x.prompt for x in inputs[s : s + args.batch]],
                controls[s : s + args.batch],
                [x.seed for x in inputs[s : s + args.batch]],
            )
        sync()
    floor_s = time.perf_counter() - t0

    # the stage as a run drives it: records in, records (or typed failures) out
    stage = PhotorealStage(settings)
    runner = StageRunner(stage)
    t0 = time.perf_counter()
    with GpuMeter() as stage_gpu:
        done = through(runner, items)
    stage_s = time.perf_counter() - t0
    runner.close()
    counts = runner.take_counts()
    again = stage.process(items[: args.batch])
    same = all(
        getattr(a, "png", None) == getattr(b, "png", None)
        and getattr(a, "message", None) == getattr(b, "message", None)
        for a, b in zip(done[: args.batch], again, strict=True)
    )

    n = len(items)
    # the CPU work around the model for a kept image (a diffused image that passes its check
    # is re-encoded; random weights pass none), done on the stage's other threads
    t0 = time.perf_counter()
    for it in items:
        x = stage.prepare([it])[0][0]
        stage.judge(it, x, x.render)
    cpu_ms = (time.perf_counter() - t0) / n * 1000

    # naive: a fresh pipeline (loaded from disk) for every image
    t0 = time.perf_counter()
    for x, c in zip(inputs[: args.naive], controls[: args.naive], strict=True):
        controlnet._WARM.clear()
        controlnet.pipeline(settings)([x.prompt], [c], [x.seed])
        sync()
    naive_s = (time.perf_counter() - t0) / max(1, args.naive)

    device = torch.cuda.get_device_name(0) if pipe.device == "cuda" else platform.processor()
    h, w = inputs[0].render.shape[:2]
    print(
        f"\n{args.size} pipeline (random weights), {w}x{h}, {args.steps} steps, batch "
        f"{args.batch}, {n} images, on {pipe.device} ({device}); models built in "
        f"{built_s:.1f} s, loaded in {load_s:.1f} s\n"
    )
    print("| way | images/s | s/image | vs floor | GPU busy |")
    print("|---|---|---|---|---|")
    print(f"| floor: pipeline alone, plain loop | {n / floor_s:.3f} | {floor_s / n:.3f} | 1.00 "
          f"| {floor_gpu.mean} |")  # fmt: skip
    print(f"| synth stage (maps, prompt, check, record) | {n / stage_s:.3f} | {stage_s / n:.3f} "
          f"| {floor_s / stage_s:.2f} | {stage_gpu.mean} |")  # fmt: skip
    print(f"| naive: load the pipeline per image (batch 1) | {1 / naive_s:.3f} | {naive_s:.3f} "
          f"| {floor_s / n / naive_s:.2f} | |")  # fmt: skip
    print(f"\nstage overhead per image: {(stage_s - floor_s) / n * 1000:.0f} ms; its CPU work "
          f"for a kept image (maps, check, PNG; beside the model): {cpu_ms:.0f} ms; kept: {counts}; "
          f"a batch run again gives the same bytes: {same}")  # fmt: skip
    if args.oom_check and pipe.device == "cuda":
        oom_check(stage, items[: args.batch], torch)


def through(runner: StageRunner, items: list[Item]) -> list[Any]:
    """``items`` (indices 0..n-1) through the runner as a run's shard; its results."""
    runner.shard(0, len(items))
    for it in items:
        runner.add(it.index, it)
    done: list[Any] = []
    while len(done) < len(items):
        done += runner.ready(0.05)
    return done


def oom_check(stage: Any, batch: list[Item], torch: Any) -> None:
    """A real CUDA out-of-memory inside the stage: typed ``memory``, and the stage goes on."""
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    allowed = torch.cuda.memory_allocated() + 256 * 2**20
    torch.cuda.set_per_process_memory_fraction(allowed / total)
    runner = StageRunner(stage)
    capped = through(runner, batch)
    torch.cuda.set_per_process_memory_fraction(1.0)
    torch.cuda.empty_cache()
    after = through(runner, batch)
    runner.close()
    kinds = sorted({getattr(r, "kind", "kept") for r in capped})
    print(f"\nGPU memory capped at {allowed / 2**30:.1f} GiB: {len(capped)} results, kinds {kinds} "
          f"({getattr(capped[0], 'message', '')[:80]}); uncapped again: "
          f"{sorted({getattr(r, 'kind', 'kept') for r in after})}")  # fmt: skip


if __name__ == "__main__":
    main()
