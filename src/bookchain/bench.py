"""``make bench``: measure the edit loop, side by side in one run.

Everything runs on a temporary copy of the project (so the real book is never
touched) and is timed with wall-clock seconds on this machine; ratios compare
measurements taken minutes apart in the same run. Nothing is asserted: the
numbers, their targets and whether each target is met are written to
``_build/bench.json`` and printed as a table.

Usage::

    python -m bookchain.bench [--quick]

``--quick`` skips the forced build and the nbval timings (for a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bookchain.chapters import Chapter, find_root, helper_modules, list_chapters

BIN = Path(sys.executable).parent
BUILD = [str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--nitpick", "--keep-going"]

TARGETS = {
    "setup_from_lock_s": ("<=", 15.0),
    "binder_vs_full_install_size": ("<=", 0.8),
    "stored_vs_forced_build": ("<=", 0.25),
    "prose_edit_vs_forced_build": ("<=", 0.10),
    "prose_edit_chapters_executed": ("==", 0),
    "code_edit_chapters_executed": ("==", 1),
    "helper_edit_extra_chapters_executed": ("==", 0),
    "nbval_parallel_speedup": (">=", 1.6),
    "replicate_overhead": ("<=", 1.2),
    "power_replicate_vs_fit": ("<=", 0.01),
    "max_page_kib": ("<=", 1024),
    "max_figure_kib": ("<=", 150),
}


def copy_project(root: Path, dest: Path) -> Path:
    """Copy what the book needs (no .venv, .git or _build) into ``dest``."""
    skip = shutil.ignore_patterns(".venv", ".git", "_build", "__pycache__", "*.egg-info",
                                  ".pytest_cache", ".ipynb_checkpoints")
    shutil.copytree(root, dest, ignore=skip)
    return dest


def run(cwd: Path, args: list[str], **env: str) -> tuple[float, str]:
    """Run a command in ``cwd`` importing the copy's helpers; return (seconds, output)."""
    full_env = {**os.environ, "PYTHONPATH": str(cwd / "src"), **env}
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed in {cwd}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def measure_setup(root: Path, work: Path) -> dict:
    """Seconds to create ``.venv`` from the lock in a fresh copy, as ``make`` does.

    Two copies, one after the other: the first run fills uv's package cache if it
    is cold; the second, the one with a target, is set-up on a fresh clone with a
    warm cache (venv, uv bootstrapped with pip, ``uv pip sync`` of the lock, the
    book's package).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.pop("VIRTUAL_ENV", None)
    results: dict = {}
    for key, name in (("setup_first_run_s", "setup-1"), ("setup_from_lock_s", "setup-2")):
        copy = copy_project(root, work / name)
        start, cpu = time.perf_counter(), _children_cpu()
        proc = subprocess.run(["make", "--no-print-directory", ".venv/.installed"], cwd=copy, env=env,
                              capture_output=True, text=True)
        results[key] = time.perf_counter() - start
        # CPU seconds of the set-up's processes: what a loaded machine does not inflate.
        results[key.removesuffix("_s") + "_cpu_s"] = _children_cpu() - cpu
        if proc.returncode != 0:
            raise RuntimeError(f"make .venv/.installed failed in {copy}:\n"
                               f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        shutil.rmtree(copy / ".venv")
    return results


def _venv_mib(venv: Path) -> float:
    return sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20


def measure_binder_install(root: Path, work: Path) -> dict:
    """Binder's install (binder/postBuild's pip step) beside the developers' full lock.

    Each lock goes into a fresh venv with pip, as Binder installs it (hashes checked, no
    dependency resolution), one after the other in this run, with pip's cache warm from
    a first pass; seconds and the venv's size in MiB, and the ratio of the sizes.
    """
    results: dict = {}
    for key, lock in (("binder", root / "binder" / "requirements.lock"), ("full", root / "requirements.lock")):
        for attempt in ("warm-up", "measured"):
            venv = work / f"venv-{key}-{attempt}"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            start = time.perf_counter()
            proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                   "--disable-pip-version-check", "--require-hashes", "--no-deps",
                                   "-r", str(lock)], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"pip install -r {lock} failed:\n{proc.stderr[-3000:]}")
            if attempt == "measured":
                results[f"{key}_install_s"] = seconds
                results[f"{key}_install_mib"] = _venv_mib(venv)
            shutil.rmtree(venv)
    results["binder_vs_full_install_size"] = results["binder_install_mib"] / results["full_install_mib"]
    return results


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def execute_chapters(cwd: Path, *extra: str) -> tuple[float, dict[str, float]]:
    """Run ``bookchain.execute`` in the copy; return (seconds, {chapter: seconds executed})."""
    seconds, out = run(cwd, [sys.executable, "-m", "bookchain.execute", *extra])
    executed = {m.group(1): float(m.group(2))
                for m in re.finditer(r"^executed\s+(\S+) \(.*?; ([\d.]+) s\)$", out, re.M)}
    return seconds, executed


def set_execution(cwd: Path, mode: str) -> None:
    config = cwd / "_config.yml"
    text = re.sub(r'execute_notebooks: "\w+"', f'execute_notebooks: "{mode}"', config.read_text())
    config.write_text(text)


def measure_builds(root: Path, work: Path, quick: bool) -> dict:
    """Stored vs forced build, and a prose edit vs a forced build."""
    results: dict = {}
    stored = copy_project(root, work / "stored")
    results["stored_build_s"], _ = run(stored, BUILD)
    if not quick:
        forced = copy_project(root, work / "forced")
        set_execution(forced, "force")
        results["forced_build_s"], _ = run(forced, BUILD)
        results["stored_vs_forced_build"] = results["stored_build_s"] / results["forced_build_s"]

    # A prose-only edit to one chapter: make execute, then the incremental build.
    chapter = list_chapters(stored)[-1]
    text = chapter.md.read_text()
    chapter.md.write_text(text.replace("## Key points\n", "## Key points\n\nIn short:\n", 1))
    sync_s, executed = execute_chapters(stored)
    build_s, _ = run(stored, BUILD)
    results["prose_edit_rebuild_s"] = sync_s + build_s
    results["prose_edit_chapters_executed"] = len(executed)
    if "forced_build_s" in results:
        results["prose_edit_vs_forced_build"] = results["prose_edit_rebuild_s"] / results["forced_build_s"]
    results.update(measure_site(stored))
    return results


def measure_site(book: Path) -> dict:
    """The heaviest chapter page (HTML plus its images) and the heaviest figure."""
    site = book / "_build" / "html"
    pages, figures = {}, {}
    for chapter in list_chapters(book):
        page = site / f"{chapter.stem}.html"
        html = page.read_text()
        images = [site / "book" / src for src in re.findall(r'<img[^>]*src="([^"]+)"', html)]
        sizes = {img.name: img.stat().st_size / 1024 for img in images if img.exists()}
        pages[chapter.name] = page.stat().st_size / 1024 + sum(sizes.values())
        figures.update(sizes)
    return {
        "page_kib": {k: round(v, 1) for k, v in pages.items()},
        "max_page_kib": max(pages.values()),
        "max_figure_kib": max(figures.values()) if figures else 0.0,
    }


def measure_execution(root: Path, work: Path) -> dict:
    """Per-chapter execution seconds; which chapters re-run after code or helper edits."""
    copy = copy_project(root, work / "execute")
    _, seconds = execute_chapters(copy, "--all")
    results: dict = {"chapter_execution_s": {k: round(v, 2) for k, v in seconds.items()}}

    chapters = list_chapters(copy)
    target = chapters[0]
    text = target.md.read_text()
    target.md.write_text(text.replace("RNG_SEED = 42", "RNG_SEED = 42  # seed of every draw", 1))
    _, executed = execute_chapters(copy)
    results["code_edit_chapters_executed"] = len(executed)

    package = copy / "src" / "lmmbook"
    module = package / "plotting" / "base.py"
    importers = sorted(c.name for c in chapters if module in helper_modules(code_of(c), package))
    module.write_text(module.read_text() + "\n# a comment: the module changed\n")
    _, executed = execute_chapters(copy)
    results["helper_edit_module"] = "lmmbook/plotting/base.py"
    results["helper_edit_importers"] = importers
    results["helper_edit_chapters_executed"] = sorted(executed)
    results["helper_edit_extra_chapters_executed"] = len(set(executed) - set(importers))
    return results


def code_of(chapter: Chapter) -> str:
    import jupytext

    return "\n".join(c.source for c in jupytext.read(chapter.md).cells if c.cell_type == "code")


def measure_nbval(root: Path) -> dict:
    """nbval over every chapter with one worker and with two (loadscope)."""
    notebooks = [str(c.ipynb.relative_to(root)) for c in list_chapters(root)]
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval",
            "--nbval-current-env", "--nbval-sanitize-with", "tests/sanitize.cfg", "--dist", "loadscope"]
    one, _ = run(root, [*base, "-n", "1", *notebooks])
    two, _ = run(root, [*base, "-n", "2", *notebooks])
    return {"nbval_1_worker_s": one, "nbval_2_workers_s": two, "nbval_parallel_speedup": one / two}


def measure_replicates(rounds: int = 5, per_round: int = 20) -> dict:
    """Seconds per replicate of the book's simulation studies vs one bare fit.

    Each study runs ``per_round`` replicates in one call; the bare side makes
    ``per_round`` plain ``smf.mixedlm(...).fit()`` calls on data of the same
    kind. The two alternate for ``rounds`` rounds so machine noise hits both
    alike; the ratio of the medians is reported.
    """
    import numpy as np
    import statsmodels.formula.api as smf

    results: dict = {}
    for name, (study, formula, make_data) in _studies(per_round).items():
        study_s, bare_s = [], []
        for r in range(rounds):
            rng = np.random.default_rng(r)
            datasets = [make_data(rng) for _ in range(per_round)]
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for df in datasets:
                    smf.mixedlm(formula, df, groups="school").fit(reml=True)
            bare_s.append((time.perf_counter() - start) / per_round)
            start = time.perf_counter()
            study(r)
            study_s.append((time.perf_counter() - start) / per_round)
        results[f"{name}_replicate_s"] = float(np.median(study_s))
        results[f"{name}_bare_fit_s"] = float(np.median(bare_s))
        results[f"{name}_overhead"] = float(np.median(study_s) / np.median(bare_s))
    results["replicate_overhead"] = max(v for k, v in results.items() if k.endswith("_overhead"))
    return results


def measure_power_replicates(rounds: int = 5, n_sims: int = 2000, n_fits: int = 20) -> dict:
    """Seconds per simulated trial of the power chapter's fast method vs one statsmodels fit.

    The fast side simulates ``n_sims`` balanced trials of a school-level treatment
    (20 schools of 20 students) in one array and tests each with the exact
    t-test on the school means (``lmmbook.power``), as ``simulate_power`` does;
    the bare side fits ``smf.mixedlm("score ~ treated", ...).fit(reml=True)`` to
    ``n_fits`` trials of the same kind. The two alternate for ``rounds`` rounds
    and the ratio of the median seconds per trial is reported.
    """
    import numpy as np
    import statsmodels.formula.api as smf

    from lmmbook.power import assign_treatment, simulate_power, simulate_scores, trial_frame

    design = assign_treatment(20, 20, "school")
    settings = {"effect": 4.0, "school_sd": 10**0.5, "noise_sd": 90**0.5}
    fast_s, bare_s = [], []
    for r in range(rounds):
        scores = simulate_scores(design, n_fits, seed=r, **settings)
        frames = [trial_frame(scores, design, replicate=k) for k in range(n_fits)]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for df in frames:
                smf.mixedlm("score ~ treated", df, groups="school").fit(reml=True)
        bare_s.append((time.perf_counter() - start) / n_fits)
        start = time.perf_counter()
        simulate_power(20, 20, level="school", n_sims=n_sims, seed=r, **settings)
        fast_s.append((time.perf_counter() - start) / n_sims)
    return {
        "power_replicate_s": float(np.median(fast_s)),
        "power_bare_fit_s": float(np.median(bare_s)),
        "power_replicate_vs_fit": float(np.median(fast_s) / np.median(bare_s)),
    }


def _studies(per_round: int) -> dict:
    """The book's simulation studies: (run per_round replicates, bare formula, make data)."""
    import statsmodels.formula.api as smf

    from lmmbook.bootstrap import bootstrap_icc, simulate_from_fit
    from lmmbook.simulate import simulate_schools
    from lmmbook.studies import simulate_estimates

    data = simulate_schools(seed=42)
    fit = smf.mixedlm("score ~ hours", data, groups="school").fit(reml=True)

    def bootstrap_data(rng):
        return data.assign(score=simulate_from_fit(fit, seed=rng))

    return {
        "coverage_study": (
            lambda seed: simulate_estimates(n_sims=per_round, seed=seed),
            "score ~ hours + resources",
            lambda rng: simulate_schools(seed=rng, resources_effect=4.0),
        ),
        "icc_bootstrap": (
            lambda seed: bootstrap_icc(fit, n_boot=per_round, seed=seed),
            "score ~ hours",
            bootstrap_data,
        ),
    }


