/**
 * The benchmark's other measurements: the example app's synth (the
 * `cdk8s.yaml` app command, the whole `cdk8s synth`, the same app as
 * compiled JavaScript, and the former tsx runner), the policy gate on the
 * benchmark's output, and the jest suite's wall time.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './report';

/** What the extras report. */
export interface Extras {
  readonly synth: Record<string, { readonly medianMs: number; readonly runs: number[] }>;
  readonly synthRatios: Record<string, number>;
  readonly policy?: unknown;
  readonly jestMs?: number;
  readonly lines: Array<[string, string]>;
}

/** How the extras run: `npm run bench` measures (3 runs, jest timed); `--smoke` (CI) runs each once to prove they work. */
export interface ExtrasOptions {
  readonly runs: number;
  /** Time the jest suite (`--no-jest` or `--smoke` turn it off). */
  readonly jest: boolean;
}

function timed(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${command} failed:\n${r.stdout}\n${r.stderr}`);
  }
  return ms;
}

/** The `app:` command of cdk8s.yaml. */
function appCommand(root: string): string {
  const line = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8').split('\n').find((l) => l.startsWith('app:'));
  if (!line) {
    throw new Error('cdk8s.yaml has no app: line');
  }
  return line.slice('app:'.length).trim();
}

export function runExtras(root: string, work: string, fleetOutput: string, options: ExtrasOptions): Extras {
  const lines: Array<[string, string]> = [];
  const synthOut = path.join(work, 'synth');
  const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_OUTDIR: path.join(synthOut, 'app') };
  delete env.NODE_OPTIONS;

  // The example app as compiled JavaScript, file for file (what tsc would emit; imports/ too, which lib/ requires), transpiled once, untimed.
  const compiled = path.join(work, 'app-js');
  fs.rmSync(compiled, { recursive: true, force: true });
  const sources = ['apps', 'lib', 'imports'].flatMap((d) => fs.readdirSync(path.join(root, d), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join(d, f)));
  timed(`node_modules/.bin/esbuild ${sources.join(' ')} --outdir=${compiled} --outbase=. --format=cjs --platform=node --target=node20 --log-level=warning`, root);
  // The data files lib/ reads at run time beside its modules (generated validators, per-version schemas).
  const assets = fs.readdirSync(path.join(root, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') || f.endsWith('.generated.js')).map((f) => path.join('lib', f));
  for (const file of assets) {
    fs.mkdirSync(path.dirname(path.join(compiled, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(compiled, file));
  }

  const ways: Record<string, string> = {
    'compiled JS (node apps/main.js)': `node ${path.join(compiled, 'apps', 'main.js')}`,
    'cdk8s.yaml app command (esbuild bundle + node)': appCommand(root),
    'former app command (node --import tsx)': 'node --import tsx apps/main.ts',
    'cdk8s synth (CLI + policy plugin)': `node_modules/.bin/cdk8s synth --check-upgrade=false --output ${path.join(synthOut, 'cli')}`,
  };
  const runs: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (let r = 0; r < options.runs; r++) {
    for (const [k, command] of Object.entries(ways)) {
      fs.rmSync(synthOut, { recursive: true, force: true });
      runs[k].push(timed(command, root, env));
    }
  }
  const synth = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, { medianMs: median(v), runs: v }]));
  const base = runs['compiled JS (node apps/main.js)'];
  const ratio = (k: string) => median(runs[k].map((v, i) => v / base[i]));
  const synthRatios = Object.fromEntries(Object.keys(ways).filter((k) => !k.startsWith('compiled')).map((k) => [k, ratio(k)]));
  for (const [k, v] of Object.entries(synth)) {
    lines.push([`example app synth: ${k}`, `${v.medianMs.toFixed(0)} ms${synthRatios[k] ? ` (${synthRatios[k].toFixed(2)}× compiled JS)` : ''}`]);
  }

  // A failing extra fails the benchmark: a line saying "failed" went unnoticed before.
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'policy-gate.ts'), fleetOutput], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    throw new Error(`policy gate on ${fleetOutput} failed:\n${r.stdout}\n${r.stderr}`);
  }
  const policy = JSON.parse(r.stdout.trim().split('\n').pop()!) as { objects: number; loadMs: number; checkMs: number; errors: number; warnings: number };
  lines.push(['policy gate on the largest fleet', `${policy.checkMs.toFixed(0)} ms for ${policy.objects} objects (+${policy.loadMs.toFixed(0)} ms loading validators; ${policy.errors} errors, ${policy.warnings} warnings)`]);

  let jestMs: number | undefined;
  if (options.jest) {
    jestMs = timed('node_modules/.bin/jest --silent', root, { ...process.env, CI: 'true' });
    lines.push(['jest suite (npx jest --silent)', `${(jestMs / 1000).toFixed(1)} s wall`]);
  }
  return { synth, synthRatios, policy, jestMs, lines };
}
