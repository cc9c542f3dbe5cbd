// Checks a packed tarball on its own: every relative require() of the shipped
// JavaScript and every relative import of the shipped declarations resolves to
// a file inside the package, and the entry points in package.json exist.
// Usage: node check-tarball.mjs <package.tgz>
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const tarball = path.resolve(process.argv[2] ?? '');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'check-tarball-'));
try {
  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  const root = path.join(work, 'package');
  const problems = [];
  let checked = 0;

  const inside = (file) => !path.relative(root, file).startsWith('..');
  const isFile = (file) => fs.existsSync(file) && fs.statSync(file).isFile();
  const firstFile = (candidates) => candidates.find(isFile);

  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });

  for (const file of walk(root)) {
    const rel = path.relative(root, file);
    const text = fs.readFileSync(file, 'utf8');
    let specifiers;
    let resolve;
    if (file.endsWith('.d.ts')) {
      specifiers = [
        ...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]*)['"]/gm),
        ...text.matchAll(/\/\/\/\s*<reference\s+path=['"]([^'"]+)['"]/g),
      ].map((m) => m[1]);
      resolve = (base) => firstFile([`${base}.d.ts`, base.replace(/\.js$/, '.d.ts'), path.join(base, 'index.d.ts'), base]);
    } else if (file.endsWith('.js')) {
      specifiers = [...text.matchAll(/\brequire\(\s*['"](\.{1,2}\/[^'"]*|\.{1,2})['"]\s*\)/g)].map((m) => m[1]);
      resolve = (base) => firstFile([base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')]);
    } else {
      continue;
    }
    for (const spec of specifiers) {
      checked++;
      const target = resolve(path.resolve(path.dirname(file), spec));
      if (target === undefined) {
        problems.push(`${rel}: ${JSON.stringify(spec)} is not in the package`);
      } else if (!inside(target)) {
        problems.push(`${rel}: ${JSON.stringify(spec)} resolves outside the package`);
      }
    }
  }

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(pkg.exports);
  collect(pkg.typesVersions);
  for (const t of targets.filter(Boolean)) {
    if (!isFile(path.join(root, t))) problems.push(`package.json: ${t} is not in the package`);
  }

  if (problems.length > 0) {
    console.error(`${tarball}:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`tarball: ${checked} relative requires and imports resolve inside the package; ${targets.length} package.json entry points exist`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
