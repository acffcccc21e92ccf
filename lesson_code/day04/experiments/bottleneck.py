"""The bottleneck, measured: held-out accuracy against input length for several context sizes.

One LSTM encoder-decoder per hidden size H (context = (h, c), 2H numbers), each trained with the
same budget on 1-12 digit numbers, then read on distinct held-out test numbers of each length.
Two measures per length: exact match of the greedy output, and teacher-forced per-digit accuracy
(each digit predicted from the true previous ones; the <eos> token is not counted). If only compounding made long outputs fail,
per-digit accuracy would stay flat with length; if the context runs out, it falls.
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import mean

from ..model import context_size, count_parameters
from ..train import evaluate
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN_SIZES = (16, 32, 64, 128)


def longest_reliable(by_digits: list[dict], key: str, threshold: float) -> int | None:
    """The largest digit count d such that every length up to d scores >= threshold (None: not even the first)."""
    best = None
    for row in by_digits:
        if row[key] < threshold:
            break
        best = row["digits"]
    return best


def run(seed: int = 0, hidden_sizes=HIDDEN_SIZES, steps: int = STEPS, per_digit: int = PER_DIGIT) -> dict:
    """Train one model per hidden size (seed ``seed``) and measure accuracy by digit count."""
    numbers = list(test_numbers(seed, per_digit))
    models, quotes = {}, {"steps": steps, "hidden_sizes": list(hidden_sizes), "n_test": len(numbers),
                          }
    for H in hidden_sizes:
        model, hist = trained(H, False, seed, steps)
        res = evaluate(model, numbers)
        rows = res["by_digits"]
        models[str(H)] = {
            "hidden_size": H, "context_numbers": context_size(model.config), "parameters": count_parameters(model),
            "digits": [r["digits"] for r in rows], "count": [r["count"] for r in rows],
            "exact": [r["exact_greedy"] for r in rows], "digit_tf": [r["digit_tf"] for r in rows],
            "val_step": hist["val_step"], "val_loss": hist["val_loss"], "best_val_loss": hist["best_val_loss"],
        }
        for r in rows:
            quotes[f"exact_h{H}_d{r['digits']}"] = r["exact_greedy"]
            quotes[f"digit_tf_h{H}_d{r['digits']}"] = r["digit_tf"]
        quotes[f"context_h{H}"] = context_size(model.config)
        quotes[f"storage_bits_h{H}"] = 32 * context_size(model.config)  # float32 numbers
        quotes[f"params_h{H}"] = count_parameters(model)
        quotes[f"mean_exact_h{H}"] = mean(r["exact_greedy"] for r in rows)
        quotes[f"reliable90_h{H}"] = longest_reliable(rows, "exact_greedy", 0.9)
        quotes[f"reliable50_h{H}"] = longest_reliable(rows, "exact_greedy", 0.5)
        quotes[f"best_val_loss_h{H}"] = hist["best_val_loss"]
        quotes[f"best_at_end_h{H}"] = hist["best_step"] == hist["val_step"][-1]  # still improving when stopped
    first, last = hidden_sizes[0], hidden_sizes[-1]
    quotes["min_digits"], quotes["max_digits"] = models[str(first)]["digits"][0], models[str(first)]["digits"][-1]
    quotes["exact_gain_d12"] = quotes[f"exact_h{last}_d12"] - quotes[f"exact_h{first}_d12"]
    quotes["all_best_at_end"] = all(quotes[f"best_at_end_h{H}"] for H in hidden_sizes)
    return {"experiment": "bottleneck", "seed": seed, "per_digit": per_digit, "models": models, "quotes": quotes}
