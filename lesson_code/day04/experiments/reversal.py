"""Does reading the source backwards help (Sutskever et al., 2014), and where?

Pairs of models identical but for the source order (the sweep's full-state models, k = 2H), on three
seeds: held-out exact match by length, the learning curves, and teacher-forced accuracy at each
output position of 12-digit numbers (first digit to last), which shows where the gain sits.

A control for the bottleneck rides on the same models: reversed, the words that decide the first
three digits are the last ones the encoder reads, whenever the number's length is a multiple of 3
(then its first three digits are exactly its leading group, "three hundred twelve <scale>").
If those digits still get harder as the number grows, it is not because their words lie further
back. Intervals are across seeds (Student t, lessonkit.statistics): a seed is one replication.
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import mean, single_thread
from lesson_code.lessonkit.statistics import excludes_zero, paired, t_interval

from ..numbers import batch_of_numbers, sample_numbers
from ..search import evaluating
from ..train import evaluate
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN, BRIDGE = 64, 128
SEEDS = 3
ORDERS = {"in_order": False, "reversed": True}
CONTROL_DIGITS = (3, 6, 9, 12)  # lengths whose first three digits are exactly the leading group
HUNDREDS = (1, 4, 7, 10)  # positions of a 12-digit number that are a group's hundreds digit


def position_accuracy(model, numbers, reverse: bool) -> list[float]:
    """Teacher-forced accuracy at each target position (digits, then <eos>) over equal-length numbers."""
    with evaluating(model):
        b = batch_of_numbers(numbers, reverse)
        pred = model(b.src, b.src_len, b.tgt_in).argmax(-1)  # (B, T)
        return (pred == b.tgt_out).double().mean(0).tolist()  # (T,): all rows have the same length


def first_digits_accuracy(model, numbers, reverse: bool, digits, k: int = 3) -> list[float]:
    """Teacher-forced accuracy on the first ``k`` digits of the numbers of each length in ``digits``."""
    return [mean(position_accuracy(model, [n for n in numbers if len(str(n)) == d], reverse)[:k]) for d in digits]


def _ci(values) -> dict:
    """Mean over seeds with its 95 % t interval (without the raw values, which the runs keep)."""
    ci = t_interval(values)
    return {"mean": ci["mean"], "lo": ci["lo"], "hi": ci["hi"], "n": ci["n"]}


def run(seed: int = 0, hidden: int = HIDDEN, bridge: int = BRIDGE, n_seeds: int = SEEDS, steps: int = STEPS,
        per_digit: int = PER_DIGIT, position_digits: int = 12) -> dict:
    """Train in-order and reversed models on seeds seed..seed+n_seeds-1 and compare them."""
    numbers = list(test_numbers(seed, per_digit))
    long = sample_numbers(per_digit, position_digits, split="test", seed=30_000 + seed, unique=True)
    seeds = [seed + k for k in range(n_seeds)]
    runs: dict = {name: [] for name in ORDERS}
    items: dict = {name: [] for name in ORDERS}
    with single_thread():
        for s in seeds:
            for name, reverse in ORDERS.items():
                model, hist = trained(hidden, reverse, s, steps, bridge, per_digit, seed)
                res = evaluate(model, numbers, reverse)
                rows = res["by_digits"]
                items[name].append(res["items"]["exact_greedy"])
                runs[name].append({"seed": s, "digits": [r["digits"] for r in rows],
                                   "exact": [r["exact_greedy"] for r in rows],
                                   "mean_exact": res["overall"]["exact_greedy"],
                                   "position_tf": position_accuracy(model, long, reverse),
                                   "first3_tf": first_digits_accuracy(model, numbers, reverse, CONTROL_DIGITS),
                                   "val_step": hist["val_step"], "val_loss": hist["val_loss"]})
    P = position_digits
    quotes = {"hidden": hidden, "bridge": bridge, "n_seeds": n_seeds, "position_digits": P, "steps": steps,
              "n_test": len(numbers), "n_position_numbers": len(long), "control_digits": list(CONTROL_DIGITS),
              "hundreds_positions": list(HUNDREDS)}
    summary = {}
    for name, rs in runs.items():
        digits = rs[0]["digits"]
        summary[name] = {"digits": digits,
                         "exact_mean": [mean(r["exact"][i] for r in rs) for i in range(len(digits))],
                         "exact_ci": [_ci([r["exact"][i] for r in rs]) for i in range(len(digits))],
                         "position_tf_mean": [mean(r["position_tf"][t] for r in rs) for t in range(P)],
                         "first3_tf": [_ci([r["first3_tf"][i] for r in rs]) for i in range(len(CONTROL_DIGITS))]}
        quotes[f"{name}_mean_exact"] = _ci([r["mean_exact"] for r in rs])
        quotes[f"{name}_exact_d12"] = _ci([r["exact"][-1] for r in rs])
        quotes[f"{name}_final_val_loss"] = _ci([r["val_loss"][-1] for r in rs])
        for i, d in enumerate(CONTROL_DIGITS):
            quotes[f"{name}_first3_tf_d{d}"] = summary[name]["first3_tf"][i]
        drops = [r["first3_tf"][0] - r["first3_tf"][-1] for r in rs]  # 3 digits minus 12 digits, per seed
        quotes[f"{name}_first3_drop"] = _ci(drops)
        quotes[f"{name}_first3_falls_every_seed"] = all(d > 0 for d in drops)
    # the headline comparison, paired by seed, and item by item on the same numbers
    diff_mean = [r["mean_exact"] - o["mean_exact"] for r, o in zip(runs["reversed"], runs["in_order"])]
    quotes["gain_mean_exact"] = _ci(diff_mean)
    quotes["gain_mean_exact_items"] = paired([x for r in items["reversed"] for x in r],
                                             [x for o in items["in_order"] for x in o])
    quotes["reversed_wins_every_seed"] = all(d > 0 for d in diff_mean)
    quotes["gain_val_loss"] = _ci([o["val_loss"][-1] - r["val_loss"][-1]
                                   for r, o in zip(runs["reversed"], runs["in_order"])])
    quotes["gain_exact_d12"] = _ci([r["exact"][-1] - o["exact"][-1] for r, o in zip(runs["reversed"], runs["in_order"])])
    # where in a 12-digit output the gain sits: per position, across seeds
    per_seed = [[r["position_tf"][t] - o["position_tf"][t] for t in range(P)]
                for r, o in zip(runs["reversed"], runs["in_order"])]  # (seeds, positions)
    gains = [_ci([g[t] for g in per_seed]) for t in range(P)]
    summary["position_gain"] = gains
    quotes["positions_gain_carried"] = [t + 1 for t in range(P) if excludes_zero(gains[t])]
    quotes["positions_better_every_seed"] = sum(all(g[t] > 0 for g in per_seed) for t in range(P))
    quotes["max_gain_position"] = max(range(P), key=lambda t: gains[t]["mean"]) + 1
    quotes["max_position_gain"] = gains[quotes["max_gain_position"] - 1]
    quotes["last_position_gain"] = gains[P - 1]
    quotes["gain_first3_tf"] = _ci([mean(g[:3]) for g in per_seed])
    quotes["gain_last3_tf"] = _ci([mean(g[P - 3:]) for g in per_seed])
    hundreds = [t - 1 for t in HUNDREDS if t <= P]
    others = [t for t in range(P) if t not in hundreds]
    quotes["gain_hundreds_tf"] = _ci([mean(g[t] for t in hundreds) for g in per_seed])
    quotes["gain_other_tf"] = _ci([mean(g[t] for t in others) for g in per_seed])
    quotes["gain_hundreds_minus_other"] = _ci([mean(g[t] for t in hundreds) - mean(g[t] for t in others)
                                               for g in per_seed])
    in_order = summary["in_order"]["position_tf_mean"]
    quotes["in_order_hundreds_tf"] = mean(in_order[t] for t in hundreds)
    quotes["in_order_other_tf"] = mean(in_order[t] for t in others)
    # the control: does the first group's fall differ between the orders? (per seed: in-order drop - reversed drop)
    quotes["extra_drop_in_order"] = _ci([(o["first3_tf"][0] - o["first3_tf"][-1]) - (r["first3_tf"][0] - r["first3_tf"][-1])
                                         for r, o in zip(runs["reversed"], runs["in_order"])])
    return {"experiment": "reversal", "seed": seed, "seeds": seeds, "runs": runs, "summary": summary, "quotes": quotes}
