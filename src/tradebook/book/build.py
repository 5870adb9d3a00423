"""Build the book: stage it (check the inputs, execute the notebooks, write the sources), render it, publish it.

Staging (book/staging.py) runs in a child of the kernels' fork server, which imported pandas and pandera
once for it and the kernels; this process meanwhile imports Sphinx and Jupyter Book, then renders. The
published HTML is replaced only when every step succeeded, so a failed build leaves the last good book
untouched. One build of a project runs at a time (book.publish.build_lock), in a staging folder of its own,
and the processes a build starts end with it, however it ends.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..data.errors import InputError, Problem, display_path
from .console import log
from .errors import BuildError
from .forkserver import ForkServer
from .pdf import print_book
from .publish import LOCK_WAIT, build_lock, swap_directory

TIMEOUT = 600  # seconds a notebook cell may run (tradebook build --timeout): an endless loop fails the build
STAGING = "tradebook.book.staging"  # run as a call of the fork server's (`main`) or with `python -m`


def build(
    root: Path,
    arguments: dict[str, Any],
    *,
    jobs: int | None = None,
    timeout: int = TIMEOUT,
    force: bool = False,
    kernels: ForkServer | None = None,
) -> tuple[Path, dict[str, Any]]:
    """The whole build of what the command line asks for (`arguments`, cli.BUILD_ARGUMENTS); returns the
    published html folder and what the build read (stamp.Request.reading).

    Holds the project's build lock throughout: a second build waits for the first, then finds the book
    up to date (or builds what changed meanwhile). `force`: render even when no input changed. `kernels`:
    the fork server the caller started early; without one, staging runs in a process of its own and each
    kernel starts afresh.
    """
    with build_lock(root, wait=LOCK_WAIT, on_wait=log) as lock:
        stage = lock.stage("build")
        try:
            return _build(root, arguments, stage, jobs, timeout, force, kernels)
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _build(
    root: Path,
    arguments: dict[str, Any],
    stage: Path,
    jobs: int | None,
    timeout: int,
    force: bool,
    kernels: ForkServer | None,
) -> tuple[Path, dict[str, Any]]:
    """The build, under the lock, in `stage` (a folder of this build's own, removed at the end)."""
    t0 = time.perf_counter()
    renderer = Renderer()
    renderer.warm()  # while staging runs elsewhere
    request = {"root": str(root), "arguments": arguments, "stage": str(stage / "staging")}
    staged = stage_book(stage, {**request, "jobs": jobs, "timeout": timeout, "force": force}, kernels)
    target = Path(staged["target"])
    if staged["outcome"] == "up_to_date":
        log(f"{display_path(target)} is up to date: no input changed since it was built.")
        return target, staged["reading"]
    rendered = Path(staged["render_stamp"])
    if target.is_dir() and rendered.is_file() and rendered.read_text() == staged["render_key"]:
        log("  HTML is up to date: nothing to render")
    else:
        new_html = renderer.render(Path(staged["src"]), stage)
        pdf_name = staged["pdf_name"]
        if pdf_name:  # printed before the swap: a failed print leaves the last good book and PDF
            started = time.perf_counter()
            pages = [new_html / f"{page}.html" for page in staged["pages"]]
            count = print_book(new_html, pages, new_html / pdf_name, staged["pdf_title"])
            log(f"  printed {pdf_name}: {count} pages in {time.perf_counter() - started:.1f} s")
        target.parent.mkdir(parents=True, exist_ok=True)
        swap_directory(new_html, target)  # the last good book stays whole until the new one is in place
        publish_pdf(target / pdf_name if pdf_name else None, Path(staged["pdf_copy"]))
        rendered.write_text(staged["render_key"])
    Path(staged["inputs_stamp"]).write_text(staged["inputs"])
    executed, count = staged["executed"], staged["notebooks"]
    log(
        f"Built {display_path(target)}: {count} notebooks ({executed} executed, {count - executed} reused) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return target, staged["reading"]


def stage_book(stage: Path, request: dict[str, Any], kernels: ForkServer | None) -> dict[str, Any]:
    """Stage the book (book/staging.py) in a child of the fork server, else in a process of its own; what was
    staged, or the problem that stopped it raised here as it was raised there."""
    asked, answer, folder = stage / "request.json", stage / "staged.json", Path(request["stage"])
    code = None
    if kernels is not None:
        folder.mkdir()
        asked.write_text(json.dumps({**request, "kernels": kernels.address, "charts": kernels.svg_address}))
        code = kernels.call(f"{STAGING}:main", [str(asked), str(answer)], done=answer.is_file)
        if not answer.is_file() and not kernels.wait_ready():  # the server failed, and staging with it
            log(f"  kernel fork server unavailable ({kernels.error}): each kernel starts afresh")
            shutil.rmtree(folder)
            code = None
    if code is None:
        folder.mkdir(exist_ok=True)
        asked.write_text(json.dumps({**request, "kernels": None, "charts": None}))
        code = _run([sys.executable, "-m", STAGING, str(asked), str(answer), str(os.getpid())])
    if not answer.is_file():
        raise BuildError(f"staging the book stopped before it ended (exit code {code})")
    staged = json.loads(answer.read_text(encoding="utf-8"))
    if staged["outcome"] == "refused":
        raise InputError([Problem(**problem) for problem in staged["problems"]])
    if staged["outcome"] == "failed":
        raise BuildError(staged["message"])
    if staged["outcome"] == "error":  # as the command line reports these (cli.describe)
        if staged.get("errno") is not None:
            raise OSError(staged["errno"], staged["strerror"], staged["filename"])
        if "errno" in staged or staged["kind"] == "ValueError":
            raise (OSError if "errno" in staged else ValueError)(staged["message"])
        raise BuildError(f"{staged['kind']}: {staged['message']}")
    return staged


def _run(command: list[str]) -> int:
    """Run a command in a process group of its own; interrupted, kill the group (staging and its workers)."""
    proc = subprocess.Popen(command, start_new_session=True)
    try:
        return proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


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
    build's critical path; `warm()` imports them in a thread while staging runs in another process instead
    (this process forks nothing but the commands it runs).
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


def publish_pdf(printed: Path | None, target: Path) -> None:
    """_build/pdf holds the PDF of the published book, or none: copied beside it, then renamed into place."""
    if printed is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.copyfile(printed, partial)
    os.replace(partial, target)
