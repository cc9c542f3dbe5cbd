import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { kubernetesVersionOf } from '../common/kubernetes-version';
import { checkSourcedManifests, SourcedManifest } from '../policy/check';
import { duplicateObjects } from '../policy/checks/duplicates';
import { toEntry } from '../policy/context';
import { formatFindings } from '../policy/format';
import { GATE_RECEIPT_FILE, gateReceiptText } from '../policy/receipt';
import { Finding, PolicyOptions, Severity } from '../policy/types';
import { ManifestWriter, startYamlWorker, workerPays, workerWanted, YamlWorker } from './yaml-writer';
import { yamlLib } from '../common/yaml';

/** Options of `synthApp` and `synthApps`. */
export interface SynthOptions {
  /**
   * Options of the policy gate (`checkManifests`) that runs over each app's
   * objects before anything is written; an error finding fails synth, a
   * warning is logged. `false` skips the gate (duplicate objects are still an
   * error). Pass the same options as the `PolicyValidation` plugin in
   * `cdk8s.yaml`, so both agree. The Kubernetes version checked is the app's
   * target (`setKubernetesVersion`) unless `kubernetesVersion` is given.
   *
   * @default {} - the gate runs with its default options
   */
  readonly policy?: PolicyOptions | false;

  /**
   * Receives warnings: policy warnings, and the note that this cdk8s release
   * is synthesized with `app.synth()`.
   *
   * @default - `console.warn`
   */
  readonly warn?: (message: string) => void;

  /**
   * Writes YAML on a worker thread when the machine has at least 2 cores
   * (`os.availableParallelism()`) and an app has at least 1,000 objects:
   * each chart's documents go to the worker as soon as the chart is
   * rendered, and the calling thread writes, once all are rendered, those
   * the worker has not started. The bytes are the same either way
   * (documents are put together in order); `false` keeps all work on the
   * calling thread.
   *
   * @default true
   */
  readonly threads?: boolean;
}

/**
 * A failed `synthApps` run: names the app by its output folder, and says
 * what became of the output. Nothing was written when it is thrown.
 */
export class SynthError extends Error {
  /** The output folder of the app that failed, as given to its `App`. */
  public readonly app: string;

  constructor(app: string, message: string) {
    super(message);
    this.name = 'SynthError';
    this.app = app;
  }
}

/**
 * Synthesizes one app atomically: `synthApps([app], options)`.
 *
 * @example
 * const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
 * for (const service of services) {
 *   new GoMicroservice(new Chart(app, service.name, { namespace: 'shop' }), service.name, service.props);
 * }
 * synthApp(app); // instead of app.synth()
 */
export function synthApp(app: App, options: SynthOptions = {}): void {
  synthApps([app], options);
}

/**
 * Synthesizes several apps (one per environment or cluster) as one
 * transaction, byte for byte what `app.synth()` writes for each (see
 * `manifestsToYaml` for the one exception).
 *
 * 1. Every app is rendered in memory and every construct validation runs;
 *    two objects with the same API group, kind, namespace and name in one app
 *    are an error naming both construct paths; the policy gate runs over each
 *    app's objects (`options.policy`).
 * 2. Only when all of that passed, each app is written to a temporary folder
 *    beside its output folder (`dist/.staging.synth-XXXXXX` for `dist/staging`).
 * 3. Each output folder is then replaced by its temporary folder (two renames
 *    on one file system); if a rename fails, the folders already replaced are
 *    put back.
 *
 * On any failure a `SynthError` names the app (its output folder) and the
 * construct path, the temporary folders are removed and every output folder
 * is as it was before the call. Folders beside the output folders (another
 * app's, `dist/local`) are not touched. Note that `cdk8s synth` deletes its
 * output folder before it runs the app: run the entry point with `node` to
 * keep the previous output on failure.
 *
 * Speed: `app.synth()` resolves dependencies and runs every validation of the
 * whole app again for each chart, so an app with a chart per service costs
 * charts × constructs. This runs that resolution and every validation once
 * (through the first chart's `toJson()`, the same code path), renders each
 * chart's objects in the same order, and writes the bytes cdk8s's `yaml`
 * options give (with js-yaml where that is proven identical, see
 * `manifestsToYaml`), except that an object referenced twice is written in
 * full, not aliased. On a machine with 2 or more cores, an app of 1,000
 * objects or more is written by two threads (`options.threads`), with the
 * same bytes. That relies on two cdk8s internals (`App._synthChart`,
 * `App.recordConstructMetadata`), pinned by a test against the supported
 * cdk8s range; when they are absent, and for output types other than
 * `FILE_PER_CHART` and `FILE_PER_APP`, the app is rendered with
 * `app.synth()` into a scratch folder instead (with a warning for the former).
 *
 * Under `cdk8s synth` with validation plugins (cdk8s sets `CDK8S_OUTDIR` and
 * `CDK8S_RECORD_CONSTRUCT_METADATA=true`), an app whose gate found nothing also
 * gets a receipt file (`.cdk8s-go-platform-gate-receipt`: the gate's options
 * and a SHA-256 per manifest file). The `PolicyValidation` plugin verifies it,
 * skips checking those exact bytes a second time, and removes it.
 *
 * @example
 * const apps = ENVIRONMENTS.map((env) => {
 *   const app = new App({ outdir: `dist/${env.name}` });
 *   buildPlatform(app, env);
 *   return app;
 * });
 * synthApps(apps); // all environments, or none
 */
