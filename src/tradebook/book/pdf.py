"""The whole book as one PDF, printed from the built HTML by headless Chromium (Debian's; no LaTeX, no download).

Chromium opens the first page of the book that typesets formulas (or the first page) from a local server,
puts the article of every page of _toc.yml in it, in order, typesets the formulas, and prints it to A4 with
the book's title, version and page numbers in the footer. The print style (resources/static/tradebook.css)
shows the static SVG charts, hides the live ones, the page chrome and the run times of the build page,
and starts each chapter on a new page. Reusing the rendered pages costs a few seconds; a second Sphinx
build of the whole book (singlehtml) would cost as much again as the HTML.

Two prints of the same pages give the same bytes: links into the local server (whose port changes) are
dropped, the PDF is not tagged (its structure tree numbers DOM nodes differently on each run), and its
creation and modification dates are fixed.
"""

from __future__ import annotations

import functools
import http.server
import importlib
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 16mm;color:#555;display:flex;justify-content:space-between">'
    '<span>{title}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)
FIXED_DATE = b"D:20000101000000+00'00'"
PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[0-9+\-Z']+\)")

# In the page: the articles of every page in order, links kept only where they still lead somewhere (an
# anchor in the assembled book, or another site), and every formula, image and font ready before printing:
# on a busy machine a print that does not wait for them differs from the next.
ASSEMBLE = """async ([urls, base]) => {
  const article = document.querySelector('article.bd-article');
  const chapters = [];
  for (const url of urls) {
    const text = await (await fetch(url)).text();
    const page = new DOMParser().parseFromString(text, 'text/html').querySelector('article.bd-article');
    const chapter = document.createElement('div');
    chapter.className = 'tb-print-chapter';
    chapter.append(...page.childNodes);
    chapters.push(chapter);
  }
  article.replaceChildren(...chapters);
  document.querySelectorAll('.tb-vega').forEach(el => el.remove());
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (!url.href.startsWith(base)) continue;
    if (url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)))) a.setAttribute('href', url.hash);
    else a.removeAttribute('href');
  }
  // Only Sphinx's math elements, as on screen (_config.yml): text from the data is never TeX.
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; await MathJax.typesetPromise(['.math']); }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  await document.fonts.ready;  // MathJax's fonts load as formulas need them: print only once they are in
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return document.querySelectorAll('.tb-print-chapter').length;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """The site on a local server for as long as the block runs; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_book(site: Path, pages: list[Path], out: Path, title: str) -> int:
    """Print `pages` (HTML files of `site`, in order) as one PDF at `out`; returns its number of pages."""
    if not Path(CHROMIUM).exists():
        raise BuildError(f"the PDF needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    host = next((p for p in pages if "mathjax" in p.read_text(encoding="utf-8").lower()), pages[0])
    # Imported when a PDF is asked for: Playwright's protocol tables cost the build a third of a CPU-second.
    sync_playwright = importlib.import_module("playwright.sync_api").sync_playwright
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(service_workers="block")
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        tab = context.new_page()
        tab.goto(base + host.relative_to(site).as_posix(), wait_until="networkidle")
        urls = [base + p.relative_to(site).as_posix() for p in pages]
        if tab.evaluate(ASSEMBLE, [urls, base]) != len(pages):
            raise BuildError("the PDF could not assemble every page of the book")
        tab.emulate_media(media="print")
        tab.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER.format(title=title.replace("&", "&amp;").replace("<", "&lt;")),
            outline=True,
            tagged=False,
        )
        browser.close()
    data = fixed_dates(out.read_bytes())
    out.write_bytes(data)
    return len(re.findall(rb"/Type\s*/Page\b", data))


def fixed_dates(pdf: bytes) -> bytes:
    """The PDF with its creation and modification dates replaced by a fixed one of the same length."""

    def same_length(found: re.Match) -> bytes:
        head = b"/" + found[1] + b" ("
        width = len(found[0]) - len(head) - 1
        return head + FIXED_DATE[:width].ljust(width, b"0") + b")"

    return PDF_DATE.sub(same_length, pdf)
