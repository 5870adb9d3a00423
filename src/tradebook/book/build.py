"""Build the book: validate inputs, execute notebooks (parallel, cached), render, then publish atomically.

The published HTML is replaced only when every step succeeded, so a failed build leaves the last
good book untouched. A notebook is executed again only when its source, parameters, package code,
pinned requirements or one of the data files it read last time changed.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml
from papermill.exceptions import PapermillExecutionError

from ..analysis import claim_spec
from ..data.errors import InputError, Problem, display_path
from ..data.validate import VALIDATED, partial_year_warnings, record_validated, validate_all
from . import toc
from .cache import Cache, code_digest, digest
from .editions import Edition
from .errors import BuildError
from .glue import READS_MIME
from .normalise import prepare

BOOK_FILES = ("_config.yml", "_toc.yml")
BOOK_DIRS = ("assets",)


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook in this build."""

    name: str
    status: str  # executed | reused | failed
    seconds: float
    message: str = ""


def log(text: str) -> None:
    """One progress line, written whole: worker processes write theirs to the same terminal."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def validate_inputs(data_dir: Path) -> list[Problem]:
    """Every problem in the data files and in the claims of a data folder (which may have none)."""
    problems = validate_all(data_dir)
    claims_file = Path(data_dir) / claim_spec.FILENAME
    if claims_file.exists():
        problems += claim_spec.check(claims_file)
    return problems


# Run after a notebook's last cell, then removed: the kernel reports the files it read (book.glue).
REPORT_READS = "from tradebook.book.glue import report_reads\nreport_reads()"


def with_reads_report(notebook: Path) -> nbformat.NotebookNode:
    """The notebook with a last cell that reports what the kernel read."""
    nb = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_code_cell(REPORT_READS, metadata={"tags": ["remove-cell"]})
    cell.pop("id", None)
    nb.cells.append(cell)
    return nb


def take_reads(path: Path) -> list[str]:
    """The files an executed notebook reported reading (paths relative to its folder); drops the report."""
    nb = nbformat.read(path, as_version=4)
    reads = [p for c in nb.cells for o in c.get("outputs", []) for p in o.get("data", {}).get(READS_MIME, [])]
    if nb.cells and nb.cells[-1].source == REPORT_READS:
        nb.cells.pop()
    for cell in nb.cells:
        cell["outputs"] = [o for o in cell.get("outputs", []) if READS_MIME not in o.get("data", {})]
    nbformat.write(nb, path)
    return list(dict.fromkeys(reads))


def _execute(source: str, target: str, parameters: dict[str, Any], cwd: str) -> tuple[str, list[str], str, float]:
    """Run one notebook with papermill (in a worker process); returns status, files read, message, seconds.

    The files read are named relative to the notebook's folder, as its kernel saw them.
    """
    sys.stdout.write(f"  running  {Path(source).name} …\n")
    sys.stdout.flush()
    started = time.perf_counter()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)  # kernels inherit stderr; their start-up chatter is not the user's business
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        papermill.execute_notebook(
            with_reads_report(Path(source)),
            target,
            parameters=parameters,
            cwd=cwd,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
        status, message = "ok", ""
        hide_injected_parameters(Path(target))
    except PapermillExecutionError as err:
        status = "nodata" if err.ename == "NoData" else "failed"
        message = f"{err.ename}: {err.evalue}" if status == "failed" else str(err.evalue)
    except Exception as err:  # noqa: BLE001 - a kernel that dies must fail the build, not crash it
        status, message = "failed", f"{type(err).__name__}: {err}"
    reads = take_reads(Path(target)) if Path(target).is_file() else []
    return status, reads, message, time.perf_counter() - started


def hide_injected_parameters(path: Path) -> None:
    """Fold away the cell papermill adds, like the parameters cell it overrides."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "hide-cell" not in tags:
            cell.metadata["tags"] = [*tags, "hide-cell"]
    nbformat.write(nb, path)


def no_data_notebook(source: Path, target: Path, message: str) -> None:
    """A page that says plainly that this edition's data does not cover the chapter."""
    original = nbformat.read(source, as_version=4)
    title = next(
        (c.source.splitlines()[0] for c in original.cells if c.cell_type == "markdown" and c.source.startswith("# ")),
        f"# {source.stem}",
    )
    nb = nbformat.v4.new_notebook(metadata=original.metadata)
    nb.cells = [
        nbformat.v4.new_markdown_cell(title),
        nbformat.v4.new_markdown_cell(
            ":::{important}\nNo data for this chapter in this edition.\n\n"
            f"{html.escape(message)}\n\nNothing on this page is estimated to fill the gap.\n:::"
        ),
    ]
    nbformat.write(nb, target)


