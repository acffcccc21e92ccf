"""Figure builder: training-distribution loss against depth for plain and residual stacks, with and without
BatchNorm, and the gradient norm per layer at initialisation. Writes degradation.json (quotes cited as
degradation.<key>), depth.svg and gradients.svg."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import COLORS, figure, save_json, save_svg, sequence_style

from ..experiments import degradation

SEED = 0
KINDS = (("plain", "plain"), ("residual", "residual"))


def plot_depth(data: dict, path: Path) -> None:
    """Loss after the budget against depth: mean of seeds with its 95 % t interval, each seed a faint dot."""
    q = data["quotes"]
    fig, axes = figure(9.0, 3.6, ncols=2, sharey=True)
    for ax, (norm, title) in zip(axes, (("bn", "with BatchNorm"), ("nobn", "without BatchNorm"))):
        for i, (kind, label) in enumerate(KINDS):
            style = sequence_style(4 * i)
            recs = [q[f"loss_{kind}_{norm}_{d}"] for d in q["depths"]]
            ax.errorbar(q["depths"], [r["p"] for r in recs],
                        yerr=[[r["p"] - max(0, r["lo"]) for r in recs], [r["hi"] - r["p"] for r in recs]],
                        lw=2, capsize=3, label=label, ms=6, ls="-" if i == 0 else "--", **style)
            for d, r in zip(q["depths"], recs):
                ax.plot([d] * len(r["values"]), r["values"], ls="none", marker=style["marker"], ms=3,
                        color=style["color"], alpha=0.5)
        ax.axhline(q["chance_loss"], color=COLORS["baseline"], lw=1, ls=":")
        ax.text(q["depths"][-1], q["chance_loss"] - 0.1, "chance (log 6)", fontsize=8, ha="right",
                color=COLORS["baseline"])
        ax.set(xlabel="3x3 convolutions in the stack", title=title, xticks=q["depths"])
        ax.title.set_fontsize(9)
    axes[0].set(ylabel=f"loss after {q['steps']} steps (nats)")
    axes[0].legend(fontsize=8, loc="lower left")
    save_svg(fig, path)


def plot_gradients(data: dict, path: Path) -> None:
    """‖∂L/∂W_l‖ per layer at initialisation, mean of seeds, log scale: four stacks of the deepest depth."""
    q = data["quotes"]
    fig, ax = figure(6.5, 3.6)
    for i, (key, label) in enumerate((("plain_bn", "plain, BatchNorm"), ("residual_bn", "residual, BatchNorm"),
                                      ("plain_nobn", "plain, no normalisation"),
                                      ("residual_nobn", "residual, no normalisation"))):
        g = data["gradients"][key]["mean"]
        ax.plot(range(1, len(g) + 1), g, lw=2, ms=4, label=label, ls="-" if key.startswith("plain") else "--",
                **sequence_style(i, markevery=3))
    ax.set(xlabel="layer (1 = next to the input)", ylabel="gradient norm at init (log)", yscale="log",
           title=f"{q['deep']} layers, mean of {q['n_seeds']} seeds, one batch of 256")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8, loc="lower right")
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = degradation.run(seed=SEED)
    save_json(data, out_dir / "degradation.json")
    plot_depth(data, out_dir / "depth.svg")
    plot_gradients(data, out_dir / "gradients.svg")
