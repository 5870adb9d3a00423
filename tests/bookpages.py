"""Reading a built book: its pages in _toc.yml order, the URLs a page loads, the files links name."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT

from tradebook.book.downloads import DOWNLOAD_MIME
from tradebook.book.vega import CHART_MIME

# Elements and attributes through which a page makes the browser fetch something by itself.
LOADING_ATTRIBUTES = {
    "script": ["src"],
    "link": ["href"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "iframe": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "image": ["href", "xlink:href"],
    "use": ["href", "xlink:href"],
    "input": ["src"],
    "track": ["src"],
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def external(url: str) -> bool:
    """A URL that points at another host (data: URIs and relative paths stay in the book)."""
    url = url.strip()
    return url.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*://", url, re.I))


def html_pages(site: Path) -> list[Path]:
    """Every page of the book (the theme's template fragments in _static/ are not pages)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("_static", "vendor"))


def toc_pages(site: Path) -> list[Path]:
    """The chapter pages in the order of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"], *(c["file"] for c in toc.get("chapters", []))]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return [site / f"{f}.html" for f in files]


def soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def css_urls(text: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(text)]


def loaded_urls(page: Path) -> list[str]:
    """Every URL that the page itself loads: attributes, inline styles and <style> blocks."""
    doc = soup(page)
    urls = []
    for tag, attributes in LOADING_ATTRIBUTES.items():
        for element in doc.find_all(tag):
            if tag == "link" and not set(element.get("rel", [])) & {
                "stylesheet",
                "icon",
                "preload",
                "modulepreload",
                "prefetch",
                "manifest",
                "apple-touch-icon",
            }:
                continue
            for attribute in attributes:
                value = element.get(attribute)
                if value and attribute.endswith("srcset"):
                    urls += [part.split()[0] for part in value.split(",") if part.strip()]
                elif value:
                    urls.append(value)
    for element in doc.find_all(style=True):
        urls += css_urls(element["style"])
    for element in doc.find_all("style"):
        urls += css_urls(element.get_text())
    return urls


def local_file(site: Path, page: Path, url: str) -> Path:
    """The file in the site that a relative URL on `page` names."""
    path = unquote(urlsplit(url).path)
    base = "file://" + page.parent.as_posix() + "/"
    return Path(urlsplit(urljoin(base, path)).path)


def offered_downloads(executed: Path) -> dict[str, str]:
    """Download name → CSV text, as an executed (not yet published) notebook declares them: the data of its
    tables (downloads.download) and of its charts (vega.show)."""
    nb = nbformat.read(executed, as_version=4)
    found = {}
    for output in (o for c in nb.cells for o in c.get("outputs", [])):
        offered = output.get("data", {}).get(DOWNLOAD_MIME) or output.get("data", {}).get(CHART_MIME)
        if offered:
            found[offered["name"]] = offered["csv"]
    return found
