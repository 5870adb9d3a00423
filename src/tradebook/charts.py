"""Matplotlib house style: every chart has a title, units on its axes and a source line."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

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
    }
)


# Saved figures carry no version or date stamp: the same inputs give the same image bytes.
PNG_METADATA = {"Software": None}


def _reproducible_inline_figures() -> None:
    """Make the charts that notebooks show (IPython's inline backend) use the fixed metadata."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return
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
    fig.text(0.01, 0.005, f"Source: {text}", fontsize=7.5, color="0.35", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))


def billions(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: f"{v / 1e9:,.0f}" if abs(v) >= 1e9 or v == 0 else f"{v / 1e9:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def percent(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: f"{v:.0%}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
