"""Build the book: validate inputs, execute notebooks (parallel, cached), render, then publish atomically.

The published HTML is replaced only when every step succeeded, so a failed build leaves the last
good book untouched. A notebook is executed again only when its source, parameters, package code,
pinned requirements or one of the data files it read last time changed.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml

from . import params as params_mod
from .errors import InputError, display_path
from .paths import READS_LOG, VALIDATED

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


def toc_notebooks(root: Path) -> list[Path]:
    """Notebooks in the order of _toc.yml."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        files += [c["file"] for c in part.get("chapters", [])]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").is_file()]


def declared_parameters(notebook: Path) -> dict[str, str]:
    """Parameter name → type name, as the notebook's `parameters` cell annotates them."""
    return dict(_declared(Path(notebook).resolve(), Path(notebook).stat().st_mtime_ns))


@functools.cache
def _declared(notebook: Path, _mtime: int) -> tuple[tuple[str, str], ...]:
    import papermill

    found = papermill.inspect_notebook(str(notebook))
    return tuple((name, info["inferred_type_name"]) for name, info in found.items())


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def code_digest(root: Path) -> str:
    """One hash of the package source and the pinned requirements: both change what notebooks compute."""
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    parts = [p.relative_to(package).as_posix().encode() + p.read_bytes() for p in files]
    req = root / "requirements.txt"
    parts.append(req.read_bytes() if req.is_file() else b"")
    parts.append(sys.version.encode())
    return _digest(*parts)


def file_digest(path: str) -> str | None:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


class Cache:
    """Executed copies keyed on everything that went into them; a failed run is never stored."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _entry(self, name: str) -> Path:
        return self.folder / name

    def lookup(self, name: str, key: str) -> Path | None:
        entry = self._entry(name)
        meta_path = entry / "key.json"
        if not meta_path.is_file():
            return None
        meta = json.loads(meta_path.read_text())
        if meta.get("key") != key:
            return None
        if any(file_digest(p) != d for p, d in meta.get("reads", {}).items()):
            return None
        out = entry / "executed.ipynb"
        return out if out.is_file() else None

    def store(self, name: str, key: str, executed: Path, reads: list[str]) -> Path:
        entry = self._entry(name)
        entry.mkdir(parents=True, exist_ok=True)
        out = entry / "executed.ipynb"
        shutil.copyfile(executed, out)
        meta = {"key": key, "reads": {p: file_digest(p) for p in sorted(set(reads))}}
        (entry / "key.json").write_text(json.dumps(meta, indent=1))
        return out


def _execute(source: str, target: str, parameters: dict[str, Any], cwd: str) -> tuple[str, list[str], str, float]:
    """Run one notebook with papermill (in a worker process); returns status, files read, message, seconds."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with tempfile.NamedTemporaryFile("r", suffix=".reads", delete=False) as fh:
        reads_log = fh.name
    os.environ[READS_LOG] = reads_log
    sys.stdout.write(f"  running  {Path(source).name} …\n")
    sys.stdout.flush()
    started = time.perf_counter()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)  # kernels inherit stderr; their start-up chatter is not the user's business
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        papermill.execute_notebook(
            source,
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
    reads = Path(reads_log).read_text().split() if Path(reads_log).exists() else []
    Path(reads_log).unlink(missing_ok=True)
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
    root: Path, notebooks: list[Path], edition: params_mod.Edition, out_dir: Path, cache: Cache, jobs: int
) -> list[Outcome]:
    """Execute what the cache cannot supply, in parallel; copy every executed notebook to out_dir."""
    code = code_digest(root)
    plans = []
    for nb in notebooks:
        declared = declared_parameters(nb)
        nb_params = {k: v for k, v in edition.parameters.items() if k in declared}
        key = _digest(nb.read_bytes(), json.dumps(nb_params, sort_keys=True).encode(), code.encode())
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
            stored = cache.store(nb.stem, key, target, reads)
            shutil.copyfile(stored, out_dir / nb.name)
            outcomes.append(Outcome(nb.name, "executed", seconds))
            note = " (no data for this partner: page says so)" if status == "nodata" else ""
            log(f"  executed {nb.name} in {seconds:.1f} s{note}")
    return outcomes


