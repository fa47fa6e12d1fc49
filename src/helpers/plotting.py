"""Accessible plotting defaults for course notebooks.

Colours are the Okabe-Ito palette, which stays distinguishable for the common forms of colour
blindness and in greyscale print-outs. Every helper takes ``ax=None`` and returns the Axes, and
insists on a title and axis labels (with units) because a chart without them cannot be read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["PALETTE", "apply_style", "bar_chart", "line_chart"]

# Okabe & Ito (2008), "Color Universal Design"; black moved last for use as text colour.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def apply_style(font_size: float = 12) -> None:
    """Set readable matplotlib defaults: larger text, the course palette, light grid."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "font.size": font_size,
            "axes.titlesize": font_size * 1.2,
            "axes.labelsize": font_size,
            "axes.prop_cycle": cycler(color=PALETTE),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
        }
    )


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _thousands(axis) -> None:
    """Write large numbers on an axis with a thousands separator (45,864, not 45864)."""
    from matplotlib.ticker import FuncFormatter

    low, high = axis.get_view_interval()
    if max(abs(low), abs(high)) >= 1000:
        axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))


def _label(ax, title: str, xlabel: str, ylabel: str) -> None:
    if not title or not xlabel or not ylabel:
        raise ValueError(
            "A chart needs a title and both axis labels (with units, e.g. 'Share of time (%)'). "
            "Pass title=..., xlabel=... and ylabel=..."
        )
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def bar_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    hue: str | None = None,
    horizontal: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of ``y`` against ``x`` (grouped by ``hue`` if given), in the course palette."""
    ax = _axes(ax)
    if hue is None:
        data = df.set_index(x)[y]
        colours = PALETTE[0]
    else:
        data = df.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", observed=True)
        colours = PALETTE[: len(data.columns)]
    kind = "barh" if horizontal else "bar"
    data.plot(kind=kind, ax=ax, color=colours, edgecolor="black", linewidth=0.5)
    if horizontal:
        ax.invert_yaxis()
        _label(ax, title, ylabel, xlabel)
        ax.set_ylabel(xlabel)
        ax.set_xlabel(ylabel)
    else:
        _label(ax, title, xlabel, ylabel)
        ax.tick_params(axis="x", labelrotation=0)
    _thousands(ax.xaxis if horizontal else ax.yaxis)
    if hue is not None:
        ax.legend(title=hue.replace("_", " "), frameon=False)
    return ax


def line_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    hue: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Line chart with markers (so lines differ by shape as well as colour).

    A line joins only neighbouring points: where ``x`` is a number (such as a year) and a
    step is longer than the shortest step in the data, the line stops and starts again, so
    missing years are not drawn as a steady change. Large counts get a thousands separator.
    """
    ax = _axes(ax)
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    groups = [(None, df)] if hue is None else list(df.groupby(hue, observed=True, sort=False))
    step = _shortest_step(df[x])
    for i, (key, part) in enumerate(groups):
        xs, ys = _with_gaps(part, x, y, step)
        ax.plot(
            xs,
            ys,
            marker=markers[i % len(markers)],
            color=PALETTE[i % len(PALETTE)],
            label=None if key is None else str(key),
        )
    _label(ax, title, xlabel, ylabel)
    _thousands(ax.yaxis)
    if step is not None and float(step).is_integer():  # whole numbers such as years
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))
    if hue is not None:
        ax.legend(title=hue.replace("_", " "), frameon=False)
    return ax


def _shortest_step(values) -> float | None:
    """The shortest distance between two different numeric ``x`` values (None if not numbers)."""
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    unique = sorted(set(pd.to_numeric(values, errors="coerce").dropna().tolist()))
    steps = [b - a for a, b in zip(unique, unique[1:], strict=False) if b > a]
    return min(steps) if steps else None


def _with_gaps(part, x: str, y: str, step: float | None):
    """The points of one line, with a break (NaN) wherever a step is longer than ``step``."""
    if str(part[x].dtype) == "category":
        return part[x].astype(str).tolist(), part[y].astype("float64").tolist()
    if step is None:
        return part[x].tolist(), part[y].astype("float64").tolist()
    ordered = part.sort_values(x)
    xs = ordered[x].astype("float64").tolist()
    ys = ordered[y].astype("float64").tolist()
    broken_x: list[float] = []
    broken_y: list[float] = []
    for position, (this_x, this_y) in enumerate(zip(xs, ys, strict=True)):
        if position and this_x - xs[position - 1] > step * 1.5:
            broken_x.append((this_x + xs[position - 1]) / 2)
            broken_y.append(float("nan"))
        broken_x.append(this_x)
        broken_y.append(this_y)
    return broken_x, broken_y
