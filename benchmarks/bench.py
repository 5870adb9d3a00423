"""Build-speed benchmark: this project's pipeline against Jupyter Book executing everything itself.

Scenarios, each repeated (default 3) in a fresh copy of the project, medians reported:
  (a) clean build            `tradebook build` with no cache and no book
  (b) no-change rebuild      `tradebook build` again, nothing changed
  (c) one data file changed  `tradebook build` after a value in one data file changes
  (d) Jupyter Book alone     `jupyter-book build` with execute_notebooks: "force", the way a user
                             would build the same notebooks without this project
Peak memory is the largest total resident memory of the build's whole process tree, sampled every 50 ms.
Writes benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

from tradebook.book.project import copy_project

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak MB of a command and all its children."""
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
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{out[-2000:]}")
    return seconds, peak


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


def run(repeats: int) -> list[tuple[str, list[float], float]]:
    tradebook = [str(BIN / "tradebook"), "build"]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = copy_project(ROOT, Path(tmp) / "ours")
        clean, rebuild, changed = [], [], []
        peaks = {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0}
        data_file = least_read_data_file(ours)
        original = data_file.read_text(encoding="utf-8")
        for i in range(repeats):
            shutil.rmtree(ours / "_build", ignore_errors=True)
            s, m = measure(tradebook, ours)
            clean.append(s)
            peaks["a"] = max(peaks["a"], m)
            s, m = measure(tradebook, ours)
            rebuild.append(s)
            peaks["b"] = max(peaks["b"], m)
            toggle_value(data_file, original, 2 * i + 1)
            s, m = measure(tradebook, ours)
            changed.append(s)
            peaks["c"] = max(peaks["c"], m)
            toggle_value(data_file, original, 0)
            print(
                f"run {i + 1}: clean {clean[-1]:.1f} s, no change {rebuild[-1]:.1f} s, "
                f"{data_file.name} changed {changed[-1]:.1f} s",
                flush=True,
            )
        alone = jupyter_book_alone(copy_project(ROOT, Path(tmp) / "alone"))
        plain = []
        for i in range(repeats):
            shutil.rmtree(alone / "_build", ignore_errors=True)
            s, m = measure([str(BIN / "jupyter-book"), "build", str(alone)], alone)
            plain.append(s)
            peaks["d"] = max(peaks["d"], m)
            print(f"run {i + 1}: Jupyter Book alone {s:.1f} s", flush=True)
    results = [
        ("(a) clean build", clean, peaks["a"]),
        ("(b) no-change rebuild", rebuild, peaks["b"]),
        (f"(c) rebuild after {data_file.name} changed", changed, peaks["c"]),
        ('(d) Jupyter Book alone, execute_notebooks: "force"', plain, peaks["d"]),
    ]
    return results


def report(results: list[tuple[str, list[float], float]], repeats: int) -> str:
    med = {name[:3]: statistics.median(times) for name, times, _ in results}
    rows = [
        f"| {name} | {' / '.join(f'{t:.1f}' for t in times)} | {statistics.median(times):.1f} | {peak:,.0f} |"
        for name, times, peak in results
    ]
    ratios = [
        f"- (a) / (d) = **{med['(a)'] / med['(d)']:.2f}** (target ≤ 0.6): clean build against Jupyter Book alone",
        f"- (b) / (a) = **{med['(b)'] / med['(a)']:.2f}** (target ≤ 0.15): no-change rebuild against clean build",
        f"- (c) / (a) = **{med['(c)'] / med['(a)']:.2f}**: one data file changed against clean build",
    ]
    cpu = psutil.cpu_count()
    mem = psutil.virtual_memory().total / 2**30
    return "\n".join(
        [
            "# Build benchmark",
            "",
            f"Measured by `make bench` (`benchmarks/bench.py`) on {time.strftime('%Y-%m-%d')}, {cpu} cores, "
            f"{mem:.0f} GiB, {repeats} runs each; times in seconds, peak memory of the whole process tree in MB.",
            "",
            "| scenario | runs (s) | median (s) | peak memory (MB) |",
            "|---|---|---|---|",
            *rows,
            "",
            *ratios,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args()
    text = report(run(args.repeats), args.repeats)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
