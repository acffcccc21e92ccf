"""The Day 3 experiments. Each module has `run(seed=0, **budget) -> dict` returning plain JSON data
(lists, dicts, str, int, finite float, bool, None), the same for the same seed; the default budget is
what the docs build uses. EXPERIMENTS maps a name to its run function.

    python -m lesson_code.day03.experiments NAME [--seed S] [--out FILE]

The registry imports an experiment's module only when it is run (lessonkit's lazy registry).
"""
from lesson_code.lessonkit.experiments import lazy_registry

NAMES = ("gradient_norms", "regimes", "forget_bias", "long_range", "char_lm")
EXPERIMENTS = lazy_registry(__name__, NAMES)
