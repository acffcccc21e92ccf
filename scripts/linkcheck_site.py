"""Link check of the built site, offline: internal links and anchors of every page in ``site/``.

Serves ``site/`` on 127.0.0.1 (a free port) and runs linkchecker on every HTML page, internal URLs
only, with its AnchorCheck plugin. Over ``file://`` linkchecker cannot check anchors of directory
URLs (``curriculum/#day-4``), hence the loopback server. The server sends a ``LinkChecker``
header, which lets linkchecker lift its per-host rate limit (else ~0.3 s a URL).

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = "[checking]\nmaxrequestspersecond=1000\n[AnchorCheck]\n"


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
    return rc


if __name__ == "__main__":
    sys.exit(main())
