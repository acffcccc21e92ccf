"""CNN against MLP, and what pooling buys: three models trained on glyphs in the LEFT half of the canvas,
then scored on new glyphs on the left (the training positions) and on the right (positions never seen).

* cnn_pool: two convolutions, then a global max over positions (weights shared, readout invariant);
* cnn_flat: the same convolutions, then a linear layer over the flattened map (one weight per position);
* mlp: an MLP whose parameter count is matched to cnn_pool's (cnn_flat has ~10x more: named, not hidden).

Each model trains on SEEDS seeds with the same images per seed; accuracies are per-seed proportions
(Wilson), model comparisons are t intervals of the per-seed differences (paired by seed and test set).
"""
from __future__ import annotations

import torch

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.statistics import proportion, t_interval

from ..model import ModelConfig, build, count_parameters
from ..shapes import CLASSES, NOISE, offsets, sample
from ..train import TrainConfig, evaluate, train

SEEDS = (0, 1, 2)
MODELS = {"cnn_pool": 16, "cnn_flat": 16, "mlp": 18}  # kind -> width (MLP width matches cnn_pool's size)
SIZE, STEPS, N_TEST = 16, 400, 600


def run(seed: int = 0, steps: int = STEPS, n_test: int = N_TEST, seeds=SEEDS) -> dict:
    per = {k: {"left": [], "right": [], "left_correct": [], "right_correct": []} for k in MODELS}
    params = {}
    with single_thread():
        for s in seeds:
            g = torch.Generator().manual_seed(30_000 + seed * 100 + s)
            tests = {region: sample(n_test, SIZE, region, g) for region in ("left", "right")}
            for kind, width in MODELS.items():
                torch.manual_seed(seed * 100 + s)
                model = build(ModelConfig(kind=kind, size=SIZE, width=width))
                params[kind] = count_parameters(model)
                train(model, TrainConfig(size=SIZE, region="left", steps=steps, eval_every=steps, seed=seed * 100 + s))
                for region, (x, y) in tests.items():
                    correct = evaluate(model, x, y)["correct"]
                    per[kind][region].append(proportion(sum(correct), len(correct)))
    (left_lo, left_hi), (right_lo, right_hi) = offsets(SIZE, "left"), offsets(SIZE, "right")
    quotes = {"n_seeds": len(seeds), "n_test": n_test, "steps": steps, "size": SIZE, "noise": NOISE,
              "n_classes": len(CLASSES), "left_lo": left_lo, "left_hi": left_hi, "right_lo": right_lo,
              "right_hi": right_hi}
    summary = {}
    for kind in MODELS:
        quotes[f"params_{kind}"] = params[kind]
        for region in ("left", "right"):
            acc = t_interval([r["p"] for r in per[kind][region]])
            summary[f"{kind}_{region}"] = acc
            # an accuracy lies in [0, 1]: the t interval is clipped to it
            quotes[f"{kind}_{region}"] = {"p": acc["mean"], "lo": max(0.0, acc["lo"]), "hi": min(1.0, acc["hi"])}
            quotes[f"{kind}_{region}_min_lo"] = min(r["lo"] for r in per[kind][region])
        drop = t_interval([a["p"] - b["p"] for a, b in zip(per[kind]["left"], per[kind]["right"])])
        quotes[f"{kind}_drop"] = {"p": drop["mean"], "lo": drop["lo"], "hi": drop["hi"]}
    for a, b in (("cnn_pool", "mlp"), ("cnn_pool", "cnn_flat"), ("cnn_flat", "mlp")):
        for region in ("left", "right"):
            d = t_interval([x["p"] - y["p"] for x, y in zip(per[a][region], per[b][region])])
            quotes[f"{a}_vs_{b}_{region}"] = {"p": d["mean"], "lo": d["lo"], "hi": d["hi"]}
    return {"per_seed": {k: {r: per[k][r] for r in ("left", "right")} for k in MODELS},
            "summary": summary, "quotes": quotes}
