"""CNN against MLP, and what pooling buys: three models trained on glyphs in the LEFT half of the canvas,
then scored on new glyphs on the left (the training positions) and on the right (positions never seen).
The two halves' glyph pixels lie in disjoint columns, shapes.GAP blank columns apart, so no right-half
glyph inks a column any training glyph inked (see shapes.offsets).

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

from ..conv import receptive_field
from ..model import ModelConfig, build, count_parameters
from ..shapes import CLASSES, GAP, GLYPH, NOISE, offsets, sample
from ..train import TrainConfig, evaluate, train

SEEDS = (0, 1, 2)
MODELS = {"cnn_pool": 16, "cnn_flat": 16, "mlp": 18}  # kind -> width (MLP width matches cnn_pool's size)
SIZE, STEPS, N_TEST = 16, 400, 600


def _mean(values, clip: bool = False) -> dict:
    """A mean over seeds with its 95 % t interval (clipped to [0, 1] for an accuracy) and the per-seed values."""
    t = t_interval(values)
    lo, hi = (max(0.0, t["lo"]), min(1.0, t["hi"])) if clip else (t["lo"], t["hi"])
    return {"mean": t["mean"], "lo": lo, "hi": hi, "n": t["n"], "values": t["values"]}


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
                # one validation, at the last step: the weights scored are the final ones
                train(model, TrainConfig(size=SIZE, region="left", steps=steps, eval_every=steps, seed=seed * 100 + s))
                for region, (x, y) in tests.items():
                    correct = evaluate(model, x, y)["correct"]
                    per[kind][region].append(proportion(sum(correct), len(correct)))
    (left_lo, left_hi), (right_lo, right_hi) = offsets(SIZE, "left"), offsets(SIZE, "right")
    cfg = TrainConfig(size=SIZE, region="left", steps=steps)
    quotes = {"n_seeds": len(seeds), "seeds": list(seeds), "n_test": n_test, "steps": steps, "size": SIZE,
              "noise": NOISE, "n_classes": len(CLASSES), "batch": cfg.batch_size, "lr": cfg.lr, "glyph": GLYPH,
              "left_lo": left_lo, "left_hi": left_hi, "right_lo": right_lo, "right_hi": right_hi,
              "left_last_col": left_hi + GLYPH - 1, "right_first_col": right_lo, "gap": right_lo - (left_hi + GLYPH),
              "n_left_offsets": left_hi - left_lo + 1, "n_right_offsets": right_hi - right_lo + 1,
              "min_gap": GAP, "feature_reach": (receptive_field([3, 3], [1, 1]) - 1) // 2}  # columns either side
    summary = {}
    for kind in MODELS:
        quotes[f"params_{kind}"] = params[kind]
        for region in ("left", "right"):
            summary[f"{kind}_{region}"] = t_interval([r["p"] for r in per[kind][region]])
            quotes[f"{kind}_{region}"] = _mean([r["p"] for r in per[kind][region]], clip=True)
            quotes[f"{kind}_{region}_min_lo"] = min(r["lo"] for r in per[kind][region])
        quotes[f"{kind}_drop"] = _mean([a["p"] - b["p"] for a, b in zip(per[kind]["left"], per[kind]["right"])])
    for a, b in (("cnn_pool", "mlp"), ("cnn_pool", "cnn_flat"), ("cnn_flat", "mlp")):
        for region in ("left", "right"):
            quotes[f"{a}_vs_{b}_{region}"] = _mean([x["p"] - y["p"] for x, y in zip(per[a][region], per[b][region])])
    return {"per_seed": {k: {r: per[k][r] for r in ("left", "right")} for k in MODELS},
            "summary": summary, "quotes": quotes}
