"""Compare two builds of the site file by file: the MkDocs build and the ProperDocs fallback build.

Usage: python scripts/compare_builds.py SITE_A SITE_B

Both must hold the same files with the same bytes, except for generator metadata: the
``<meta name="generator">`` tag of each page (which names the generator and its version) is
blanked before comparing, and gzip files (sitemap.xml.gz) are compared by content, not by header.
Exit 1 with the differing files (and the first differing line of each page) otherwise.
"""
from __future__ import annotations

import difflib
import gzip
import re
import sys
from pathlib import Path

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def normalized(path: Path) -> bytes:
    """The file's bytes with generator metadata blanked (pages) or the gzip header dropped."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return GENERATOR.sub(b'<meta name="generator" content="">', data)
    if path.suffix == ".gz":
        return gzip.decompress(data)
    return data


def first_difference(a: bytes, b: bytes) -> str:
    diff = difflib.unified_diff(a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(),
                                lineterm="", n=0)
    lines = [ln for ln in diff if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    return " | ".join(ln[:160] for ln in lines[:2])


def compare(site_a: Path, site_b: Path) -> list[str]:
    """Problems found, one line each (empty when the builds agree)."""
    files_a = {p.relative_to(site_a) for p in site_a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(site_b) for p in site_b.rglob("*") if p.is_file()}
    problems = [f"only in {site_a}: {p}" for p in sorted(files_a - files_b)]
    problems += [f"only in {site_b}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        a, b = normalized(site_a / rel), normalized(site_b / rel)
        if a != b:
            where = f": {first_difference(a, b)}" if rel.suffix in (".html", ".xml", ".json", ".js", ".css") else ""
            problems.append(f"differs: {rel}{where}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all((Path(d) / "index.html").is_file() for d in argv):
        print("error: usage: compare_builds.py SITE_A SITE_B (two built sites, each with an index.html)",
              file=sys.stderr)
        return 1
    site_a, site_b = map(Path, argv)
    problems = compare(site_a, site_b)
    pages = sum(1 for _ in site_a.rglob("*.html"))
    files = sum(1 for p in site_a.rglob("*") if p.is_file())
    if problems:
        print(f"error: {site_a} and {site_b} differ in {len(problems)} file(s):", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"builds agree: {files} files ({pages} pages) identical in {site_a} and {site_b}, generator metadata aside")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
