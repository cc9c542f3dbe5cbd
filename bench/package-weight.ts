/**
 * What the package weighs for a user: the time to `require` its root entry
 * (with nothing else, and with the first ObservabilityStack, which loads the
 * Grafana SDK and the PromQL parser on use), and the install footprint it
 * adds on top of its peers.
 *
 * Both are measured on the built package (`npm run build`, run here when
 * build/ is missing or older than lib/), in fresh `node` processes,
 * interleaved, median of the runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './report';

/** What the weight measurements report. */
export interface PackageWeight {
  /** Median wall time of a `node -e` process, ms, per case. */
  readonly requireMs: Record<string, number>;
  /** Modules in `require.cache` after requiring the root entry, and which heavy ones were among them. */
  readonly rootModules: { readonly count: number; readonly loaded: Record<string, boolean> };
  /** Bytes on disk of the package itself (`npm pack`'s unpacked size) and of each dependency it adds to its peers. */
  readonly install: { readonly ownBytes: number; readonly ownFiles: number; readonly dependencies: Record<string, number>; readonly totalBytes: number };
  readonly lines: Array<[string, string]>;
}

/** Packages whose loading the root entry must leave to first use. */
const HEAVY = ['@grafana/grafana-foundation-sdk', '@prometheus-io/lezer-promql', 'validators.generated.js', 'argoproj.io.js', 'luxon'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, fs.statSync(path.join(dir, f)).mtimeMs);
  }
  return newest;
}

/** Builds the package unless build/lib is newer than lib/ and imports/. */
function ensureBuilt(root: string): void {
  const entry = path.join(root, 'build', 'lib', 'index.js');
  if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= Math.max(newestMtime(path.join(root, 'lib')), newestMtime(path.join(root, 'imports')))) {
    return;
  }
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
}

/** The scripts timed, each in its own process; `ENTRY` is the root entry of the built package. */
function cases(entry: string): Record<string, string> {
  const e = JSON.stringify(entry);
  return {
    'node alone': '0',
    'peers (cdk8s, cdk8s-plus-27, constructs)': "require('cdk8s'); require('cdk8s-plus-27'); require('constructs');",
    'root entry': `require(${e});`,
    'root entry + first ObservabilityStack': `const { App, Chart } = require('cdk8s'); const m = require(${e}); new m.ObservabilityStack(new Chart(new App({ outdir: require('os').tmpdir() }), 'c'), 'o').node.findAll();`,
  };
}

function timeNode(script: string, cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`node -e ${script} failed:\n${r.stderr}`);
  }
  return ms;
}

/** Which modules the root entry loads. */
function rootModules(entry: string, cwd: string): PackageWeight['rootModules'] {
  const script = `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`requiring ${entry} failed:\n${r.stderr}`);
  }
  const files = JSON.parse(r.stdout) as string[];
  const loaded = Object.fromEntries(HEAVY.map((h) => [h, files.some((f) => f.includes(`${path.sep}${h}`))]));
  return { count: files.length, loaded };
}

/** The folder of package `name` as Node resolves it from `from`. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      return undefined;
    }
  }
}

/** Every installed package folder that `names` (resolved from `from`) pull in, themselves included; npm installs peers too. */
function closure(names: string[], from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string, at: string) => {
    const dir = packageDir(name, at);
    if (!dir || seen.has(dir)) {
      return;
    }
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
    for (const d of deps) {
      visit(d, dir);
    }
  };
  for (const n of names) {
    visit(n, from);
  }
  return seen;
}

/** Bytes of the files under `dir`, not counting nested node_modules (counted as packages of their own). */
function bytesOf(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') {
          walk(p);
        }
      } else if (e.isFile()) {
        total += fs.statSync(p).size;
      }
    }
  };
  walk(dir);
  return total;
}

function install(root: string): PackageWeight['install'] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
  const requiredPeers = Object.keys(pkg.peerDependencies ?? {}).filter((p) => !pkg.peerDependenciesMeta?.[p]?.optional);
  const peers = closure(requiredPeers, root);
  const added = [...closure(Object.keys(pkg.dependencies ?? {}), root)].filter((d) => !peers.has(d));
  const sized: Array<[string, number]> = added.map((d) => [path.relative(path.join(root, 'node_modules'), d), bytesOf(d)]);
  const dependencies: Record<string, number> = Object.fromEntries(sized.sort((a, b) => b[1] - a[1]));
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`npm pack --dry-run failed:\n${r.stderr}`);
  }
  const packed = (JSON.parse(r.stdout) as Array<{ unpackedSize: number; entryCount: number }>)[0];
  const totalBytes = packed.unpackedSize + Object.values(dependencies).reduce((a, b) => a + b, 0);
  return { ownBytes: packed.unpackedSize, ownFiles: packed.entryCount, dependencies, totalBytes };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Measures require time (`runs` interleaved rounds) and the install footprint. */
export function measurePackageWeight(root: string, runs: number): PackageWeight {
  ensureBuilt(root);
  const entry = path.join(root, 'build', 'lib', 'index.js');
  const scripts = cases(entry);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(scripts).map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const [k, script] of Object.entries(scripts)) {
      samples[k].push(timeNode(script, root));
    }
  }
  const requireMs = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const modules = rootModules(entry, root);
  const inst = install(root);

  const peers = requireMs['peers (cdk8s, cdk8s-plus-27, constructs)'];
  const lines: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(requireMs)) {
    lines.push([`require time: ${k}`, `${v.toFixed(0)} ms${k.startsWith('root') ? ` (+${(v - peers).toFixed(0)} ms over the peers)` : ''} (process wall time, median of ${runs})`]);
  }
  lines.push(['root entry loads', `${modules.count} modules; ${Object.entries(modules.loaded).map(([k, v]) => `${k}: ${v ? 'LOADED' : 'not loaded'}`).join(', ')}`]);
  lines.push(['install footprint over the peers', `${mb(inst.totalBytes)}: the package ${mb(inst.ownBytes)} (${inst.ownFiles} files) + ${Object.entries(inst.dependencies).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`]);
  return { requireMs, rootModules: modules, install: inst, lines };
}