def format_table(results: dict) -> str:
    rows = []
    for name, (op, target) in TARGETS.items():
        if name not in results:
            rows.append(f"{name:<38} {'not measured':>12}   target {op} {target}")
            continue
        value = results[name]
        met = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]
        results.setdefault("targets", {})[name] = {"target": f"{op} {target}", "met": bool(met)}
        if isinstance(value, float):
            shown = f"{value:.3f}" if value == 0 or abs(value) >= 0.01 else f"{value:.2e}"
        else:
            shown = str(value)
        rows.append(f"{name:<38} {shown:>12}   target {op} {target}   {'met' if met else 'NOT MET'}")
    rows.append("")
    for key in ("setup_first_run_s", "setup_from_lock_cpu_s", "binder_install_s", "full_install_s",
                "binder_install_mib", "full_install_mib", "stored_build_s", "forced_build_s",
                "prose_edit_rebuild_s", "nbval_1_worker_s", "nbval_2_workers_s"):
        if key in results:
            rows.append(f"{key:<38} {results[key]:>12.1f}")
    for chapter, seconds in results.get("chapter_execution_s", {}).items():
        rows.append(f"execute {chapter:<30} {seconds:>12.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookchain.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the forced build and nbval")
    args = parser.parse_args(argv)
    root = find_root()
    results: dict = {"machine_cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="lmmbook-bench-") as tmp:
        work = Path(tmp)
        results.update(measure_setup(root, work))
        results.update(measure_binder_install(root, work))
        results.update(measure_builds(root, work, args.quick))
        results.update(measure_execution(root, work))
    if not args.quick:
        results.update(measure_nbval(root))
    results.update(measure_replicates())
    results.update(measure_power_replicates())
    table = format_table(results)
    out = root / "_build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, sort_keys=True))
    print(table)
    print(f"\nwritten to {out.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
