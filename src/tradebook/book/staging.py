"""Stage the book for Jupyter Book: check the inputs, execute the notebooks (parallel, cached), write the sources.

Everything a build does before it renders, in a process of its own: a child of the kernels' fork server
(book/forkserver.py), which imports pandas and pandera once for it and the kernels alike, or, where
there is none, `python -m tradebook.book.staging`. The build's process (book/build.py) meanwhile imports
only what renders. The two speak through files in the build's staging folder: the request, then what was
staged, or the one problem that stopped it (`main`).

A notebook is executed again only when its source, parameters, package code, pinned requirements or one
of the data files it read last time changed. Notebooks have a time limit, and the processes staging starts
end with it, however it ends.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml
from nbclient.exceptions import CellTimeoutError
from papermill.exceptions import PapermillExecutionError

from ..analysis import claim_spec
from ..data import sources
from ..data.errors import InputError, Problem
from ..data.validate import VALIDATED, partial_year_warnings, record_validated, validate_all
from . import buildinfo, editions, toc
from .buildinfo import Outcome
from .cache import Cache, code_digest, digest
from .console import log
from .editions import Edition
from .errors import BuildError
from .forkserver import FORKSERVER, SVG_SERVICE, die_with_parent
from .glue import READS_MIME
from .kernels import ForkKernelManager
from .normalise import prepare_notebook
from .provenance import Provenance, book_version, checksums, data_vintage
from .stamp import Request

BOOK_FILES = ("_config.yml", "_toc.yml", "CITATION.cff", "LICENSE")
BOOK_DIRS = ("assets",)
CITE_FILES = ("CITATION.cff", "LICENSE")  # offered for download on the how-to-cite page


@dataclass(frozen=True)
class Server:
    """The build's fork server, as its children reach it: the kernels' socket and the chart renderer's."""

    kernels: str
    charts: str


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


def take_reads(path: Path, nb: nbformat.NotebookNode | None = None) -> list[str]:
    """The files an executed notebook reported reading (paths relative to its folder); drops the report from
    the notebook at `path` (`nb`: the notebook written there, when at hand)."""
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    reads = [p for c in nb.cells for o in c.get("outputs", []) for p in o.get("data", {}).get(READS_MIME, [])]
    if nb.cells and nb.cells[-1].source == REPORT_READS:
        nb.cells.pop()
    for cell in nb.cells:
        if cell.cell_type == "code":  # a markdown cell with outputs is not a valid notebook
            cell["outputs"] = [o for o in cell.outputs if READS_MIME not in o.get("data", {})]
    nbformat.write(nb, path)
    return list(dict.fromkeys(reads))


def _end_with_parent() -> None:
    """Run in each worker as it starts: the worker (and so its kernel) ends when staging's process ends.

    Even on `kill -9`: Linux sends the worker SIGTERM when its parent dies (PR_SET_PDEATHSIG), and a kernel
    stops once its requester, the worker, is gone (the fork server kills it; a fresh one, ipykernel's parent poller).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command's handler, inherited: SIGTERM ends a worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it ends the workers
    die_with_parent(os.getppid(), signal.SIGTERM)


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
    executed = None
    try:
        executed = papermill.execute_notebook(
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
    reads = take_reads(Path(target), executed) if Path(target).is_file() else []
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
    server: Server | None = None,
    placed: Callable[[Path], None] = lambda path: None,
) -> list[Outcome]:
    """Execute what the cache cannot supply, in parallel; copy every executed notebook to out_dir.

    Kernels are forked from `server`, the build's fork server (its kernel and chart sockets), else each
    starts afresh. `placed` is called with each notebook copied to out_dir (reused or executed) while the
    others run.
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
    reused = [out_dir / o.name for o in outcomes]
    if not todo:
        for path in reused:
            placed(path)
        return outcomes
    work = out_dir.parent.with_name("running")  # beside the sources Sphinx reads (and the render key), not in them
    work.mkdir(parents=True, exist_ok=True)
    pool = None
    try:
        for name in (FORKSERVER, SVG_SERVICE):
            os.environ.pop(name, None)  # the workers use this build's server or none, never another's
        if server is not None:
            os.environ[FORKSERVER] = server.kernels  # inherited by the workers
            os.environ[SVG_SERVICE] = server.charts  # and by their kernels (book/vega.py)
        log(f"  executing {len(todo)} notebook(s) with {min(jobs, len(todo))} worker(s)…")
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_end_with_parent)
        futures = {}
        for nb, nb_params, key, reason in longest_first(todo, cache):
            target = work / nb.name
            fut = pool.submit(_execute, str(nb), str(target), nb_params, str(nb.parent), timeout)
            futures[fut] = (nb, key, target, reason)
        for path in reused:
            placed(path)
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
            placed(out_dir / nb.name)
    except BaseException:
        if pool is not None:
            stop_workers(pool)  # interrupted or crashed: no worker or kernel outlives the build
        raise
    finally:
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


