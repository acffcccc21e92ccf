"""mkdocs-macros module: lets a page quote numbers from its lesson's results file, never by hand.

In a page with ``render_macros: true``: ``{{ value("day03", "gradient_norms.rnn_T200", "sci") }}``,
or ``{{ q("gradient_norms.rnn_T200", "sci") }}`` when the front matter says ``results: day03``.
Results are read when the page renders (after the build hook has run the builders).
A missing key fails the build.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "artifacts"


def load_results(lesson: str) -> dict:
    """The lesson's results file as a dict: {builder: {quote: value}}."""
    return json.loads((CACHE / lesson / "results.json").read_text())


def lookup(results: dict, key: str):
    """``builder.quote`` -> that builder's quote; the quote name may itself contain dots (``a_1.5``).

    ``builder.quote.field`` reads one field of a quoted record (``decoding.vs_greedy_beam2.p``), when
    ``quote.field`` is not itself a quote name; ``builder.quote.N`` reads item N of a quoted list.
    """
    builder, _, quote = key.partition(".")
    quotes = results.get(builder, {})
    if quote in quotes:
        return quotes[quote]
    head, _, field = quote.rpartition(".")
    if head in quotes and isinstance(quotes[head], dict) and field in quotes[head]:
        return quotes[head][field]
    if head in quotes and isinstance(quotes[head], list) and field.isdigit() and int(field) < len(quotes[head]):
        return quotes[head][int(field)]  # ``builder.quote.N``: item N of a quoted list (``degradation.depths.1``)
    raise KeyError(f"no quoted value {key!r} in the results file; known for {builder!r}: {sorted(quotes)}")


def minus_sign(text: str) -> str:
    """"-0.38" -> "−0.38": a negative number's sign as the minus sign (U+2212), not a hyphen; KaTeX
    reads it as the same minus inside math."""
    return "−" + text[1:] if text.startswith("-") else text


def format_value(x, fmt: str = "") -> str:
    """Format a quoted value.

    Lists: "and" -> "1, 2 and 8". Numbers: "" -> str, "sci" -> LaTeX a×10^b, "pow10" -> LaTeX 10^b, ".2f"-style -> format(),
    "%" -> a percentage with one decimal, kept even when it is 0 ("30.0%" beside "36.3%"), "%0" -> a
    whole percentage, "points" -> a difference of shares in percentage points.
    Intervals (a dict with "lo" and "hi", as lessonkit.statistics writes them): "ci%" -> "27.2–33.0%",
    "cipoints" -> "+2.1 to +9.4 points", "ci.2f"-style -> "−0.04 to 0.27"; any other format applied to
    such a record formats its point estimate (its "diff", "mean", "value" or, for a proportion, "p";
    a paired record's "p" is its McNemar p-value, quoted as ``group.key.p``).
    """
    if fmt.startswith("ci") and fmt != "ci":
        if not (isinstance(x, dict) and "lo" in x and "hi" in x):
            raise ValueError(f"format {fmt!r} needs an interval (a dict with 'lo' and 'hi'), got {x!r}")
        unit = fmt[2:]
        if unit == "%":
            return f"{100 * x['lo']:.1f}–{100 * x['hi']:.1f}%"
        if unit == "points":
            return f"{100 * x['lo']:+.1f} to {100 * x['hi']:+.1f} points".replace("-", "−")
        return f"{format(x['lo'], unit)} to {format(x['hi'], unit)}".replace("-", "−")
    if isinstance(x, dict) and fmt:  # an interval record: format its point estimate
        point = next((x[k] for k in ("diff", "mean", "value", "p") if k in x), None)  # a paired record's "p" is its p-value
        if point is None:
            raise ValueError(f"format {fmt!r} needs a number or an interval record, got {x!r}")
        return format_value(point, fmt)
    if fmt == "and" and isinstance(x, list):  # [1, 2, 8] -> "1, 2 and 8"
        items = [str(v) for v in x]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    if fmt == "sci":
        if x == 0:
            return "$0$"
        exponent = math.floor(math.log10(abs(x)))
        mantissa = round(x / 10**exponent, 1)
        if abs(mantissa) >= 10:  # 9.96 rounds to 10.0: renormalise
            mantissa, exponent = mantissa / 10, exponent + 1
        return f"${mantissa:.1f} \\times 10^{{{exponent}}}$"
    if fmt == "pow10":
        return f"$10^{{{round(math.log10(abs(x)))}}}$"
    if fmt == "%":
        return minus_sign(f"{100 * x:.1f}%")
    if fmt == "%0":
        return minus_sign(f"{100 * x:.0f}%")
    if fmt == "points":  # a difference of two shares, in percentage points (a true minus sign)
        return f"{100 * x:.1f} points".replace("-", "−")
    if fmt:
        return minus_sign(format(x, fmt))
    return str(x)


