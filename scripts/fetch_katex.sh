#!/usr/bin/env bash
# Fetch KaTeX from the npm registry at a pinned version into an ignored folder the site serves.
# Usage: scripts/fetch_katex.sh DEST   (idempotent: does nothing when DEST/.version matches)
set -euo pipefail
VERSION=0.19.1
SHA256=24da5a599eb2fcede2e270b99a6ff48bca816beecc95feeb84e8cccbd1bb34fd
dest=${1:?usage: fetch_katex.sh DEST}

if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$VERSION" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "error: npm not found; install Node.js/npm to fetch KaTeX $VERSION" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "katex@$VERSION" >/dev/null 2>"$work/npm.log"); then
  echo "error: could not fetch katex@$VERSION from the npm registry (offline?); connect and re-run make" >&2
  exit 1
fi
echo "$SHA256  $work/katex-$VERSION.tgz" | sha256sum --check --status \
  || { echo "error: katex-$VERSION.tgz checksum mismatch; delete it and re-run make" >&2; exit 1; }
tar -xzf "$work/katex-$VERSION.tgz" -C "$work"

# Assemble next to DEST, then swap in, so an interrupted fetch leaves nothing half-written.
stage="$dest.partial"
rm -rf "$stage" && mkdir -p "$stage/contrib"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" "$stage/"
cp "$work/package/dist/contrib/auto-render.min.js" "$stage/contrib/"
cp -r "$work/package/dist/fonts" "$stage/fonts"
cp "$work/package/LICENSE" "$stage/LICENSE"
echo "$VERSION" > "$stage/.version"
rm -rf "$dest" && mv "$stage" "$dest"
echo "fetched KaTeX $VERSION into $dest"
