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
    """Line chart with markers (so lines differ by shape as well as colour)."""
    ax = _axes(ax)
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    groups = [(None, df)] if hue is None else list(df.groupby(hue, observed=True, sort=False))
    for i, (key, part) in enumerate(groups):
        ax.plot(
            part[x].astype(str) if str(part[x].dtype) == "category" else part[x],
            part[y],
            marker=markers[i % len(markers)],
            color=PALETTE[i % len(PALETTE)],
            label=None if key is None else str(key),
        )
    _label(ax, title, xlabel, ylabel)
    if hue is not None:
        ax.legend(title=hue.replace("_", " "), frameon=False)
    return ax
