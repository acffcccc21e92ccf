"""What the three Day 2 figure builders share: titles at 9 pt, legends at 8 pt, then an atomic SVG."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import save_svg

TITLE_PT, LEGEND_PT = 9, 8


def finish_axes(ax, title: str, legend_loc: str | None = None, **axis) -> None:
    """Label one axes (``axis``: ax.set's keywords), size its title, and draw its legend if asked."""
    ax.set(title=title, **axis)
    ax.title.set_fontsize(TITLE_PT)
    if legend_loc is not None:
        ax.legend(fontsize=LEGEND_PT, loc=legend_loc)


def finish(fig, ax, path: Path, title: str, legend_loc: str | None = None, **axis) -> None:
    """finish_axes on a one-axes figure, then write it to ``path`` as SVG (atomically) and close it."""
    finish_axes(ax, title, legend_loc, **axis)
    save_svg(fig, path)
