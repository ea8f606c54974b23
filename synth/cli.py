"""The ``synth`` command line. Exit codes: 0 ok, 1 too many failed samples, 2 bad input or
unusable output folder, 130/143 interrupted by SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from synth._errors import ConfigError, OutputError, RegistryError, SynthError, TooManyFailures
from synth.config import DEGRADE_MODES, RunConfig, load_yaml, parse_count
from synth.engine.sandbox import SandboxUnavailable

EXAMPLES = """examples:
  synth generate --domain chart --n 1000 --out data/charts
  synth generate --config recipe.yaml --workers 4
  synth generate --domain chart --n 100k --out data/charts --resume
  synth preview data/charts --n 36 --out sheet.png
  synth validate data/charts
  synth export data/charts --format llava --out data/charts-llava
  synth reproduce data/charts 7
  synth render-code chart.py --out chart.png
  synth doctor
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit 2 with a hint, as argparse does, plus examples
        self.print_usage(sys.stderr)
        sys.stderr.write(f"synth: error: {message}\n(see: {self.prog} --help)\n")
        raise SystemExit(2)


def _count(text: str) -> int:
    try:
        return parse_count(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _bits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of bits") from None
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-64 bits (of 256); try 10")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="synth",
        description="Programmed training data for vision-language models.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    g = sub.add_parser(
        "generate",
        help="generate a dataset",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g.add_argument("--domain", help="domain name, or several separated by commas (default: chart)")
    g.add_argument("--mix", help="weights for several domains, e.g. 0.5,0.3,0.2")
    g.add_argument("--n", type=_count, help="number of samples: 1000, 100k, 1m (default: 1000)")
    g.add_argument("--out", help="output folder")
    g.add_argument("--seed", type=int, help="run seed (default: 0)")
    g.add_argument("--workers", type=int, help="worker processes (default: number of cores)")
    g.add_argument("--shard-size", type=int, help="samples per tar shard (default: 500)")
    g.add_argument(
        "--timeout", dest="timeout_s", type=float, help="seconds one sample may take (default: 60)"
    )
    g.add_argument(
        "--max-failures", type=int, help="exit 1 if more samples fail (default: 10%% of n)"
    )
    g.add_argument("--config", help="YAML recipe; flags given on the command line override it")
    g.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    g.add_argument("--overwrite", action="store_true", help="replace a dataset already in --out")
    g.add_argument(
        "--progress", choices=["auto", "bar", "log", "off"], help="progress display (default: auto)"
    )
    g.add_argument(
        "--dry-run", action="store_true", help="print the resolved configuration and exit"
    )
    g.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run workers without isolation (recorded in the manifest); only for trusted code",
    )
    g.add_argument("--memory-mb", type=int, help="address-space limit per worker (default: 4096)")
    g.add_argument(
        "--recycle-after", type=int, help="replace a worker after N samples (default: 1000)"
    )
    g.add_argument(
        "--option",
        action="append",
        metavar="DOMAIN.KEY=VALUE",
        help="a domain setting, repeatable, e.g. scene3d.engine=workbench or "
        "chart.renderer=plotly (synth doctor lists each domain's options)",
    )
    g.add_argument(
        "--degrade",
        choices=list(DEGRADE_MODES),
        help="scan: slight rotation, blur, noise and JPEG, boxes moved to match (default: none)",
    )

    rc = sub.add_parser(
        "render-code",
        help="render a code file in the sandbox",
        description="Render one code file in a fresh sandboxed worker, as synth reproduce does.",
    )
    rc.add_argument(
        "file", help="a .py Matplotlib script, .json Plotly figure or scene, .html, .mmd, .dot"
    )
    rc.add_argument(
        "--language",
        help="a language a renderer runs (python-matplotlib, plotly-json, html, mermaid, "
        "dot, synth-scene-json, and those of installed packs); default: from the file (.py: "
        "python-matplotlib, .html: html, .mmd: mermaid, .dot/.gv: dot, .json: plotly-json "
        "or synth-scene-json by its keys)",
    )
    rc.add_argument("--out", required=True, help="PNG path to write")
    rc.add_argument("--timeout", dest="timeout_s", type=float, default=60.0)
    rc.add_argument("--no-sandbox", action="store_true")

    rp = sub.add_parser("reproduce", help="re-render a record from its stored code; compare bytes")
    rp.add_argument("dir")
    rp.add_argument("id", help="a record id (chart-bar-000000007) or a sample index (7)")
    rp.add_argument("--out", help="also write the re-rendered PNG here")
    rp.add_argument("--timeout", dest="timeout_s", type=float, default=60.0)
    rp.add_argument("--no-sandbox", action="store_true")

    pv = sub.add_parser("preview", help="contact sheet of images with their first question")
    pv.add_argument("dir")
    pv.add_argument("--n", type=_count, default=36)
    pv.add_argument("--out", help="PNG path, or - for standard output (default: DIR/preview.png)")

    v = sub.add_parser("validate", help="check a dataset: schema, files, QA consistency")
    v.add_argument("dir")

    st = sub.add_parser(
        "stats", help="diversity and balance of a dataset (writes stats.json, stats.html)"
    )
    st.add_argument("dir")
    st.add_argument(
        "--no-text",
        action="store_true",
        help="skip text diversity (it needs the embedding model of synth[stats])",
    )
    st.add_argument(
        "--json", action="store_true", help="print the whole report as JSON, not a summary"
    )
    st.add_argument(
        "--threshold",
        type=_bits,
        default=10,
        help="hashes this many bits apart (of 256) or closer are near duplicates (default 10)",
    )

    e = sub.add_parser("export", help="convert a dataset for training tools")
    e.add_argument("dir")
    e.add_argument(
        "--format",
        required=True,
        choices=["llava", "sharegpt", "llamafactory", "swift", "molmo", "coco", "hf"],
    )
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument(
        "--coords",
        choices=["pixel", "norm1", "norm1000"],
        default="pixel",
        help="points and boxes in pixels (default), fractions of the image (0-1) or 0-1000",
    )
    e.add_argument(
        "--box-format",
        choices=["xywh", "xyxy"],
        default="xywh",
        help="boxes as x, y, w, h or corners",
    )
    e.add_argument(
        "--with-reasoning", action="store_true", help="answer with the chain of thought first"
    )
    e.add_argument(
        "--all-questions",
        action="store_true",
        help="keep every question, also those the run's answer balancing drops (balance.json)",
    )

    ev = sub.add_parser("eval", help="score a model's predictions on a dataset, slice by slice")
    ev.add_argument("dir")
    ev.add_argument(
        "--predictions",
        required=True,
        help='JSON lines: {"id", "qid", "prediction"} or {"question_id": "ID/QID", "text"}',
    )
    ev.add_argument("--out", help="folder for eval.json and eval.png (default: DIR/eval)")
    ev.add_argument("--coords", choices=["pixel", "norm1", "norm1000"], default="pixel",
                    help="how the predictions give points and boxes (as exported)")  # fmt: skip
    ev.add_argument("--box-format", choices=["xywh", "xyxy"], default="xywh")
    ev.add_argument(
        "--all-questions",
        action="store_true",
        help="score against every question, also those the run's answer balancing drops",
    )
    ev.add_argument("--json", action="store_true", help="print the whole report")

    tg = sub.add_parser(
        "target", help="a recipe with more of what a model got wrong, from synth eval reports"
    )
    tg.add_argument("--eval", dest="evals", action="append", required=True,
                    help="an eval.json (give several: their counts add up)")  # fmt: skip
    tg.add_argument("--n", required=True, help="samples the recipe makes (e.g. 50k)")
    tg.add_argument("--out", required=True, help="the recipe to write (recipe.yaml)")
    tg.add_argument("--floor", type=float, default=0.25, help="the least weight of a slice")
    tg.add_argument("--prior", type=float, default=20.0,
                    help="questions' worth of the overall error rate each slice's is shrunk by")  # fmt: skip

    b = sub.add_parser(
        "balance",
        help="re-plan the run-wide answer balancing of a dataset (writes DIR/balance.json)",
    )
    b.add_argument("dir")
    b.add_argument(
        "--keep-min",
        type=float,
        default=0.5,
        help="each question group keeps at least this share (0: exactly even answers; default 0.5)",
    )
    b.add_argument(
        "--min-group",
        type=int,
        default=20,
        help="leave groups with fewer questions alone (default 20)",
    )

    dr = sub.add_parser("doctor", help="which back-ends work here, and how to fix the rest")
    dr.add_argument(
        "--render",
        action="store_true",
        help="also generate one sample of each domain in the sandbox, as generate does",
    )
    return p


