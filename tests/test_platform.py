"""Build-platform checks: the two-generator comparison, KaTeX's checked file list, set-up messages,
site URL (sitemap and canonical links), scripts that survive instant navigation, pinned workflows."""
from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_setup  # noqa: E402
import compare_builds  # noqa: E402


def _site(root: Path, generator: str, body: str = "<p>same</p>") -> Path:
    (root / "a").mkdir(parents=True)
    page = f'<html><head><meta name="generator" content="{generator}"></head><body>{body}</body></html>'
    (root / "index.html").write_text(page)
    (root / "a" / "index.html").write_text(page)
    (root / "sitemap.xml.gz").write_bytes(gzip.compress(b"<urlset/>", mtime=hash(generator) % 1000))
    return root


def test_compare_builds_ignores_only_generator_metadata(tmp_path):
    a = _site(tmp_path / "a", "mkdocs-1.6.1, mkdocs-material-9.8.2")
    b = _site(tmp_path / "b", "mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2")
    assert compare_builds.compare(a, b) == []


def test_compare_builds_reports_a_differing_page_and_a_missing_file(tmp_path):
    a = _site(tmp_path / "a", "x")
    b = _site(tmp_path / "b", "x", body="<p>other</p>")
    (a / "extra.js").write_text("1")
    problems = compare_builds.compare(a, b)
    assert any(p.startswith("differs: a/index.html") and "other" in p for p in problems), problems
    assert any("only in" in p and "extra.js" in p for p in problems), problems
    assert compare_builds.main([str(a), str(b)]) == 1


def test_katex_manifest_covers_every_katex_file_the_site_loads():
    manifest = (ROOT / "scripts" / "katex.sha256").read_text().splitlines()
    listed = {ln.split()[1] for ln in manifest if ln.strip() and not ln.startswith("#")}
    config = (ROOT / "mkdocs.yml").read_text()
    used = set(re.findall(r"assets/katex/(\S+)", config))
    assert used and used <= listed
    fonts = {p for p in listed if p.startswith("fonts/")}
    assert len(fonts) >= 20 and "LICENSE" in listed


def test_setup_check_names_the_wrong_python_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(check_setup, "NEEDED", (3, 99))
    with pytest.raises(SystemExit) as stop:
        check_setup.check_python()
    err = capsys.readouterr().err
    assert stop.value.code == 1 and err.count("\n") == 1
    assert err.startswith("error: Python 3.99 is needed") and "make PYTHON=" in err


def test_setup_check_turns_a_pip_network_failure_into_one_line(tmp_path, monkeypatch):
    """pip pointed at a closed local port (no network): one line naming the index and the fix."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".venv").mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_setup.py"), "pip", "--quiet",
                           "--no-cache-dir", "--retries", "0", "--timeout", "2", "--isolated",
                           "--index-url", "http://127.0.0.1:9/simple",
                           "surely-not-installed-pkg==1.0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("error: cannot reach the Python package index"), proc.stderr


def test_site_scripts_rerun_on_every_page_swap():
    """Instant navigation swaps pages without reloading: a site script must hook Material's document$
    (which emits on every page, first load and swaps alike), never load/DOMContentLoaded."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    own = [s for s in config["extra_javascript"] if not s.startswith("assets/katex/")]
    assert own, "expected at least the KaTeX start-up script"
    for rel in own:
        text = (ROOT / "docs" / rel).read_text()
        assert "document$.subscribe" in text, f"docs/{rel} must run from document$.subscribe(...)"
        assert not re.search(r"DOMContentLoaded|window\.onload|addEventListener\(\s*[\"']load", text), rel


def test_built_sitemap_lists_every_page_and_pages_are_canonical(site_dir):
    sitemap = (site_dir / "sitemap.xml").read_text()
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    pages = [p for p in site_dir.rglob("index.html") if p.relative_to(site_dir).parts[0] != "assets"]
    assert len(urls) == len(pages) >= 5, f"sitemap lists {len(urls)} of {len(pages)} pages (is site_url set?)"
    for page in pages:
        assert re.search(r'<link rel="canonical" href="https?://', page.read_text()), f"{page}: no canonical link"


