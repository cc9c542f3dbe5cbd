#!/usr/bin/env bash
# CI: the public API. Fails when the API reports (etc/*.api.md) or the generated
# reference (docs/api/) differ from the code, and when a .d.ts file of the
# packed package still carries an `@internal` declaration.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== API report and reference are current (npm run api:check)"
npm run api:check

echo "== packed package: no @internal in its .d.ts files"
pack_dir=temp/pack
rm -rf "$pack_dir"
mkdir -p "$pack_dir"
tarball=$(npm pack --silent --pack-destination "$pack_dir")
tar -xzf "$pack_dir/$tarball" -C "$pack_dir"
count=$(find "$pack_dir/package" -name '*.d.ts' | wc -l)
if [ "$count" -eq 0 ]; then
  echo "the packed package has no .d.ts files" >&2
  exit 1
fi
if grep -rl --include='*.d.ts' '@internal' "$pack_dir/package"; then
  echo "the files above declare @internal symbols: is stripInternal still set in tsconfig.build.json?" >&2
  exit 1
fi
echo "$count .d.ts files, none with @internal"
