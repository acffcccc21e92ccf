"""The bottleneck, measured: held-out accuracy against input length for several context sizes.

One encoder and one decoder width (H = 64) for every model; the only thing that changes is the
linear bridge between them, which squeezes the encoder's final state (2H = 128 numbers) through k
numbers: the context. Each k is trained on two seeds with the same budget on 1-12 digit numbers and
read on the same held-out test numbers, at the end of training and halfway through it (two budgets).

Two measures per length: exact match of the greedy output, and teacher-forced per-digit accuracy
(each digit predicted from the true previous ones; <eos> not counted). If only compounding made long
outputs fail, per-digit accuracy would stay flat with length. Comparisons between context sizes are
paired: the same numbers, the same seed, two models (McNemar, lessonkit.statistics).
"""
from __future__ import annotations

from lesson_code.lessonkit.statistics import paired, proportion

from ..model import context_size, count_parameters
from ..train import evaluate
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN = 64
BRIDGES = (8, 16, 32, 128)  # k; 128 = 2H, the whole final state
SEEDS = 2


def longest_reliable(by_digits: list[dict], threshold: float, key: str = "p") -> int | None:
    """The largest digit count d such that every length up to d scores >= threshold (None: not even the first)."""
    best = None
    for row in by_digits:
        if row[key] < threshold:
            break
        best = row["digits"]
    return best


def by_length(numbers: list[int], right: list[list[bool]]) -> list[dict]:
    """Per digit count: exact match pooled over seeds (right[seed][item]) with its Wilson interval."""
    out = []
    for d in sorted({len(str(n)) for n in numbers}):
        idx = [i for i, n in enumerate(numbers) if len(str(n)) == d]
        k = sum(r[i] for r in right for i in idx)
        out.append({"digits": d, **proportion(k, len(idx) * len(right)),
                    "per_seed": [sum(r[i] for i in idx) / len(idx) for r in right]})
    return out


def digit_tf_by_length(numbers: list[int], right_digits: list[list[int]]) -> list[dict]:
    """Per digit count: teacher-forced per-digit accuracy pooled over seeds, with its Wilson interval
    (digits of one number are not independent, so the interval is on the narrow side)."""
    out = []
    for d in sorted({len(str(n)) for n in numbers}):
        idx = [i for i, n in enumerate(numbers) if len(str(n)) == d]
        k = sum(r[i] for r in right_digits for i in idx)
        out.append({"digits": d, **proportion(k, d * len(idx) * len(right_digits))})
    return out


def compare(numbers: list[int], a: list[list[bool]], b: list[list[bool]], digits: tuple[int, ...]) -> dict:
    """Paired comparison of two context sizes over the given lengths, items pooled across seeds."""
    keep = [i for i, n in enumerate(numbers) if len(str(n)) in digits]
    res = paired([x[i] for x in a for i in keep], [y[i] for y in b for i in keep])
    res["per_seed_diff"] = [sum(x[i] for i in keep) / len(keep) - sum(y[i] for i in keep) / len(keep)
                            for x, y in zip(a, b)]
    return res


def run(seed: int = 0, bridges=BRIDGES, n_seeds: int = SEEDS, hidden: int = HIDDEN, steps: int = STEPS,
        per_digit: int = PER_DIGIT) -> dict:
    """Train one model per (k, seed) and measure accuracy by digit count at the end and halfway."""
    numbers = list(test_numbers(seed, per_digit))
    seeds = [seed + s for s in range(n_seeds)]
    models, quotes = {}, {"steps": steps, "half_steps": steps // 2, "bridges": list(bridges), "hidden": hidden,
                          "n_seeds": n_seeds, "n_test": len(numbers), "per_digit": per_digit,
                          "state_numbers": 2 * hidden}
    exact_items, half_items = {}, {}
    for k in bridges:
        runs = [trained(hidden, False, s, steps, k, per_digit, seed) for s in seeds]
        finals = [evaluate(model, numbers) for model, _ in runs]
        exact_items[k] = [f["items"]["exact_greedy"] for f in finals]
        half_items[k] = [h["halfway"]["items"]["exact_greedy"] for _, h in runs]
        rows = by_length(numbers, exact_items[k])
        half_rows = by_length(numbers, half_items[k])
        tf_rows = digit_tf_by_length(numbers, [f["items"]["digits_right_tf"] for f in finals])
        model = runs[0][0]
        models[str(k)] = {
            "bridge": k, "context_numbers": context_size(model.config), "parameters": count_parameters(model),
            "digits": [r["digits"] for r in rows], "exact": rows, "exact_halfway": half_rows, "digit_tf": tf_rows,
            "val_step": [h["val_step"] for _, h in runs], "val_loss": [h["val_loss"] for _, h in runs],
            "best_val_loss": [h["best_val_loss"] for _, h in runs],
        }
        for r, rh, rt in zip(rows, half_rows, tf_rows):
            quotes[f"exact_k{k}_d{r['digits']}"] = r
            quotes[f"exact_half_k{k}_d{r['digits']}"] = rh
            quotes[f"digit_tf_k{k}_d{r['digits']}"] = rt
        quotes[f"params_k{k}"] = count_parameters(model)
        quotes[f"storage_bits_k{k}"] = 32 * context_size(model.config)  # float32 numbers
        quotes[f"reliable50_k{k}"] = longest_reliable(rows, 0.5)
        quotes[f"reliable50_half_k{k}"] = longest_reliable(half_rows, 0.5)
        quotes[f"best_at_end_k{k}"] = all(h["best_step"] == h["val_step"][-1] for _, h in runs)
        quotes[f"final_val_loss_k{k}"] = [h["val_loss"][-1] for _, h in runs]
    quotes["params_encoder_decoder"] = quotes[f"params_k{bridges[0]}"] - _bridge_params(2 * hidden, bridges[0])
    quotes["bits_per_number"] = 32
    quotes["min_digits"], quotes["max_digits"] = min(models[str(bridges[0])]["digits"]), max(models[str(bridges[0])]["digits"])
    quotes["all_best_at_end"] = all(quotes[f"best_at_end_k{k}"] for k in bridges)
    # every neighbouring pair of context sizes, on all test numbers, at both budgets
    every = tuple(range(3, 13))
    for small, large in zip(bridges, bridges[1:]):
        quotes[f"gain_k{large}_over_k{small}"] = compare(numbers, exact_items[large], exact_items[small], every)
        quotes[f"gain_half_k{large}_over_k{small}"] = compare(numbers, half_items[large], half_items[small], every)
    quotes["n_paired"] = n_seeds * len(numbers)
    # did the extra 600 steps help every context size? (same seeds, same numbers)
    for k in bridges:
        quotes[f"gain_full_over_half_k{k}"] = compare(numbers, exact_items[k], half_items[k], every)
    return {"experiment": "bottleneck", "seed": seed, "seeds": seeds, "per_digit": per_digit, "models": models,
            "quotes": quotes}


def _bridge_params(width: int, k: int) -> int:
    """Weights and biases of a Bridge: width -> k -> width."""
    return width * k + k + k * width + width
