#!/usr/bin/env bash
# synthApp relies on cdk8s internals (App._synthChart, App.recordConstructMetadata)
# that test/synth/cdk8s-internals.test.ts pins against the installed cdk8s.
# This runs those tests and the byte-for-byte comparison with app.synth()
# against the LOWEST cdk8s release package.json#peerDependencies accepts, so
# both ends of the supported range are checked. The release is fetched with
# `npm pack` into build/ (inside the repository, so its own imports such as
# `constructs` resolve from node_modules) and mapped in for jest only;
# node_modules is not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

MIN=$(node -e 'const semver = require("semver"); console.log(semver.minVersion(require("./package.json").peerDependencies.cdk8s).version)')
mkdir -p build
WORK=$(mktemp -d build/cdk8s-range.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "cdk8s@$MIN" >/dev/null)
WORK=$(cd "$WORK" && pwd)
mkdir -p "$WORK/cdk8s"
tar -xzf "$WORK"/cdk8s-*.tgz -C "$WORK/cdk8s" --strip-components=1

CONFIG=$(CDK8S_DIR="$WORK/cdk8s" node -e '
  const base = require("./jest.config.js");
  console.log(JSON.stringify({ ...base, rootDir: process.cwd(), moduleNameMapper: { "^cdk8s$": process.env.CDK8S_DIR, "^cdk8s/package.json$": process.env.CDK8S_DIR + "/package.json" } }));
')
echo "== synth tests against cdk8s $MIN (lowest of $(node -p 'require("./package.json").peerDependencies.cdk8s'))"
npx jest --ci --verbose --config "$CONFIG" test/synth/cdk8s-internals.test.ts test/synth/synth-app.test.ts
