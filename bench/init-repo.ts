/**
 * The repo `npx cdk8s-go-platform init` scaffolds, from the packed package:
 * its cold `cdk8s synth` (what `npm run synth` runs: the cdk8s CLI, the
 * transpile-only app command, the policy gate plugin) against running the same
 * app compiled to JavaScript by tsc. Target: synth within 2× the compiled
 * JavaScript. Also measured: the app command of the scaffolded cdk8s.yaml
 * alone, the former one (tsx), and the cdk8s CLI's own start-up
 * (`cdk8s --version`), the part of synth that is not ours.
 *
 * Set-up (not timed): `npm run build`, `npm pack`, `init` into
 * .bench/init-repo/repo, `npm install` with the tarball (from the npm cache
 * when it can), `tsc` to build/. "Cold" means a fresh TMPDIR for every run,
 * so tsx starts without its transpile cache.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './report';

/** What the init-repo measurement reports. */
export interface InitRepoBench {
  readonly runs: number;
  readonly medianMs: Record<string, number>;
  /** Within-round ratios to the compiled JavaScript, median over rounds. */
  readonly ratios: Record<string, number>;
  readonly lines: Array<[string, string]>;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${command} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  }
  return ms;
}

/** Scaffolds and installs the init repo; returns its folder. */
function setUp(root: string, work: string): string {
  const dir = path.join(work, 'init-repo');
  const repo = path.join(dir, 'repo');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  run('npm run --silent build', root);
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  if (packed.status !== 0) {
    throw new Error(`npm pack failed:\n${packed.stderr}`);
  }
  const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
  run(`node ${JSON.stringify(path.join(root, 'build', 'bin', 'cdk8s-go-platform.js'))} init repo`, dir);
  run(`npm pkg set ${JSON.stringify(`dependencies.cdk8s-go-platform=file:${tarball}`)}`, repo);
  run('npm install --prefer-offline --no-audit --no-fund --loglevel=error', repo);
  // For the former app command, measured beside the scaffolded one.
  const tsx = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies.tsx;
  run(`npm install --no-save --prefer-offline --no-audit --no-fund --loglevel=error tsx@${tsx}`, repo);
  run('npx tsc --outDir build', repo);
  return repo;
}

/** Measures the init repo's synth against its compiled JavaScript. */
export function runInitRepoBench(root: string, work: string, runs: number): InitRepoBench {
  const repo = setUp(root, work);
  const app = /^app: (.*)$/m.exec(fs.readFileSync(path.join(repo, 'cdk8s.yaml'), 'utf8'))?.[1];
  if (app === undefined) {
    throw new Error(`no app command in ${path.join(repo, 'cdk8s.yaml')}`);
  }
  const ways: Record<string, string> = {
    'compiled JavaScript (node build/main.js)': 'node build/main.js',
    'app command of cdk8s.yaml (esbuild bundle + node)': app,
    'former app command (node --import tsx main.ts)': 'node --import tsx main.ts',
    'cdk8s synth (npm run synth)': './node_modules/.bin/cdk8s synth --check-upgrade=false',
    'the cdk8s CLI alone (cdk8s --version)': './node_modules/.bin/cdk8s --version',
  };
  const names = Object.keys(ways);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    const inRound: Record<string, number> = {};
    // Rotate the order so a trend in the machine's load hits every way alike.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const tmp = fs.mkdtempSync(path.join(work, 'init-repo', 'tmp-'));
      const out = fs.mkdtempSync(path.join(work, 'init-repo', 'out-'));
      try {
        inRound[name] = run(ways[name], repo, { ...process.env, TMPDIR: tmp, CDK8S_OUTDIR: out });
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
    for (const name of names) {
      times[name].push(inRound[name]);
      ratios[name].push(inRound[name] / inRound[names[0]]);
    }
  }
  const medianMs = Object.fromEntries(names.map((n) => [n, median(times[n])]));
  const medianRatios = Object.fromEntries(names.map((n) => [n, median(ratios[n])]));
  const lines: Array<[string, string]> = names.map((n) => [
    `init repo: ${n}`,
    `${medianMs[n].toFixed(0)} ms${n === names[0] ? '' : ` (${medianRatios[n].toFixed(2)}× the compiled JavaScript)`}`,
  ]);
  return { runs, medianMs, ratios: medianRatios, lines };
}
