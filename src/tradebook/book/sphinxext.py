"""Sphinx extension for the published book: every page works offline and loads nothing from other hosts.

Jupyter Book 1 always loads sphinx-thebe, which writes a CDN address and a Binder repository into
every page and declares its JavaScript constant twice (an error in every browser console). Thebe
runs code on Binder, so it cannot work offline anyway: its event handlers are disconnected. Any
script or style sheet that a page would still load from another host is a warning, which
`jupyter-book build -W` turns into a failed build.
"""

from __future__ import annotations

from typing import Any

from sphinx.util import logging

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


def setup(app) -> dict[str, Any]:
    app.connect("config-inited", disconnect_thebe, priority=900)
    app.connect("html-page-context", offline_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
