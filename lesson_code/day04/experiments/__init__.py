"""The Day 4 experiments. Each module has `run(seed=0, **budget) -> dict` returning plain JSON data,
the same for the same seed; the default budget is what the docs build uses. Models are trained once
per process and shared between experiments (see _models.py).

    python -m lesson_code.day04.experiments NAME [--seed S] [--out FILE]
"""
from lesson_code.lessonkit.experiments import lazy_registry

NAMES = ("task", "bottleneck", "decoding", "exposure", "reversal", "beam_exhaustive")
EXPERIMENTS = lazy_registry(__name__, NAMES)
