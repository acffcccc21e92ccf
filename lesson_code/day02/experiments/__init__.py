"""The Day 2 experiments. Each module has `run(seed=0, **budget) -> dict` returning plain JSON data, the
same for the same seed; the default budget is what the docs build uses.

    python -m lesson_code.day02.experiments NAME [--seed S] [--out FILE]
"""
from lesson_code.lessonkit.experiments import lazy_registry

NAMES = ("convolution", "invariance", "degradation")
EXPERIMENTS = lazy_registry(__name__, NAMES)
