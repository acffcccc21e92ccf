"""Shared look of the Day 3 figures: a colour-blind-safe palette and deterministic SVG/JSON output."""
from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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
}
LABELS = {"rnn": "vanilla RNN", "gru": "GRU", "lstm": "LSTM", "lstm_bias0": "LSTM, forget bias 0",
          "lstm_bias1": "LSTM, forget bias 1", "lstm_bias3": "LSTM, forget bias 3"}
SEQUENCE = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#000000"]

plt.rcParams.update({
    "svg.hashsalt": "day03",       # stable element ids: same data, same bytes
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


def save_svg(fig, path: Path) -> None:
    """Write `fig` as SVG with no timestamp, atomically, and close it."""
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    os.replace(tmp, path)


def save_json(data: dict, path: Path) -> None:
    """Write plain data as sorted, indented JSON atomically (byte-identical for identical data)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n")
    os.replace(tmp, path)

# Marker and line style per series, so that no two series differ by colour alone.
MARKERS = {"rnn": "o", "gru": "v", "lstm": "s", "lstm_bias0": "s", "lstm_bias1": "^", "lstm_bias3": "D"}
LINESTYLES = {"rnn": "-", "gru": (0, (6, 2)), "lstm": "-", "lstm_bias0": "--", "lstm_bias1": "-.",
              "lstm_bias3": ":"}
