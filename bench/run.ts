/**
 * `npm run bench`: synthesis speed and memory of the benchmark fleet
 * (bench/fleet.ts) written several ways, at several sizes, interleaved.
 *
 *   npm run bench                          # N = 10, 100, 500; 5 runs each
 *   npm run bench -- --n 100,500,1000 --runs 7
 *   npm run bench -- --ways floor,helm,plus,go,go-synth-app
 *   npm run bench -- --smoke               # N = 10, one run, each extra once, no jest (CI)
 *   npm run bench -- --no-extras --no-weight   # the ways only
 *
 * Every run of every way is a fresh child process running compiled
 * JavaScript (bench/ is bundled by esbuild into .bench/build/), and its wall
 * time includes Node.js start-up and module loading: that is what a pipeline
 * pays for each synth, and Helm pays its own start-up too. The time spent in
 * the way's own code is reported beside it. Each round runs every way once,
 * in a rotating order; ratios are taken within a round, then the median over
 * rounds is reported, so load from other processes on the machine affects
 * both sides of a ratio alike.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { stableStringify } from '../lib/common/hash';
import { runExtras } from './extras';
import { ChartLayout, fleet, FLEET_INGRESS, FLEET_NAMESPACE } from './fleet';
import { findHelm, HelmBinary } from './helm-binary';
import { runInitRepoBench } from './init-repo';
import { measurePackageWeight } from './package-weight';
import { formatPairs, formatTable, median, WayResult } from './report';
import { buildGoMicroserviceFleet } from './ways/go-microservice';

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, '.bench');
const BUILD = path.join(WORK, 'build');
const ADDR_LABEL = 'cdk8s.io/metadata.addr';

/** A way of producing the fleet's YAML. */
interface Way {
  readonly id: string;
  readonly label: string;
  readonly layout: ChartLayout | '-';
  /** Compiled way in .bench/build/ways/, or Helm. */
  readonly script: string | 'helm';
  /** The hand-written cdk8s-plus way it is compared with (the same entry point: app.synth() or synthApp). */
  readonly plus: string;
}

const WAYS: Way[] = [
  { id: 'floor', label: 'floor: YAML only', layout: '-', script: 'floor', plus: 'plus' },
  { id: 'helm', label: 'helm template', layout: '-', script: 'helm', plus: 'plus' },
  { id: 'plus', label: 'cdk8s-plus by hand', layout: ChartLayout.SINGLE, script: 'plain-plus', plus: 'plus' },
  { id: 'go', label: 'GoMicroservice', layout: ChartLayout.SINGLE, script: 'go-microservice', plus: 'plus' },
  { id: 'plus-synth-app', label: 'cdk8s-plus by hand + synthApp', layout: ChartLayout.SINGLE, script: 'plain-plus-synth-app', plus: 'plus-synth-app' },
  { id: 'go-synth-app', label: 'GoMicroservice + synthApp', layout: ChartLayout.SINGLE, script: 'go-microservice-synth-app', plus: 'plus-synth-app' },
  { id: 'go-one-thread', label: 'GoMicroservice + synthApp, one thread', layout: ChartLayout.SINGLE, script: 'go-microservice-one-thread', plus: 'plus-synth-app' },
  { id: 'plus-per-service', label: 'cdk8s-plus by hand', layout: ChartLayout.PER_SERVICE, script: 'plain-plus', plus: 'plus-per-service' },
  { id: 'go-per-service', label: 'GoMicroservice', layout: ChartLayout.PER_SERVICE, script: 'go-microservice', plus: 'plus-per-service' },
  { id: 'plus-synth-app-per-service', label: 'cdk8s-plus by hand + synthApp', layout: ChartLayout.PER_SERVICE, script: 'plain-plus-synth-app', plus: 'plus-synth-app-per-service' },
  { id: 'go-synth-app-per-service', label: 'GoMicroservice + synthApp', layout: ChartLayout.PER_SERVICE, script: 'go-microservice-synth-app', plus: 'plus-synth-app-per-service' },
];

