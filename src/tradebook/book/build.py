"""Build the book: validate inputs, execute notebooks (parallel, cached), render, then publish atomically.

The published HTML is replaced only when every step succeeded, so a failed build leaves the last
good book untouched. A notebook is executed again only when its source, parameters, package code,
pinned requirements or one of the data files it read last time changed. One build of a project runs
at a time (book.publish.build_lock), in a staging folder of its own; notebooks have a time limit, and
the processes a build starts end with it, however it ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import html
import importlib
import io
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

from ..analysis import claim_spec
from ..data import sources
from ..data.errors import InputError, Problem, display_path
from ..data.validate import VALIDATED, partial_year_warnings, record_validated, validate_all
from . import buildinfo, editions, toc
from .buildinfo import Outcome
from .cache import Cache, code_digest, digest
from .editions import Edition
from .errors import BuildError
from .forkserver import FORKSERVER, SVG_SERVICE, ForkServer, kernel_server
from .glue import READS_MIME
from .kernels import ForkKernelManager
from .normalise import prepare
from .pdf import print_book
from .provenance import Provenance, book_version, checksums, data_vintage
from .publish import LOCK_WAIT, build_lock, swap_directory

BOOK_FILES = ("_config.yml", "_toc.yml", "CITATION.cff", "LICENSE")
BOOK_DIRS = ("assets",)
CITE_FILES = ("CITATION.cff", "LICENSE")  # offered for download on the how-to-cite page
TIMEOUT = 600  # seconds a notebook cell may run (tradebook build --timeout): an endless loop fails the build


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


def _end_with_parent() -> None:
    """Run in each worker as it starts: the worker (and so its kernel) ends when the build's process ends.

    Even `kill -9` of the build: Linux sends the worker SIGTERM when its parent dies (PR_SET_PDEATHSIG),
    and a kernel stops once its parent, the worker, is gone (ipykernel's parent poller).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler, inherited: SIGTERM ends a worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it ends the workers
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _execute(
    source: str, target: str, parameters: dict[str, Any], cwd: str, timeout: int
) -> tuple[str, list[str], str, float]:
    """Run one notebook with papermill (in a worker process); returns status, files read, message, seconds.

    The files read are named relative to the notebook's folder, as its kernel saw them.
    """
    sys.stdout.write(f"  running  {Path(source).name} …\n")
    sys.stdout.flush()
    started = time.perf_counter()
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)  # kernels inherit stderr; their start-up chatter is not the user's business
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # A kernel forked from the build's fork server when it runs (book/kernels.py), else one started afresh.
    manager = {"kernel_manager_class": ForkKernelManager} if os.environ.get(FORKSERVER) else {}
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
            execution_timeout=timeout,
            **manager,
        )
        status, message = "ok", ""
    except PapermillExecutionError as err:
        status = "nodata" if err.ename == "NoData" else "failed"
        message = f"{err.ename}: {err.evalue}" if status == "failed" else str(err.evalue)
    except CellTimeoutError:
        status = "failed"
        message = f"a cell ran longer than the {timeout} s time limit and was stopped (tradebook build --timeout)"
    except Exception as err:  # noqa: BLE001 - a kernel that dies must fail the build, not crash it
        status, message = "failed", f"{type(err).__name__}: {err}"
    reads = take_reads(Path(target)) if Path(target).is_file() else []
    return status, reads, message, time.perf_counter() - started


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


def longest_first(todo: list[tuple[Path, dict[str, Any], str, str]], cache: Cache) -> list:
    """The notebooks to run, longest first by the time of their last run (never run: first), else in book order.

    With a worker per core, a long notebook started last would run alone while the other cores wait.
    """
    seconds = {nb: (cache.entry(nb.stem) or {}).get("seconds", float("inf")) for nb, *_ in todo}
    return sorted(todo, key=lambda plan: -seconds[plan[0]])  # sorted() is stable: ties keep the book's order


