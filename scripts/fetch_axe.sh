#!/usr/bin/env bash
# Fetch axe-core (the accessibility engine the browser test injects) from the npm registry at a
# pinned, checksummed version into an ignored folder. Never committed, never loaded from a CDN.
# Usage: scripts/fetch_axe.sh DEST   (idempotent: does nothing when DEST/.version matches)
set -euo pipefail
VERSION=4.14.1
SHA256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
dest=${1:?usage: fetch_axe.sh DEST}

if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$VERSION" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "error: npm not found; install Node.js/npm to fetch axe-core $VERSION" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null 2>"$work/npm.log"); then
  echo "error: could not fetch axe-core@$VERSION from the npm registry (offline?); connect and re-run make" >&2
  exit 1
fi
echo "$SHA256  $work/axe-core-$VERSION.tgz" | sha256sum --check --status \
  || { echo "error: axe-core-$VERSION.tgz checksum mismatch; delete it and re-run make" >&2; exit 1; }
tar -xzf "$work/axe-core-$VERSION.tgz" -C "$work"

# Assemble next to DEST, then swap in, so an interrupted fetch leaves nothing half-written.
stage="$dest.partial"
rm -rf "$stage" && mkdir -p "$stage"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$stage/"
echo "$VERSION" > "$stage/.version"
rm -rf "$dest" && mv "$stage" "$dest"
echo "fetched axe-core $VERSION into $dest"