interface Options {
  readonly ns: number[];
  readonly runs: number;
  readonly ways: Way[];
  readonly extras: boolean;
  readonly smoke: boolean;
  readonly json: string;
}

function parseOptions(argv: string[]): Options {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const smoke = argv.includes('--smoke');
  const ns = (get('--n') ?? (smoke ? '10' : '10,100,500')).split(',').map(Number);
  const runs = Number(get('--runs') ?? (smoke ? 1 : 5));
  const ids = get('--ways')?.split(',');
  const ways = ids ? WAYS.filter((w) => ids.includes(w.id)) : WAYS;
  if (ns.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1 || ways.length === 0) {
    throw new Error(`bad options: ${argv.join(' ')} (ways: ${WAYS.map((w) => w.id).join(', ')})`);
  }
  // --smoke runs the extras too, once each, so CI notices when one breaks; --no-extras leaves them out.
  return { ns, runs, ways, smoke, extras: !argv.includes('--no-extras'), json: get('--json') ?? path.join(WORK, 'results.json') };
}

/** One timed run of one way. */
interface Sample {
  readonly wallMs: number;
  readonly inProcessMs?: number;
  readonly rssKiB?: number;
}

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Environment of the children: no cdk8s CLI variables that change what App writes. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  delete env.CDK8S_RECORD_CONSTRUCT_METADATA;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Where run `round` of `way` writes: `out/<way>` for the first round (the
 * output `verify` and the extras read), `out.<round>/<way>` for the others.
 *
 * No output is deleted while ways are timed. On ext4 without a journal (the
 * root file system of the machines CI runs on), creating a file scans past
 * every inode of its block group freed in the last minute or more
 * (`recently_deleted` in fs/ext4/ialloc.c), at up to ~1 ms a file: a way that
 * writes 500 files right after the harness deleted the previous round's 500
 * would pay for the harness's deletions, which Helm, writing one file, does
 * not. Earlier outputs are moved aside (`putAside`) and deleted when all
 * timing is done (`emptyTrash`).
 */
function runOutput(dir: string, wayId: string, round: number): string {
  return path.join(dir, round === 0 ? 'out' : `out.${round}`, wayId);
}

const TRASH = path.join(WORK, 'trash');

/** Moves `p` into the trash folder (a rename: no inode is freed), if it exists. */
function putAside(p: string): void {
  if (fs.existsSync(p)) {
    fs.mkdirSync(TRASH, { recursive: true });
    fs.renameSync(p, fs.mkdtempSync(path.join(TRASH, `${path.basename(p)}-`)) + path.sep + path.basename(p));
  }
}

/** Deletes what `putAside` moved, once nothing is timed any more. */
function emptyTrash(): void {
  fs.rmSync(TRASH, { recursive: true, force: true });
}