def provenance_of(root: Path, edition: Edition) -> Provenance:
    """What this build's pages and data packages state (version, citation, sources), as yet without the files
    each notebook read and their vintage, which `note_reads` adds as the notebooks are done."""
    data_dir = (root / "notebooks" / edition.parameters["data_dir"]).resolve()
    config = book_config(root)
    return Provenance(
        edition=edition,
        version=book_version(),
        author=str(config.get("author", "")),
        year=str(config.get("copyright", "")),
        sources=sources.read(data_dir / sources.FILENAME),
        reads={},
        vintage={},
    )


def note_reads(provenance: Provenance, root: Path, stem: str, cache: Cache) -> None:
    """Add what notebook `stem` read (its cache entry's files, with their checksums) and its data's vintage."""
    data_dir = (root / "notebooks" / provenance.edition.parameters["data_dir"]).resolve()
    parameters = provenance.edition.parameters
    pair = (str(parameters.get("reporter", "KAZ")), str(parameters.get("partner", "")))
    files = sorted((cache.entry(stem) or {}).get("reads", {}))
    provenance.reads[stem] = checksums(root, files)
    provenance.vintage[stem] = data_vintage(data_dir, pair, files, provenance.sources)


def in_book_order(provenance: Provenance, notebooks: list[Path]) -> None:
    """The notebooks' reads and vintage in the book's order (noted in the order the notebooks were done)."""
    for found in (provenance.reads, provenance.vintage):
        ordered = {nb.stem: found[nb.stem] for nb in notebooks}
        found.clear()
        found.update(ordered)


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


def stamp_path(root: Path, edition: Edition) -> Path:
    return root / "_build" / ".cache" / edition.slug / "inputs.key"


def up_to_date(root: Path, edition: Edition, pdf: bool) -> bool:
    """True when the published book was built from exactly these inputs: nothing to validate or run."""
    stamp = stamp_path(root, edition)
    current = inputs_digest(root, edition, pdf)
    return target_dir(root, edition).is_dir() and stamp.is_file() and stamp.read_text() == current


def edition_for(root: Path, arguments: dict[str, Any]) -> Edition:
    """The edition a command line asks for (`tradebook build`'s arguments), not yet checked against the data."""
    overrides: dict[str, tuple[object, str]] = {}
    for assignment in arguments.get("param") or []:
        key, value = editions.parse_assignment(assignment)
        overrides[key] = (value, f"-p {key}")
    for key in ("partner", "start_year", "end_year", "data_dir"):
        value = arguments.get(key)
        if value is not None:
            overrides[key] = (value, "--" + key.replace("_", "-"))
    return editions.resolve(root, arguments.get("params"), overrides)


