"""Matplotlib house style: every chart has a title, units on its axes and a source line."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator
from matplotlib_inline.config import InlineBackend

plt.rcParams.update(
    {
        "figure.figsize": (8, 4.2),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "svg.hashsalt": "tradebook",
        "text.parse_math": False,  # labels carry names and citations from the data: text, never mathtext
    }
)


# Saved figures carry no version or date stamp: the same inputs give the same image bytes.
PNG_METADATA = {"Software": None}


def _reproducible_inline_figures() -> None:
    """Make the charts that notebooks show (IPython's inline backend) use the fixed metadata."""
    shell = get_ipython()
    if shell is None:
        return
    config = InlineBackend.instance(parent=shell)
    config.print_figure_kwargs = {**config.print_figure_kwargs, "metadata": PNG_METADATA}


_reproducible_inline_figures()


def figure(title: str, ylabel: str, xlabel: str = "Year"):
    """A new figure and axes with the title and axis labels set."""
    fig, ax = plt.subplots()
    ax.set_title(title, loc="left", fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    return fig, ax


def source_line(fig, text: str) -> None:
    """The data source under the chart, as every published chart should carry."""
    # Wrapped to the figure's width: a line wider than the figure would shrink the whole chart.
    width = int(fig.get_figwidth() * 20)
    wrapped = textwrap.fill(f"Source: {text}", width)
    lines = wrapped.count("\n") + 1
    fig.text(0.01, 0.005, wrapped, fontsize=7.5, color="0.35", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04 * lines, 1, 1))


def tick_decimals(values: Sequence[float], scale: float = 1e9, max_decimals: int = 6) -> int:
    """Fewest decimals with which every tick, divided by `scale`, prints exactly (to float noise): ticks at
    2.5-billion steps need one, at 0.25-billion steps two, at 5-billion steps none."""
    v = np.asarray([x / scale for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return 0
    steps = np.abs(np.diff(np.unique(v)))
    tolerance = 1e-6 * (float(steps.min()) if steps.size else max(float(np.abs(v).max()), 1.0))
    for decimals in range(max_decimals + 1):
        if np.all(np.abs(np.round(v, decimals) - v) <= tolerance):
            return decimals
    return max_decimals


class ScaledFormatter(Formatter):
    """Tick labels in units of `scale`, all with the decimals the tick set needs: each label is the value of the
    gridline it sits on (rounding 2.5 to "2" would have readers read values off the wrong line)."""

    def __init__(self, scale: float = 1e9) -> None:
        self.scale = scale
        self.decimals: int | None = None

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self.decimals = tick_decimals(list(locs), self.scale)

    def __call__(self, x: float, pos: int | None = None) -> str:
        decimals = self.decimals if self.decimals is not None else tick_decimals([x], self.scale)
        value = round(x / self.scale, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        return self.fix_minus(f"{value:,.{decimals}f}")


def billions_formatter() -> ScaledFormatter:
    """US$-billion axis labels that equal the gridlines they label, at any scale."""
    return ScaledFormatter(1e9)


def billions(ax, axis: str = "y") -> None:
    """Label an axis of US$ values in billions (the axis label says "US$ billion")."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(billions_formatter())


def percent(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: f"{v:.0%}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def stacked(title: str, ylabels: list[str], heights: list[float], xlabel: str = "Year"):
    """One chart of panels sharing a time axis (e.g. events above the series they are set against)."""
    fig, axes = plt.subplots(len(ylabels), 1, sharex=True, figsize=(8, 6.4), gridspec_kw={"height_ratios": heights})
    axes[0].set_title(title, loc="left", fontweight="bold")
    for ax, label in zip(axes, ylabels, strict=True):
        ax.set_ylabel(label)
    axes[-1].set_xlabel(xlabel)
    return fig, axes


def side_by_side(title: str, xlabels: list[str], ylabels: list[str], widths: list[float]):
    """One chart of panels side by side, e.g. two series over time beside the scatter of one against the other."""
    fig, axes = plt.subplots(1, len(xlabels), figsize=(8, 4.2), gridspec_kw={"width_ratios": widths})
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=plt.rcParams["axes.titlesize"])
    for ax, xlabel, ylabel in zip(axes, xlabels, ylabels, strict=True):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    return fig, axes


def mark_events(axes, positions: list[float], labels: list[str], levels: int = 3) -> None:
    """Numbered markers in the first panel and a faint line through every panel at each event.

    Markers cycle through `levels` heights so that events a few months apart stay legible; the
    numbers refer to a table of the events beside the chart.
    """
    strip = axes[0]
    for i, (x, label) in enumerate(zip(positions, labels, strict=True)):
        y = 1 + i % levels
        strip.plot([x, x], [0, y], color="0.55", linewidth=0.8)
        strip.annotate(
            label,
            (x, y),
            ha="center",
            va="center",
            fontsize=7.5,
            color="white",
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#345", "edgecolor": "none"},
        )
        for ax in axes[1:]:
            ax.axvline(x, color="0.6", linewidth=0.7, linestyle=":", zorder=0)
    strip.set_ylim(0, levels + 0.8)
    strip.set_yticks([])
    strip.grid(False)
    strip.spines["left"].set_visible(False)


def years(ax, axis: str = "x") -> None:
    """Whole years on a time axis (no 2002.5)."""
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
