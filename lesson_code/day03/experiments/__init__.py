"""The Day 3 experiments. Each module has `run(seed=0, **budget) -> dict` returning plain JSON data
(lists, dicts, str, int, finite float, bool, None), the same for the same seed; the default budget is
what the docs build uses. EXPERIMENTS maps a name to its run function.

    python -m lesson_code.day03.experiments NAME [--seed S] [--out FILE]

The registry imports an experiment's module only when it is run, so importing one experiment does
not import the others (the docs build rebuilds a figure only when code it imported changed).
"""
import importlib

NAMES = ("gradient_norms", "regimes", "forget_bias", "long_range", "char_lm")


def _lazy(name: str):
    """A run function that imports experiments.<name> on first call."""
    def run(seed: int = 0, **budget) -> dict:
        return importlib.import_module(f"{__name__}.{name}").run(seed=seed, **budget)
    run.__name__ = run.__qualname__ = f"{name}.run"
    run.__doc__ = f"Run the {name} experiment (see lesson_code/day03/experiments/{name}.py)."
    return run


EXPERIMENTS = {name: _lazy(name) for name in NAMES}
