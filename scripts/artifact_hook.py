"""MkDocs hook: build each lesson's figures and results before the site, from the lessons' own code.

Every lesson package ``lesson_code/<lesson>/figures/__init__.py`` names its builders (``BUILDERS``)
and where their outputs appear on the site (``SITE_DIR``). A builder runs in its own process, only
when one of its inputs changed: a repository file it imported last time (their SHA-256 is recorded
by ``scripts/build_artifact.py``), or the Python, torch, numpy or matplotlib version. Outputs live in ``.cache/artifacts``
(outside ``docs/``, so ``mkdocs serve`` does not loop) and are registered as site files. A failing
builder fails the build; a stale figure is never served.

Every SVG figure also gets a dark variant ``<name>.dark.svg`` (``lesson_code.lessonkit.darkfig``,
derived from the light file at each build, rewritten only when it changed; kept in
``.cache/artifacts/.dark`` so the builders' own outputs stay as they wrote them), and each lesson or
notebook page that shows ``x.svg`` shows ``x.dark.svg`` in its place in the dark scheme, and a
notebook's inlined SVG output the dark variant of it (``on_post_page``, ``scripts/dark_figures.py``).
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "artifacts"
DARK = CACHE / ".dark"   # the figures' dark variants, derived at each build (write_dark_variants)
RUNNER = ROOT / "scripts" / "build_artifact.py"
HEARTBEAT = 60.0  # seconds between "still building" lines while builders run
log = logging.getLogger("mkdocs.hooks.artifacts")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from lesson_code.lessonkit.files import atomic_write_bytes  # noqa: E402 (stdlib only: no torch at hook load)
from lesson_code.lessonkit.darkfig import dark_svg  # noqa: E402 (stdlib only; no builder imports it)
from scripts.dark_figures import pair_dark_images  # noqa: E402


@dataclass
class Builder:
    lesson: str      # e.g. "day03"
    name: str        # e.g. "gradient_norms"
    site_dir: str    # e.g. "phase-1/week-1/figures/day-03"
    hint_seconds: float = 0.0  # the lesson's estimate of a cold build (BUILDERS), for launch order

    @property
    def module(self) -> str:
        return f"lesson_code.{self.lesson}.figures.{self.name}"

    @property
    def out_dir(self) -> Path:
        return CACHE / self.lesson / self.name

    @property
    def dark_dir(self) -> Path:
        return DARK / self.lesson / self.name


def discover() -> list[Builder]:
    """All builders of all lessons, in the order their lessons list them."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    builders = []
    for registry in sorted(ROOT.glob("lesson_code/*/figures/__init__.py")):
        lesson = registry.parent.parent.name
        mod = importlib.reload(importlib.import_module(f"lesson_code.{lesson}.figures"))  # serve: re-read
        hints = mod.BUILDERS if isinstance(mod.BUILDERS, dict) else {}
        builders += [Builder(lesson, name, mod.SITE_DIR, float(hints.get(name, 0.0))) for name in mod.BUILDERS]
    return builders