export function synthApps(apps: readonly App[], options: SynthOptions = {}): void {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const targets = apps.map((app) => app.outdir);
  checkOutdirs(targets);
  const unchanged = (): string => {
    const missing = targets.filter((t) => !fs.existsSync(t));
    const note = missing.length === 0 ? '' : ` (${missing.join(', ')} did not exist before this run; \`cdk8s synth\` deletes its output folder before it runs the app)`;
    return `nothing was written: ${targets.join(', ')} ${targets.length === 1 ? 'is' : 'are'} as before${note}`;
  };

  // 1. Render and check every app in memory.
  const rendered = apps.map((app) => {
    try {
      const out = render(app, warn, options.threads ?? true);
      checkDuplicates(out);
      if (options.policy !== false) {
        const effective = gate(out, options.policy ?? {}, warn);
        if (effective && underCdk8sSynthWithValidations()) {
          addGateReceipt(out, effective);
        }
      }
      return out;
    } catch (e) {
      throw new SynthError(app.outdir, `synth of app "${app.outdir}" failed; ${unchanged()}\n${messageOf(e)}`);
    }
  });

  // 2. Write each app beside its output folder.
  const staged: Staged[] = [];
  try {
    for (const out of rendered) {
      staged.push(stage(out));
    }
  } catch (e) {
    staged.forEach((s) => fs.rmSync(s.staging, { recursive: true, force: true }));
    const app = rendered[staged.length]?.app.outdir ?? '';
    throw new SynthError(app, `synth of app "${app}" failed while writing; ${unchanged()}\n${messageOf(e)}`);
  }

  // 3. Swap the folders in, or put them all back.
  swap(staged, unchanged);
}

/** One app rendered: its files by relative path, and its objects with their origin. */
interface Rendered {
  readonly app: App;
  readonly files: Map<string, string>;
  readonly items: SourcedManifest[];
  /** Construct path by `file#index`, where known; built on first use (only an error message or the metadata file needs it). */
  readonly paths: () => ReadonlyMap<string, string>;
}

interface Staged {
  readonly target: string;
  readonly staging: string;
}

/** Output folders must differ and not contain one another. */
function checkOutdirs(outdirs: readonly string[]): void {
  const resolved = outdirs.map((o) => path.resolve(o));
  resolved.forEach((a, i) => resolved.forEach((b, j) => {
    if (i < j && (a === b || a.startsWith(`${b}${path.sep}`) || b.startsWith(`${a}${path.sep}`))) {
      throw new SynthError(outdirs[j], `apps "${outdirs[i]}" and "${outdirs[j]}" write to overlapping output folders: give each app a folder of its own`);
    }
  }));
}

/** Whether the cdk8s internals the fast path relies on are present. @internal */
export function cdk8sInternalsPresent(app: App): boolean {
  const record = (app as unknown as { readonly recordConstructMetadata?: unknown }).recordConstructMetadata;
  const synthChart = (App as unknown as { readonly _synthChart?: unknown })._synthChart;
  return typeof record === 'boolean' && typeof synthChart === 'function';
}