def stage_sources(root: Path, stage: Path, edition: params_mod.Edition) -> Path:
    """Copy the book's own files beside the executed notebooks; the edition sets the title."""
    src = stage / "src"
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = edition.title
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


class BuildError(Exception):
    """A step of the build failed; the published book was not touched."""


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


def target_dir(root: Path, edition: params_mod.Edition) -> Path:
    if edition.default:
        return root / "_build" / "html"
    return root / "_build" / "editions" / edition.slug / "html"


def inputs_digest(root: Path, edition: params_mod.Edition) -> str:
    """One hash of everything a build reads: data, notebooks, book config, parameters, code, pins."""
    data_dir = (root / "notebooks" / edition.parameters.get("data_dir", "../data")).resolve()
    files = [root / f for f in BOOK_FILES]
    for folder in (data_dir, root / "notebooks", *(root / d for d in BOOK_DIRS)):
        files += sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    parts = [p.as_posix().encode() + p.read_bytes() for p in files if p.is_file()]
    parts.append(json.dumps([edition.slug, edition.title, edition.parameters], sort_keys=True).encode())
    return _digest(code_digest(root).encode(), *parts)


def _stamp(root: Path, edition: params_mod.Edition) -> Path:
    return root / "_build" / ".cache" / edition.slug / "inputs.key"


def up_to_date(root: Path, edition: params_mod.Edition) -> bool:
    """True when the published book was built from exactly these inputs: nothing to validate or run."""
    stamp = _stamp(root, edition)
    return target_dir(root, edition).is_dir() and stamp.is_file() and stamp.read_text() == inputs_digest(root, edition)


def build(root: Path, edition: params_mod.Edition, jobs: int | None = None) -> Path:
    """The whole build for one edition; returns the published html folder."""
    from .validate import record_validated, validate_all

    t0 = time.perf_counter()
    inputs = inputs_digest(root, edition)
    data_dir = root / "notebooks" / edition.parameters.get("data_dir", "../data")
    problems = validate_all(data_dir)
    if problems:
        raise InputError(problems)
    notebooks = toc_notebooks(root)
    build_dir = root / "_build"
    stage = build_dir / ".stage" / edition.slug
    if stage.exists():
        shutil.rmtree(stage)
    src = stage_sources(root, stage, edition)
    validated = stage / "validated.json"
    record_validated(data_dir, validated)
    os.environ[VALIDATED] = str(validated)  # inherited by the workers and their kernels
    log(f"Edition {edition.slug}: {len(notebooks)} notebooks, parameters from {edition.source}")
    cache = Cache(build_dir / ".cache" / edition.slug)
    outcomes = execute_all(root, notebooks, edition, src / "notebooks", cache, jobs or os.cpu_count() or 1)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise BuildError(f"notebooks/{failed[0].name} failed: {failed[0].message}")
    from .published import prepare

    prepare(src / "notebooks")  # reproducible notebooks, their CSV downloads beside them
    target = target_dir(root, edition)
    render_key = _digest(*(p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()))
    stamp = cache.folder / "html.key"
    executed = sum(o.status == "executed" for o in outcomes)
    if target.is_dir() and stamp.is_file() and stamp.read_text() == render_key:
        log("  HTML is up to date: nothing to render")
    else:
        html = render(src, stage)
        publish(html, target)
        stamp.write_text(render_key)
    shutil.rmtree(stage, ignore_errors=True)
    _stamp(root, edition).write_text(inputs)
    reused = len(outcomes) - executed
    log(
        f"Built {display_path(target)}: {len(outcomes)} notebooks ({executed} executed, {reused} reused) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return target
