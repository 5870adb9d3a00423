"""Charts that read on any screen and print: one Vega-Lite spec gives a live chart, a static SVG and a data package.

A chart cell builds a `Chart` (a house-styled Altair chart with its title, units and sources) and shows it::

    from tradebook.book import vega

    sources = data.sources_of(trade[(trade.reporter == reporter) & (trade.partner == partner)])
    chart = vega.time_series(pair, {"turnover": "Turnover", "export": "Kazakh exports"},
                             title="Kazakhstan's trade with Italy", units="US$ billion (current)",
                             scale=1e9, sources=sources)
    vega.show(chart, name="level", alt_text="Line chart of turnover and exports by year", data=pair)

The cell's `mystnb.figure` metadata names and captions the figure (the live chart is drawn into it). Any other
Altair chart (bars, bands, panels stacked with alt.vconcat) becomes a `Chart` with `vega.chart(altair_chart,
title=..., units=..., sources=..., note=...)`; its parts can come from `lines` (the layers of `time_series`),
`year_bars`, `x_years` and `y_values` (axes whose labels are the values of their gridlines) and `colours`
(one legend for several layers). Text from the data is drawn as plain text, never markup.

`show` publishes two outputs. The first, `image/svg+xml`, is the static image rendered offline by vl-convert
at a fixed width: MyST-NB makes it the figure, and it is what prints, what the PDF holds and what a reader
without JavaScript sees. The second (CHART_MIME) carries the live spec, the chart's data and its metadata;
the build (normalise.py, datapackage.py) turns it into a placeholder that the book's script draws at the
column's width with hover values, and into the downloads under the figure: the data as CSV with its
metadata file, the SVG and the Vega-Lite spec. All of it is deterministic: the same inputs, the same bytes.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import altair as alt
import pandas as pd
import vl_convert
from IPython.display import publish_display_data

from ..data.sources import Source
from .downloads import CHART_MIME, check_name, csv_text
from .forkserver import SVG_SERVICE, render_svg

# JupyterLab draws this one live while the notebook is edited; the build drops it with the rest.
VEGALITE_MIME = "application/vnd.vegalite.v6+json"
STATIC_WIDTH = 600  # plot width of the static image, px: its text stays ≥ 9 px down to a 0.8 scale (A4 column)
HEIGHT = 260
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
PALETTE = ["#1f5a96", "#d9822b", "#2a9d5c", "#7a4fa3", "#b8403a", "#6b6b6b"]
RISE, FALL = PALETTE[2], PALETTE[4]  # bars of values above and below zero
TITLE_CHARS = 42  # a title line at 14 px that fits a 390 px screen
SHORT_LABEL = 24  # legend labels up to this length go two a row
LABEL_LIMIT = 340  # px: no legend label is cut short before the width of a phone's column

# The house style, in CSS px: the live chart is drawn at 1:1, so 11 px text stays 11 px on a phone.
CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None, "continuousHeight": HEIGHT},
    "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#555", "offset": 8},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "gridColor": "#e6e6e6"},
    "header": {"labelFontSize": 11, "titleFontSize": 11},
    "legend": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "orient": "top",
        "direction": "horizontal",
        "title": None,
        "symbolSize": 60,
        "columns": 2,
        "columnPadding": 14,
    },
    "line": {"strokeWidth": 2},
    "range": {"category": PALETTE},
}


P = ParamSpec("P")
R = TypeVar("R")


def unchecked(build: Callable[P, R]) -> Callable[P, R]:
    """Build without Altair checking every object against the schema as it is created (a fifth of a chart's CPU
    time): the same objects and the same spec. tests/test_published.py validates every spec the book publishes."""

    @functools.wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with alt.utils.schemapi.debug_mode(False):
            return build(*args, **kwargs)

    return run


@dataclass(frozen=True)
class Chart:
    """An Altair chart in the house style, with what its data package states: title, units, sources.

    `heading` is the title as drawn (the title, then units and sources as subtitle). `spec` puts it in the spec:
    set on `altair` (`properties`), it would cost a copy of the chart, which Altair rebuilds layer by layer.
    """

    altair: alt.TopLevelMixin
    title: str
    units: str
    sources: tuple[Source, ...]
    heading: alt.Title


@unchecked
def chart(altair_chart: alt.TopLevelMixin, *, title: str, units: str, sources: list[Source], note: str = "") -> Chart:
    """Any Altair chart with the house title: the title, then the units and the source line as subtitle.

    `note` ends the source line with what no source in sources.yml stands for (e.g. "projection: this book").
    """
    lines = textwrap.wrap(title, TITLE_CHARS) or [title]
    heading = alt.Title(lines[0] if len(lines) == 1 else lines, subtitle=subtitle(units, sources, note))
    return Chart(altair_chart, title, units, tuple(sources), heading)


def subtitle(units: str, sources: list[Source], note: str = "", width: int = 52) -> list[str]:
    """Units, then the source line, wrapped to fit a 390 px screen at 11 px."""
    cited = "; ".join([*(s.citation for s in sources), *([note] if note else [])])
    return [*textwrap.wrap(units, width), *(textwrap.wrap(f"Source: {cited}", width) if cited else [])]


def axis_format(fmt: str) -> str:
    """A d3 number format for axis labels: `fmt` without its sign, precision or trimming.

    Vega then gives every label the decimals its tick step needs (steps of 0.5 read 0.0, 0.5, 1.0; of 0.005,
    0.000, 0.005), so each label is the value of its gridline: a fixed precision would print a tick at 2.5
    as "2" or one at 0.005 as "0.01". Tooltips keep `fmt` itself.
    """
    return re.sub(r"[+~]|\.\d+", "", fmt)


@unchecked
def x_years(
    field: str = "year", *, title: str | None = "Year", domain: tuple[float, float] | None = None, labels: bool = True
) -> alt.X:
    """The time axis: whole years only (no 2002.5), thinned on a narrow screen, from the first value to the last.

    `domain` fixes its ends (e.g. a claimed period with its gaps, or half a year beyond bars at either end);
    `labels=False` leaves the axis to the panel below.
    """
    scale = alt.Scale(domain=list(domain), nice=False, zero=False) if domain else alt.Scale(nice=False, zero=False)
    # Vega still ticks half years over a span of one or two years: those ticks go unlabelled, not "2002" twice.
    whole = "datum.value % 1 ? '' : datum.label"
    axis = alt.Axis(format="d", tickMinStep=1, labelOverlap=True, labelExpr=whole) if labels else None
    return alt.X(f"{field}:Q", title=title if labels else None, scale=scale, axis=axis)


@unchecked
def y_values(
    field: str = "shown", *, y_format: str, title: str | None = None, zero: bool = False, log: bool = False
) -> alt.Y:
    """A value axis whose labels are the values of its gridlines (axis_format); `zero` keeps 0 in view."""
    scale = alt.Scale(type="log") if log else alt.Scale(zero=zero)
    return alt.Y(f"{field}:Q", title=title, scale=scale, axis=alt.Axis(format=axis_format(y_format)))


@unchecked
def legend(labels: list[str], **style: Any) -> alt.Legend:
    """The legend above a chart: two labels a row while all are short, one a row once any is long, so that
    no label is cut short on a 390 px screen. `style`: other alt.Legend properties (e.g. symbolStrokeColor)."""
    columns = 2 if all(len(label) <= SHORT_LABEL for label in labels) else 1
    return alt.Legend(title=None, columns=columns, labelLimit=LABEL_LIMIT, **style)


@unchecked
def colours(labels: list[str], palette: list[str] | None = None) -> alt.Color:
    """The colour of each layer's `series` (its legend label), the same in every layer of a chart; one series
    needs no legend (the title says what it is)."""
    scale = alt.Scale(domain=labels, range=(palette or PALETTE)[: len(labels)])
    return alt.Color("series:N", scale=scale, legend=legend(labels) if len(labels) > 1 else None)


@unchecked
def lines(
    frame: pd.DataFrame,
    series: dict[str, str],
    *,
    units: str,
    y_format: str = ",.2f",
    scale: float = 1.0,
    log: bool = False,
    zero: bool = False,
    hover: str = "hover",
    colour: alt.Color | None = None,
) -> alt.LayerChart:
    """Lines with points, one per column of a frame indexed by year; hover shows the year and every value.

    The layers of `time_series`, to combine with others through `chart`: `hover` names the selection (unique
    in a chart), and `colour` (from `colours`) shares one legend with the other layers. `series` maps the
    columns to their labels, in the legend's order; `scale` divides the values for display (1e9 for
    billions), and the tooltip shows the same units.
    """
    wide = frame[list(series)].rename(columns=series).rename_axis("year").reset_index()
    data = wide.melt("year", var_name="series", value_name="value")
    data = data.assign(shown=data["value"] / scale).dropna(subset=["shown"])
    data = data.sort_values(["series", "year"], kind="stable").reset_index(drop=True)
    order = list(series.values())
    # Hover anywhere over a year (nearest, so a finger need not hit a point): a rule at that year with one
    # tooltip of the year and every series. The tooltip sits on a pivoted rule layer: Vega-Lite 6 mis-reads
    # nominal fields in the tooltip of a nearest selection on the points ("Series: undefined").
    selection = alt.selection_point(
        name=hover, fields=["year"], nearest=True, on="pointerover", clear="pointerout", empty=False
    )
    # The data sit on the layer, and on the rule alone of its layers: Altair names a layer with a selection after
    # a hash of its data's text (DataFrame.__repr__, tens of ms), and hashes every layer given the data itself.
    base = alt.Chart().encode(
        x=x_years(),
        y=y_values(y_format=y_format, zero=zero, log=log),
        color=colours(order) if colour is None else colour,
    )
    points = base.mark_point(filled=True, opacity=1).encode(size=_while(selection, alt.SizeValue, 90, 24))
    tooltip = [alt.Tooltip("year:Q", title="Year", format="d")] + [
        alt.Tooltip(f"{_field(s)}:Q", title=f"{s} ({units})" if len(order) == 1 else s, format=y_format) for s in order
    ]
    rule = (
        alt.Chart(data)
        .transform_pivot("series", value="shown", groupby=["year"])
        .mark_rule(color="#888", strokeWidth=1)
        .encode(x=x_years(), opacity=_while(selection, alt.OpacityValue, 0.6, 0), tooltip=tooltip)
        .add_params(selection)
    )
    return alt.layer(base.mark_line(), points, rule, data=data)


@unchecked
def time_series(
    frame: pd.DataFrame,
    series: dict[str, str],
    *,
    title: str,
    units: str,
    sources: list[Source],
    y_format: str = ",.2f",
    scale: float = 1.0,
    log: bool = False,
    zero: bool = False,
    note: str = "",
) -> Chart:
    """Lines with points, one per column of a frame indexed by year; hover shows the year and every value.

    `series` maps the columns to draw to their labels, in the legend's order. `scale` divides the values for
    display (1e9 for billions); the tooltip shows the same units. `zero` keeps 0 on the value axis.
    """
    drawn = lines(frame, series, units=units, y_format=y_format, scale=scale, log=log, zero=zero)
    return chart(drawn, title=title, units=units, sources=sources, note=note)


@unchecked
def year_bars(
    values: pd.Series,
    *,
    label: str,
    units: str,
    y_format: str,
    scale: float = 1.0,
    colour: alt.Color | None = None,
    width: float = 0.8,
    offset: float = 0.0,
) -> alt.Chart:
    """A bar for each year's value (the index: years), `width` of a year wide, centred `offset` after its year.

    With `colour` (from `colours`) the bars are the legend's `label`; without, rises are green and falls red.
    The tooltip gives the year and the value in `units`.
    """
    years = values.index.to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "year": values.index.astype(int),
            "series": label,
            "shown": values.to_numpy(dtype=float) / scale,
            "start": years + offset - width / 2,
            "end": years + offset + width / 2,
        }
    ).dropna(subset=["shown"])
    # Channels as objects, not shorthand strings or dicts, which Altair turns into objects slowly (see _while).
    below = alt.ConditionalPredicateValueDefGradientstringnullExprRef(test=alt.Predicate("datum.shown < 0"), value=FALL)
    fill = colour if colour is not None else alt.ColorValue(RISE, condition=below)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x_years("start"),
            x2=alt.X2("end:Q"),
            y=y_values(y_format=y_format, zero=True),
            y2=alt.Y2(datum=0),
            color=fill,
            tooltip=[
                alt.Tooltip("year:Q", title="Year", format="d"),
                alt.Tooltip("shown:Q", title=f"{label} ({units})", format=y_format),
            ],
        )
    )


@unchecked
def small_multiples(
    frame: pd.DataFrame,
    *,
    title: str,
    units: str,
    sources: list[Source],
    panel: str,
    x: str = "year",
    y: str = "value",
    y_format: str = ",.1f",
    scale: float = 1.0,
    columns: int = 2,
    highlight: str | None = None,
) -> Chart:
    """One small line chart per panel (e.g. per partner) on a shared scale; hover shows panel, year and value.

    Panels keep the order in which they first appear; `highlight` draws one panel's line in the accent colour.
    """
    data = frame[[panel, x, y]].rename(columns={panel: "panel", x: "year", y: "value"})
    data = data.assign(shown=data["value"] / scale, accent=data["panel"] == highlight).dropna(subset=["shown"])
    order = list(dict.fromkeys(frame[panel]))
    hover = alt.selection_point(name="hover", fields=["panel", "year"], nearest=True, on="pointerover", empty=False)
    base = alt.Chart(data).encode(
        x=alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickCount=4, labelOverlap=True)),
        y=alt.Y("shown:Q", title=None, axis=alt.Axis(format=axis_format(y_format), tickCount=3)),
        color=alt.Color("accent:N", scale=alt.Scale(domain=[False, True], range=[PALETTE[5], PALETTE[0]]), legend=None),
    )
    points = base.mark_point(filled=True).encode(
        size=_while(hover, alt.SizeValue, 60, 8),
        tooltip=[
            alt.Tooltip("panel:N", title="Partner"),
            alt.Tooltip("year:Q", title="Year", format="d"),
            alt.Tooltip("shown:Q", title=units, format=y_format),
        ],
    )
    layered = alt.layer(base.mark_line(strokeWidth=1.5), points.add_params(hover), data=data)
    # Two panels of 130 px with their axis fit a 390 px phone's column; wider screens show them as they are.
    faceted = layered.properties(width=130, height=80).facet(
        facet=alt.Facet("panel:N", sort=order, title=None), columns=columns
    )
    return chart(faceted.resolve_scale(y="shared"), title=title, units=units, sources=sources)


V = TypeVar("V", alt.SizeValue, alt.OpacityValue)


def _while(selection: alt.Parameter, channel: type[V], held: float, otherwise: float) -> V:
    """What alt.condition(selection, alt.value(held), alt.value(otherwise)) gives, built as the classes Altair
    would look up for that dict (each lookup builds a table of every schema class: about 20 ms a channel).

    The same classes give the same spec and the same view names, which Altair derives from their repr.
    """
    when = alt.ConditionalParameterValueDefnumberExprRef(
        param=alt.ParameterName(selection.name), value=held, empty=selection.empty
    )
    return channel(otherwise, condition=when)


def _field(name: str) -> str:
    """A column name as a Vega-Lite field: dots, brackets and quotes (Italy's, Côte d'Ivoire) would be read as
    the syntax of nested access, and a colon (to Altair) as a type, so each is escaped."""
    return re.sub(r"([\\.\[\]'\":])", r"\\\1", name)


@unchecked
def spec(shown: Chart, description: str) -> dict[str, Any]:
    """The chart's Vega-Lite spec in the house style; `description` becomes the live SVG's aria-label.

    Altair's schema validation (jsonschema, seconds over a book's charts) is left out: it would give the same
    dict, and the tests validate every spec the book publishes (tests/test_published.py).
    """
    drawn = list(shown.altair.to_dict(validate=False).items())
    # The heading where Altair puts a title, before the $schema it adds: a URL the page never loads (the embedding
    # is told the mode instead). A title the chart has keeps its place, as `properties(title=...)` would.
    at = [key for key, _ in drawn].index("$schema")
    out = dict([*drawn[:at], ("title", shown.heading.to_dict(validate=False)), *drawn[at + 1 :]])
    out["config"] = {**CONFIG, **{k: v for k, v in out.get("config", {}).items() if k != "view"}}
    out["description"] = description
    if "facet" not in out and "vconcat" not in out:
        out.setdefault("height", HEIGHT)
    return out


def static_svg(chart_spec: dict[str, Any]) -> str:
    """The print image: the spec at a fixed width, rendered offline by vl-convert (no browser, no network).

    In a build, by the fork server's renderer (book/forkserver.py): vl-convert's JavaScript engine then starts
    once per build, not once in every kernel; the same vl-convert, so the same SVG.
    """
    spec = _sized(chart_spec, STATIC_WIDTH)
    address = os.environ.get(SVG_SERVICE)
    return render_svg(address, spec) if address else vl_convert.vegalite_to_svg(spec)


def live_spec(chart_spec: dict[str, Any]) -> dict[str, Any]:
    """The spec the browser draws: as wide as the text column (small multiples keep their panel size)."""
    return _sized(chart_spec, "container")


def _sized(chart_spec: dict[str, Any], width: int | str) -> dict[str, Any]:
    """A chart, or each of the panels stacked in it (vconcat), `width` wide; small multiples keep their size."""
    if "facet" in chart_spec:
        return chart_spec
    if "vconcat" in chart_spec:
        return {
            **chart_spec,
            "vconcat": [{**panel, "width": width} for panel in chart_spec["vconcat"]],
            "autosize": _FIT,
        }
    return {**chart_spec, "width": width, "autosize": _FIT}


_FIT = {"type": "fit-x", "contains": "padding"}


def show(shown: Chart, *, name: str, alt_text: str, data: pd.DataFrame | pd.Series) -> None:
    """Publish the chart: its static SVG (the figure) and, for the build, the live spec and its data package.

    `name` (lower case, digits, dashes, underscores) names the downloads after the chapter's name; `data` is
    the tidy data behind the chart, offered as CSV beside its metadata.
    """
    check_name(name)
    chart_spec = spec(shown, alt_text)
    publish_display_data({"image/svg+xml": static_svg(chart_spec), "text/plain": f"Chart: {shown.title}"})
    live = live_spec(chart_spec)
    payload = {
        "name": name,
        "title": shown.title,
        "units": shown.units,
        "sources": [s.id for s in shown.sources],
        "alt": alt_text,
        "spec": live,
        "csv": csv_text(data),
    }
    publish_display_data({CHART_MIME: payload, VEGALITE_MIME: live, "text/plain": f"Chart data: {name}"})


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script, from the vl-convert wheel (no network).

    The bundle declares top-level constants; wrapped in a function they cannot collide with the theme's
    scripts. It sets window.vegaEmbed, which the book's script calls.
    """
    header = f"/*! {bundle_versions()} (BSD-3-Clause), bundled by vl-convert */"
    return f"{header}\n(function(){{\n{vl_convert.javascript_bundle()}\n}})();\n"


def bundle_versions() -> str:
    """The versions of the bundled libraries: those that also draw the static SVGs."""
    vega, lite = vl_convert.get_vega_version(), vl_convert.get_vegalite_versions()[-1]
    return f"vega {vega}, vega-lite {lite}, vega-embed {vl_convert.get_vega_embed_version()}"


if __name__ == "__main__":  # `make vendor`: write the bundle the book serves (assets/vendor/vega/)
    Path(sys.argv[1]).write_text(javascript_bundle(), encoding="utf-8")
    print(f"{sys.argv[1]}: {bundle_versions()}")
