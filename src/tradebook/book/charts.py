"""Matplotlib house style: every chart has a title, units on its axes and a source line."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from IPython import get_ipython
from matplotlib.ticker import FuncFormatter, MaxNLocator
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


def billions(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: f"{v / 1e9:,.0f}" if abs(v) >= 1e9 or v == 0 else f"{v / 1e9:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


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
