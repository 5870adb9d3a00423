"""Sphinx extension for the published book: every page works offline, loads nothing from other hosts, and
carries the book's own style, script and stamp.

Jupyter Book 1 always loads sphinx-thebe, which writes a CDN address and a Binder repository into
every page and declares its JavaScript constant twice (an error in every browser console). Thebe
runs code on Binder, so it cannot work offline anyway: its event handlers are disconnected. Any
script or style sheet that a page would still load from another host is a warning, which
`jupyter-book build -W` turns into a failed build.

The book's style sheet and script (resources/static) are on every page; the vendored Vega bundle only on
pages with a live chart. The build writes the stamp (edition, version, each page's data vintage, the
citation) into the staged _config.yml as `tradebook_stamp`: the footer template (resources/templates)
shows it on every page, and prose pages quote it as MyST substitutions ({{ book_version }}, …).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.util import logging

from .markdown import md_escape

logger = logging.getLogger(__name__)


def disconnect_thebe(app, config) -> None:
    """Undo sphinx-thebe's hooks (scripts, page config, static files); its directive stays defined."""
    for listeners in list(app.events.listeners.values()):
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "").startswith("sphinx_thebe"):
                app.disconnect(listener.id)


def external(url: str) -> bool:
    return "://" in url or url.startswith("//")


def _url(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def offline_assets(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Drop thebe's style sheet (added at set-up, not by a hook) and refuse assets from other hosts."""
    if "css_files" in context:
        context["css_files"] = [css for css in context["css_files"] if "thebe" not in _url(css)]
    for asset in [*context.get("script_files", []), *context.get("css_files", [])]:
        url = _url(asset)
        if external(url):
            logger.warning("page %s would load %s from another host; the book must work offline", pagename, url)


RESOURCES = Path(__file__).parent / "resources"
VEGA_JS = "../vendor/vega/tradebook-vega.js"  # relative to _static/: assets/ is published at the book's root
VEGA_MARK = 'class="tb-vega"'
SUBSTITUTIONS = ("version", "edition", "edition_title", "citation")


def book_assets(app, config) -> None:
    """The book's style, script and templates from the package; the stamp's texts as MyST substitutions.

    A substitution is parsed as Markdown where it lands: the texts (an edition's title, a citation) are
    escaped, so that a `<img …>`, a `{glue}` role or `$…$` in an edition file stays text on the page.
    """
    config.html_static_path = [*config.html_static_path, str(RESOURCES / "static")]
    # Each folder once, ours first: sphinx_book_theme appends its own in place, once as extension and once as theme,
    # to Sphinx's shared default list when the book sets none, so a second build in one process found it thrice.
    config.templates_path = list(dict.fromkeys([str(RESOURCES / "templates"), *config.templates_path]))
    stamp = config.tradebook_stamp or {}
    found = {f"book_{key}": md_escape(stamp[key]) for key in SUBSTITUTIONS if key in stamp}
    config.myst_substitutions = {**(getattr(config, "myst_substitutions", None) or {}), **found}


def page_stamp(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The Vega bundle on pages with a live chart; this page's stamp (edition, data vintage, version)."""
    if VEGA_MARK in context.get("body", ""):
        app.add_js_file(VEGA_JS, priority=550, loading_method="defer")
    stamp = app.config.tradebook_stamp or {}
    context["tradebook_stamp"] = {
        "edition": stamp.get("edition_title", ""),
        "version": stamp.get("version", ""),
        "changed": stamp.get("changed", []),
        "pdf": stamp.get("pdf", ""),
        "vintage": (stamp.get("vintage") or {}).get(pagename, []),
    }


def setup(app) -> dict[str, Any]:
    app.add_config_value("tradebook_stamp", {}, "html", dict)
    app.connect("config-inited", disconnect_thebe, priority=900)
    app.connect("config-inited", book_assets, priority=800)
    app.connect("html-page-context", page_stamp, priority=500)
    app.connect("html-page-context", offline_assets, priority=900)
    app.add_css_file("tradebook.css", priority=900)
    app.add_js_file("tradebook.js", priority=600, loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
