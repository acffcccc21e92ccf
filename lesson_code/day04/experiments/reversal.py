"""Does reading the source backwards help (Sutskever et al., 2014), and where?

Pairs of models identical but for the source order, on several seeds: held-out exact match by
length, the learning curves, and teacher-forced accuracy at each output position of 12-digit
numbers (first digit to last), which shows where in the output the gain or loss sits.
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import mean, single_thread

from ..numbers import sample_numbers, batch_of_numbers
from ..search import evaluating
from ..train import evaluate
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN = 64
SEEDS = 2
ORDERS = {"in_order": False, "reversed": True}


def position_accuracy(model, numbers, reverse: bool) -> list[float]:
    """Teacher-forced accuracy at each target position (digits, then <eos>) over equal-length numbers."""
    with evaluating(model):
        b = batch_of_numbers(numbers, reverse)
        pred = model(b.src, b.src_len, b.tgt_in).argmax(-1)  # (B, T)
        return (pred == b.tgt_out).double().mean(0).tolist()  # (T,): all rows have the same length


def first_digits_accuracy(model, numbers, reverse: bool, k: int = 3) -> list[float]:
    """Teacher-forced accuracy on the first ``k`` digits of each length's numbers -> one value per length.

    A control for the bottleneck: reversed, the words that decide the first digits are the last ones
    read whatever the length, so their time lag does not grow with it; if these digits still get
    harder as numbers grow, it is because the context holds more, not because they lie further back.
    """
    out = []
    for d in sorted({len(str(n)) for n in numbers}):
        group = [n for n in numbers if len(str(n)) == d]
        out.append(mean(position_accuracy(model, group, reverse)[:k]))
    return out


def run(seed: int = 0, hidden: int = HIDDEN, n_seeds: int = SEEDS, steps: int = STEPS,
        per_digit: int = PER_DIGIT, position_digits: int = 12) -> dict:
    """Train in-order and reversed models on seeds seed..seed+n_seeds-1 and compare them."""
    numbers = list(test_numbers(seed, per_digit))
    long = sample_numbers(per_digit, position_digits, split="test", seed=30_000 + seed, unique=True)
    seeds = [seed + k for k in range(n_seeds)]
    runs: dict = {name: [] for name in ORDERS}
    with single_thread():
        for s in seeds:
            for name, reverse in ORDERS.items():
                model, hist = trained(hidden, reverse, s, steps)
                rows = evaluate(model, numbers, reverse)["by_digits"]
                runs[name].append({"seed": s, "digits": [r["digits"] for r in rows],
                                   "exact": [r["exact_greedy"] for r in rows],
                                   "position_tf": position_accuracy(model, long, reverse),
                                   "first3_tf_by_digits": first_digits_accuracy(model, numbers, reverse),
                                   "val_step": hist["val_step"], "val_loss": hist["val_loss"]})
    quotes = {"hidden": hidden, "n_seeds": n_seeds, "position_digits": position_digits, "steps": steps}
    summary = {}
    for name, rs in runs.items():
        digits = rs[0]["digits"]
        exact = [mean(r["exact"][i] for r in rs) for i in range(len(digits))]
        pos = [mean(r["position_tf"][t] for r in rs) for t in range(len(rs[0]["position_tf"]))]
        first3 = [mean(r["first3_tf_by_digits"][i] for r in rs) for i in range(len(digits))]
        quotes[f"{name}_first3_tf_d3"], quotes[f"{name}_first3_tf_d12"] = first3[0], first3[-1]
        summary[name] = {"digits": digits, "exact_mean": exact, "first3_tf_by_digits": first3,
                         "exact_min": [min(r["exact"][i] for r in rs) for i in range(len(digits))],
                         "exact_max": [max(r["exact"][i] for r in rs) for i in range(len(digits))],
                         "position_tf_mean": pos}
        quotes[f"{name}_mean_exact"] = mean(exact)
        quotes[f"{name}_exact_d12"] = exact[-1]
        quotes[f"{name}_exact_d6"] = exact[digits.index(6)]
        quotes[f"{name}_first3_tf"] = mean(pos[:3])
        quotes[f"{name}_last3_tf"] = mean(pos[position_digits - 3:position_digits])  # the last three digits
        quotes[f"{name}_final_val_loss"] = mean(r["val_loss"][-1] for r in rs)
        quotes[f"{name}_per_seed_mean_exact"] = [mean(r["exact"]) for r in rs]
    quotes["gain_mean_exact"] = quotes["reversed_mean_exact"] - quotes["in_order_mean_exact"]
    quotes["gain_exact_d12"] = quotes["reversed_exact_d12"] - quotes["in_order_exact_d12"]
    quotes["gain_first3_tf"] = quotes["reversed_first3_tf"] - quotes["in_order_first3_tf"]
    quotes["gain_last3_tf"] = quotes["reversed_last3_tf"] - quotes["in_order_last3_tf"]
    gains = [r - o for r, o in zip(summary["reversed"]["position_tf_mean"][:position_digits],
                                   summary["in_order"]["position_tf_mean"][:position_digits])]
    quotes["min_position_gain"], quotes["max_position_gain"] = min(gains), max(gains)
    per_seed = [[r["position_tf"][t] - o["position_tf"][t] for t in range(position_digits)]
                for r, o in zip(runs["reversed"], runs["in_order"])]  # (seeds, positions)
    quotes["positions_better_every_seed"] = sum(all(g[t] > 0 for g in per_seed) for t in range(position_digits))
    quotes["positions_worse_some_seed"] = [t + 1 for t in range(position_digits) if any(g[t] < 0 for g in per_seed)]
    quotes["max_gain_position"] = gains.index(max(gains)) + 1
    in_order = summary["in_order"]["position_tf_mean"][:position_digits]
    quotes["in_order_worst_position"] = in_order.index(min(in_order)) + 1
    quotes["in_order_worst_position_tf"] = min(in_order)
    quotes["reversed_wins_every_seed"] = all(
        r > o for r, o in zip(quotes["reversed_per_seed_mean_exact"], quotes["in_order_per_seed_mean_exact"]))
    return {"experiment": "reversal", "seed": seed, "seeds": seeds, "runs": runs, "summary": summary, "quotes": quotes}
