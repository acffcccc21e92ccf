"""The degradation problem, measured: plain and residual stacks of 3x3 convolutions at several depths, with
and without BatchNorm, trained for the same number of steps on fresh glyph images; the loss each reaches
on the training distribution, and the gradient norm per layer at initialisation.

Plain and residual stacks of one depth have exactly the same parameters (the identity shortcut has
none), so depth and the shortcut are the only differences. Every configuration trains on SEEDS seeds;
a depth or shortcut effect is a t interval of per-seed differences (the same seed gives both stacks
the same images and the same stem).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.statistics import t_interval

from ..model import ModelConfig, ProjectionBlock, build, count_parameters
from ..shapes import CLASSES, sample
from ..train import TrainConfig, evaluate, train

SEEDS = (0, 1, 2)
DEPTHS = (4, 12, 28)  # 3x3 convolutions after the stem
SIZE, WIDTH, STEPS, BATCH, N_EVAL = 12, 8, 300, 32, 1024


def _interval(values) -> dict:
    t = t_interval(values)
    return {"p": t["mean"], "lo": t["lo"], "hi": t["hi"], "values": t["values"]}


# --8<-- [start:grad_norms]
def layer_gradient_norms(model, x, y) -> list[float]:
    """‖∂L/∂W_l‖ for each 3x3 conv of the blocks (input side first), from one batch at initialisation."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    return [float(conv.weight.grad.norm()) for conv in model.block_convs()]
# --8<-- [end:grad_norms]


def gradient_profile(seed: int, seeds, depth: int) -> dict:
    """Per-layer gradient norms at init for the four stacks of ``depth`` (mean over seeds), and the ratio
    first layer / last layer per seed (a t interval of its log10)."""
    out = {}
    x, y = sample(256, SIZE, "all", torch.Generator().manual_seed(40_000 + seed))
    for bn in (True, False):
        for kind in ("plain", "residual"):
            runs = []
            for s in seeds:
                torch.manual_seed(seed * 100 + s)
                model = build(ModelConfig(kind=kind, size=SIZE, width=WIDTH, depth=depth, batchnorm=bn))
                model.train()
                runs.append(layer_gradient_norms(model, x, y))
            key = f"{kind}_{'bn' if bn else 'nobn'}"
            out[key] = {"mean": [sum(r[i] for r in runs) / len(runs) for i in range(depth)],
                        "log10_first_over_last": _interval([math.log10(r[0] / r[-1]) for r in runs])}
    return out


def run(seed: int = 0, steps: int = STEPS, seeds=SEEDS, depths=DEPTHS) -> dict:
    losses: dict = {}
    params: dict = {}
    x_eval, y_eval = sample(N_EVAL, SIZE, "all", torch.Generator().manual_seed(50_000 + seed))
    with single_thread():
        for bn in (True, False):
            for kind in ("plain", "residual"):
                for depth in depths:
                    key = f"{kind}_{'bn' if bn else 'nobn'}_{depth}"
                    losses[key] = []
                    for s in seeds:
                        torch.manual_seed(seed * 100 + s)
                        cfg = ModelConfig(kind=kind, size=SIZE, width=WIDTH, depth=depth, batchnorm=bn)
                        model = build(cfg)
                        params[f"{kind}_{'bn' if bn else 'nobn'}_{depth}"] = count_parameters(model)
                        train(model, TrainConfig(size=SIZE, batch_size=BATCH, steps=steps, eval_every=100,
                                                 seed=seed * 100 + s))
                        losses[key].append(evaluate(model, x_eval, y_eval)["loss"])
        grads = gradient_profile(seed, seeds, max(depths))
    shallow, deep = min(depths), max(depths)
    quotes = {"n_seeds": len(seeds), "steps": steps, "batch": BATCH, "size": SIZE, "width": WIDTH,
              "n_eval": N_EVAL, "depths": list(depths), "shallow": shallow, "deep": deep,
              "chance_loss": math.log(len(CLASSES)),
              "params_same": all(params[f"plain_{b}_{d}"] == params[f"residual_{b}_{d}"]
                                 for b in ("bn", "nobn") for d in depths),
              "params_deep_bn": params[f"plain_bn_{deep}"], "params_shallow_bn": params[f"plain_bn_{shallow}"],
              "projection_extra": count_parameters(ProjectionBlock(WIDTH, 2 * WIDTH).shortcut)}
    for key, vals in losses.items():
        quotes[f"loss_{key}"] = _interval(vals)
    for norm in ("bn", "nobn"):
        for d in depths:  # residual minus plain at one depth, paired by seed
            quotes[f"res_minus_plain_{norm}_{d}"] = _interval(
                [r - p for r, p in zip(losses[f"residual_{norm}_{d}"], losses[f"plain_{norm}_{d}"])])
        for kind in ("plain", "residual"):  # deepest minus shallowest, paired by seed
            quotes[f"deep_minus_shallow_{kind}_{norm}"] = _interval(
                [a - b for a, b in zip(losses[f"{kind}_{norm}_{deep}"], losses[f"{kind}_{norm}_{shallow}"])])
    for key, g in grads.items():
        quotes[f"grad_ratio_{key}"] = g["log10_first_over_last"]
        quotes[f"grad_first_{key}"] = g["mean"][0]
        quotes[f"grad_last_{key}"] = g["mean"][-1]
    # the plain unnormalised stack's shrinkage per layer: log10(first/last) spread over deep - 1 layer steps
    per_layer = quotes["grad_ratio_plain_nobn"]["p"] / (deep - 1)
    quotes["grad_per_layer_plain_nobn"] = per_layer
    quotes["grad_predict_6_plain_nobn"] = per_layer * 5
    return {"losses": losses, "gradients": grads, "quotes": quotes}