def stage_book(
    root: Path,
    arguments: dict[str, Any],
    stage: Path,
    *,
    jobs: int | None,
    timeout: int,
    force: bool,
    server: Server | None,
) -> dict[str, Any]:
    """Everything before rendering, in `stage`; what the build needs to render and publish (see `build._build`).

    `arguments` are the command line's (`cli.BUILD_ARGUMENTS`). When the published book was built from exactly
    these inputs, nothing is checked or run: the answer says the book is up to date.
    """
    edition = edition_for(root, arguments)
    edition_files = [root / "params", *([Path(arguments["params"])] if arguments.get("params") else [])]
    reading = Request(root, arguments).reading([*input_paths(root, edition), *edition_files])
    pdf = bool(arguments.get("pdf"))
    target = target_dir(root, edition)
    if not force and up_to_date(root, edition, pdf):
        return {"outcome": "up_to_date", "target": str(target), "reading": reading}
    editions.check(edition, root)  # parameters against the notebooks and the data, before anything runs
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
    jobs = jobs or os.cpu_count() or 1
    provenance = provenance_of(root, edition)

    def placed(path: Path) -> None:  # reproducible notebooks, their downloads beside them, while the others run
        note_reads(provenance, root, path.stem, cache)
        prepare_notebook(path, provenance)

    outcomes = execute_all(root, notebooks, edition, src / "notebooks", cache, jobs, timeout, server, placed)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise BuildError(f"notebooks/{failed[0].name} failed: {failed[0].message}")
    in_book_order(provenance, notebooks)
    order = {nb.name: i for i, nb in enumerate(notebooks)}
    buildinfo.write_page(src / "notebooks", sorted(outcomes, key=lambda o: order[o.name]), provenance)
    pdf_name = f"{edition.slug}.pdf" if pdf else ""
    write_config(root, src, provenance, pdf_name)
    return {
        "outcome": "staged",
        "target": str(target),
        "reading": reading,
        "src": str(src),
        "render_key": digest(*(p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file())),
        "render_stamp": str(cache.folder / "html.key"),
        "inputs": inputs,
        "inputs_stamp": str(stamp_path(root, edition)),
        "pages": toc.pages(src),
        "pdf_name": pdf_name,
        "pdf_title": f"{edition.title} · version {provenance.version}",
        "pdf_copy": str(build_dir / "pdf" / f"{edition.slug}.pdf"),
        "notebooks": len(outcomes),
        "executed": sum(o.status == "executed" for o in outcomes),
    }


def main(argv: list[str]) -> int:
    """Stage the book the request file `argv[0]` describes; write the answer to `argv[1]`. 0 once written.

    The answer is what `stage_book` returns, or the one problem that stopped it: bad input (every problem,
    each with its file and line), a failed step (one line), or an error no check foresaw (its type and text).
    """
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    server = Server(request["kernels"], request["charts"]) if request.get("kernels") else None
    try:
        answer = stage_book(
            Path(request["root"]),
            request["arguments"],
            Path(request["stage"]),
            jobs=request["jobs"],
            timeout=request["timeout"],
            force=request["force"],
            server=server,
        )
    except InputError as err:
        answer = {"outcome": "refused", "problems": [asdict(p) for p in err.problems]}
    except BuildError as err:
        answer = {"outcome": "failed", "message": str(err)}
    except Exception as err:  # noqa: BLE001 - the build reports it in one line, as it would its own
        answer = {"outcome": "error", "kind": type(err).__name__, "message": str(err)}
        if isinstance(err, OSError):
            answer.update(errno=err.errno, strerror=err.strerror, filename=err.filename)
    partial = Path(argv[1]).with_suffix(".part")
    partial.write_text(json.dumps(answer), encoding="utf-8")
    partial.replace(argv[1])
    return 0


if __name__ == "__main__":  # where no fork server runs: `python -m tradebook.book.staging REQUEST ANSWER PARENT`
    die_with_parent(int(sys.argv[3]))  # ends with the build, however the build ends
    sys.exit(main(sys.argv[1:3]))