function render(app: App, warn: (m: string) => void, threads: boolean): Rendered {
  // Started before the app is rendered, so that it has loaded js-yaml when
  // the first chart's documents come; only for an app large enough to use it.
  const worker = workerWanted(threads) && workerPays(countApiObjects(app)) ? startYamlWorker() : undefined;
  try {
    return renderWith(app, warn, worker);
  } finally {
    worker?.close();
  }
}

function renderWith(app: App, warn: (m: string) => void, worker: YamlWorker | undefined): Rendered {
  const layout = app.yamlOutputType;
  if (layout !== YamlOutputType.FILE_PER_CHART && layout !== YamlOutputType.FILE_PER_APP) {
    return renderWithCdk8s(app);
  }
  if (!cdk8sInternalsPresent(app)) {
    warn(`synthApp: this cdk8s release lacks App._synthChart or App.recordConstructMetadata; "${app.outdir}" is rendered with app.synth(), which validates the app once per chart`);
    return renderWithCdk8s(app);
  }
  const record = (app as unknown as { readonly recordConstructMetadata: boolean }).recordConstructMetadata;
  // Each chart's objects in the order of its documents, from the first document of `source`, for `paths`.
  const segments: Segment[] = [];
  const out: Rendered = { app, files: new Map(), items: [], paths: once(() => constructPaths(segments)) };
  const first = anyChart(app);
  if (!first) {
    if (record) {
      out.files.set('construct-metadata.json', metadata([]));
    }
    return out;
  }
  // The first chart's toJson() resolves the app's dependencies and runs the
  // validations of every construct in the app, as app.synth() does; the
  // other charts' objects then need only rendering.
  const firstJson = first.toJson();
  const charts = sortedCharts(app, first);
  const files: string[] = [];
  // Each file's YAML is started (on the worker, when there is one) as soon as its charts are rendered.
  const writer = new ManifestWriter(worker);
  const add = (file: string, chartList: readonly Chart[]): void => {
    const docs: unknown[] = [];
    const source = path.join(app.outdir, file);
    for (const chart of chartList) {
      // The first chart's documents came from its toJson(); its objects are looked up only when needed.
      const rendered = chart === first ? undefined : apiObjectsOf(chart);
      const json = rendered ? rendered.map((o) => o.toJson()) : firstJson;
      segments.push({ source, start: docs.length, count: json.length, objects: rendered ? () => rendered : once(() => apiObjectsOf(chart)) });
      for (const doc of json) {
        out.items.push({ manifest: doc, source: { file: source, index: docs.length } });
        docs.push(doc);
      }
    }
    files.push(file);
    writer.addFile(docs);
  };
  if (layout === YamlOutputType.FILE_PER_APP) {
    add(`app${app.outputFileExtension}`, charts);
  } else {
    const indexed = hasDependantCharts(app);
    charts.forEach((chart, i) => {
      const name = indexed ? `${String(i).padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart);
      add(`${name}${app.outputFileExtension}`, [chart]);
    });
  }
  const yaml = writer.finish();
  files.forEach((file, i) => out.files.set(file, yaml.texts[i]));
  if (record) {
    out.files.set('construct-metadata.json', metadata(segments.flatMap((g) => g.objects())));
  }
  return out;
}

/**
 * Renders with `app.synth()` into a scratch folder (the app's `outdir` points
 * there meanwhile) and reads the files back.
 */
function renderWithCdk8s(app: App): Rendered {
  const out: Rendered = { app, files: new Map(), items: [], paths: () => new Map() };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-synth-'));
  const outdir = app.outdir;
  Object.defineProperty(app, 'outdir', { value: scratch, configurable: true, writable: true });
  try {
    app.synth();
    for (const file of listFiles(scratch)) {
      const text = fs.readFileSync(path.join(scratch, file), 'utf8');
      out.files.set(file, text);
      if (/\.ya?ml$/.test(file)) {
        yamlLib().parseAllDocuments(text).forEach((doc, index) => {
          out.items.push({ manifest: doc.toJS(), source: { file: path.join(outdir, file), index } });
        });
      }
    }
  } finally {
    Object.defineProperty(app, 'outdir', { value: outdir, configurable: true, writable: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

/** Files below `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => (d.isDirectory() ? listFiles(dir, path.join(prefix, d.name)) : [path.join(prefix, d.name)]));
}

/** The construct path of the object a finding or entry is about, in brackets, when known. */
function pathOf(out: Rendered, source: { readonly file: string; readonly index: number } | undefined): string {
  const p = source ? out.paths().get(`${source.file}#${source.index}`) : undefined;
  return p === undefined ? '' : `[${p}] `;
}

/** Two objects the API server would store as one are an error, with both construct paths. */
function checkDuplicates(out: Rendered): void {
  const entries = out.items
    .filter((i) => typeof i.manifest === 'object' && i.manifest !== null && !Array.isArray(i.manifest))
    .map((i) => toEntry(i.manifest as Record<string, unknown>, 'default', i.source));
  const lines = duplicateObjects(entries).flatMap(([first, ...rest]) => rest.map((e) => {
    const a = out.paths().get(`${first.source?.file}#${first.source?.index}`) ?? `${first.source?.file}#${first.source?.index}`;
    const b = out.paths().get(`${e.source?.file}#${e.source?.index}`) ?? `${e.source?.file}#${e.source?.index}`;
    const ns = e.namespace === undefined ? '' : ` in namespace ${JSON.stringify(e.namespace)}`;
    return `[${b}] ${e.ref.kind} ${JSON.stringify(e.ref.name)}${ns} (${e.ref.apiVersion}) duplicates [${a}]: the object applied last would replace the other; give one another name or namespace`;
  }));
  if (lines.length > 0) {
    throw new Error(`duplicate objects:\n  ${lines.join('\n  ')}`);
  }
}

/**
 * Runs the policy gate; errors throw with construct paths, warnings go to
 * `warn`. Returns the options it ran with when it found nothing at all.
 */
function gate(out: Rendered, options: PolicyOptions, warn: (m: string) => void): PolicyOptions | undefined {
  // At the app's target Kubernetes version (setKubernetesVersion), as addPolicyValidation does, unless the options say otherwise.
  const effective: PolicyOptions = { kubernetesVersion: kubernetesVersionOf(out.app), ...options };
  const result = checkSourcedManifests(out.items, effective);
  const line = (f: Finding): string => `${pathOf(out, f.source)}${f.ruleId} ${f.message}`;
  const warnings = result.findings.filter((f) => f.severity === Severity.WARNING);
  if (warnings.length > 0) {
    warn(`policy warnings in app "${out.app.outdir}":\n${formatFindings(warnings)}`);
  }
  if (!result.passed) {
    const failing = result.findings.filter((f) => f.severity === Severity.ERROR || options.warningsAsErrors);
    throw new Error(`policy gate failed (${failing.length} finding${failing.length === 1 ? '' : 's'}):\n  ${failing.map(line).join('\n  ')}`);
  }
  return result.findings.length === 0 ? effective : undefined;
}

/**
 * Whether this process is the app of a `cdk8s synth` run with validation
 * plugins: the cdk8s CLI sets `CDK8S_OUTDIR` and
 * `CDK8S_RECORD_CONSTRUCT_METADATA=true` for it, and runs the plugins on the
 * output right after. (An app may record construct metadata on its own, as
 * this repository's apps/main.ts does; that alone is no such run.)
 */
function underCdk8sSynthWithValidations(): boolean {
  return process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true' && process.env.CDK8S_OUTDIR !== undefined;
}

/**
 * Leaves the gate's receipt (lib/policy/receipt.ts) beside the app's
 * manifests, so the `PolicyValidation` plugin does not check the same bytes
 * with the same options again. The plugin removes it.
 */
function addGateReceipt(out: Rendered, options: PolicyOptions): void {
  const manifests = new Map([...out.files].filter(([file]) => /\.ya?ml$/.test(file)));
  if (manifests.size === 0) {
    return; // the plugin is given no file of this app, so it would not take the receipt
  }
  out.files.set(GATE_RECEIPT_FILE, gateReceiptText(options, manifests));
}

/** Writes an app's files into a new temporary folder beside its output folder. */
function stage(out: Rendered): Staged {
  const target = out.app.outdir;
  const parent = path.dirname(path.resolve(target));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(path.resolve(target))}.synth-`));
  const result = { target, staging };
  try {
    for (const [file, text] of out.files) {
      fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
      fs.writeFileSync(path.join(staging, file), text, { encoding: 'utf8' });
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return result;
}

/**
 * Moves each staged folder into place, keeping the previous folder until all
 * succeeded; on a failure, puts back what was already replaced.
 */
function swap(staged: readonly Staged[], unchanged: () => string): void {
  const done: Array<{ readonly s: Staged; readonly previous?: string }> = [];
  let failing: Staged | undefined;
  try {
    for (const s of staged) {
      failing = s;
      const previous = fs.existsSync(s.target) ? `${s.staging}.previous` : undefined;
      if (previous) {
        fs.renameSync(s.target, previous);
      }
      try {
        fs.renameSync(s.staging, s.target);
      } catch (e) {
        if (previous) {
          fs.renameSync(previous, s.target);
        }
        throw e;
      }
      done.push({ s, previous });
    }
  } catch (e) {
    for (const { s, previous } of done.reverse()) {
      fs.renameSync(s.target, s.staging);
      if (previous) {
        fs.renameSync(previous, s.target);
      }
    }
    staged.forEach((s) => fs.rmSync(s.staging, { recursive: true, force: true }));
    const app = failing?.target ?? '';
    throw new SynthError(app, `synth of app "${app}" failed while moving its output into place; ${unchanged()}\n${messageOf(e)}`);
  }
  for (const { previous } of done) {
    if (previous) {
      fs.rmSync(previous, { recursive: true, force: true });
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The number of API objects in the app: one document each. */
function countApiObjects(app: App): number {
  let count = 0;
  for (const c of app.node.findAll()) {
    if (c instanceof ApiObject) {
      count++;
    }
  }
  return count;
}

/** A chart of the app, top-level ones first; `undefined` when it has none. */
function anyChart(app: App): Chart | undefined {
  return app.node.children.find((c): c is Chart => c instanceof Chart) ?? app.node.findAll().find((c): c is Chart => c instanceof Chart);
}

/**
 * The app's charts in the order `app.charts` gives (dependencies first);
 * an app whose only chart is `first` needs no dependency graph for that.
 */
function sortedCharts(app: App, first: Chart): readonly Chart[] {
  for (const c of app.node.findAll()) {
    if (c instanceof Chart && c !== first) {
      return app.charts;
    }
  }
  return [first];
}

/** A chart's documents in a file: `count` of them from index `start` of `source`, rendered from `objects()`, in order. */
interface Segment {
  readonly source: string;
  readonly start: number;
  readonly count: number;
  readonly objects: () => ApiObject[];
}

/** Construct paths by `file#index` of the rendered documents. */
function constructPaths(segments: readonly Segment[]): ReadonlyMap<string, string> {
  const paths = new Map<string, string>();
  for (const { source, start, count, objects } of segments) {
    const rendered = objects();
    // (Equal unless rendering added objects to the chart; then its paths stay unknown rather than wrong.)
    if (rendered.length === count) {
      rendered.forEach((o, i) => paths.set(`${source}#${start + i}`, o.node.path));
    }
  }
  return paths;
}

/** `make()`, called once, on first use. */
function once<T>(make: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** A chart's own objects in dependency order (cdk8s `chartToKube`). */
function apiObjectsOf(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

/** Whether cdk8s numbers the chart files: nested charts or dependencies across charts. */
function hasDependantCharts(app: App): boolean {
  for (const c of app.node.findAll()) {
    if (c instanceof Chart && c.node.children.some((x) => x instanceof Chart)) {
      return true;
    }
    for (const dep of c.node.dependencies) {
      if (chartOf(c) !== chartOf(dep)) {
        return true;
      }
    }
  }
  return false;
}

function chartOf(c: IConstruct): Chart | undefined {
  try {
    return Chart.of(c);
  } catch {
    return undefined;
  }
}

/** `construct-metadata.json`, as cdk8s writes it when metadata is recorded. */
function metadata(objects: ApiObject[]): string {
  const resources: Record<string, { path: string }> = {};
  for (const o of objects) {
    resources[o.name] = { path: o.node.path };
  }
  return JSON.stringify({ version: '1.0.0', resources });
}
