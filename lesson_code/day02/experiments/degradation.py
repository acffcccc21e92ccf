"""The degradation problem, measured: plain and residual stacks of 3x3 convolutions at several depths, with
and without BatchNorm, trained for the same number of steps on fresh glyph images; the loss each reaches
on the training distribution, and the gradient norm per layer at initialisation.

Arms ("norm" tags in the keys): "bn" (BatchNorm after every block conv, PyTorch's default init), "nobn"
(no normalisation, PyTorch's default init) and "nobn_he" (no normalisation, He initialisation, the
setting of He et al. 2016 minus BatchNorm): the default init's variance 1/(3 fan_in) shrinks the signal
at every ReLU layer, so "nobn" alone cannot tell depth from initialisation. There is no "bn_he" arm:
with BatchNorm after every block conv, the block convs' weight scale cancels in the forward pass.

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
EVAL_EVERY, GRAD_BATCH = 100, 256
ARMS = {"bn": {"batchnorm": True, "init": "default"},        # norm tag -> ModelConfig fields
        "nobn": {"batchnorm": False, "init": "default"},
        "nobn_he": {"batchnorm": False, "init": "he"}}


def _interval(values) -> dict:
    """A mean over seeds with its 95 % t interval and the per-seed values."""
    t = t_interval(values)
    return {"mean": t["mean"], "lo": t["lo"], "hi": t["hi"], "n": t["n"], "values": t["values"]}


# --8<-- [start:grad_norms]
def layer_gradient_norms(model, x, y) -> list[float]:
    """‖∂L/∂W_l‖ for each 3x3 conv of the blocks (input side first), from one batch at initialisation."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    return [float(conv.weight.grad.norm()) for conv in model.block_convs()]
# --8<-- [end:grad_norms]


def gradient_profile(seed: int, seeds, depth: int) -> dict:
    """Per-layer gradient norms at init for the stacks of every arm at ``depth`` (mean over seeds), and the ratio
    first layer / last layer per seed (a t interval of its log10)."""
    out = {}
    x, y = sample(GRAD_BATCH, SIZE, "all", torch.Generator().manual_seed(40_000 + seed))
    for norm, fields in ARMS.items():
        for kind in ("plain", "residual"):
            runs = []
            for s in seeds:
                torch.manual_seed(seed * 100 + s)
                model = build(ModelConfig(kind=kind, size=SIZE, width=WIDTH, depth=depth, **fields))
                model.train()  # BatchNorm uses the batch's statistics, as in the first training step
                runs.append(layer_gradient_norms(model, x, y))
            key = f"{kind}_{norm}"
            out[key] = {"mean": [sum(r[i] for r in runs) / len(runs) for i in range(depth)],
                        "log10_first_over_last": _interval([math.log10(r[0] / r[-1]) for r in runs])}
    return out


def run(seed: int = 0, steps: int = STEPS, seeds=SEEDS, depths=DEPTHS, arms=tuple(ARMS)) -> dict:
    losses: dict = {}
    best_steps: dict = {}
    params: dict = {}
    x_eval, y_eval = sample(N_EVAL, SIZE, "all", torch.Generator().manual_seed(50_000 + seed))
    with single_thread():
        for norm in arms:
            for kind in ("plain", "residual"):
                for depth in depths:
                    key = f"{kind}_{norm}_{depth}"
                    losses[key], best_steps[key] = [], []
                    for s in seeds:
                        torch.manual_seed(seed * 100 + s)
                        model = build(ModelConfig(kind=kind, size=SIZE, width=WIDTH, depth=depth, **ARMS[norm]))
                        params[key] = count_parameters(model)
                        hist = train(model, TrainConfig(size=SIZE, batch_size=BATCH, steps=steps,
                                                        eval_every=EVAL_EVERY, seed=seed * 100 + s))
                        best_steps[key].append(hist["best_step"])
                        # evaluate() puts the model in eval mode: BatchNorm uses its running statistics
                        losses[key].append(evaluate(model, x_eval, y_eval)["loss"])
        grads = gradient_profile(seed, seeds, max(depths))
    shallow, deep = min(depths), max(depths)
    cfg = TrainConfig(size=SIZE, batch_size=BATCH, steps=steps, eval_every=EVAL_EVERY)
    all_best = [b for v in best_steps.values() for b in v]
    quotes = {"n_seeds": len(seeds), "seeds": list(seeds), "steps": steps, "batch": BATCH, "size": SIZE,
              "width": WIDTH, "n_eval": N_EVAL, "depths": list(depths), "shallow": shallow, "deep": deep,
              "lr": cfg.lr, "min_lr_ratio": cfg.min_lr_ratio, "clip": cfg.clip, "eval_every": EVAL_EVERY,
              "val_size": cfg.val_size, "grad_batch": GRAD_BATCH, "n_runs": len(all_best),
              "n_checks": steps // EVAL_EVERY,
              "n_best_final": sum(b == steps for b in all_best),
              "chance_loss": math.log(len(CLASSES)),
              "params_same": all(params[f"plain_{n}_{d}"] == params[f"residual_{n}_{d}"] for n in arms for d in depths),
              "params_deep_bn": params[f"plain_bn_{deep}"], "params_shallow_bn": params[f"plain_bn_{shallow}"],
              "params_deep_nobn": params[f"plain_nobn_{deep}"],
              "projection_extra": count_parameters(ProjectionBlock(WIDTH, 2 * WIDTH).shortcut)}
    for key, vals in losses.items():
        quotes[f"loss_{key}"] = _interval(vals)
    for norm in arms:
        for d in depths:  # residual minus plain at one depth, paired by seed
            quotes[f"res_minus_plain_{norm}_{d}"] = _interval(
                [r - p for r, p in zip(losses[f"residual_{norm}_{d}"], losses[f"plain_{norm}_{d}"])])
        for kind in ("plain", "residual"):  # deepest minus shallowest, paired by seed
            quotes[f"deep_minus_shallow_{kind}_{norm}"] = _interval(
                [a - b for a, b in zip(losses[f"{kind}_{norm}_{deep}"], losses[f"{kind}_{norm}_{shallow}"])])
    if "nobn_he" in arms and "nobn" in arms:  # He minus default initialisation, paired by seed (same images)
        for kind in ("plain", "residual"):
            for d in depths:
                quotes[f"he_minus_default_{kind}_{d}"] = _interval(
                    [a - b for a, b in zip(losses[f"{kind}_nobn_he_{d}"], losses[f"{kind}_nobn_{d}"])])
    for key, g in grads.items():
        quotes[f"grad_ratio_{key}"] = g["log10_first_over_last"]
        quotes[f"grad_first_{key}"] = g["mean"][0]
        quotes[f"grad_last_{key}"] = g["mean"][-1]
    # the plain unnormalised stack's shrinkage per layer: log10(first/last) spread over deep - 1 layer steps
    per_layer = quotes["grad_ratio_plain_nobn"]["mean"] / (deep - 1)
    quotes["grad_per_layer_plain_nobn"] = per_layer
    quotes["grad_predict_6_plain_nobn"] = per_layer * 5
    return {"losses": losses, "best_steps": best_steps, "gradients": grads, "quotes": quotes}
