"""The built book in a real browser: headless Chromium (Debian's) opens every page, offline.

Each page is visited once (module fixture) from a local HTTP server on 127.0.0.1; any request to
another host is refused and counted. The tests then check what a reader would meet: no console
errors, no failed requests, images that load, figures with alt text and captions, visible glued
numbers, formulas typeset, a sidebar that reaches every chapter, internal links that resolve. A
screenshot of each chapter is saved under _build/screenshots/ as a test artefact: the whole page at
1280 px, the first screen at 390 px.

Every page is opened at 1280 and at 390 CSS px (a phone): the page never scrolls sideways, no table is
wider than its column at 1280, the text of every chart a reader sees at 390 is at least 9 CSS px, and
hovering a point of a time-series chart shows its year and value.
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
WIDTHS = (1280, 390)
MIN_CHART_PX = 9.0
# Time-series charts whose points must show their year and value on hover (figure id by page).
HOVER_CHARTS = {"notebooks/intro.html": "fig-intro-trade", "notebooks/trade_growth.html": "fig-trade-level"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),  # one browser and one visit of each page, on one worker
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

# The layout a reader meets: sideways scroll, tables against their column, the size of chart text.
LAYOUT_FACTS = """async () => {
  const doc = document.documentElement;
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const article = document.querySelector('article.bd-article') || document.body;
  const column = article.getBoundingClientRect();
  const tables = [...article.querySelectorAll('table')].filter(visible).map(t => {
    let box = t.parentElement;  // the table's own scroll box, if it has one
    while (box && box !== article && !/(auto|scroll)/.test(getComputedStyle(box).overflowX)) box = box.parentElement;
    const scroller = box && box !== article ? box : null;
    return {id: t.id || (t.closest('[id]') || {}).id || '', width: t.getBoundingClientRect().width,
            right: (scroller || t).getBoundingClientRect().right,
            scrolls: !!scroller && scroller.scrollWidth > scroller.clientWidth + 1};
  });
  const live = [...article.querySelectorAll('.tb-vega svg text')].filter(visible)
    .filter(t => (t.textContent || '').trim()).map(t => {
      const m = t.getScreenCTM(), scale = m ? Math.hypot(m.a, m.b) : 1;
      return {text: t.textContent.slice(0, 30), px: parseFloat(getComputedStyle(t).fontSize) * scale};
    });
  const images = [];
  for (const img of [...article.querySelectorAll('figure img')].filter(visible)) {
    const src = img.currentSrc || img.src;
    let px = null;
    if (/\\.svg($|\\?)/.test(src)) {
      const svg = await (await fetch(src)).text();
      const sizes = [...svg.matchAll(/font-size="([0-9.]+)/g)].map(m => parseFloat(m[1]));
      const width = parseFloat((svg.match(/<svg[^>]*\\swidth="([0-9.]+)/) || [0, img.naturalWidth])[1]);
      if (sizes.length) px = Math.min(...sizes) * img.getBoundingClientRect().width / width;
    }
    images.push({src: src.split('/').pop(), px});
  }
  return {
    scroll: doc.scrollWidth - doc.clientWidth, right: column.right, tables, live, chart_images: images,
    charts: [...article.querySelectorAll('.tb-vega')].map(d => d.dataset.state || 'not drawn'),
  };
}"""


# A page that loads MathJax has typeset once MathJax's startup promise resolves. The script is deferred and
# replaces the page's configuration object when it runs: the promise is awaited in the page, where it appears.
MATHJAX_TYPESET = """async () => {
  if (document.querySelector('script[src*="mathjax"]')) {
    for (let waited = 0; !(window.MathJax && MathJax.startup && MathJax.startup.promise); waited += 50) {
      if (waited > 30000) throw new Error('MathJax did not start in 30 s');
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await MathJax.startup.promise;
  }
  await document.fonts.ready;  // the theme's fonts, and MathJax's as formulas need them
  return true;
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
    """Every page at 1280 px, each measured once it has loaded, typeset and drawn."""
    return visit_all(served, browser, 1280, "load")


@pytest.fixture(scope="module")
def narrow_visits(served, browser) -> dict[str, Visit]:
    """Every page at 390 px, a phone's width, each left only once the network is idle: what a page asks for
    late (from another host or not) is recorded too. The same pages make the same requests at either width."""
    return visit_all(served, browser, 390, "networkidle")


def visit_all(served, browser, width: int, until: str) -> dict[str, Visit]:
    """Open every page once, record what went wrong and how it is laid out, screenshot the chapters.

    `until`: the event a visit waits for before the page is typeset and measured (index.html, which redirects
    to the introduction, always waits for the network to be idle: the page it leads to, settled).
    """
    base, site = served
    host = urlsplit(base).netloc
    chapters = {p.resolve() for p in toc_pages(site)}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
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
    page.on("requestfailed", lambda r: failed(current[-1], r))
    page.on("response", lambda r: r.status >= 400 and current[-1].failed.append(f"{r.url} (HTTP {r.status})"))
    for path in html_pages(site):
        url = page_url(base, site, path)
        visit = Visit(url)
        current.append(visit)
        page.goto(url, wait_until="networkidle" if path.name == "index.html" else until)
        page.evaluate(MATHJAX_TYPESET)
        page.wait_for_load_state(until)
        page.wait_for_function("() => [...document.querySelectorAll('.tb-vega')].every(d => d.dataset.state)")
        visit.facts = page.evaluate(PAGE_FACTS) | page.evaluate(LAYOUT_FACTS)
        name = str(path.relative_to(site))
        if name in HOVER_CHARTS:
            visit.facts["hover"] = hover(page, HOVER_CHARTS[name])
        if path.resolve() in chapters:
            suffix = "" if width == 1280 else f"-{width}"
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}{suffix}.png"), full_page=width == 1280)
        results[name] = visit
    context.close()
    return results


def failed(visit: Visit, request) -> None:
    """Note a failed request; not one the browser dropped because its page left (index.html redirects at
    once: its favicon may still be loading), which no reader sees fail."""
    if visit.url.endswith("/index.html") and request.failure == "net::ERR_ABORTED":
        return
    visit.failed.append(f"{request.url} ({request.failure})")


def hover(page, figure: str) -> str:
    """Move the pointer over a chart until its tooltip shows; the tooltip's text ('' if none showed)."""
    chart = page.locator(f"#{figure} .tb-vega svg").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    for across in (0.5, 0.3, 0.7, 0.9):
        page.mouse.move(box["x"] + box["width"] * across, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(150)
        tip = page.locator("#vg-tooltip-element.visible")
        if tip.count() and tip.first.is_visible():
            return tip.first.inner_text()
    return ""


def test_every_page_was_opened(visits, served):
    _, site = served
    assert set(visits) == {str(p.relative_to(site)) for p in html_pages(site)}
    for chapter in toc_pages(site):
        assert str(chapter.relative_to(site)) in visits


def test_no_console_errors(visits, narrow_visits):
    for seen in (visits, narrow_visits):
        problems = {name: v.errors for name, v in seen.items() if v.errors}
        assert not problems


def test_no_failed_requests_and_nothing_from_other_hosts(visits, narrow_visits):
    for seen in (visits, narrow_visits):
        assert not {name: v.failed for name, v in seen.items() if v.failed}
        assert not {name: v.external for name, v in seen.items() if v.external}


def test_no_page_scrolls_sideways(visits, narrow_visits):
    for width, seen in zip(WIDTHS, (visits, narrow_visits), strict=True):
        assert not {name: v.facts["scroll"] for name, v in seen.items() if v.facts["scroll"] > 0}, width


def test_no_table_is_wider_than_its_column_at_1280(visits):
    tables = [(name, t) for name, v in visits.items() for t in v.facts["tables"]]
    assert len(tables) > 10
    wide = [(name, t["id"], round(t["width"])) for name, t in tables if t["scrolls"]]
    beyond = [(name, t["id"]) for name, t in tables if t["right"] > visits[name].facts["right"] + 1]
    assert not wide and not beyond


def test_every_chart_is_drawn_live_and_its_text_legible_at_390(narrow_visits):
    """Every live chart is drawn, and every chart a phone shows (live SVG or image) has text of 9 px or more."""
    measured = 0
    for name, visit in narrow_visits.items():
        facts = visit.facts
        assert all(state == "live" for state in facts["charts"]), (name, facts["charts"])
        small = [t for t in facts["live"] if t["px"] < MIN_CHART_PX]
        assert not small, (name, small[:3])
        for image in facts["chart_images"]:
            assert image["px"] is not None and image["px"] >= MIN_CHART_PX, (name, image)
        measured += len(facts["live"]) + len(facts["chart_images"])
    assert measured > 50


def test_hovering_a_time_series_shows_year_and_value(visits):
    for name in HOVER_CHARTS:
        tip = visits[name].facts.get("hover", "")
        assert re.search(r"\b(19|20)\d\d\b", tip) and re.search(r"\d+\.\d\d", tip), (name, tip)


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
