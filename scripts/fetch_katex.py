"""Fetch KaTeX for offline math from the Python package index, checked file by file, into DEST.

Usage: python scripts/fetch_katex.py DEST   (idempotent: nothing to do when DEST/.version matches)

No Node.js: the files come from a wheel on the Python package index that ships the KaTeX
distribution unchanged (``docsforge``, which vendors KaTeX 0.19.0 under templates/assets/katex/).
Two checks make the source irrelevant to what is served: pip verifies the wheel's pinned SHA-256,
and every file taken from it must match ``scripts/katex.sha256``, the hashes of the same files in
the official npm tarball katex-0.19.0.tgz. Nothing of the wheel is installed or imported.
Any failure prints one line naming the problem and the fix and exits 1; DEST is swapped in whole.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

KATEX_VERSION = "0.19.0"
WHEEL = "docsforge==13.0.4"
WHEEL_SHA256 = "6279f96b4e03f12d16dac56ed14de0f8ea23f26350e058d54ffa87d3c5e06c46"
PREFIX = "docsforge/templates/assets/katex/"   # where the wheel keeps the KaTeX distribution
MANIFEST = Path(__file__).with_name("katex.sha256")
STAMP = f"{KATEX_VERSION} ({WHEEL})\n"
NETWORK_SIGNS = ("NewConnectionError", "Temporary failure in name resolution", "Max retries exceeded",
                 "No matching distribution", "Could not find a version", "ConnectionError", "timed out")


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def expected() -> dict[str, str]:
    """{relative path: sha256} of the files the site serves, from scripts/katex.sha256."""
    lines = [ln.split() for ln in MANIFEST.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return {path: digest for digest, path in lines}


def download(work: Path) -> Path:
    """The pinned wheel, downloaded by pip with its hash required; one-line error otherwise."""
    req = work / "requirements.txt"
    req.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                           "--require-hashes", "-r", str(req), "-d", str(work / "dl")],
                          capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        if "THESE PACKAGES DO NOT MATCH THE HASHES" in log:
            fail(f"the downloaded {WHEEL} wheel does not match its pinned SHA-256; do not use it, "
                 "check scripts/fetch_katex.py")
        if any(sign in log for sign in NETWORK_SIGNS):
            fail(f"could not download {WHEEL} (KaTeX {KATEX_VERSION}) from the Python package index "
                 "(no network?); connect and re-run make")
        fail(f"pip could not download {WHEEL} (KaTeX {KATEX_VERSION}): "
             f"{(log.strip().splitlines() or ['no output'])[-1]}")
    wheels = list((work / "dl").glob("*.whl"))
    if len(wheels) != 1:
        fail(f"pip downloaded {len(wheels)} files for {WHEEL}, expected one wheel; re-run make")
    return wheels[0]


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        fail("usage: python scripts/fetch_katex.py DEST")
    dest = Path(argv[0])
    if (dest / ".version").is_file() and (dest / ".version").read_text() == STAMP:
        return
    files = expected()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = download(Path(tmp))
        stage = dest.with_name(dest.name + ".partial")
        shutil.rmtree(stage, ignore_errors=True)
        with zipfile.ZipFile(wheel) as zf:
            for rel, digest in files.items():
                try:
                    data = zf.read(PREFIX + rel)
                except KeyError:
                    shutil.rmtree(stage, ignore_errors=True)
                    fail(f"{WHEEL} has no {PREFIX}{rel}; pin a release that ships KaTeX {KATEX_VERSION}")
                if hashlib.sha256(data).hexdigest() != digest:
                    shutil.rmtree(stage, ignore_errors=True)
                    fail(f"{rel} in {WHEEL} differs from KaTeX {KATEX_VERSION} as published on npm "
                         "(scripts/katex.sha256); do not serve it")
                target = stage / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        (stage / ".version").write_text(STAMP)
        shutil.rmtree(dest, ignore_errors=True)
        stage.rename(dest)
    print(f"fetched KaTeX {KATEX_VERSION} into {dest} ({len(files)} files, each checked)")


if __name__ == "__main__":
    main(sys.argv[1:])
