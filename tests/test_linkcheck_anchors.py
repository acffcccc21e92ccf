"""The link check's anchor pass (scripts/linkcheck_site.py): each page read once, every internal
``page#id`` resolved against the ids the target page defines."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from linkcheck_site import missing_anchors  # noqa: E402


def test_missing_anchors_are_reported_and_present_ones_pass(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="top">x</h2><a href="#top">ok</a><a href="#nope">bad</a>'
        '<a href="a/#sec-1">ok</a><a href="a/index.html#gone">bad</a><a href="a/#x%20y">ok</a>'
        '<a href="https://example.org/#z">external</a><a href="missing/#q">linkchecker reports the page</a>')
    (tmp_path / "a" / "index.html").write_text('<p id="sec-1"></p><a name="x y"></a><a href="../#top">ok</a>')
    assert missing_anchors(tmp_path) == ["index.html: #nope", "index.html: a/index.html#gone"]
