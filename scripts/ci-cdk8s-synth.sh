#!/usr/bin/env bash
# The documented user entry point is `cdk8s synth` (with the policy gate as a
# validation plugin); `npm run synth` runs the same app with node so a failure
# keeps the previous dist/. Check that both write the same manifests, and that
# the plugin passes them (each environment folder checked as its own cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/cdk8s-synth
rm -rf "$OUT"
npx cdk8s synth --check-upgrade=false --output "$OUT"
for env in staging production; do
  diff -r "$OUT/$env" "dist/$env" || { echo "cdk8s synth and npm run synth disagree on dist/$env" >&2; exit 1; }
done
rm -rf "$OUT"
echo "cdk8s synth writes what npm run synth writes"
