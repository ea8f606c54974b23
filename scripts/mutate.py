"""Mutation testing of one module with the tests that cover it (cosmic-ray), on a copy of
this checkout: how many planted bugs do the tests catch?

    python scripts/mutate.py synth/balance.py                 # every mutant
    python scripts/mutate.py qa_synth/chart.py --budget 150      # a fixed random sample
    python scripts/mutate.py --list                              # the modules and their tests

The module's mutants (cosmic-ray's operators: comparison, arithmetic and boolean operators
swapped, numbers changed, conditions negated, break/continue swapped, ...) are made in a
copy of the working tree (the files git tracks or would), whose tests run with ``PYTHONPATH`` at the copy, so
the checkout is never touched. ``--budget N`` keeps N mutants drawn with ``--seed``; the
rest are skipped. Prints the score (killed / (killed + survived); a mutant that stops the
module importing counts as killed) and every survivor with its diff. TESTING.md has the
scores and why each remaining survivor is equivalent or left.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

#: module -> the tests that cover it (fast ones: each mutant runs them)
MODULES = {
    "qa_synth/chart.py": "tests/qa_synth/test_chart_qa.py",
    "qa_synth/page.py": "tests/generators/test_pages.py tests/qa_synth/test_document_qa.py",
    "qa_synth/scene3d.py": "tests/generators/test_scene3d.py::test_every_answer_recomputes_from_the_scene"
    " tests/generators/test_scene3d.py::test_difficulty_is_calibrated_from_what_the_image_makes_hard"
    " tests/generators/test_scene3d.py::test_hardly_visible_objects_are_never_the_subject"
    " tests/generators/test_scene3d.py::test_answers_are_balanced_over_many_scenes"
    " tests/generators/test_scene3d.py::test_an_object_is_a_subject_from_exactly_80_visible_pixels"
    " tests/generators/test_scene3d.py::test_which_object_hides_x_names_the_one_covering_most_of_what_is_hidden"
    " tests/generators/test_scene3d.py::test_pointing_falls_back_to_the_box_centre_and_says_both_coordinates"
    " tests/generators/test_scene3d.py::test_facing_bins_the_angle_between_camera_and_front_on_a_full_circle",
    "qa_synth/diagram.py": "tests/generators/test_diagram.py",
    "qa_synth/graph.py": " ".join(
        "tests/generators/test_graph.py::test_" + name
        for name in (
            "every_answer_recomputes_from_the_spec",
            "questions_are_balanced_and_every_program_asks",
            "each_kind_is_the_structure_it_claims",
            "reasoning_walks_the_graph_it_answers_from",
            "machine_inputs_use_both_symbols_and_difficulty_follows_their_length",
            "pointing_finds_the_node_by_role_and_name",
            "difficulty_is_the_programs_plus_one_for_a_long_chain",
            "a_matching_question_names_people_as_people",
        )
    ),
    "qa_synth/geometry.py": "tests/generators/test_geometry.py --deselect"
    " tests/generators/test_geometry.py::test_a_sandboxed_run_writes_every_figure",
    "synth/balance.py": "tests/test_balance.py",
    "synth/legibility.py": "tests/test_legibility.py",
    "qa_synth/grammar.py": "tests/qa_synth/test_grammar.py",
    "synth/_seeding.py": "tests/test_core.py",
    "synth/writer.py": "tests/test_writer.py tests/test_run.py tests/test_damage.py",
    "synth/run.py": "tests/test_run.py tests/test_damage.py",
    "synth/build.py": "tests/test_core.py tests/renderers/test_mpl.py",
    "synth/exporters.py": "tests/test_export.py",
    "synth/engine/sandbox.py": "tests/engine/test_sandbox.py tests/engine/test_sandbox_hostile.py",
    "synth/stage.py": "tests/test_stage.py",
    "synth/engine/forked.py": "tests/engine/test_forked.py",
    "generators/scene3d/_photoreal.py": "tests/generators/test_photoreal.py --deselect "
    "tests/generators/test_photoreal.py::"
    "test_a_run_through_the_stage_types_what_the_check_refuses_the_same_with_any_workers",
}


def copy_checkout(dest: Path) -> None:
    """The working tree's files that git tracks or would track (edits and new files included,
    nothing .gitignore names): no .git, venvs or build output."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name.decode())


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """``((line, col), (end line, end col))`` of every annotation in ``source``: arguments',
    returns and annotated assignments."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        found: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            found += [x.annotation for x in every if x is not None] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        for ann in found:
            if ann is not None and ann.end_lineno is not None and ann.end_col_offset is not None:
                spans.append(((ann.lineno, ann.col_offset), (ann.end_lineno, ann.end_col_offset)))
    return spans


def inside(pos: tuple[int, int], spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> bool:
    """Whether a (line, column) position lies in one of the spans."""
    return any(start <= tuple(pos) < end for start, end in spans)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", nargs="?", help="a module path, e.g. synth/balance.py")
    ap.add_argument("--tests", help="pytest arguments (default: the module's from MODULES)")
    ap.add_argument("--budget", type=int, default=0, help="mutants to run (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="which mutants a budget keeps")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant's tests")
    ap.add_argument("--list", action="store_true", help="print the modules and their tests")
    args = ap.parse_args()
    if args.list or not args.module:
        for module, tests in MODULES.items():
            print(f"{module}: {tests}")
        return 0 if args.list else 2
    tests = args.tests or MODULES.get(args.module)
    if tests is None:
        ap.error(f"no tests known for {args.module}; pass --tests (known: {', '.join(MODULES)})")
    try:
        from cosmic_ray.work_db import WorkDB, use_db
        from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult
    except ImportError:
        ap.error(
            "cosmic-ray is not installed: pip install 'cosmic-ray>=8.7,<9' (bash scripts/setup.sh)"
        )
    with tempfile.TemporaryDirectory(prefix="synth-mutate-") as tmp:
        work = Path(tmp)
        copy_checkout(work)
        command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider {tests}"
        config = work / "cosmic-ray.toml"
        config.write_text(
            "[cosmic-ray]\n"
            f'module-path = "{args.module}"\n'
            f"timeout = {args.timeout}\n"
            "excluded-modules = []\n"
            f'test-command = "{command}"\n'
            '[cosmic-ray.distributor]\nname = "local"\n'
        )
        # the copy has no node_modules or Blender venv: the tests use this checkout's
        env = {
            **os.environ,
            "PYTHONPATH": str(work),
            "SYNTH_MERMAID_JS": os.environ.get(
                "SYNTH_MERMAID_JS", str(ROOT / "node_modules/mermaid/dist/mermaid.min.js")
            ),
            "SYNTH_BLENDER_PYTHON": os.environ.get(
                "SYNTH_BLENDER_PYTHON", str(ROOT / ".venv-blender/bin/python")
            ),
        }
        baseline = subprocess.run(
            command.split(), cwd=work, env=env, capture_output=True, text=True
        )
        if baseline.returncode != 0:
            print(f"the tests fail without any mutant:\n{baseline.stdout[-3000:]}", file=sys.stderr)
            return 1
        session = work / "session.sqlite"
        cosmic = str(Path(sys.executable).parent / "cosmic-ray")
        subprocess.run([cosmic, "init", str(config), str(session)], cwd=work, env=env, check=True)
        with use_db(str(session), WorkDB.Mode.open) as db:
            # job ids are random per init: order by what each mutant is, so --seed picks the
            # same mutants of an unchanged module every time
            pending = sorted(
                db.pending_work_items,
                key=lambda w: [(m.start_pos, m.operator_name, m.occurrence) for m in w.mutations],
            )
            # a mutant inside a type annotation is never run (every module has ``from
            # __future__ import annotations``): equivalent by construction, not counted
            spans = annotation_spans((work / args.module).read_text())
            in_annotation = [w for w in pending if inside(w.mutations[0].start_pos, spans)]
            if in_annotation:
                db.set_multiple_results(
                    [w.job_id for w in in_annotation],
                    WorkResult(worker_outcome=WorkerOutcome.SKIPPED),
                )
                pending = [w for w in pending if w not in in_annotation]
            total = len(pending)
            if args.budget and args.budget < total:
                rng = np.random.default_rng(args.seed)
                keep = {int(i) for i in rng.choice(total, size=args.budget, replace=False)}
                skipped = [w.job_id for i, w in enumerate(pending) if i not in keep]
                db.set_multiple_results(skipped, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        subprocess.run([cosmic, "exec", str(config), str(session)], cwd=work, env=env, check=True)
        with use_db(str(session), WorkDB.Mode.open) as db:
            done = [
                (item, result)
                for item, result in db.completed_work_items
                if result.worker_outcome != WorkerOutcome.SKIPPED
            ]
        survived = [(i, r) for i, r in done if r.test_outcome == TestOutcome.SURVIVED]
        killed = len(done) - len(survived)
        print(f"module: {args.module}\ntests: {tests}")
        print(
            f"mutants: {total}, run: {len(done)} (budget {args.budget or 'all'}, seed {args.seed}); "
            f"{len(in_annotation)} more in type annotations left out (never evaluated)"
        )
        print("\n| killed | survived | score |\n|---|---|---|")
        score = killed / len(done) if done else 0.0
        print(f"| {killed} | {len(survived)} | {score:.1%} |")
        for item, result in sorted(survived, key=lambda ir: ir[0].mutations[0].start_pos):
            m = item.mutations[0]
            print(f"\nsurvived: {m.operator_name} at line {m.start_pos[0]} ({m.definition_name})")
            print((result.diff or "").strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
