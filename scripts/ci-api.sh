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

echo "== packed package: its entry points load and its .d.ts files type-check on their own"
# Dependencies resolve from the repository's node_modules (the pack directory is inside it);
# skipLibCheck is off so a declaration naming a stripped or unpacked file fails here.
cat > "$pack_dir/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "skipLibCheck": false, "module": "commonjs", "moduleResolution": "node",
    "target": "ES2022", "esModuleInterop": true, "types": ["node"]
  },
  "files": ["package/build/lib/index.d.ts", "package/build/lib/local/index.d.ts", "package/build/lib/policy/jest.d.ts"]
}
JSON
npx tsc -p "$pack_dir/tsconfig.json"
(cd "$pack_dir/package" && node -e "
for (const entry of ['./build/lib', './build/lib/local', './build/lib/policy/jest.js']) { require(entry); }
const root = require('./build/lib');
for (const name of ['GoMicroservice', 'SecureIngress', 'ObservabilityStack', 'GoDockerfile', 'synthApp']) {
  if (typeof root[name] !== 'function') { console.error('the packed root entry has no ' + name); process.exit(1); }
}
console.log('the packed entry points load');
")
