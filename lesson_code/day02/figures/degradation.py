"""Figure builder: training-distribution loss against depth for plain and residual stacks, with BatchNorm,
without it, and without it under He initialisation, and the gradient norm per layer at initialisation.
Writes degradation.json (quotes cited as degradation.<key>), depth.svg and gradients.svg."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import COLORS, figure, save_json, save_svg, sequence_style

from ..experiments import degradation
from .common import finish, finish_axes

SEED = 0
KINDS = (("plain", "plain"), ("residual", "residual"))
PANELS = (("bn", "BatchNorm, default init"), ("nobn", "no normalisation, default init"),
          ("nobn_he", "no normalisation, He init"))


def plot_depth(data: dict, path: Path) -> None:
    """Loss after the budget against depth: mean of seeds with its 95 % t interval, each seed a faint dot."""
    q = data["quotes"]
    fig, axes = figure(10.5, 3.6, ncols=len(PANELS), sharey=True)
    for ax, (norm, title) in zip(axes, PANELS):
        for i, (kind, label) in enumerate(KINDS):
            style = sequence_style(4 * i)
            recs = [q[f"loss_{kind}_{norm}_{d}"] for d in q["depths"]]
            ax.errorbar(q["depths"], [r["mean"] for r in recs],
                        yerr=[[r["mean"] - max(0, r["lo"]) for r in recs], [r["hi"] - r["mean"] for r in recs]],
                        lw=2, capsize=3, label=label, ms=6, ls="-" if i == 0 else "--", **style)
            for d, r in zip(q["depths"], recs):
                ax.plot([d] * len(r["values"]), r["values"], ls="none", marker=style["marker"], ms=3,
                        color=style["color"], alpha=0.5)
        ax.axhline(q["chance_loss"], color=COLORS["baseline"], lw=1, ls=":")
        ax.text(q["depths"][-1], q["chance_loss"] - 0.1, "chance (log 6)", fontsize=8, ha="right",
                color=COLORS["baseline"])
        finish_axes(ax, title, xlabel="3x3 convolutions in the stack", xticks=q["depths"])
    finish_axes(axes[0], axes[0].get_title(), "lower left", ylabel=f"loss after {q['steps']} steps (nats)")
    save_svg(fig, path)


GRADIENT_LINES = (("plain_bn", "plain, BatchNorm"), ("residual_bn", "residual, BatchNorm"),
                  ("plain_nobn", "plain, no norm., default init"), ("residual_nobn", "residual, no norm., default init"),
                  ("plain_nobn_he", "plain, no norm., He init"), ("residual_nobn_he", "residual, no norm., He init"))


def plot_gradients(data: dict, path: Path) -> None:
    """‖∂L/∂W_l‖ per layer at initialisation, mean of seeds, log scale: the six stacks of the deepest depth."""
    q = data["quotes"]
    fig, ax = figure(7.0, 4.0)
    for i, (key, label) in enumerate(GRADIENT_LINES):
        g = data["gradients"][key]["mean"]
        ax.plot(range(1, len(g) + 1), g, lw=2, ms=4, label=label, ls="-" if key.startswith("plain") else "--",
                **sequence_style(i, markevery=3))
    finish(fig, ax, path, f"{q['deep']} layers, mean of {q['n_seeds']} seeds, one batch of {q['grad_batch']}",
           "lower right", xlabel="layer (1 = next to the input)", ylabel="gradient norm at init (log)", yscale="log")


def build(out_dir: Path) -> None:
    data = degradation.run(seed=SEED)
    save_json(data, out_dir / "degradation.json")
    plot_depth(data, out_dir / "depth.svg")
    plot_gradients(data, out_dir / "gradients.svg")
