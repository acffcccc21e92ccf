"""The Day 3 experiments. Each module has `run(seed=0, **budget) -> dict` returning plain JSON data
(lists, dicts, str, int, finite float, bool, None), the same for the same seed; the default budget is
what the docs build uses. EXPERIMENTS maps a name to its run function.

    python -m lesson_code.day03.experiments NAME [--seed S] [--out FILE]
"""
from . import char_lm, forget_bias, gradient_norms, long_range, regimes

EXPERIMENTS = {
    "gradient_norms": gradient_norms.run,
    "regimes": regimes.run,
    "forget_bias": forget_bias.run,
    "long_range": long_range.run,
    "char_lm": char_lm.run,
}
