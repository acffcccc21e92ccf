"""The Day 3 page's main text stays within its reading budget.

"Main text" is what a reader meets without opening anything: the page minus its YAML front matter,
fenced code blocks (at any indentation), snippet-include lines, collapsed ``???`` blocks (``???+``
opens expanded, so it counts) with their indented bodies, HTML tags and comments. A macro call
``{{ ... }}`` counts as one word, and so does each math group ``$...$`` or ``$$...$$``. A word is a
whitespace-separated token with at least one letter or digit, so table rules and pipes do not count.
"""
from __future__ import annotations

import re

from tests.lessons import ROOT

PAGE = ROOT / "docs" / "phase-1" / "week-1" / "day-03.md"
LIMIT = 9_000

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
COLLAPSED = re.compile(r"^(\s*)\?\?\?(?!\+)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def main_text(markdown: str) -> str:
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":                        # YAML front matter
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        lines = lines[end + 1:]
    kept: list[str] = []
    fence: str | None = None
    collapsed_at: int | None = None                                # indentation of the open ??? marker
    for line in lines:
        if collapsed_at is not None:
            if not line.strip() or _indent(line) > collapsed_at:
                continue                                           # still inside the collapsed body
            collapsed_at = None
        if fence is not None:
            m = FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not line.strip()[len(m.group(2)):]:
                fence = None
            continue
        m = FENCE.match(line)
        if m:
            fence = m.group(2)
            continue
        m = COLLAPSED.match(line)
        if m:
            collapsed_at = len(m.group(1))
            continue
        if line.strip().startswith("--8<--"):
            continue
        kept.append(line)
    return "\n".join(kept)


def count_words(markdown: str) -> int:
    text = main_text(markdown)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " MACRO ", text, flags=re.S)
    text = re.sub(r"\$\$.+?\$\$", " MATH ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+?\$", " MATH ", text)
    text = re.sub(r"<[^>\n]+>", " ", text)
    return sum(1 for token in text.split() if re.search(r"\w", token))


def test_counter_follows_its_rules():
    sample = (
        "---\ntitle: x\n---\n# Two words\n\n```python\nignored code here\n```\n"
        '--8<-- "file.py:part"\n??? note "Hidden"\n    many hidden words here\n\n    more\n'
        "Back {{ q(\"a.b\", \".2f\") }} and $x + y$ then $$\na = b\n$$ <div class=\"x\">end</div>\n"
        "| a | b |\n|---|---|\n"
    )
    # Two words / Back MACRO and MATH then MATH end / a b
    assert count_words(sample) == 11


def test_day03_main_text_within_budget(capsys):
    words = count_words(PAGE.read_text(encoding="utf-8"))
    with capsys.disabled():  # shown in every run's output, not only with -s
        print(f"\nDay 3 main-text words: {words} (limit {LIMIT})")
    assert words <= LIMIT, f"Day 3 main text is {words} words, over the {LIMIT}-word budget"
