"""Course charts (helpers.plotting): gaps in a series stay gaps, large counts are readable."""

from __future__ import annotations

import math
import re

import matplotlib
import pandas as pd
import pytest

from helpers.plotting import bar_chart, line_chart

matplotlib.use("Agg")


@pytest.fixture
def detentions() -> pd.DataFrame:
    # Shaped like the national series: KP90 years with a gap, then MHSDS years.
    return pd.DataFrame(
        {
            "start_year": [2005, 2014, 2015, 2016, 2017],
            "detentions": pd.array([43361, 53176, 63622, 45864, 49988], dtype="Int64"),
            "series": ["KP90", "KP90", "KP90", "MHSDS", "MHSDS"],
        }
    )


def _labels(ax) -> dict[str, object]:
    return dict(title="New detentions", xlabel="Year", ylabel="Detentions (count)", ax=ax)


def test_does_a_line_not_join_years_with_no_data(detentions):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    line_chart(detentions, "start_year", "detentions", hue="series", **_labels(ax))
    kp90 = ax.get_lines()[0]
    xs, ys = list(kp90.get_xdata()), list(kp90.get_ydata())
    gap = [i for i, y in enumerate(ys) if math.isnan(y)]
    assert len(gap) == 1 and 2005 < xs[gap[0]] < 2014  # broken between 2005 and 2014
    assert [x for x, y in zip(xs, ys, strict=True) if not math.isnan(y)] == [2005, 2014, 2015]
    fig.canvas.draw()
    years = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert all(re.fullmatch(r"\d{4}", year) for year in years), years  # 2010, not 2007.5
    plt.close(fig)


def test_do_large_counts_get_a_thousands_separator(detentions):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    line_chart(detentions, "start_year", "detentions", **_labels(ax))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any("," in label for label in labels), labels
    plt.close(fig)
    fig, ax = plt.subplots()
    bar_chart(detentions, "series", "detentions", **_labels(ax))
    fig.canvas.draw()
    assert any("," in t.get_text() for t in ax.get_yticklabels())
    plt.close(fig)


def test_does_a_chart_still_need_a_title_and_labels(detentions):
    with pytest.raises(ValueError, match="title and both axis labels"):
        line_chart(detentions, "start_year", "detentions", title="", xlabel="x", ylabel="y")
