"""Link check of the built site, offline: internal links and anchors of every page in ``site/``.

Serves ``site/`` on 127.0.0.1 (a free port) and runs linkchecker on every HTML page, internal URLs
only: every linked page, image, script and file must exist. The server sends a ``LinkChecker``
header, which lets linkchecker lift its per-host rate limit (else ~0.3 s a URL). Anchors are
checked here, reading each page once (``missing_anchors``): linkchecker's AnchorCheck plugin
downloads and parses a page again for every ``page#anchor`` URL, which took minutes, not seconds.

Prints every error and warning (a missing anchor is a warning); exits non-zero on any.
Usage: python scripts/linkcheck_site.py [site_dir]
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "[checking]\nmaxrequestspersecond=1000\n"


class _Page(HTMLParser):
    """The ids (and a names) a page defines and the hrefs it links, in one pass."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


def missing_anchors(site: Path) -> list[str]:
    """Every internal link ``target#fragment`` of a page in ``site`` whose target page has no such
    id: "page.html: href" lines (empty when all resolve). External and non-HTML targets are skipped."""
    parsed: dict[Path, _Page] = {}

    def page(path: Path) -> _Page:
        if path not in parsed:
            p = _Page()
            p.feed(path.read_text(encoding="utf-8", errors="replace"))
            parsed[path] = p
        return parsed[path]

    problems = []
    for html in sorted(site.rglob("*.html")):
        if html.relative_to(site).parts[0] == "assets":
            continue
        for href in page(html).hrefs:
            url = urlsplit(href)
            if url.scheme or url.netloc or not url.fragment:
                continue
            target = html if not url.path else (html.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html" or not target.is_file():
                continue  # a missing page is linkchecker's to report
            if unquote(url.fragment) not in page(target).ids:
                problems.append(f"{html.relative_to(site).as_posix()}: {href}")
    return sorted(set(problems))


class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("LinkChecker", "allow")  # lifts linkchecker's per-host rate limit
        super().end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # linkchecker drops big bodies early


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site").resolve()
    if not (site / "index.html").is_file():
        print(f"linkcheck: {site}/index.html missing; run `make site` first", file=sys.stderr)
        return 2
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.relative_to(site).parts[0] != "assets")
    linkchecker = shutil.which("linkchecker", path=str(Path(sys.executable).parent)) or "linkchecker"

    server = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory() as tmp:
        rc_file = Path(tmp) / "linkcheckerrc"
        rc_file.write_text(CONFIG)
        os.chmod(tmp, 0o755)      # linkchecker drops root privileges to `nobody`
        os.chmod(rc_file, 0o644)
        urls = [base + ("" if p == "index.html" else p) for p in pages]
        cmd = [linkchecker, "--config", str(rc_file), "--no-status", "--no-robots", *urls]
        try:
            rc = subprocess.call(cmd)
        finally:
            server.shutdown()
    if rc != 0:
        print(f"linkcheck: FAILED (linkchecker exit {rc}); the errors and warnings are listed above",
              file=sys.stderr)
    missing = missing_anchors(site)
    for line in missing:
        print(f"linkcheck: missing anchor: {line}", file=sys.stderr)
    if missing:
        print(f"linkcheck: FAILED ({len(missing)} links to anchors that do not exist)", file=sys.stderr)
        return rc or 1
    print("linkcheck: every internal anchor resolves")
    return rc


if __name__ == "__main__":
    sys.exit(main())
