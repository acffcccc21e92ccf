"""The shared look of every lesson's figures: a colour-blind-safe palette, a marker and line style per
series, a font floor, and deterministic SVG output (same data, same bytes)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402

from .files import atomic_write, write_json  # noqa: E402

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
COLORS = {
    "rnn": "#D55E00",        # vermillion
    "gru": "#009E73",        # bluish green
    "lstm": "#0072B2",       # blue
    "lstm_bias0": "#0072B2",
    "lstm_bias1": "#56B4E9",  # sky blue
    "lstm_bias3": "#CC79A7",  # reddish purple
    "baseline": "#555555",
    "accent": "#E69F00",     # orange
    "source_in_order": "#0072B2",   # Day 4: the source read as written
    "source_reversed": "#D55E00",   # Day 4: the source read backwards
}
LABELS = {"rnn": "vanilla RNN", "gru": "GRU", "lstm": "LSTM", "lstm_bias0": "LSTM, forget bias 0",
          "lstm_bias1": "LSTM, forget bias 1", "lstm_bias3": "LSTM, forget bias 3",
          "source_in_order": "source in order", "source_reversed": "source reversed"}
SEQUENCE = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#000000"]

# Colour is never the only cue (WCAG 1.4.1): each series also has its own marker and line style, so
# the figures read in greyscale and for every colour vision. Keys as in COLORS; SEQUENCE_MARKS pairs
# with SEQUENCE for series that are numbered rather than named.
SERIES = {
    "rnn": dict(marker="s", linestyle="-"),
    "gru": dict(marker="^", linestyle="-."),
    "lstm": dict(marker="o", linestyle="-"),
    "lstm_bias0": dict(marker="o", linestyle="--"),
    "lstm_bias1": dict(marker="D", linestyle=":"),
    "lstm_bias3": dict(marker="v", linestyle="-"),
    "source_in_order": dict(marker="P", linestyle="-"),
    "source_reversed": dict(marker="X", linestyle="--"),
}
SEQUENCE_MARKS = ["o", "s", "^", "D", "v", "P", "X"]
SMALLEST_FONT_PT = 6  # no figure text below this (checked on save): 8 px at natural size, 12 px zoomed


def series_style(key: str, markevery=None) -> dict:
    """Plot kwargs (color, marker, linestyle) of the named series `key` of COLORS/SERIES.

    markevery thins the markers of long lines (e.g. 20 for 200 points); None marks every point."""
    return dict(color=COLORS[key], markevery=markevery, **SERIES[key])


def sequence_style(i: int, markevery=None) -> dict:
    """Plot kwargs (color, marker) of the i-th series of a numbered family (SEQUENCE, SEQUENCE_MARKS)."""
    return dict(color=SEQUENCE[i % len(SEQUENCE)], marker=SEQUENCE_MARKS[i % len(SEQUENCE_MARKS)], markevery=markevery)

plt.rcParams.update({
    "svg.hashsalt": "lessonkit",       # stable element ids: same data, same bytes
    "svg.fonttype": "path",        # glyphs as paths: identical rendering with no fonts installed
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "figure.dpi": 100,
})


def figure(width: float = 7.0, height: float = 4.0, **kw):
    """A new figure and axes of the lesson's default size (inches)."""
    return plt.subplots(figsize=(width, height), layout="constrained", **kw)


def check_font_sizes(fig) -> None:
    """Fail on visible text smaller than SMALLEST_FONT_PT: it would be unreadable even zoomed on a phone."""
    small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_fontsize() < SMALLEST_FONT_PT]
    if small:
        raise ValueError(f"figure text below {SMALLEST_FONT_PT} pt: {small[:5]}; enlarge it (figstyle.SMALLEST_FONT_PT)")


def save_svg(fig, path: Path) -> None:
    """Write `fig` as SVG with no timestamp, atomically, and close it (after checking its font sizes)."""
    check_font_sizes(fig)
    atomic_write(path, lambda f: fig.savefig(f, format="svg", metadata={"Date": None, "Creator": None}))
    plt.close(fig)


def save_json(data: dict, path: Path) -> None:
    """Write plain data as sorted, indented JSON atomically (byte-identical for identical data)."""
    write_json(path, data)