def test_workflow_actions_pinned_to_commits_with_their_tag():
    for workflow in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for line in workflow.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{workflow.name}: {line}"


def test_hook_reports_each_stale_builders_last_duration(tmp_path, monkeypatch):
    import artifact_hook as hook

    monkeypatch.setattr(hook, "CACHE", tmp_path)
    built, old, new = (hook.Builder("day99", name, "x") for name in ("built", "old", "new"))
    for b, manifest in ((built, {"environment": "e", "seconds": 94.6}), (old, {"environment": "e"})):
        b.out_dir.mkdir(parents=True)
        (b.out_dir / ".manifest.json").write_text(__import__("json").dumps(manifest))
    assert [hook.last_duration(b) for b in (built, old, new)] == ["~95 s", "unknown", "never built"]


def test_hook_announces_stale_builders_and_shows_life_while_they_run(tmp_path, monkeypatch, caplog):
    """build_all says up front how many builders are stale, prints "still building" lines while they
    run, and numbers each as it finishes (builders replaced by short sleeps)."""
    import logging
    import time

    import artifact_hook as hook

    monkeypatch.setattr(hook, "CACHE", tmp_path)
    monkeypatch.setattr(hook, "HEARTBEAT", 0.2)
    monkeypatch.setattr(hook, "start", lambda b: (subprocess.Popen(["sleep", "0.7"]), tmp_path, time.perf_counter()))
    finished = []
    monkeypatch.setattr(hook, "finish", lambda b, proc, stage, t0, progress="": finished.append(progress))
    builders = [hook.Builder("day99", name, "x") for name in ("a", "b", "c")]
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.artifacts"):
        hook.build_all(builders, jobs=2)
    text = caplog.text
    assert "3 of 3 builders stale, rebuilding 2 at a time; last build took day99/a never built" in text
    assert "still building day99/a (" in text
    assert sorted(finished) == [" (1/3)", " (2/3)", " (3/3)"]


def test_launch_order_without_any_timing_takes_every_lessons_first_builder_first(tmp_path, monkeypatch):
    """With no manifest and no estimate, the first wave takes the head of every lesson (each lists its longest first)."""
    import artifact_hook as hook

    monkeypatch.setattr(hook, "CACHE", tmp_path)
    names = [("day03", "showcase"), ("day03", "char_lm"), ("day03", "regimes"), ("day04", "seq2seq"), ("day04", "task")]
    order = hook.launch_order([hook.Builder(lesson, name, "x") for lesson, name in names])
    assert [f"{b.lesson}/{b.name}" for b in order] == [
        "day03/showcase", "day04/seq2seq", "day03/char_lm", "day04/task", "day03/regimes"]


def test_launch_order_is_longest_first_by_last_build_else_by_estimate(tmp_path, monkeypatch):
    """A recorded build time wins over the lesson's estimate; the order is longest first across lessons."""
    import json
    import artifact_hook as hook

    monkeypatch.setattr(hook, "CACHE", tmp_path)
    a, b, c, d = (hook.Builder("day98", "a", "x", 100), hook.Builder("day98", "b", "x", 900),
                  hook.Builder("day99", "c", "x", 500), hook.Builder("day99", "d", "x", 50))
    assert [x.name for x in hook.launch_order([a, b, c, d])] == ["b", "c", "a", "d"]
    d.out_dir.mkdir(parents=True)
    (d.out_dir / ".manifest.json").write_text(json.dumps({"environment": "e", "seconds": 700.0}))
    assert [x.name for x in hook.launch_order([a, b, c, d])] == ["b", "d", "c", "a"]


def test_every_lesson_estimates_each_builders_cold_time():
    """BUILDERS maps each builder to its cold-build seconds, so a clean clone starts the long poles first."""
    import artifact_hook as hook

    builders = hook.discover()
    assert builders and all(b.hint_seconds > 0 for b in builders), [b.name for b in builders if not b.hint_seconds]


