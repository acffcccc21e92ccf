"""Figure builder: every trained-model measurement of the Day 4 page, in one process so that each model is
trained once (the sweep's full-state models serve the decoding, compounding and reversal experiments too).

Writes seq2seq.json (quote groups bottleneck, decoding, exposure, reversal, beam_exhaustive), bottleneck.svg,
beam.svg and reversal.svg.
"""
from pathlib import Path

from lesson_code.lessonkit.figstyle import COLORS, LABELS, figure, save_json, save_svg, sequence_style, series_style

from ..experiments import beam_exhaustive, bottleneck, decoding, exposure, reversal

SEED = 0
KEYS = {"in_order": "source_in_order", "reversed": "source_reversed"}


def plot_bottleneck(data: dict, path: Path) -> None:
    """Exact match by length per context size k (full and half budget, Wilson bands), and per-digit accuracy."""
    fig, (full_ax, half_ax, digit_ax) = figure(11.0, 3.9, ncols=3)
    q = data["quotes"]
    for i, (k, m) in enumerate(data["models"].items()):
        label = f"k = {k}" + (" (whole state)" if int(k) == q["state_numbers"] else "")
        for ax, rows in ((full_ax, m["exact"]), (half_ax, m["exact_halfway"]), (digit_ax, m["digit_tf"])):
            style = sequence_style(i)
            ax.plot(m["digits"], [r["p"] for r in rows], lw=2, ms=5, label=label, **style)
            ax.fill_between(m["digits"], [r["lo"] for r in rows], [r["hi"] for r in rows],
                            color=style.get("color"), alpha=0.15, lw=0)
    full_ax.set(ylabel="exact match (greedy)", title=f"Whole number right, {q['steps']:,} steps")
    half_ax.set(ylabel="exact match (greedy)", title=f"The same runs at step {q['half_steps']:,}")
    digit_ax.set(ylabel="per-digit accuracy (teacher-forced)", title="Each digit right, given the true ones")
    for ax in (full_ax, half_ax, digit_ax):
        ax.set(xlabel="digits in the number", ylim=(0, 1.02))
        ax.set_xticks(data["models"][next(iter(data["models"]))]["digits"])
        ax.title.set_fontsize(9)
    handles, labels = full_ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=len(labels),
               title=f"context: k numbers between encoder and decoder (H = {q['hidden']}, "
                     f"{q['n_seeds']} seeds pooled; bands: 95 % Wilson)")
    save_svg(fig, path)


def plot_beam(data: dict, path: Path) -> None:
    """Exact match by length for greedy, each beam width and the length-normalised beam, with Wilson bands."""
    fig, ax = figure(6.5, 3.8)
    q = data["quotes"]
    for i, (name, r) in enumerate(data["results"].items()):
        label = ("greedy" if name == "greedy" else
                 f"beam {q['norm_beam']}, normalised (α = {q['norm_alpha']})" if name.endswith("_norm")
                 else f"beam {name.removeprefix('beam')}")
        style = sequence_style(i)
        ax.plot(r["digits"], [x["p"] for x in r["exact_by_digits"]], lw=2, ms=5, label=label, **style)
        if name in ("greedy", f"beam{max(q['beams'])}"):
            ax.fill_between(r["digits"], [x["lo"] for x in r["exact_by_digits"]],
                            [x["hi"] for x in r["exact_by_digits"]], color=style.get("color"), alpha=0.15, lw=0)
    ax.set(xlabel="digits in the number", ylabel="exact match", ylim=(0, 1.02),
           title=f"Greedy against beam search, one model (bands: greedy and beam {max(q['beams'])}, 95 % Wilson)")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8, loc="lower left")
    save_svg(fig, path)


def plot_reversal(data: dict, path: Path) -> None:
    """Exact match by length per source order (mean and t interval over seeds), and the gain per output position."""
    fig, (len_ax, pos_ax) = figure(9.0, 3.9, ncols=2)
    q = data["quotes"]
    for name in ("in_order", "reversed"):
        s, key = data["summary"][name], KEYS[name]
        len_ax.plot(s["digits"], s["exact_mean"], lw=2, ms=5, label=LABELS[key], **series_style(key))
        len_ax.fill_between(s["digits"], [max(0, c["lo"]) for c in s["exact_ci"]],
                            [min(1, c["hi"]) for c in s["exact_ci"]], color=COLORS[key], alpha=0.2, lw=0)
    positions = list(range(1, q["position_digits"] + 1))
    gains = data["summary"]["position_gain"]
    pos_ax.axhline(0, color=COLORS["baseline"], lw=1)
    pos_ax.errorbar(positions, [g["mean"] for g in gains], yerr=[[g["mean"] - g["lo"] for g in gains],
                                                                 [g["hi"] - g["mean"] for g in gains]],
                    color=COLORS["source_reversed"], marker="X", ms=6, lw=1.8, capsize=3, elinewidth=1.2)
    for p in q["hundreds_positions"]:
        pos_ax.axvspan(p - 0.4, p + 0.4, color=COLORS["baseline"], alpha=0.12, lw=0)
    len_ax.set(xlabel="digits in the number", ylabel="exact match (greedy)", ylim=(0, 1.02),
               title=f"Mean of {q['n_seeds']} seeds, band: 95 % t interval")
    pos_ax.set(xlabel="output position (shaded: a group's hundreds digit)",
               ylabel="reversed minus in order", title=f"Teacher-forced gain per position, {q['position_digits']}-digit numbers")
    pos_ax.set_xticks(positions)
    for ax in (len_ax, pos_ax):
        ax.title.set_fontsize(9)
    handles, labels = len_ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=2, handlelength=3.2)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    b = bottleneck.run(seed=SEED)
    d = decoding.run(seed=SEED)
    e = exposure.run(seed=SEED)
    r = reversal.run(seed=SEED)
    x = beam_exhaustive.run(seed=SEED)
    save_json({"bottleneck": b, "decoding": d, "exposure": e, "reversal": r, "beam_exhaustive": x,
               "quote_groups": {"bottleneck": b["quotes"], "decoding": d["quotes"], "exposure": e["quotes"],
                                "reversal": r["quotes"], "beam_exhaustive": x["quotes"]}},
              out_dir / "seq2seq.json")
    plot_bottleneck(b, out_dir / "bottleneck.svg")
    plot_beam(d, out_dir / "beam.svg")
    plot_reversal(r, out_dir / "reversal.svg")
