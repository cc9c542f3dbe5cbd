#!/usr/bin/env bash
# Every package `npm ci` installs must accept the Node lines the library
# supports (package.json engines): no EBADENGINE warning on Node 20, 22 or 24.
# Checks the `engines.node` range of each package in package-lock.json against
# the oldest release of each line that the ranges in use allow.
# Also: every package with an install script is reviewed in package.json
# `allowScripts`, so npm 11.16+ lists none and npm 12 runs exactly those allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
node - <<'JS'
const semver = require('semver');
const lock = require('./package-lock.json');
const lines = ['20.19.0', '22.13.0', '24.0.0'];
const bad = [];
for (const [where, pkg] of Object.entries(lock.packages)) {
  const range = pkg.engines && pkg.engines.node;
  if (where === '' || typeof range !== 'string') continue;
  for (const node of lines) {
    if (!semver.satisfies(node, range)) bad.push(`${where.replace(/^node_modules\//, '')}@${pkg.version} wants node ${range}, not ${node}`);
  }
}
if (bad.length > 0) {
  console.error(`packages npm ci would warn about (EBADENGINE):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`engines: every package of package-lock.json accepts Node ${lines.join(', ')}`);
JS
node scripts/install-scripts-reviewed.cjs .