def table_rows(rows: list[dict], columns: list[str]) -> str:
    """Markdown table rows, one per record: integers with thousands separators, the rest as text."""
    def cell(v) -> str:
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
    return "\n".join("| " + " | ".join(cell(r[c]) for c in columns) + " |" for r in rows)


def sample_tabs(samples: list, indent: int = 0) -> str:
    """Content tabs, one per temperature, each holding a generated text and its mean log-likelihood.

    ``samples``: [{"temperature": float or None (greedy), "text": str, "mean_log_likelihood": float}].
    Lines after the first are indented by ``indent`` spaces so the tabs can sit inside an admonition.
    """
    lines = []
    for s in samples:
        t = s["temperature"]
        title = "greedy (τ → 0)" if t is None else f"τ = {t:g}"
        lines.append(f'=== "{title}"')
        lines.append("")
        lines.append(f"    Mean log-likelihood under the model: {s['mean_log_likelihood']:.2f} nats/char.")
        lines.append("")
        lines.append("    ````text")
        lines += ["    " + line for line in s["text"].split("\n")]
        lines.append("    ````")
        lines.append("")
    pad = " " * indent
    return "\n".join(lines[:1] + [pad + line if line else "" for line in lines[1:]])


def define_env(env):
    @env.macro
    def value(lesson: str, key: str, fmt: str = ""):
        """The quoted number ``key`` of ``lesson``'s results, formatted."""
        return format_value(lookup(load_results(lesson), key), fmt)

    @env.macro
    def q(key: str, fmt: str = ""):
        """Shorthand for ``value`` on a page whose front matter names its lesson: ``results: day03``."""
        return value(env.page.meta["results"], key, fmt)

    @env.macro
    def timing(key: str, fmt: str = ""):
        """A wall-clock time from ``<builder>/<builder>.timing.json`` (kept out of the byte-identical results)."""
        builder, _, name = key.partition(".")
        path = CACHE / env.page.meta["results"] / builder / f"{builder}.timing.json"
        return format_value(json.loads(path.read_text())[name], fmt)

    @env.macro
    def text(key: str, indent: int = 0):
        """A multi-line quoted text; lines after the first indented by ``indent`` (for use in admonitions)."""
        lines = str(value(env.page.meta["results"], key)).split("\n")
        return "\n".join(lines[:1] + [" " * indent + line if line else "" for line in lines[1:]])

    @env.macro
    def examples_table(key: str, columns: list):
        """The rows of a Markdown table from a quoted list of records (``table_rows``)."""
        return table_rows(value_raw(key), list(columns))

    @env.macro
    def per_seed_points(key: str):
        """A paired record's per-seed differences, in percentage points: "+1.5, +2.7"."""
        return ", ".join(f"{100 * d:+.1f}".replace("-", "−") for d in value_raw(key)["per_seed_diff"])

    @env.macro
    def per_seed(key: str, fmt: str = ""):
        """A record's per-seed values (its "values", as lessonkit.statistics.t_interval keeps them), each
        formatted like a quote: ``per_seed("degradation.loss_plain_bn_4", ".2f")`` -> "0.72, 0.80, 0.79"."""
        return ", ".join(format_value(v, fmt) for v in value_raw(key)["values"])

    def value_raw(key: str):
        return lookup(load_results(env.page.meta["results"]), key)

    @env.macro
    def samples(key: str, indent: int = 0):
        """Generated samples stored under ``key`` as content tabs (see ``sample_tabs``)."""
        return sample_tabs(lookup(load_results(env.page.meta["results"]), key), indent)
