// Usage: node scripts/install-scripts-reviewed.cjs [DIR]
// Fails when a package of DIR/package-lock.json has an install script that
// DIR/package.json does not review in `allowScripts` (true or false): npm
// 11.16+ lists such packages after every install, npm 12 skips their scripts.
const path = require('path');
const dir = path.resolve(process.argv[2] || '.');
const lock = require(path.join(dir, 'package-lock.json'));
const allow = require(path.join(dir, 'package.json')).allowScripts || {};
const unreviewed = Object.entries(lock.packages)
  .filter(([where, pkg]) => where !== '' && pkg.hasInstallScript)
  .map(([where]) => where.replace(/^.*node_modules\//, ''))
  .filter((name) => typeof allow[name] !== 'boolean');
if (unreviewed.length > 0) {
  console.error(`${dir}: packages with install scripts not in package.json allowScripts: ${[...new Set(unreviewed)].join(', ')}`);
  process.exit(1);
}
console.log(`install scripts: every one is reviewed in allowScripts (${Object.keys(allow).sort().join(', ')})`);