def execute_all(
    root: Path,
    notebooks: list[Path],
    edition: Edition,
    out_dir: Path,
    cache: Cache,
    jobs: int,
    timeout: int,
    kernels: ForkServer | None = None,
    started: Callable[[], None] = lambda: None,
) -> list[Outcome]:
    """Execute what the cache cannot supply, in parallel; copy every executed notebook to out_dir.

    Kernels are forked from `kernels`, a fork server the caller may have started early (the command line
    does, before its own imports), else from one started here when a notebook must run; it is stopped, with
    every kernel, before this returns or raises. `started` is called once every worker exists.
    """
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
        hit, reason = cache.lookup(nb.stem, key)
        if hit:
            shutil.copyfile(hit, out_dir / nb.name)
            outcomes.append(Outcome(nb.name, "reused", (cache.entry(nb.stem) or {}).get("seconds", 0.0), reason))
            log(f"  reused   {nb.name} ({reason})")
        else:
            todo.append((nb, nb_params, key, reason))
    if not todo:
        if kernels is not None:
            kernels.stop()  # nothing to run: its imports need not finish
        return outcomes
    work = out_dir.parent / "running"
    work.mkdir(parents=True, exist_ok=True)
    kernels = kernels or kernel_server(notebooks[0].parent)
    pool = None
    try:
        for name in (FORKSERVER, SVG_SERVICE):
            os.environ.pop(name, None)  # the workers use this build's server or none, never another's
        if kernels is not None and kernels.wait_ready():
            os.environ[FORKSERVER] = kernels.address  # inherited by the workers
            os.environ[SVG_SERVICE] = kernels.svg_address  # and by their kernels (book/vega.py)
        elif kernels is not None:
            log(f"  kernel fork server unavailable ({kernels.error}): each kernel starts afresh")
        log(f"  executing {len(todo)} notebook(s) with {min(jobs, len(todo))} worker(s)…")
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_end_with_parent)
        futures = {}
        for nb, nb_params, key, reason in longest_first(todo, cache):
            target = work / nb.name
            fut = pool.submit(_execute, str(nb), str(target), nb_params, str(nb.parent), timeout)
            futures[fut] = (nb, key, target, reason)
        started()
        for fut in as_completed(futures):
            nb, key, target, reason = futures[fut]
            status, reads, message, seconds = fut.result()
            if status == "failed":
                outcomes.append(Outcome(nb.name, "failed", seconds, reason, message))
                log(f"  FAILED   {nb.name} after {seconds:.1f} s: {message}")
                continue
            if status == "nodata":
                no_data_notebook(nb, target, message)
            # The kernel named the files relative to the notebook's folder; the cache, relative to the project.
            rel = [os.path.relpath(os.path.normpath(nb.parent / r), root) for r in reads]
            stored = cache.store(nb.stem, key, target, rel, seconds)
            shutil.copyfile(stored, out_dir / nb.name)
            outcomes.append(Outcome(nb.name, "executed", seconds, reason))
            note = "; no data for this partner: the page says so" if status == "nodata" else ""
            log(f"  executed {nb.name} in {seconds:.1f} s ({reason}{note})")
    except BaseException:
        if pool is not None:
            stop_workers(pool)  # interrupted or crashed: no worker or kernel outlives the build
        raise
    finally:
        if kernels is not None:
            kernels.stop()  # with every kernel it forked
        for name in (FORKSERVER, SVG_SERVICE):
            os.environ.pop(name, None)
    pool.shutdown()
    return outcomes


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End every worker now (their kernels follow, see _end_with_parent) and drop the work not started."""
    for process in list((pool._processes or {}).values()):  # noqa: SLF001 - the pool offers no terminate()
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def stage_sources(root: Path, stage: Path) -> Path:
    """Copy the book's own files (table of contents, prose pages, citation files, assets) to the stage."""
    src = stage / "src"
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "_toc.yml", src / "_toc.yml")
    for page in sorted((root / "notebooks").glob("*.md")):  # prose pages with no code (how to cite)
        shutil.copyfile(page, src / "notebooks" / page.name)
    for name in CITE_FILES:
        shutil.copyfile(root / name, src / "notebooks" / name)
    for folder in BOOK_DIRS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, src / folder, dirs_exist_ok=True)
    return src


