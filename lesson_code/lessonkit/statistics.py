"""How sure a measured number is: intervals and paired tests for the comparisons a lesson quotes.

Standard library only, deterministic (the bootstrap takes a seed), results as plain JSON data.

* an accuracy over n items: :func:`wilson` (the Wilson score interval, sound near 0 and 1);
* two decoders or models scored on the same items: :func:`paired` (the discordant counts, the
  exact McNemar test and an exact interval for the difference in accuracy that agrees with it);
* a number measured once per seed: :func:`t_interval` (mean and Student-t interval) or
  :func:`bootstrap_interval`; :func:`over_seeds` runs an experiment once per seed and collects them.

A claim "A beats B" is carried when the interval of the difference excludes 0 (equivalently, for
paired items, when McNemar's p < 0.05), not when one point estimate exceeds another.
"""
from __future__ import annotations

import math
import random
from typing import Callable, Sequence

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile: a two-sided 95 % interval


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (lo, hi) for a proportion successes / n; (0, 1) when n == 0.

    p̂ = k/n;  centre = (p̂ + z²/2n) / (1 + z²/n);  half width = z √(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(successes: int, n: int, z: float = Z95) -> dict:
    """{"k", "n", "p", "lo", "hi"}: a measured accuracy with its Wilson interval, ready for JSON."""
    lo, hi = wilson(successes, n, z)
    return {"k": int(successes), "n": int(n), "p": successes / n if n else 0.0, "lo": lo, "hi": hi}


def binomial_two_sided(k: int, n: int) -> float:
    """Exact two-sided p-value of k successes in n fair coin flips: 2 P(X <= min(k, n-k)), capped at 1."""
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def mcnemar(only_a: int, only_b: int) -> float:
    """Exact McNemar p-value for paired outcomes: only_a items right under A alone, only_b under B alone.

    Under "A and B are equally accurate" each discordant item is a fair coin, so the count only_a of
    only_a + only_b discordant items is Binomial(only_a + only_b, 1/2).
    """
    return binomial_two_sided(only_a, only_a + only_b)


def _binomial_tail_ge(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space (exact enough for n in the thousands)."""
    if k <= 0:
        return 1.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
             for i in range(k, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def clopper_pearson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a binomial proportion, by bisection on the binomial tails.

    lo solves P(X >= k | lo) = (1 - level)/2 and hi solves P(X <= k | hi) = (1 - level)/2.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    alpha = (1 - level) / 2

    def solve(f, target: float) -> float:  # f is increasing in p: the p where f(p) = target
        a, b = 0.0, 1.0
        for _ in range(60):
            mid = (a + b) / 2
            a, b = (mid, b) if f(mid) < target else (a, mid)
        return (a + b) / 2

    lo = 0.0 if successes == 0 else solve(lambda p: _binomial_tail_ge(successes, n, p), alpha)
    # P(X <= k | p) = 1 - P(X >= k + 1 | p) = alpha
    hi = 1.0 if successes == n else solve(lambda p: _binomial_tail_ge(successes + 1, n, p), 1 - alpha)
    return lo, hi


def paired(a: Sequence[bool], b: Sequence[bool], level: float = 0.95) -> dict:
    """Compare two scorings of the same items (a[i], b[i]: item i right under A, under B).

    Returns {"n", "a", "b" (accuracies), "only_a", "only_b" (discordant counts), "diff" (= a - b),
    "lo", "hi", "p"}. Only the m = only_a + only_b discordant items carry information about the
    difference: under "equally accurate" each is A's with probability 1/2 (the exact McNemar test,
    "p"). The interval is exact and conditional on m: the Clopper-Pearson interval (π_lo, π_hi) for
    the share of discordant items that favour A, mapped to a difference in accuracy,
    diff = (2π - 1) m / n. It excludes 0 exactly when p < 1 - level, so the interval and the test
    never disagree.
    """
    if len(a) != len(b):
        raise ValueError(f"paired outcomes need the same items: {len(a)} against {len(b)}")
    n = len(a)
    if n == 0:
        raise ValueError("paired() needs at least one item")
    only_a = sum(1 for x, y in zip(a, b) if x and not y)
    only_b = sum(1 for x, y in zip(a, b) if y and not x)
    m = only_a + only_b
    if m == 0:
        lo = hi = 0.0
    else:
        pi_lo, pi_hi = clopper_pearson(only_a, m, level)
        lo, hi = (2 * pi_lo - 1) * m / n, (2 * pi_hi - 1) * m / n
    return {"n": n, "a": sum(map(bool, a)) / n, "b": sum(map(bool, b)) / n, "only_a": only_a, "only_b": only_b,
            "diff": (only_a - only_b) / n, "lo": lo, "hi": hi, "p": mcnemar(only_a, only_b)}


def _t_density(x: float, df: int) -> float:
    """Student t density with df degrees of freedom."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def _t_cdf_upper_half(x: float, df: int, steps: int = 2000) -> float:
    """P(0 <= T <= x) for x >= 0, by Simpson's rule on the density (accurate to ~1e-9 for df >= 1)."""
    # substitute x = tan(u) so the heavy tail of df = 1 becomes a smooth, finite integrand
    top = math.atan(x)
    h = top / steps
    total = 0.0
    for i in range(steps + 1):
        u = i * h
        w = 1 if i in (0, steps) else (4 if i % 2 else 2)
        total += w * _t_density(math.tan(u), df) / math.cos(u) ** 2
    return total * h / 3


def t_quantile(level: float, df: int) -> float:
    """The two-sided critical value t* with P(|T| <= t*) = level, T ~ Student t(df); by bisection."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if df < 1:
        raise ValueError(f"a t interval needs df >= 1, got {df}")
    lo, hi = 0.0, 1.0
    while 2 * _t_cdf_upper_half(hi, df) < level:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 2 * _t_cdf_upper_half(mid, df) < level else (lo, mid)
    return (lo + hi) / 2


def t_interval(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean of per-seed values with a Student-t interval: {"n", "mean", "sd", "lo", "hi", "values"}.

    mean ± t*(n−1) · s / √n, with s the sample standard deviation (ddof = 1). Needs n >= 2; with few
    seeds the interval is honestly wide (t* = 12.7 at n = 2, 4.3 at n = 3, 2.8 at n = 5).
    """
    values = [float(v) for v in values]
    n = len(values)
    if n < 2:
        raise ValueError(f"an interval across seeds needs at least 2 values, got {n}")
    m = sum(values) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = t_quantile(level, n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": m, "sd": sd, "lo": m - half, "hi": m + half, "values": values}


def bootstrap_interval(values: Sequence[float], stat: Callable[[list[float]], float] | None = None,
                       level: float = 0.95, resamples: int = 10_000, seed: int = 0) -> dict:
    """Percentile bootstrap interval of ``stat`` (default: the mean): {"n", "value", "lo", "hi"}.

    Resamples the values with replacement ``resamples`` times from random.Random(seed), so the same
    seed gives the same interval.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("bootstrap_interval() needs at least one value")
    stat = stat or (lambda xs: sum(xs) / len(xs))
    rng = random.Random(seed)
    n = len(values)
    draws = sorted(stat([values[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples))
    tail = (1 - level) / 2
    lo = draws[int(math.floor(tail * (resamples - 1)))]
    hi = draws[int(math.ceil((1 - tail) * (resamples - 1)))]
    return {"n": n, "value": stat(values), "lo": lo, "hi": hi}


def over_seeds(run: Callable[[int], dict], seeds: Sequence[int]) -> list[dict]:
    """[run(seed) for each seed], in order: one experiment repeated, its per-seed results kept apart."""
    return [run(int(s)) for s in seeds]


def excludes_zero(interval: dict) -> bool:
    """True when the interval {"lo", "hi"} lies wholly on one side of 0: the difference is carried."""
    return interval["lo"] > 0 or interval["hi"] < 0
