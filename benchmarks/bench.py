"""Build-speed benchmark: this project's pipeline against Jupyter Book executing everything itself.

Scenarios, in fresh copies of the project:
  (a) clean build            `tradebook build` with no cache and no book
  (b) no-change rebuild      `tradebook build` again, nothing changed
  (c) one data file changed  `tradebook build` after a value in one data file changes
  (d) Jupyter Book alone     `jupyter-book build` with execute_notebooks: "force", the way a user
                             would build the same notebooks without this project
Each round runs (a), (b), (c) and (d), the order of ours and Jupyter Book's alternating between rounds, after
one round not counted. Wall seconds, and CPU seconds (user + system) of the whole process tree as the operating
system accounts it when the command has been reaped, every worker and kernel included. Ratios are taken round
by round, so that a machine whose speed drifts (other people's work) moves both sides of a ratio, and the
medians are reported. Peak memory is the largest total resident memory of the tree, sampled every 50 ms.
Writes benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import yaml

from tradebook.book.project import copy_project

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCENARIOS = {
    "a": "(a) clean build",
    "b": "(b) no-change rebuild",
    "c": "(c) rebuild after {file} changed",
    "d": '(d) Jupyter Book alone, execute_notebooks: "force"',
}


@dataclass
class Run:
    wall: float
    cpu: float
    peak: float  # MB
    output: str


@dataclass
class Figures:
    runs: dict[str, list[Run]] = field(default_factory=lambda: {k: [] for k in SCENARIOS})
    executed: list[set[str]] = field(default_factory=list)  # the notebooks (c) executed, each round
    readers: set[str] = field(default_factory=set)  # the notebooks that read the changed file, by the cache


def measure(cmd: list[str], cwd: Path) -> Run:
    """Wall and CPU seconds and peak MB of a command and every process under it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    # wait4 reports the child's own CPU plus that of every descendant it (or they, in turn) reaped.
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{out[-2000:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak, out)


def least_read_data_file(project: Path) -> Path:
    """A data file that few notebooks read, so (c) shows the cache re-executing only those."""
    candidates = [project / "data" / n for n in ("fdi.csv", "trade_products.csv", "trade.csv")]
    return next(p for p in candidates if p.is_file())


def toggle_value(path: Path, original: str, step: int) -> None:
    """Change the last digit of the last row's value on odd steps, restore it on even ones."""
    if step % 2 == 0:
        path.write_text(original, encoding="utf-8")
        return
    lines = original.splitlines()
    last = lines[-1]
    cut = last.rfind(".")
    digit = last[cut + 1] if cut > 0 and last[cut + 1].isdigit() else None
    if digit is None:
        raise SystemExit(f"cannot find a decimal value to change in {path}")
    lines[-1] = last[: cut + 1] + str((int(digit) + 1) % 10) + last[cut + 2 :]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def jupyter_book_alone(project: Path) -> Path:
    """The same book configured for Jupyter Book's own execution of every notebook."""
    config = yaml.safe_load((project / "_config.yml").read_text())
    config["execute"] = {"execute_notebooks": "force", "timeout": 600}
    (project / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return project


def executed(output: str) -> set[str]:
    return set(re.findall(r"^\s+executed\s+(\S+)\.ipynb", output, re.M))


def readers(project: Path, data_file: Path) -> set[str]:
    """The notebooks whose cache entries name the file among those they read."""
    rel = data_file.relative_to(project).as_posix()
    return {p.parent.name for p in project.glob("_build/.cache/*/*/key.json") if f'"{rel}"' in p.read_text()}


def ours(project: Path, data_file: Path, original: str) -> dict[str, Run]:
    """(a), (b) and (c) once, from a project with no cache and no book."""
    tradebook = [str(BIN / "tradebook"), "build"]
    shutil.rmtree(project / "_build", ignore_errors=True)
    runs = {"a": measure(tradebook, project), "b": measure(tradebook, project)}
    toggle_value(data_file, original, 1)
    try:
        runs["c"] = measure(tradebook, project)
        runs["c"].output += "".join(f"\nreader {name}" for name in sorted(readers(project, data_file)))
    finally:
        toggle_value(data_file, original, 0)
    return runs


def jupyter_book(project: Path) -> Run:
    shutil.rmtree(project / "_build", ignore_errors=True)
    return measure([str(BIN / "jupyter-book"), "build", str(project)], project)


def run(rounds: int, warmup: int) -> tuple[Figures, str]:
    figures = Figures()
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(ROOT, Path(tmp) / "ours")
        alone = jupyter_book_alone(copy_project(ROOT, Path(tmp) / "alone"))
        data_file = least_read_data_file(project)
        original = data_file.read_text(encoding="utf-8")
        for i in range(warmup + rounds):
            label = f"warm-up {i + 1}/{warmup}" if i < warmup else f"round {i - warmup + 1}/{rounds}"
            found: dict[str, Run] = {}
            for side in ("ours", "alone") if i % 2 == 0 else ("alone", "ours"):
                if side == "ours":
                    found.update(ours(project, data_file, original))
                    done = ", ".join(f"{k} {found[k].wall:.2f} s ({found[k].cpu:.1f} CPU-s)" for k in "abc")
                    print(f"{label}: ours {done}; (c) executed {len(executed(found['c'].output))}", flush=True)
                else:
                    found["d"] = jupyter_book(alone)
                    print(
                        f"{label}: Jupyter Book alone {found['d'].wall:.1f} s ({found['d'].cpu:.1f} CPU-s)", flush=True
                    )
            if i >= warmup:
                for key, value in found.items():
                    figures.runs[key].append(value)
                figures.executed.append(executed(found["c"].output))
                figures.readers |= set(re.findall(r"^reader (\S+)", found["c"].output, re.M))
    return figures, data_file.name


def median_ratio(top: list[Run], bottom: list[Run], what: str) -> tuple[float, list[float]]:
    ratios = [getattr(t, what) / getattr(b, what) for t, b in zip(top, bottom, strict=True)]
    return statistics.median(ratios), ratios


def machine() -> str:
    info = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []
    models = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    cpu = models[0] if models else platform.processor() or "unknown processor"
    load = os.getloadavg()[0]
    return (
        f"{psutil.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average {load:.1f} when the run ended (the machine is shared)"
    )


def report(figures: Figures, data_file: str, rounds: int, warmup: int) -> str:
    runs = figures.runs
    rows = []
    for key, name in SCENARIOS.items():
        walls = [r.wall for r in runs[key]]
        cpus = [r.cpu for r in runs[key]]
        rows.append(
            f"| {name.format(file=data_file)} | {' / '.join(f'{w:.2f}' for w in walls)} | "
            f"**{statistics.median(walls):.2f}** | {' / '.join(f'{c:.1f}' for c in cpus)} | "
            f"**{statistics.median(cpus):.1f}** | {max(r.peak for r in runs[key]):,.0f} |"
        )
    lines = []
    for top, bottom, target, what in [
        ("a", "d", "≤ 0.35", "wall"),
        ("a", "d", "≤ 0.5", "cpu"),
        ("b", "a", "≤ 0.02", "wall"),
        ("c", "a", "", "wall"),
        ("c", "a", "", "cpu"),
    ]:
        med, each = median_ratio(runs[top], runs[bottom], what)
        goal = f" (target {target})" if target else ""
        lines.append(
            f"- ({top}) / ({bottom}), {'wall' if what == 'wall' else 'CPU'}: **{med:.3f}**{goal}; "
            f"round by round {' / '.join(f'{r:.3f}' for r in each)}"
        )
    same = all(names == figures.readers for names in figures.executed)
    ran = ", ".join(sorted(figures.readers))
    return "\n".join(
        [
            "# Build benchmark",
            "",
            f"Measured by `make bench` (`benchmarks/bench.py`) on {time.strftime('%Y-%m-%d')}: {machine()}.",
            f"{rounds} rounds after {warmup} not counted; in each round ours ((a), (b), (c)) and Jupyter Book's (d), "
            "in turn, the order alternating between rounds. Times in seconds; CPU is user + system seconds of the "
            "whole process tree (workers, fork server, kernels, renderer); medians in bold; peak memory of the whole "
            "process tree in MB (resident memory summed over its processes: the pages a forked kernel still shares "
            "with the fork server count once in each). On a shared machine other people's work slows both sides of "
            "a round; a single-process build such as (d) waits for the processor more than its CPU time shows.",
            "",
            "| scenario | wall, each round | wall | CPU, each round | CPU | peak memory (MB) |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Ratios, each the median of the rounds' own ratios:",
            "",
            *lines,
            f"- (c): the notebooks whose cache entries list {data_file} among the files they read: {ran}; "
            f"the notebooks executed were {'exactly those, in every round' if same else 'NOT always those'}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args()
    figures, data_file = run(args.rounds, args.warmup)
    text = report(figures, data_file, args.rounds, args.warmup)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