def book_config(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def write_config(root: Path, src: Path, provenance: Provenance, pdf: str) -> None:
    """The staged _config.yml: the edition's title, the stamp every page carries, the banner of a one-off build."""
    config = book_config(root)
    edition = provenance.edition
    # The theme prints the title as HTML: the edition's title is text, so it goes in escaped.
    config["title"] = html.escape(edition.title)
    changed = [f"{k} = {v!r} (the edition file: {was!r})" for k, (v, was) in edition.changed.items() if k != "data_dir"]
    changed += ["data from another folder"] * ("data_dir" in edition.changed)
    if changed:
        config.setdefault("html", {})["announcement"] = html.escape(
            "Built with parameters of its own, not those of the published edition: " + "; ".join(changed) + "."
        )
    stamp = {
        "edition": edition.slug,
        "edition_title": edition.title,
        "version": provenance.version,
        "citation": provenance.citation,
        "changed": changed,
        "pdf": pdf,
        "vintage": {f"notebooks/{stem}": [asdict(v) for v in found] for stem, found in provenance.vintage.items()},
    }
    config.setdefault("sphinx", {}).setdefault("config", {})["tradebook_stamp"] = stamp
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def collect_provenance(root: Path, edition: Edition, notebooks: list[Path], cache: Cache) -> Provenance:
    """What this build's pages and data packages state: version, citation, files read, data vintage."""
    data_dir = (root / "notebooks" / edition.parameters["data_dir"]).resolve()
    known = sources.read(data_dir / sources.FILENAME)
    pair = (str(edition.parameters.get("reporter", "KAZ")), str(edition.parameters.get("partner", "")))
    reads = {nb.stem: sorted((cache.entry(nb.stem) or {}).get("reads", {})) for nb in notebooks}
    config = book_config(root)
    return Provenance(
        edition=edition,
        version=book_version(),
        author=str(config.get("author", "")),
        year=str(config.get("copyright", "")),
        sources=known,
        reads={stem: checksums(root, files) for stem, files in reads.items()},
        vintage={stem: data_vintage(data_dir, pair, files, known) for stem, files in reads.items()},
    )


# Sphinx's progress lines, e.g. "reading sources... [ 50%] notebooks/intro": the phase and the page.
SPHINX_PROGRESS = re.compile(r"^(reading sources|writing output)\.\.\. \[\s*(\d+)%\] (\S+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Progress(io.TextIOBase):
    """Sphinx's output, kept whole for an error message and condensed to a line per phase and quarter for the user."""

    def __init__(self, out: io.TextIOBase | Any) -> None:
        self.out = out  # the build's own stdout, not the redirected one
        self.lines: list[str] = []
        self.shown: set[tuple[str, int]] = set()
        self.started = time.perf_counter()
        self.partial = ""

    def write(self, text: str) -> int:
        *complete, self.partial = re.split(r"[\r\n]", self.partial + text)  # a terminal's progress ends in \r
        for raw in complete:
            line = ANSI.sub("", raw).strip()
            self.lines.append(line)
            found = SPHINX_PROGRESS.match(line)
            step = (found[1], int(found[2]) // 25) if found else None
            if found and step not in self.shown:
                self.shown.add(step)
                elapsed = time.perf_counter() - self.started
                self.out.write(f"  rendering {found[1].split()[0]} {found[3]} ({found[2]}%, {elapsed:.0f} s)\n")
                self.out.flush()
        return len(text)


class Renderer:
    """Jupyter Book, with execution off and warnings as errors, in this process (`jupyter-book build`'s own call).

    A second interpreter would import Sphinx, Jupyter Book and the theme after the notebooks have run, on the
    build's critical path; `warm()` imports them in a thread while the notebooks run instead. It is called
    once the workers exist: a fork must not copy a thread in the middle of an import.
    """

    # Jupyter Book's and the book's Sphinx extensions (their setup() runs at render time: only the imports move).
    MODULES = (
        "jupyter_book.sphinx",
        "sphinx.builders.html",
        "myst_nb.sphinx_ext",
        "sphinx_book_theme",
        "pydata_sphinx_theme",
        "sphinx_design",
        "sphinx_external_toc",
        "sphinx_togglebutton",
        "sphinx_copybutton",
        "sphinx_comments",
        "sphinx_thebe",
        "sphinx_jupyterbook_latex",
        "sphinx_multitoc_numbering",
        "sphinxcontrib.bibtex",
    )

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def warm(self) -> None:
        self.thread = threading.Thread(target=self._imports, name="warm-renderer", daemon=True)
        self.thread.start()

    def _imports(self) -> None:
        for name in self.MODULES:
            importlib.import_module(name)

    def render(self, src: Path, stage: Path) -> Path:
        """As `jupyter-book build SRC --path-output STAGE -W --keep-going`; returns the rendered html folder."""
        if self.thread is not None:
            self.thread.join()
        build_sphinx = importlib.import_module("jupyter_book.sphinx").build_sphinx
        out = stage / "_build" / "html"
        progress = Progress(sys.stdout)
        with contextlib.redirect_stdout(progress), contextlib.redirect_stderr(progress):  # type: ignore[type-var]
            result = build_sphinx(
                src,
                out,
                noconfig=True,
                path_config=str(src / "_config.yml"),
                confoverrides={"external_toc_path": (src / "_toc.yml").as_posix(), "latex_individualpages": False},
                warningiserror=True,
                keep_going=True,
            )
        progress.write("\n")
        if isinstance(result, KeyboardInterrupt):
            raise result  # Sphinx reports an interruption as its result: the build stops as interrupted
        if result != 0:
            problems = [ln for ln in progress.lines if "WARNING" in ln or "ERROR" in ln]
            raise BuildError("Jupyter Book failed: " + (problems[0] if problems else str(result)[-300:]))
        log(f"  rendered the HTML in {time.perf_counter() - progress.started:.1f} s")
        return out


def target_dir(root: Path, edition: Edition) -> Path:
    if edition.default:
        return root / "_build" / "html"
    return root / "_build" / "editions" / edition.slug / "html"


def input_paths(root: Path, edition: Edition) -> list[Path]:
    """The files and folders a build of this edition reads, besides the package code and the pins."""
    data_dir = (root / "notebooks" / edition.parameters.get("data_dir", "../data")).resolve()
    return [*(root / f for f in BOOK_FILES), data_dir, root / "notebooks", *(root / d for d in BOOK_DIRS)]


def inputs_digest(root: Path, edition: Edition, pdf: bool) -> str:
    """One hash of everything a build reads: data, notebooks, book config, parameters, code, pins."""
    files = []
    for path in input_paths(root, edition):
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    # Named relative to the project: a copy of a built project with the same files is up to date.
    parts = [os.path.relpath(p, root).encode() + p.read_bytes() for p in files if p.is_file()]
    parts.append(json.dumps([edition.slug, edition.title, edition.parameters, pdf], sort_keys=True).encode())
    return digest(code_digest(root).encode(), *parts)


def _stamp(root: Path, edition: Edition) -> Path:
    return root / "_build" / ".cache" / edition.slug / "inputs.key"


def up_to_date(root: Path, edition: Edition, pdf: bool) -> bool:
    """True when the published book was built from exactly these inputs: nothing to validate or run."""
    stamp = _stamp(root, edition)
    current = inputs_digest(root, edition, pdf)
    return target_dir(root, edition).is_dir() and stamp.is_file() and stamp.read_text() == current


def build(
    root: Path,
    edition: Edition,
    jobs: int | None = None,
    pdf: bool = False,
    *,
    timeout: int = TIMEOUT,
    force: bool = False,
    kernels: ForkServer | None = None,
) -> Path:
    """The whole build for one edition; returns the published html folder. `pdf`: print the book as well.

    Holds the project's build lock throughout: a second build waits for the first, then finds the book
    up to date (or builds what changed meanwhile). `force`: render even when no input changed. `kernels`:
    a fork server the caller started early (execute_all stops it; the caller too, should the build stop first).
    """
    with build_lock(root, wait=LOCK_WAIT, on_wait=log) as lock:
        if not force and up_to_date(root, edition, pdf):
            log(f"{display_path(target_dir(root, edition))} is up to date: no input changed since it was built.")
            return target_dir(root, edition)
        editions.check(edition, root)  # parameters against the notebooks and the data, before anything runs
        stage = lock.stage(edition.slug)
        return _build(root, edition, stage, jobs or os.cpu_count() or 1, pdf, timeout, kernels)


def _build(
    root: Path, edition: Edition, stage: Path, jobs: int, pdf: bool, timeout: int, kernels: ForkServer | None
) -> Path:
    """The build, under the lock, in `stage` (a folder of this build's own, removed at the end)."""
    try:
        return _stages(root, edition, stage, jobs, pdf, timeout, kernels)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _stages(
    root: Path, edition: Edition, stage: Path, jobs: int, pdf: bool, timeout: int, kernels: ForkServer | None
) -> Path:
    t0 = time.perf_counter()
    inputs = inputs_digest(root, edition, pdf)
    data_dir = root / "notebooks" / edition.parameters.get("data_dir", "../data")
    problems = validate_inputs(data_dir)
    if problems:
        raise InputError(problems)
    for warning in partial_year_warnings(data_dir):
        log(f"warning: {warning}")
    notebooks = toc.notebooks(root)
    build_dir = root / "_build"
    src = stage_sources(root, stage)
    validated = stage / "validated.json"
    record_validated(data_dir, validated)
    os.environ[VALIDATED] = str(validated)  # inherited by the workers and their kernels
    log(f"Edition {edition.slug}: {len(notebooks)} notebooks, parameters from {edition.source}")
    cache = Cache(root, build_dir / ".cache" / edition.slug)
    renderer = Renderer()
    outcomes = execute_all(root, notebooks, edition, src / "notebooks", cache, jobs, timeout, kernels, renderer.warm)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise BuildError(f"notebooks/{failed[0].name} failed: {failed[0].message}")
    provenance = collect_provenance(root, edition, notebooks, cache)
    prepare(src / "notebooks", provenance)  # reproducible notebooks, their downloads beside them
    order = {nb.name: i for i, nb in enumerate(notebooks)}
    buildinfo.write_page(src / "notebooks", sorted(outcomes, key=lambda o: order[o.name]), provenance)
    pdf_name = f"{edition.slug}.pdf" if pdf else ""
    write_config(root, src, provenance, pdf_name)
    target = target_dir(root, edition)
    render_key = digest(*(p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()))
    stamp = cache.folder / "html.key"
    executed = sum(o.status == "executed" for o in outcomes)
    if target.is_dir() and stamp.is_file() and stamp.read_text() == render_key:
        log("  HTML is up to date: nothing to render")
    else:
        new_html = renderer.render(src, stage)
        if pdf_name:  # printed before the swap: a failed print leaves the last good book and PDF
            started = time.perf_counter()
            pages = [new_html / f"{page}.html" for page in toc.pages(src)]
            count = print_book(new_html, pages, new_html / pdf_name, f"{edition.title} · version {provenance.version}")
            log(f"  printed {pdf_name}: {count} pages in {time.perf_counter() - started:.1f} s")
        target.parent.mkdir(parents=True, exist_ok=True)
        swap_directory(new_html, target)  # the last good book stays whole until the new one is in place
        publish_pdf(target / pdf_name if pdf_name else None, build_dir / "pdf" / f"{edition.slug}.pdf")
        stamp.write_text(render_key)
    _stamp(root, edition).write_text(inputs)
    reused = len(outcomes) - executed
    log(
        f"Built {display_path(target)}: {len(outcomes)} notebooks ({executed} executed, {reused} reused) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return target


def publish_pdf(printed: Path | None, target: Path) -> None:
    """_build/pdf holds the PDF of the published book, or none: copied beside it, then renamed into place."""
    if printed is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.copyfile(printed, partial)
    os.replace(partial, target)