def execute_all(
    root: Path, notebooks: list[Path], edition: Edition, out_dir: Path, cache: Cache, jobs: int
) -> list[Outcome]:
    """Execute what the cache cannot supply, in parallel; copy every executed notebook to out_dir."""
    code = code_digest(root)
    plans = []
    for nb in notebooks:
        declared = toc.declared_parameters(nb)
        given = {"notes": edition.notes, **edition.parameters}  # notes: the edition's text about its partner
        nb_params = {k: v for k, v in given.items() if k in declared}
        key = digest(nb.read_bytes(), json.dumps(nb_params, sort_keys=True).encode(), code.encode())
        plans.append((nb, nb_params, key))
    outcomes: list[Outcome] = []
    todo = []
    for nb, nb_params, key in plans:
        hit = cache.lookup(nb.stem, key)
        if hit:
            shutil.copyfile(hit, out_dir / nb.name)
            outcomes.append(Outcome(nb.name, "reused", 0.0))
            log(f"  reused   {nb.name} (inputs unchanged)")
        else:
            todo.append((nb, nb_params, key))
    if not todo:
        return outcomes
    work = out_dir.parent / "running"
    work.mkdir(parents=True, exist_ok=True)
    log(f"  executing {len(todo)} notebook(s) with {min(jobs, len(todo))} worker(s)…")
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
        futures = {}
        for nb, nb_params, key in todo:
            target = work / nb.name
            fut = pool.submit(_execute, str(nb), str(target), nb_params, str(nb.parent))
            futures[fut] = (nb, key, target)
        for fut in as_completed(futures):
            nb, key, target = futures[fut]
            status, reads, message, seconds = fut.result()
            if status == "failed":
                outcomes.append(Outcome(nb.name, "failed", seconds, message))
                log(f"  FAILED   {nb.name} after {seconds:.1f} s: {message}")
                continue
            if status == "nodata":
                no_data_notebook(nb, target, message)
            # The kernel named the files relative to the notebook's folder; the cache, relative to the project.
            rel = [os.path.relpath(os.path.normpath(nb.parent / r), root) for r in reads]
            stored = cache.store(nb.stem, key, target, rel)
            shutil.copyfile(stored, out_dir / nb.name)
            outcomes.append(Outcome(nb.name, "executed", seconds))
            note = " (no data for this partner: page says so)" if status == "nodata" else ""
            log(f"  executed {nb.name} in {seconds:.1f} s{note}")
    return outcomes


def stage_sources(root: Path, stage: Path, edition: Edition) -> Path:
    """Copy the book's own files beside the executed notebooks; the edition sets the title."""
    src = stage / "src"
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    # The theme prints the title as HTML: the edition's title is text, so it goes in escaped.
    config["title"] = html.escape(edition.title)
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copyfile(root / "_toc.yml", src / "_toc.yml")
    for folder in BOOK_DIRS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, src / folder, dirs_exist_ok=True)
    return src


def render(src: Path, stage: Path) -> Path:
    """Jupyter Book with execution off and warnings as errors; returns the rendered html folder."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(src), "--path-output", str(stage), "-W", "--keep-going", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "WARNING" in ln or "ERROR" in ln]
        raise BuildError("Jupyter Book failed: " + (tail[0] if tail else proc.stderr.strip()[-300:]))
    return stage / "_build" / "html"


def publish(new_html: Path, target: Path) -> None:
    """Swap the new HTML into place with renames, so readers never see a half-written book."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    shutil.move(str(new_html), str(target))
    if old.exists():
        shutil.rmtree(old)


def target_dir(root: Path, edition: Edition) -> Path:
    if edition.default:
        return root / "_build" / "html"
    return root / "_build" / "editions" / edition.slug / "html"


def inputs_digest(root: Path, edition: Edition) -> str:
    """One hash of everything a build reads: data, notebooks, book config, parameters, code, pins."""
    data_dir = (root / "notebooks" / edition.parameters.get("data_dir", "../data")).resolve()
    files = [root / f for f in BOOK_FILES]
    for folder in (data_dir, root / "notebooks", *(root / d for d in BOOK_DIRS)):
        files += sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    # Named relative to the project: a copy of a built project with the same files is up to date.
    parts = [os.path.relpath(p, root).encode() + p.read_bytes() for p in files if p.is_file()]
    parts.append(json.dumps([edition.slug, edition.title, edition.parameters], sort_keys=True).encode())
    return digest(code_digest(root).encode(), *parts)


def _stamp(root: Path, edition: Edition) -> Path:
    return root / "_build" / ".cache" / edition.slug / "inputs.key"


def up_to_date(root: Path, edition: Edition) -> bool:
    """True when the published book was built from exactly these inputs: nothing to validate or run."""
    stamp = _stamp(root, edition)
    return target_dir(root, edition).is_dir() and stamp.is_file() and stamp.read_text() == inputs_digest(root, edition)


def build(root: Path, edition: Edition, jobs: int | None = None) -> Path:
    """The whole build for one edition; returns the published html folder."""
    t0 = time.perf_counter()
    inputs = inputs_digest(root, edition)
    data_dir = root / "notebooks" / edition.parameters.get("data_dir", "../data")
    problems = validate_inputs(data_dir)
    if problems:
        raise InputError(problems)
    for warning in partial_year_warnings(data_dir):
        log(f"warning: {warning}")
    notebooks = toc.notebooks(root)
    build_dir = root / "_build"
    stage = build_dir / ".stage" / edition.slug
    if stage.exists():
        shutil.rmtree(stage)
    src = stage_sources(root, stage, edition)
    validated = stage / "validated.json"
    record_validated(data_dir, validated)
    os.environ[VALIDATED] = str(validated)  # inherited by the workers and their kernels
    log(f"Edition {edition.slug}: {len(notebooks)} notebooks, parameters from {edition.source}")
    cache = Cache(root, build_dir / ".cache" / edition.slug)
    outcomes = execute_all(root, notebooks, edition, src / "notebooks", cache, jobs or os.cpu_count() or 1)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise BuildError(f"notebooks/{failed[0].name} failed: {failed[0].message}")
    prepare(src / "notebooks")  # reproducible notebooks, their CSV downloads beside them
    target = target_dir(root, edition)
    render_key = digest(*(p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()))
    stamp = cache.folder / "html.key"
    executed = sum(o.status == "executed" for o in outcomes)
    if target.is_dir() and stamp.is_file() and stamp.read_text() == render_key:
        log("  HTML is up to date: nothing to render")
    else:
        publish(render(src, stage), target)
        stamp.write_text(render_key)
    shutil.rmtree(stage, ignore_errors=True)
    _stamp(root, edition).write_text(inputs)
    reused = len(outcomes) - executed
    log(
        f"Built {display_path(target)}: {len(outcomes)} notebooks ({executed} executed, {reused} reused) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return target