def environment() -> str:
    """The part of a builder's inputs that is not a repository file: the versions that shape its output."""
    return ", ".join([f"python {platform.python_version()}"]
                     + [f"{pkg} {version(pkg)}" for pkg in ("torch", "numpy", "matplotlib")])


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def is_fresh(builder: Builder) -> bool:
    """True when the cached outputs were built from exactly the current inputs: the same environment
    and every repository file the builder imported unchanged since it was read."""
    try:
        manifest = json.loads((builder.out_dir / ".manifest.json").read_text())
        deps = json.loads((builder.out_dir / ".deps.json").read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("environment") != environment() or not isinstance(deps, dict):
        return False
    return all(sha256(ROOT / rel) == digest for rel, digest in deps.items())


def recorded_seconds(builder: Builder) -> float | None:
    """How long the builder's last successful build took, from its manifest; None if unknown."""
    try:
        manifest = json.loads((builder.out_dir / ".manifest.json").read_text())
    except (OSError, ValueError):
        return None
    seconds = manifest.get("seconds") if isinstance(manifest, dict) else None
    return float(seconds) if isinstance(seconds, (int, float)) else None


def last_duration(builder: Builder) -> str:
    """How long the builder's last successful build took, from its manifest: "~95 s", "never built"
    (no manifest) or "unknown" (a manifest from before durations were recorded)."""
    if not (builder.out_dir / ".manifest.json").is_file():
        return "never built"
    seconds = recorded_seconds(builder)
    return "unknown" if seconds is None else f"~{seconds:.0f} s"


def start(builder: Builder) -> tuple[subprocess.Popen, Path, float]:
    """Launch the builder's process writing into a fresh staging folder."""
    stage = builder.out_dir.with_name(builder.name + ".partial")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    # no .pyc writes: `mkdocs serve` watches lesson_code/ and would rebuild in a loop
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    with open(stage / ".log", "w") as log_file:  # a file, not a pipe: a chatty builder cannot block
        proc = subprocess.Popen(
            [sys.executable, str(RUNNER), builder.module, str(stage)],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    return proc, stage, time.perf_counter()


def finish(builder: Builder, proc: subprocess.Popen, stage: Path, t0: float, progress: str = "") -> None:
    """Wait for a builder; on success swap its outputs into the cache, else fail the build."""
    if proc.wait() != 0:
        output = (stage / ".log").read_text(errors="replace")
        shutil.rmtree(stage, ignore_errors=True)
        raise PluginError(
            f"figure builder {builder.module} failed (exit {proc.returncode}); "
            f"fix it and rebuild. Its output:\n{output}"
        )
    seconds = time.perf_counter() - t0
    (stage / ".manifest.json").write_text(json.dumps({"environment": environment(),
                                                      "seconds": round(seconds, 1)}) + "\n")
    shutil.rmtree(builder.out_dir, ignore_errors=True)
    stage.rename(builder.out_dir)
    log.info(f"artifacts: {builder.lesson}/{builder.name} rebuilt in {seconds:.1f} s{progress}")


def launch_order(stale: list[Builder]) -> list[Builder]:
    """Longest first (the longest-processing-time rule), so the long poles of every lesson start at once
    and the short builders fill in at the end.

    A builder's length is its last build's time from its manifest, else its lesson's estimate (the
    values of ``BUILDERS``), so a cold clone is ordered too. Builders with neither keep round-robin
    order across lessons (the first of each lesson, then the second, ...: each lists its longest first).
    """
    by_lesson: dict[str, list[Builder]] = {}
    for b in stale:
        by_lesson.setdefault(b.lesson, []).append(b)
    queues = list(by_lesson.values())
    order = []
    while any(queues):
        for q in queues:
            if q:
                order.append(q.pop(0))
    length = {id(b): recorded_seconds(b) or b.hint_seconds for b in order}
    return sorted(order, key=lambda b: -length[id(b)])  # stable: ties keep the round-robin order


def build_all(builders: list[Builder], jobs: int) -> None:
    """Rebuild the stale builders, up to ``jobs`` at a time (see launch_order), reporting each as it finishes."""
    stale = []
    for b in builders:
        if is_fresh(b):
            log.info(f"artifacts: {b.lesson}/{b.name} cached")
        else:
            stale.append(b)
    stale = launch_order(stale)
    if stale:
        log.info(f"artifacts: {len(stale)} of {len(builders)} builders stale, rebuilding {jobs} at a time; "
                 "last build took " + ", ".join(f"{b.lesson}/{b.name} {last_duration(b)}" for b in stale))
    total, done_count, next_note = len(stale), 0, time.perf_counter() + HEARTBEAT
    running: list = []
    try:
        while stale or running:
            while stale and len(running) < jobs:
                b = stale.pop(0)
                running.append((b, *start(b)))
            done = [r for r in running if r[1].poll() is not None]
            if not done:
                time.sleep(0.05)
            if time.perf_counter() >= next_note and running:  # a sign of life during long builds
                next_note = time.perf_counter() + HEARTBEAT
                log.info("artifacts: still building " + ", ".join(
                    f"{b.lesson}/{b.name} ({time.perf_counter() - t0:.0f} s)" for b, _, _, t0 in running))
            for r in done:
                running.remove(r)
                done_count += 1
                finish(*r, progress=f" ({done_count}/{total})")
    finally:
        for _, proc, stage, _ in running:
            proc.kill()
            proc.wait()
            shutil.rmtree(stage, ignore_errors=True)


def write_results(builders: list[Builder]) -> None:
    """Collect every builder's quotes into one results file per lesson (the numbers pages quote).

    A builder's ``<name>.json`` holds ``quotes`` (quoted as ``<name>.<key>``) or, when one process
    runs several experiments that share trained models, ``quote_groups``: {experiment: quotes},
    each quoted as ``<experiment>.<key>``, so a quote is always named after the experiment that owns it.
    """
    lessons: dict[str, dict] = {}
    for b in builders:
        try:
            data = json.loads((b.out_dir / f"{b.name}.json").read_text())
        except (OSError, ValueError) as e:
            raise PluginError(f"figure builder {b.module} wrote no readable {b.name}.json ({e}); "
                              "each builder must write one, with its quotes") from None
        groups = data.get("quote_groups") or {b.name: data.get("quotes", {})}
        for group, quotes in groups.items():
            if group in lessons.setdefault(b.lesson, {}):
                raise PluginError(f"quote group {b.lesson}/{group} is written by two builders; rename one")
            lessons[b.lesson][group] = quotes
    for lesson, quotes in lessons.items():
        text = json.dumps(quotes, indent=1, sort_keys=True) + "\n"
        target = CACHE / lesson / "results.json"
        if not target.exists() or target.read_text() != text:
            atomic_write_bytes(target, text.encode("utf-8"))


def dark_name(svg_name: str) -> str:
    """"x.svg" -> "x.dark.svg"."""
    return svg_name.removesuffix(".svg") + ".dark.svg"


def write_dark_variants(builders: list[Builder]) -> None:
    """Each builder's SVG figures, as dark variants in ``dark_dir``: derived every build (cheap: well
    under a second for all of them), written (atomically) only when the text changed, and none left
    over from a figure that is gone."""
    for b in builders:
        wanted = set()
        for light in sorted(b.out_dir.glob("*.svg")):
            target = b.dark_dir / dark_name(light.name)
            wanted.add(target.name)
            try:
                text = dark_svg(light.read_text(encoding="utf-8")).encode("utf-8")
            except ValueError as e:
                raise PluginError(f"{light.relative_to(ROOT)}: no dark variant: {e}") from None
            if not target.is_file() or target.read_bytes() != text:
                atomic_write_bytes(target, text)
        if b.dark_dir.is_dir():
            for old in b.dark_dir.iterdir():
                if old.name not in wanted:
                    old.unlink()


_builders: list[Builder] = []
_dark_twins: dict[str, str] = {}   # site path of a light figure -> site path of its dark variant


def on_pre_build(config, **kwargs):
    global _builders
    _builders = discover()
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:  # one build at a time (`make serve` beside `make test`)
        fcntl.flock(lock, fcntl.LOCK_EX)
        build_all(_builders, jobs=int(os.environ.get("ARTIFACT_JOBS", "2")))
        write_results(_builders)
        write_dark_variants(_builders)


def on_files(files, config, **kwargs):
    """Serve each builder's outputs (figures and their dark variants, data files, the results file)
    under its SITE_DIR."""
    published = set()
    _dark_twins.clear()
    for b in _builders:
        for path in sorted(b.out_dir.iterdir()):
            if not path.name.startswith("."):
                files.append(File.generated(config, f"{b.site_dir}/{path.name}", abs_src_path=str(path)))
            dark = b.dark_dir / dark_name(path.name)
            if path.suffix == ".svg" and dark.is_file():
                files.append(File.generated(config, f"{b.site_dir}/{dark.name}", abs_src_path=str(dark)))
                _dark_twins[f"{b.site_dir}/{path.name}"] = f"{b.site_dir}/{dark.name}"
        if b.lesson not in published:
            published.add(b.lesson)
            files.append(File.generated(config, f"{b.site_dir}/results.json",
                                        abs_src_path=str(CACHE / b.lesson / "results.json")))
    return files


def on_post_page(output, page, config, **kwargs):
    """Each figure of the page with a dark variant is shown twice, once per colour scheme (extra.css
    hides the other): ``<img class="only-light" src="x.svg">`` and ``<img class="only-dark"
    src="x.dark.svg">``, the same alt text and attributes on both. A notebook's inlined SVG output gets
    its dark variant as a file beside the page (``output-<sha256>.dark.svg``), written here because the
    outputs are only known once the page is rendered."""
    folder = (Path(config.site_dir) / page.file.dest_uri).parent

    def store(svg: str) -> str:  # a notebook output's dark variant, saved beside the page
        data = svg.encode("utf-8")
        name = f"output-{hashlib.sha256(data).hexdigest()[:16]}.dark.svg"
        atomic_write_bytes(folder / name, data)
        return name

    try:
        return pair_dark_images(output, page.url, _dark_twins, store)
    except ValueError as e:
        raise PluginError(f"{page.file.src_uri}: a figure of the page has no dark variant: {e}") from None
