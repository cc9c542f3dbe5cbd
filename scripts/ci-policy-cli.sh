#!/usr/bin/env bash
# The README's pipeline commands for the policy gate, on this repository's dist/:
# per-cluster checking of the whole folder, JSON and SARIF output.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=(npx tsx bin/cdk8s-go-platform.ts)
"${CLI[@]}" check --clusters --kubernetes-version 1.34 dist/
"${CLI[@]}" check --strict-references dist/production
mkdir -p build
"${CLI[@]}" check --json dist/production > build/policy.json
"${CLI[@]}" check --format sarif dist/production > build/policy.sarif
node -e 'const log = JSON.parse(require("fs").readFileSync("build/policy.sarif", "utf8")); if (log.version !== "2.1.0") { process.exit(1); } console.log(`SARIF 2.1.0: ${log.runs[0].results.length} results`);'
"${CLI[@]}" rules > /dev/null
