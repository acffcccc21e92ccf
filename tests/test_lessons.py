"""What every lesson must have, checked for each lesson found by discovery (none is named here): a page
that quotes its results file, a results group for every builder, and a claims test of its own."""
import json
import re

import pytest

from tests.lessons import ARTIFACTS, ROOT, discover

LESSONS = discover()
PAGE_RESULTS = re.compile(r"^results:\s*(\S+)\s*$", re.M)
QUOTE = re.compile(r"""\bq\(\s*["']([A-Za-z0-9_]+)\.([^"']+)["']""")


def pages_of(lesson: str):
    """The docs pages whose front matter says ``results: <lesson>``."""
    out = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if text.startswith("---") and lesson in PAGE_RESULTS.findall(text.split("---", 2)[1]):
            out.append(page)
    return out


def test_there_are_lessons():
    assert len(LESSONS) >= 2


@pytest.mark.parametrize("lesson", LESSONS, ids=[l.name for l in LESSONS])
def test_lesson_has_a_page_a_results_file_and_a_claims_test(lesson):
    assert pages_of(lesson.name), f"no docs page has `results: {lesson.name}` in its front matter"
    results = ARTIFACTS / lesson.name / "results.json"
    if not results.exists():
        pytest.fail(f"{results} is missing: run `make site` first", pytrace=False)
    groups = json.loads(results.read_text())
    for builder in lesson.builders:
        data = json.loads((ARTIFACTS / lesson.name / builder / f"{builder}.json").read_text())
        for group in data.get("quote_groups") or {builder: None}:
            assert group in groups, f"{lesson.name}: builder {builder}'s quotes ({group}) missing from results.json"
    claims = list((ROOT / "tests" / lesson.name).glob("test_*claims*.py"))
    assert claims, f"tests/{lesson.name}/ has no claims test (test_*claims*.py) checking what its page says"


@pytest.mark.parametrize("lesson", LESSONS, ids=[l.name for l in LESSONS])
def test_every_quote_on_the_page_exists(lesson):
    results = json.loads((ARTIFACTS / lesson.name / "results.json").read_text())
    for page in pages_of(lesson.name):
        for group, key in QUOTE.findall(page.read_text(encoding="utf-8")):
            node, rest = results.get(group, {}), key
            if rest not in node and "." in rest:  # group.key.field: one field of an interval record
                rest, field = rest.rsplit(".", 1)
                node = node.get(rest, {}) if isinstance(node.get(rest), dict) else {}
                rest = field
            assert rest in node, f"{page.name}: q('{group}.{key}') is not in {lesson.name}'s results"