def resolve_config(args: argparse.Namespace) -> RunConfig:
    """CLI flags over YAML over defaults, into one RunConfig."""
    values: dict[str, Any] = load_yaml(args.config) if args.config else {}
    flags = {
        "domains": args.domain,
        "mix": args.mix,
        "n": args.n,
        "out": args.out,
        "seed": args.seed,
        "workers": args.workers,
        "shard_size": args.shard_size,
        "timeout_s": args.timeout_s,
        "max_failures": args.max_failures,
        "progress": args.progress,
        "memory_mb": args.memory_mb,
        "recycle_after": args.recycle_after,
        "degrade": args.degrade,
    }
    for key in ("domain", "domains"):
        if args.domain is not None:
            values.pop(key, None)
    if args.domain is not None and args.mix is None:
        values.pop("mix", None)
    values.update({k: v for k, v in flags.items() if v is not None})
    if args.resume:
        values["resume"] = True
    if args.overwrite:
        values["overwrite"] = True
    if args.no_sandbox:
        values["sandbox"] = False
    if args.option:
        from synth.config import parse_options

        given = parse_options(values.get("options") or ())
        flags_given = {(d, k): v for d, k, v in parse_options(args.option)}
        merged = {(d, k): v for d, k, v in given} | flags_given  # flags override the recipe
        values["options"] = tuple((d, k, v) for (d, k), v in merged.items())
    if not values.get("out"):
        raise ConfigError(
            "--out is required: the folder to write the dataset to (e.g. --out data/charts)"
        )
    return RunConfig.from_mapping(values)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, RegistryError, OutputError, SandboxUnavailable) as exc:
        sys.stderr.write(f"synth: error: {exc}\n")
        return 2
    except TooManyFailures as exc:
        sys.stderr.write(f"synth: {exc}\n")
        return 1
    except SynthError as exc:
        sys.stderr.write(f"synth: error: {exc}\n")
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        return _generate(args)
    if args.command == "preview":
        from synth.preview import contact_sheet
        from synth.reproduce import check_out

        out = args.out or str(Path(args.dir) / "preview.png")
        if out != "-":
            check_out(out)
        png = contact_sheet(Path(args.dir), n=args.n)
        if out == "-":
            sys.stdout.buffer.write(png)
        else:
            Path(out).write_bytes(png)
            print(f"wrote {out}", file=sys.stderr)
        return 0
    if args.command == "validate":
        from synth.validate import validate

        report = validate(Path(args.dir))
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0 if report["ok"] else 1
    if args.command == "stats":
        from synth.diversity import dataset_stats, summary, write_stats

        root = Path(args.dir)

        def say(message: str) -> None:
            print(f"stats: {message}", file=sys.stderr, flush=True)

        report = dataset_stats(root, text=not args.no_text, threshold=args.threshold, progress=say)
        page = write_stats(root, report)
        if args.json:
            print(json.dumps(report, indent=2, sort_keys=True))
        else:
            print(summary(report))
            print(f"wrote {root / 'stats.json'} (key diversity), {page}, {root / 'stats.png'}")
        return 0
    if args.command == "eval":
        from synth.evaluate import evaluate, plot, read_predictions
        from synth.evaluate import summary as eval_summary
        from synth.writer import write_json

        root = Path(args.dir)
        report = evaluate(
            root,
            read_predictions(Path(args.predictions)),
            balanced=not args.all_questions,
            coords=args.coords,
            box_format=args.box_format,
        )
        out = Path(args.out) if args.out else root / "eval"
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "eval.json", report)
        plot(report, out / "eval.png")
        print(json.dumps(report, indent=2) if args.json else eval_summary(report))
        print(f"wrote {out / 'eval.json'}, {out / 'eval.png'}")
        return 0
    if args.command == "target":
        from synth.config import parse_count
        from synth.targeting import recipe, write_recipe

        reports = []
        for path in args.evals:
            try:
                reports.append(json.loads(Path(path).read_text(encoding="utf-8")))
            except (OSError, json.JSONDecodeError) as exc:
                raise ConfigError(f"--eval {path}: not a synth eval report ({exc})") from None
        if not 0 < args.floor <= 1 or args.prior < 0:
            raise ConfigError("--floor must be in (0, 1] and --prior at least 0")
        data, rows = recipe(reports, parse_count(args.n), prior=args.prior, floor=args.floor)
        write_recipe(Path(args.out), data, rows)
        for r in sorted(rows, key=lambda r: -r["weight"])[:15]:
            print(f"{r['slice']:45} error {r['error_rate']:6.1%}  n={r['questions']:<6} "
                  f"weight {r['weight']:<6} share {r['old_share']:6.1%} -> {r['new_share']:6.1%}")  # fmt: skip
        print(f"wrote {args.out}: synth generate --config {args.out} --out DIR")
        return 0
    if args.command == "export":
        from synth.exporters import Style, export

        style = Style(args.coords, args.box_format, args.with_reasoning)
        path = export(
            Path(args.dir),
            args.format,
            Path(args.out),
            balanced=not args.all_questions,
            style=style,
        )
        print(f"exported {args.dir} as {args.format} to {path}")
        return 0
    if args.command in ("render-code", "reproduce"):
        from synth.reproduce import render_code_cli, reproduce_cli

        return render_code_cli(args) if args.command == "render-code" else reproduce_cli(args)
    if args.command == "balance":
        from synth import balance
        from synth.dataset import load_manifest

        root = Path(args.dir)
        manifest = load_manifest(root)
        rule = balance.Rule(keep_min=args.keep_min, min_group=args.min_group)
        print(balance.report(balance.write(root, int(manifest["config"]["seed"]), rule)))
        return 0
    if args.command == "doctor":
        from synth.doctor import doctor

        return doctor(render=args.render)
    raise ConfigError(f"unknown command {args.command}")  # pragma: no cover


def _generate(args: argparse.Namespace) -> int:
    from synth import registry

    cfg = resolve_config(args)
    registry.check_names(cfg.domains)
    for domain in sorted({d for d, _, _ in cfg.options}):  # a bad option: usage error, now
        registry.load(domain, cfg.options_for(domain), sandbox=cfg.sandbox)
    if args.dry_run:
        print(json.dumps({"config": cfg.to_dict(), "config_hash": cfg.content_hash()}, indent=2))
        return 0
    from synth.run import Interrupted, generate, summary

    try:
        manifest = generate(cfg)
    except Interrupted as exc:
        sys.stderr.write(
            f"\nsynth: interrupted by {exc}; finished shards are kept, continue with --resume\n"
        )
        return 128 + exc.signum
    except TooManyFailures:
        raise
    print(summary(manifest, cfg.out_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
