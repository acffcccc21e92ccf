"""Exercise 3: does initialising the LSTM forget-gate bias help? Trained on a task where memory matters.

The task is long_range's recall task at one gap (default 20): remember the first of 22 symbols.
Same LSTM, same seeds, same training batches per seed; only the forget-gate bias b_f differs
(0, 1 as Jozefowicz et al. 2015 recommend, and 3). At init the forget gate is σ(b_f + ...) ≈ 0.5,
0.73 and 0.95; the heuristic σ(b_f)^(gap + 1) (every gate at its bias, over the gap + 1 steps that
follow the symbol, as measured below) puts the share of the cell state kept at about 5e-7, 1e-3 and 0.36. What the gates actually keep is measured too:
the largest per-unit product of f over the gap + 1 steps, before and after training
(long_range.keep_gate_products).
"""
import math

from ._common import geomean, mean, single_thread, std
from .long_range import train_recall


def _first_at_least(steps, values, threshold):
    """First step whose value is >= threshold (None if none)."""
    return next((s for s, v in zip(steps, values) if v >= threshold), None)


def measure(seed: int = 0, n_seeds: int = 3, biases=(0.0, 1.0, 3.0), gap: int = 20, steps: int = 1000,
        batch_size: int = 64, lr: float = 1e-2, hidden_size: int = 32, n_classes: int = 8,
        n_distractors: int = 8, eval_every: int = 50, backend: str = "torch") -> dict:
    """Returns {"settings": {str(bias): {"per_seed": [train_recall() history per seed],
    "eval_loss_mean"/"_min"/"_max", "eval_accuracy_mean"/"_min"/"_max": [per eval step],
    "final_accuracy_mean", "final_accuracy_std", "final_loss_mean", "final_loss_std",
    "steps_to_90pct": [per seed, None = never], "keep_product_max_init"/"_final"}}, "eval_step": [...],
    "chance", "quotes", ...}."""
    seeds = [seed + k for k in range(n_seeds)]
    settings = {}
    with single_thread():
        for b in biases:
            runs = [train_recall("lstm", float(b), gap, s, steps, batch_size, lr, 1.0, n_classes, n_distractors,
                                 hidden_size, eval_every, backend=backend) for s in seeds]
            entry = {"forget_bias": float(b), "per_seed": runs}
            for key in ("eval_loss", "eval_accuracy"):
                cols = list(zip(*(r[key] for r in runs)))
                entry[key + "_mean"] = [mean(c) for c in cols]
                entry[key + "_min"] = [min(c) for c in cols]
                entry[key + "_max"] = [max(c) for c in cols]
            finals = [r["final_accuracy"] for r in runs]
            losses = [r["final_loss"] for r in runs]
            entry.update(final_accuracy_mean=mean(finals), final_accuracy_std=std(finals),
                         final_loss_mean=mean(losses), final_loss_std=std(losses),
                         steps_to_90pct=[_first_at_least(r["eval_step"], r["eval_accuracy"], 0.9) for r in runs],
                         # largest per-unit ∏f over the gap, geometric mean over seeds
                         keep_product_max_init=geomean(max(r["keep_product_init"]) for r in runs),
                         keep_product_max_final=geomean(max(r["keep_product_final"]) for r in runs))
            settings[f"{float(b):g}"] = entry
    eval_step = settings[f"{float(biases[0]):g}"]["per_seed"][0]["eval_step"]
    quotes = {"gap": gap, "steps": steps, "n_seeds": n_seeds, "chance": 1.0 / n_classes,
              **{f"bias{k}_final_accuracy_mean": v["final_accuracy_mean"] for k, v in settings.items()},
              **{f"bias{k}_final_accuracy_std": v["final_accuracy_std"] for k, v in settings.items()},
              **{f"bias{k}_final_loss_mean": v["final_loss_mean"] for k, v in settings.items()},
              **{f"bias{k}_seeds_reaching_90pct": sum(x is not None for x in v["steps_to_90pct"])
                 for k, v in settings.items()},
              **{f"bias{k}_keep_product_max_{when}": v[f"keep_product_max_{when}"]
                 for k, v in settings.items() for when in ("init", "final")}}
    return {
        "experiment": "forget_bias", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "biases": [float(b) for b in biases], "gap": gap, "steps": steps,
                   "batch_size": batch_size, "lr": lr, "hidden_size": hidden_size, "n_classes": n_classes,
                   "n_distractors": n_distractors, "eval_every": eval_every, "backend": backend},
        "task": f"long_range recall task at gap {gap}", "loss_unit": "nats (cross-entropy over the classes)",
        "eval_step": eval_step, "chance": 1.0 / n_classes, "chance_loss": math.log(n_classes),
        "settings": settings, "quotes": quotes,
    }


def run(seed: int = 0, **budget) -> dict:
    """The measurement (see :func:`measure`) plus the sizes and the kept share σ(b)^gap the page quotes."""
    data = measure(seed=seed, **budget)
    b = data["budget"]
    data["quotes"].update({"hidden_size": b["hidden_size"], "n_classes": b["n_classes"]})
    data["quotes"]["kept_steps"] = b["gap"] + 1
    for bias in b["biases"]:  # share of the stored symbol left after the gap + 1 steps at f = sigmoid(bias)
        data["quotes"][f"kept_share_bias{bias:g}"] = (1 / (1 + math.exp(-bias))) ** (b["gap"] + 1)
    return data