def test_quote_formats_keep_their_digits_and_read_interval_records():
    """'%' keeps one decimal even at .0; interval records format as ranges or as their point value;
    a field of a record is quoted as builder.quote.field."""
    import results_macros as m

    assert m.format_value(0.3, "%") == "30.0%" and m.format_value(0.363, "%") == "36.3%"
    record = {"k": 3, "n": 10, "p": 0.3, "lo": 0.108, "hi": 0.603}
    assert m.format_value(record, "%") == "30.0%" and m.format_value(record, "ci%") == "10.8–60.3%"
    assert m.format_value({"diff": -0.02, "lo": -0.05, "hi": 0.01}, "cipoints") == "−5.0 to +1.0 points"
    paired_record = {"diff": 0.034, "lo": 0.021, "hi": 0.048, "p": 3e-7, "n": 989}
    assert m.format_value(paired_record, "points") == "3.4 points"  # the difference, never the p-value
    assert m.format_value(-0.023, "points") == "−2.3 points"
    assert m.format_value(-0.3812, "+.2f") == "−0.38" and m.format_value(0.3812, "+.2f") == "+0.38"
    assert m.format_value(-12.7, ".0f") == "−13" and m.format_value(-0.05, "%") == "−5.0%"
    assert m.format_value(7.1e-15, "sci") == "$7.1 \\times 10^{-15}$"  # LaTeX keeps its own minus
    assert m.format_value(1.5e-5, "sci") == "$1.5 \\times 10^{-5}$"
    results = {"decoding": {"vs": {"p": 0.01, "lo": 0, "hi": 1}, "a.5": 2}}
    assert m.lookup(results, "decoding.vs.p") == 0.01 and m.lookup(results, "decoding.a.5") == 2
    assert m.lookup({"d": {"depths": [4, 12, 28]}}, "d.depths.1") == 12  # item N of a quoted list
    with pytest.raises(KeyError, match="no quoted value"):
        m.lookup(results, "decoding.vs.q")
    with pytest.raises(ValueError, match="needs an interval"):
        m.format_value(0.5, "ci%")
    assert m.table_rows([{"n": 312045, "g": "23145"}], ["n", "g"]) == "| 312,045 | 23145 |"


def test_every_quoted_point_estimate_lies_inside_its_quoted_interval():
    """Each interval record a page quotes renders a point value inside its own rendered range."""
    import json

    import results_macros as m

    for path in sorted((ROOT / ".cache" / "artifacts").glob("*/results.json")):
        for group, quotes in json.loads(path.read_text()).items():
            for key, rec in quotes.items():
                if isinstance(rec, dict) and "lo" in rec and "hi" in rec:
                    point = float(m.format_value(rec, "points").split()[0].replace("−", "-"))
                    lo, hi = 100 * rec["lo"], 100 * rec["hi"]
                    assert lo - 0.05 <= point <= hi + 0.05, (path.parent.name, group, key)


def test_a_builders_inputs_are_its_own_package_whole_and_what_it_imported_from_others():
    """A Day 4 builder depends on all of day04/ (a CLI it runs in a subprocess counts), on the Day 3
    modules it imports and Day 3's data files, but not on a Day 3 module it never imports."""
    import json

    probe = ("import json, sys; sys.path.insert(0, '.'); import lesson_code.day03.cells; "
             "from scripts.build_artifact import input_files, package_files, ROOT; "
             "print(json.dumps([input_files('day04'), input_files(), package_files(ROOT / 'lesson_code' / 'day04'),"
             " package_files(ROOT / 'lesson_code' / 'day03')]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    builder, notebook, day04, day03 = json.loads(out.strip().splitlines()[-1])
    assert set(day04) <= set(builder) and "lesson_code/day04/cli.py" in builder
    assert "lesson_code/day03/cells.py" in builder and "lesson_code/day03/cli.py" not in builder
    assert {f for f in day03 if not f.endswith(".py")} <= set(builder)
    assert set(day03) <= set(notebook) and not set(day04) & set(notebook)  # a notebook: imported packages whole
