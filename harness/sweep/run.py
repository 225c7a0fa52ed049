"""Running a sweep: every variant is a whole run with its own run record; a sweep record ties them together.

Variants run one after another in this process, or in `jobs` worker processes with the machine's torch threads
split between them (two 2-thread processes on 2 cores spin-wait on each other and run many times slower). All
variants share one results folder, so a stage another variant already built (or is building: the store's lock
makes the second wait) is reused. A killed sweep resumes like any run: run it again and finished stages are reused.

`results/runs/<sweep>/<sweep-id>/sweep.json` lists each variant's label, swept values, seed, status, run folder
(`results/runs/<sweep>.<label>/<run-id>`) and the stages it built rather than reused; it is rewritten as variants
finish and says `finished` at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from harness.progress import NULL_PROGRESS, PlainDisplay, Progress
from harness.recipes.loader import Recipe, RecipeError
from harness.run.records import claim_run_dir, git_revision, new_run_id
from harness.run.store import write_json_atomic
from harness.sweep.record import SweepRecord, VariantEntry, sweep_json
from harness.sweep.spec import Sweep, Variant, group_values

SWEEP_FILE = "sweep.json"


def threads_per_job(jobs: int) -> int:
    from harness.train.runtime import machine_threads

    return max(1, machine_threads() // jobs)


def _init_worker(threads: int) -> None:
    from harness.run.allocator import keep_freed_memory

    keep_freed_memory()  # as the harness command does in its own process
    # Before torch is imported in this fresh (spawned) process, so training and generation both see it.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)


def run_variant(
    recipe: Recipe,
    results: str,
    label: str,
    log: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """One variant, as `harness run` would run its recipe. A failure is returned as one line, never raised, so the
    other variants still run and the sweep record says which failed and why. Without `progress` (a worker process)
    the variant reports as plain lines prefixed with its label."""
    from harness.run.pipeline import Pipeline
    from harness.run.secrets import scrub

    def say(line: str) -> None:
        print(scrub(f"[{label}] {line}"), flush=True)

    started = time.perf_counter()
    try:
        if progress is None:
            with PlainDisplay(say) as display:
                out = Pipeline(recipe, results, log=log or display.log, progress=display).run()
        else:
            out = Pipeline(recipe, results, log=log or say, progress=progress).run()
    except Exception as exc:
        error = str(exc) if isinstance(exc, (RecipeError, ValueError, FileNotFoundError)) else repr(exc)
        return {"status": "failed", "error": scrub(error), "seconds": round(time.perf_counter() - started, 2)}
    # What this variant built rather than reused: the check that variants share what the swept field leaves alone.
    built = [label for label, stage in out["record"]["stages"].items() if not stage.get("reused")]
    return {
        "status": "done",
        "run_dir": out["run_dir"],
        "seconds": round(time.perf_counter() - started, 2),
        "built": built,
    }


def _prefixed(log: Callable[[str], None], label: str) -> Callable[[str], None]:
    return lambda line: log(f"[{label}] {line}")


def variant_entry(variant: Variant, recipe: Recipe) -> VariantEntry:
    return VariantEntry(
        label=variant.label,
        group=variant.group,
        values=group_values(variant),
        seed=variant.seed,
        extra=variant.extra,
        recipe=recipe.name,
        status="pending",
    )


def run_sweep(
    sweep: Sweep,
    results: str | Path,
    jobs: int = 1,
    log: Callable[[str], None] = print,
    progress: Progress = NULL_PROGRESS,
) -> dict[str, Any]:
    """Runs every variant (already validated) and returns the sweep record. With one job the variants report to
    `progress` in turn (each as a run named `<sweep>.<label>`); worker processes write their own plain lines."""
    if jobs < 1:
        raise RecipeError(f"--jobs {jobs}: give 1 or more worker processes")
    results = Path(results)
    started = time.perf_counter()
    threads = threads_per_job(jobs)
    record = SweepRecord(
        sweep=sweep.name,
        sweep_id=new_run_id(sweep.key),
        sweep_key=sweep.key,
        recipe_file=sweep.path,
        spec=sweep.spec.model_dump(mode="json"),
        jobs=jobs,
        threads_per_job=threads,
        git_revision=git_revision(Path(__file__).parent),
        finished=False,
        variants=[variant_entry(v, r) for v, r in sweep.variants],
    )
    folder = claim_run_dir(results / "runs" / sweep.name, {"run_id": record.sweep_id})
    record.sweep_id = folder.name
    path = folder / SWEEP_FILE

    def finish(index: int, outcome: dict[str, Any]) -> None:
        if "run_dir" in outcome:
            outcome = {**outcome, "run_dir": os.path.relpath(outcome["run_dir"], results)}
        entry = record.finish(index, outcome)
        how = (
            f"run record {entry.run_dir}, built {len(entry.built or [])} stage(s)"
            if entry.status == "done"
            else f"FAILED: {entry.error}"
        )
        log(f"[sweep {sweep.name}] {entry.label}: {how} ({entry.seconds or 0:.0f}s)")
        write_json_atomic(path, sweep_json(record), sort_keys=False)

    write_json_atomic(path, sweep_json(record), sort_keys=False)
    log(
        f"[sweep {sweep.name}] {len(sweep.variants)} variants, {jobs} job(s) x {threads} torch thread(s); record {path}"
    )
    if jobs == 1:
        for i, (variant, recipe) in enumerate(sweep.variants):
            log(f"[sweep {sweep.name}] variant {i + 1}/{len(sweep.variants)}: {variant.label}")
            log_variant = _prefixed(log, variant.label)
            finish(i, run_variant(recipe, str(results), variant.label, log=log_variant, progress=progress))
    else:
        context = multiprocessing.get_context("spawn")  # no forked torch state; each worker sets its own threads
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(threads,)
        ) as pool:
            futures: dict[Future, int] = {
                pool.submit(run_variant, recipe, str(results), variant.label): i
                for i, (variant, recipe) in enumerate(sweep.variants)
            }
            for future in as_completed(futures):
                finish(futures[future], future.result())
    record.finished, record.seconds = True, round(time.perf_counter() - started, 2)
    write_json_atomic(path, sweep_json(record), sort_keys=False)
    return {**sweep_json(record), "path": str(path)}


__all__ = ["SWEEP_FILE", "run_sweep", "run_variant", "threads_per_job"]
