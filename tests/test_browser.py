"""The built book in a real browser: headless Chromium (Debian's) opens every page, offline.

Each page is visited once (module fixture) from a local HTTP server on 127.0.0.1; any request to
another host is refused and counted. The tests then check what a reader would meet: no console
errors, no failed requests, images that load, figures with alt text and captions, visible glued
numbers, formulas typeset, a sidebar that reaches every chapter, internal links that resolve. A
screenshot of each chapter is saved under _build/screenshots/ as a test artefact.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from bookpages import html_pages, toc_pages
from conftest import ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "_build" / "screenshots"

pytestmark = [
    pytest.mark.xdist_group("book"),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
    ),
]

# What the page shows, collected in the browser after it loaded.
PAGE_FACTS = """() => {
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const article = document.querySelector('article') || document.body;
  return {
    images: [...document.images].map(i => ({
      src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth})),
    figures: [...article.querySelectorAll('figure')].map(f => ({
      id: f.id, alt: [...f.querySelectorAll('img')].map(i => (i.getAttribute('alt') || '').trim()),
      caption: (f.querySelector('figcaption') || {innerText: ''}).innerText.trim()})),
    glued: [...article.querySelectorAll('.pasted-text')].map(g => ({
      text: g.innerText.trim(), visible: visible(g)})),
    math: article.querySelectorAll('.math').length,
    typeset: article.querySelectorAll('.math mjx-container').length,
    sidebar: [...document.querySelectorAll('nav.bd-docs-nav a[href]')].map(a => a.href),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


@dataclass
class Visit:
    """What happened when the browser opened one page."""

    url: str
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    failed: list[str] = field(default_factory=list)  # requests that failed or answered ≥ 400
    external: list[str] = field(default_factory=list)  # requests to another host (refused)
    facts: dict = field(default_factory=dict)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(built_book: Path):
    """The built HTML on a local server; yields (base URL, html folder)."""
    site = built_book / "_build" / "html"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def page_url(base: str, site: Path, page: Path) -> str:
    return base + page.relative_to(site).as_posix()


@pytest.fixture(scope="module")
def visits(served, browser) -> dict[str, Visit]:
    """Open every page once, record what went wrong, screenshot the chapters."""
    base, site = served
    host = urlsplit(base).netloc
    chapters = {p.resolve() for p in toc_pages(site)}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    results: dict[str, Visit] = {}
    current: list[Visit] = []

    def route(route) -> None:
        if urlsplit(route.request.url).netloc != host:
            current[-1].external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console",
        lambda m: m.type == "error" and current[-1].errors.append(f"console: {m.text} {m.location}"),
    )
    page.on("pageerror", lambda e: current[-1].errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: current[-1].failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and current[-1].failed.append(f"{r.url} (HTTP {r.status})"))
    for path in html_pages(site):
        url = page_url(base, site, path)
        visit = Visit(url)
        current.append(visit)
        page.goto(url, wait_until="networkidle")
        page.wait_for_function("() => !window.MathJax || !MathJax.startup || !!MathJax.startup.promise")
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")
        page.wait_for_load_state("networkidle")
        visit.facts = page.evaluate(PAGE_FACTS)
        if path.resolve() in chapters:
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"), full_page=True)
        results[str(path.relative_to(site))] = visit
    context.close()
    return results


def test_every_page_was_opened(visits, served):
    _, site = served
    assert set(visits) == {str(p.relative_to(site)) for p in html_pages(site)}
    for chapter in toc_pages(site):
        assert str(chapter.relative_to(site)) in visits


def test_no_console_errors(visits):
    problems = {name: v.errors for name, v in visits.items() if v.errors}
    assert not problems


def test_no_failed_requests_and_nothing_from_other_hosts(visits):
    assert not {name: v.failed for name, v in visits.items() if v.failed}
    assert not {name: v.external for name, v in visits.items() if v.external}


def test_every_image_loaded(visits):
    images = [(name, i) for name, v in visits.items() for i in v.facts["images"]]
    assert images
    broken = [(name, i["src"]) for name, i in images if not i["complete"] or i["width"] == 0]
    assert not broken


def test_every_figure_has_alt_text_and_caption(visits):
    figures = [(name, f) for name, v in visits.items() for f in v.facts["figures"]]
    assert len(figures) >= 4  # the trade-growth chapter alone has four
    for name, figure in figures:
        assert figure["alt"] and all(figure["alt"]), (name, figure["id"], "image without alt text")
        assert figure["caption"], (name, figure["id"], "figure without caption")


def test_glued_numbers_are_visible(visits, served):
    """The introduction's headline numbers are all there and on screen; so is every other glued text.

    A chapter may glue an empty string on purpose (a sentence that applies to some editions only).
    """
    _, site = served
    root = str(toc_pages(site)[0].relative_to(site))
    headline = visits[root].facts["glued"]
    assert headline, "the introduction shows no headline numbers"
    assert all(g["text"] and g["visible"] for g in headline), headline
    assert any(re.search(r"\d", g["text"]) for g in headline)
    for name, visit in visits.items():
        hidden = [g for g in visit.facts["glued"] if g["text"] and not g["visible"]]
        assert not hidden, (name, hidden)


def test_formulas_are_typeset(visits):
    with_math = {name: v.facts for name, v in visits.items() if v.facts["math"]}
    assert with_math, "no page has formulas: the vendored MathJax is not exercised"
    for name, facts in with_math.items():
        assert facts["typeset"] == facts["math"], name


def test_sidebar_links_every_chapter(visits, served):
    base, site = served
    chapters = {page_url(base, site, p) for p in toc_pages(site)}
    for name, visit in visits.items():
        if name == "index.html":  # a redirect to the first chapter; the browser shows that page
            continue
        linked = {urldefrag(href)[0] for href in visit.facts["sidebar"]}
        assert chapters <= linked, (name, sorted(chapters - linked))


def test_every_internal_link_resolves(visits, served, browser):
    base, site = served
    targets: dict[str, set[str]] = {}
    for visit in visits.values():
        for href in visit.facts["links"]:
            if href.startswith(base):
                url, fragment = urldefrag(href)
                targets.setdefault(url, set()).add(unquote(fragment))
    assert len(targets) > len(visits)
    context = browser.new_context()
    broken = []
    for url, fragments in sorted(targets.items()):
        response = context.request.get(url)
        if response.status != 200:
            broken.append(f"{url}: HTTP {response.status}")
            continue
        if fragments - {""}:
            ids = set(re.findall(r'\sid="([^"]+)"', response.text()))
            broken += [f"{url}#{f}: no such anchor" for f in sorted(fragments - {""} - ids)]
    context.close()
    assert not broken, "\n".join(broken)


def test_each_chapter_has_a_screenshot(visits, served):
    _, site = served
    for chapter in toc_pages(site):
        shot = SCREENSHOTS / f"{chapter.stem}.png"
        assert shot.is_file() and shot.stat().st_size > 10_000, shot
