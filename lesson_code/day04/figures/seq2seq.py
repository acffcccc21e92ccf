"""Figure builder: the hidden-size sweep and what is measured on its models, in one process so the
models are trained once: the bottleneck (accuracy by length), greedy against beam search, and
exposure bias. Writes seq2seq.json (quote groups bottleneck, decoding, exposure), bottleneck.svg
and beam.svg.
"""
from pathlib import Path

from lesson_code.lessonkit.figstyle import figure, save_json, save_svg, sequence_style

from ..experiments import bottleneck, decoding, exposure

SEED = 0


def plot_bottleneck(data: dict, path: Path) -> None:
    fig, (exact_ax, token_ax) = figure(9.0, 3.9, ncols=2)
    for i, (H, m) in enumerate(data["models"].items()):
        label = f"H = {H} ({m['context_numbers']} numbers)"
        exact_ax.plot(m["digits"], m["exact"], lw=2, ms=5, label=label, **sequence_style(i))
        token_ax.plot(m["digits"], m["digit_tf"], lw=2, ms=5, label=label, **sequence_style(i))
    exact_ax.set(xlabel="digits in the number", ylabel="exact match (greedy)", ylim=(0, 1.02),
                 title="Whole number right, held-out numbers")
    token_ax.set(xlabel="digits in the number", ylabel="per-digit accuracy (teacher-forced)", ylim=(0, 1.02),
                 title="Each digit right, given the true previous ones")
    for ax in (exact_ax, token_ax):
        ax.set_xticks(data["models"][next(iter(data["models"]))]["digits"])
    handles, labels = exact_ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=len(labels), title="context size")
    save_svg(fig, path)


def plot_beam(data: dict, path: Path) -> None:
    fig, ax = figure(6.5, 3.6)
    for i, (k, r) in enumerate(data["results"].items()):
        label = "greedy" if k == "1" else f"beam {k}"
        ax.plot(r["digits"], r["exact_by_digits"], lw=2, ms=5, label=label, **sequence_style(i))
    ax.set(xlabel="digits in the number", ylabel="exact match", ylim=(0, 1.02),
           title=f"Greedy against beam search, H = {data['quotes']['hidden']}")
    ax.legend(fontsize=8, loc="lower left")
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    b = bottleneck.run(seed=SEED)
    d = decoding.run(seed=SEED)
    e = exposure.run(seed=SEED)
    save_json({"bottleneck": b, "decoding": d, "exposure": e,
               "quote_groups": {"bottleneck": b["quotes"], "decoding": d["quotes"], "exposure": e["quotes"]}},
              out_dir / "seq2seq.json")
    plot_bottleneck(b, out_dir / "bottleneck.svg")
    plot_beam(d, out_dir / "beam.svg")
