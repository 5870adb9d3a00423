"""Chart axes label the gridlines they draw: a US$-billion tick at 2.5e9 reads 2.5, never 2 or 3."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.ticker import MaxNLocator

from tradebook.book import charts


def labels(ticks: list[float]) -> list[str]:
    return charts.billions_formatter().format_ticks(ticks)


def test_labels_equal_tick_values_at_every_scale():
    assert labels([0, 2.5e9, 5e9, 7.5e9]) == ["0.0", "2.5", "5.0", "7.5"]
    assert labels([0, 0.25e9, 0.5e9]) == ["0.00", "0.25", "0.50"]
    assert labels([15e9, 17.5e9, 20e9]) == ["15.0", "17.5", "20.0"]
    assert labels([0, 5e9, 10e9, 15e9]) == ["0", "5", "10", "15"]
    assert labels([0, 1000e9, 2000e9]) == ["0", "1,000", "2,000"]
    assert labels([7.499999999999e9, 1e10]) == ["7.5", "10.0"]  # float noise is not a decimal
    assert labels([-2.5e9, -1e-7, 2.5e9]) == ["\N{MINUS SIGN}2.5", "0.0", "2.5"]


def test_a_single_value_is_labelled_with_the_decimals_it_needs():
    fmt = charts.billions_formatter()
    assert fmt(2.5e9) == "2.5" and fmt(0.25e9) == "0.25" and fmt(17.5e9) == "17.5" and fmt(3e9) == "3"


@pytest.mark.parametrize("top", [0.6e9, 3e9, 9e9, 18e9, 45e9, 2500e9])
def test_the_drawn_labels_read_back_as_the_gridlines(top):
    fig, ax = plt.subplots()
    ax.plot([2000, 2025], [0, top])
    ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 2.5, 5, 10]))
    charts.billions(ax)
    fig.canvas.draw()
    ticks = ax.get_yticks()
    drawn = [label.get_text() for label in ax.get_yticklabels()]
    plt.close(fig)
    assert len({len(text.split(".")[1]) if "." in text else 0 for text in drawn}) == 1  # the same decimals
    for tick, text in zip(ticks, drawn, strict=True):
        assert float(text.replace(",", "").replace("\N{MINUS SIGN}", "-")) * 1e9 == pytest.approx(tick, abs=1e-3)