function runOnce(way: Way, n: number, dir: string, helm: HelmBinary, round: number): Sample {
  const out = runOutput(dir, way.id, round);
  let command: string[];
  let stdoutFile: string | undefined;
  if (way.script === 'helm') {
    fs.mkdirSync(out, { recursive: true });
    command = [helm.path!, 'template', 'fleet', path.join(ROOT, 'bench', 'helm'), '--values', path.join(dir, 'helm-values.yaml')];
    stdoutFile = path.join(out, 'fleet.yaml');
  } else {
    command = [process.execPath, path.join(BUILD, 'ways', `${way.script}.js`), '--n', String(n), '--out', out,
      '--layout', way.layout === '-' ? ChartLayout.SINGLE : way.layout, '--input', path.join(dir, 'objects.json')];
  }
  const rssFile = path.join(dir, 'rss.txt');
  const argv = TIME ? [TIME, '-f', '%M', '-o', rssFile, ...command] : command;
  const fd = stdoutFile ? fs.openSync(stdoutFile, 'w') : undefined;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env: childEnv(), stdio: ['ignore', fd ?? 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (fd !== undefined) {
    fs.closeSync(fd);
  }
  if (r.status !== 0) {
    throw new Error(`${way.id} (N=${n}) failed: ${r.stderr?.toString() ?? ''}`);
  }
  const reported = stdoutFile ? undefined : JSON.parse(r.stdout.toString().trim().split('\n').pop()!) as { phases: Record<string, number>; maxRssKiB: number };
  const rssKiB = TIME ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : reported?.maxRssKiB;
  const inProcessMs = reported ? Object.values(reported.phases).reduce((a, b) => a + b, 0) : undefined;
  return { wallMs, inProcessMs, rssKiB };
}

/**
 * Inputs every way shares: the reference objects (GoMicroservice, one chart,
 * built in this process) for the floor, and the values file for Helm.
 */
function prepare(n: number, dir: string): void {
  putAside(dir);
  fs.mkdirSync(dir, { recursive: true });
  const app = new App({ outdir: path.join(dir, 'unused'), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  buildGoMicroserviceFleet(app, fleet(n), ChartLayout.SINGLE);
  const chart = app.node.findChild(FLEET_NAMESPACE) as Chart;
  const objects = chart.toJson() as Array<{ kind: string; metadata: { name: string }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }>;
  fs.writeFileSync(path.join(dir, 'objects.json'), JSON.stringify({ [`${FLEET_NAMESPACE}.k8s.yaml`]: objects }));
  const addr = new Map(objects.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, o.spec!.template!.metadata!.labels![ADDR_LABEL]]));
  const values = {
    namespace: FLEET_NAMESPACE,
    partOf: FLEET_NAMESPACE,
    ingress: {
      name: FLEET_INGRESS.name,
      host: FLEET_INGRESS.host,
      ingressClassName: FLEET_INGRESS.ingressClassName,
      clusterIssuer: FLEET_INGRESS.clusterIssuer,
      controllerNamespace: FLEET_INGRESS.controllerNamespace,
    },
    services: fleet(n).map((s) => ({ ...s, addr: addr.get(s.name) })),
  };
  fs.writeFileSync(path.join(dir, 'helm-values.yaml'), Yaml.stringify(JSON.parse(JSON.stringify(values))));
}

/** Files of a way's output folder, sorted, with their content. */
function readOutput(out: string): Array<{ file: string; text: string }> {
  return fs.readdirSync(out).filter((f) => f.endsWith('.yaml')).sort().map((file) => ({ file, text: fs.readFileSync(path.join(out, file), 'utf8') }));
}

/** Objects of a way's output, as canonical JSON keyed by kind/name; the cdk8s address label optionally blanked. */
function canonicalObjects(files: Array<{ text: string }>, blankAddr: boolean): string[] {
  const docs = files.flatMap((f) => parseAll(f.text));
  return docs.map((d) => {
    if (blankAddr) {
      const labels = (d as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels;
      if (labels?.[ADDR_LABEL]) {
        labels[ADDR_LABEL] = '-';
      }
    }
    return stableStringify(d);
  }).sort();
}

function parseAll(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
}

/** Compares each way's output with the reference; returns a verdict per way. */
function verify(ways: Way[], dir: string): Map<string, { verdict: string; objects: number; bytes: number; ok: boolean }> {
  const outputs = new Map(ways.map((w) => [w.id, readOutput(path.join(dir, 'out', w.id))]));
  const reference = outputs.get('go') ?? readReference(dir);
  const refText = reference.map((f) => `${f.file}\n${f.text}`).join('\n');
  const refObjects = canonicalObjects(reference, true);
  const perServiceRef = outputs.get('go-per-service');
  const verdicts = new Map<string, { verdict: string; objects: number; bytes: number; ok: boolean }>();
  for (const w of ways) {
    const files = outputs.get(w.id)!;
    const objects = parseAll(files.map((f) => f.text).join('---\n')).length;
    const bytes = files.reduce((a, f) => a + Buffer.byteLength(f.text), 0);
    let verdict: string;
    let ok = true;
    if (w.layout !== ChartLayout.PER_SERVICE && w.script !== 'helm' && files.map((f) => `${f.file}\n${f.text}`).join('\n') === refText) {
      verdict = 'identical bytes';
    } else if (w.layout === ChartLayout.PER_SERVICE && perServiceRef && w.id !== 'go-per-service'
      && files.map((f) => f.file + f.text).join() === perServiceRef.map((f) => f.file + f.text).join()) {
      verdict = 'identical bytes (per service)';
    } else if (JSON.stringify(canonicalObjects(files, true)) === JSON.stringify(refObjects)) {
      verdict = w.layout === ChartLayout.PER_SERVICE || w.script === 'helm' ? 'same objects' : 'same objects, other bytes';
    } else {
      verdict = 'DIFFERENT OBJECTS';
      ok = false;
    }
    // Every cdk8s way writes the reference's bytes, so its ratios compare like with like; only Helm writes its own.
    const comparable = w.layout !== ChartLayout.PER_SERVICE || (perServiceRef !== undefined && w.id !== 'go-per-service');
    if (ok && w.script !== 'helm' && comparable && !verdict.startsWith('identical bytes')) {
      verdict = `${verdict} (expected identical bytes)`;
      ok = false;
    }
    verdicts.set(w.id, { verdict, objects, bytes, ok });
  }
  return verdicts;
}

/** The reference output when the GoMicroservice way is not among those run. */
function readReference(dir: string): Array<{ file: string; text: string }> {
  const input = JSON.parse(fs.readFileSync(path.join(dir, 'objects.json'), 'utf8')) as Record<string, unknown[]>;
  return Object.entries(input).map(([file, objects]) => ({ file, text: Yaml.stringify(...objects) }));
}

function summarize(n: number, way: Way, rounds: Array<Map<string, Sample>>, check: { verdict: string; objects: number; bytes: number }): WayResult {
  const samples = rounds.map((r) => r.get(way.id)!);
  const walls = samples.map((s) => s.wallMs);
  const ratioTo = (other: string) => (rounds.every((r) => r.has(other)) ? median(rounds.map((r) => r.get(way.id)!.wallMs / r.get(other)!.wallMs)) : undefined);
  const rss = samples.map((s) => s.rssKiB).filter((x): x is number => x !== undefined);
  const inProcess = samples.map((s) => s.inProcessMs).filter((x): x is number => x !== undefined);
  return {
    n,
    way: way.id,
    label: way.label,
    layout: way.layout,
    runs: samples.length,
    wallMs: { median: median(walls), min: Math.min(...walls), max: Math.max(...walls) },
    inProcessMs: inProcess.length ? median(inProcess) : undefined,
    peakRssMiB: rss.length ? Math.max(...rss) / 1024 : undefined,
    objects: check.objects,
    bytes: check.bytes,
    vsFloor: way.id === 'floor' ? undefined : ratioTo('floor'),
    vsPlus: way.id === way.plus ? undefined : ratioTo(way.plus),
    vsHelm: way.id === 'helm' ? undefined : ratioTo('helm'),
    output: check.verdict,
  };
}

function machine(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  fs.mkdirSync(WORK, { recursive: true });
  const notes: string[] = [
    'wall time: whole child process, Node.js start-up and module loading included; in-process: the way\'s own build + synth phases',
    'ratios: median over rounds of the ratio within one round (ways interleaved in rotating order)',
    `edge: one TLS Ingress (SecureIngress, ingress-nginx, cert-manager cluster issuer) with a route per service on ${FLEET_INGRESS.host}`,
  ];
  let ways = options.ways;
  const helm: HelmBinary = ways.some((w) => w.script === 'helm') ? findHelm(WORK) : { reason: 'not requested' };
  if (helm.path !== undefined) {
    notes.push(`helm: ${helm.version} (${path.relative(ROOT, helm.path) || helm.path})`);
  } else if (ways.some((w) => w.script === 'helm')) {
    notes.push(`helm skipped: ${helm.reason}`);
    ways = ways.filter((w) => w.script !== 'helm');
  }

  const results: WayResult[] = [];
  let failed = false;
  for (const n of options.ns) {
    const dir = path.join(WORK, 'runs', String(n));
    prepare(n, dir);
    const rounds: Array<Map<string, Sample>> = [];
    let checks: ReturnType<typeof verify> | undefined;
    for (let r = 0; r < options.runs; r++) {
      const order = ways.map((_, i) => ways[(i + r) % ways.length]);
      const round = new Map<string, Sample>();
      for (const way of order) {
        round.set(way.id, runOnce(way, n, dir, helm, r));
      }
      rounds.push(round);
      checks ??= verify(ways, dir);
      process.stderr.write(`N=${n}: round ${r + 1}/${options.runs} done\n`);
    }
    // Only the first round's output is read afterwards (the extras' policy gate reads the largest N's).
    for (let r = 1; r < options.runs; r++) {
      putAside(path.join(dir, `out.${r}`));
    }
    for (const way of ways) {
      const check = checks!.get(way.id)!;
      failed ||= !check.ok;
      results.push(summarize(n, way, rounds, check));
    }
  }

  const scaling: Array<[string, string]> = [];
  const sizes = [...options.ns].sort((a, b) => a - b);
  for (let i = 1; i < sizes.length; i++) {
    for (const way of ways) {
      const lo = results.find((r) => r.n === sizes[i - 1] && r.way === way.id)!;
      const hi = results.find((r) => r.n === sizes[i] && r.way === way.id)!;
      scaling.push([`${way.label} (${way.layout}) N=${sizes[i]}/N=${sizes[i - 1]}`, `${(hi.wallMs.median / lo.wallMs.median).toFixed(2)} (services ×${(sizes[i] / sizes[i - 1]).toFixed(0)})`]);
    }
  }

  // The policy gate extra checks the fleet at the largest N as a way wrote it (the GoMicroservice way's, or the first way run).
  const outputs = path.join(WORK, 'runs', String(Math.max(...options.ns)), 'out');
  const fleetOutput = path.join(outputs, ways.some((w) => w.id === 'go') ? 'go' : ways.find((w) => w.script !== 'helm')?.id ?? 'helm');
  const extrasRuns = options.smoke ? 1 : undefined;
  const extras = options.extras ? runExtras(ROOT, WORK, fleetOutput, { runs: extrasRuns ?? 3, jest: !options.smoke && !process.argv.includes('--no-jest') }) : undefined;
  // The repo `init` scaffolds: cold `cdk8s synth` against its compiled JavaScript (bench/init-repo.ts).
  const initRepo = options.extras ? runInitRepoBench(ROOT, WORK, extrasRuns ?? 5) : undefined;
  // Require time of the root entry and install footprint (one round in a smoke run).
  const weight = process.argv.includes('--no-weight') ? undefined : measurePackageWeight(ROOT, options.smoke ? 1 : 7);

  emptyTrash();

  const report = { date: new Date().toISOString(), machine: machine(), options: { ns: options.ns, runs: options.runs, ways: ways.map((w) => w.id) }, notes, results, scaling, extras, initRepo, weight };
  fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);

  const out = process.stdout;
  out.write(`\n${formatPairs(Object.entries(machine()).map(([k, v]) => [k, String(v)]))}\n\n`);
  out.write(`${formatTable(results)}\n\n`);
  if (scaling.length) {
    out.write(`wall time growth:\n${formatPairs(scaling)}\n\n`);
  }
  if (extras) {
    out.write(`${formatPairs(extras.lines)}\n\n`);
  }
  if (initRepo) {
    out.write(`${formatPairs(initRepo.lines)}\n\n`);
  }
  if (weight) {
    out.write(`${formatPairs(weight.lines)}\n\n`);
  }
  out.write(`${notes.map((n) => `note: ${n}`).join('\n')}\n`);
  out.write(`results: ${path.relative(process.cwd(), options.json)}\n`);
  if (failed) {
    out.write('error: some ways did not produce the same objects, or the same bytes, as GoMicroservice (see "output")\n');
    process.exitCode = 1;
  }
}

main();
