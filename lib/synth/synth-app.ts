import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { manifestsToYaml } from './yaml-writer';

/**
 * Synthesizes `app` into its output folder, byte for byte what `app.synth()`
 * writes (see `manifestsToYaml` for the one exception), in time linear in the number of objects whatever the chart layout.
 *
 * `app.synth()` resolves dependencies and runs every validation of the whole
 * app again for each chart, so an app with a chart per service costs charts ×
 * constructs; and it serializes with the general-purpose `yaml` package. This
 * function runs that resolution and every validation once (through the first
 * chart's `toJson()`, the same code path), renders each chart's objects in
 * the same order, and writes the bytes cdk8s's `yaml` options give (with
 * js-yaml where that is proven identical, see `manifestsToYaml`), except that
 * an object referenced twice is written in full, not aliased.
 *
 * Output types other than `FILE_PER_CHART` and `FILE_PER_APP` are handed to
 * `app.synth()`.
 *
 * @example
 * const app = new App();
 * for (const service of services) {
 *   new GoMicroservice(new Chart(app, service.name, { namespace: 'shop' }), service.name, service.props);
 * }
 * synthApp(app); // instead of app.synth()
 */
export function synthApp(app: App): void {
  const recordMetadata = (app as unknown as { readonly recordConstructMetadata?: unknown }).recordConstructMetadata;
  const layout = app.yamlOutputType;
  if (typeof recordMetadata !== 'boolean' || (layout !== YamlOutputType.FILE_PER_CHART && layout !== YamlOutputType.FILE_PER_APP)) {
    // An output type (or a cdk8s release) this function does not reproduce.
    app.synth();
    return;
  }

  fs.mkdirSync(app.outdir, { recursive: true });
  const first = anyChart(app);
  if (!first) {
    writeMetadata(app, recordMetadata, []);
    return;
  }
  // The first chart's toJson() resolves the app's dependencies and runs the
  // validations of every construct in the app, as app.synth() does; the
  // other charts' objects then need only rendering.
  const firstJson = first.toJson();
  const charts = app.charts; // sorted, now that chart dependencies are known
  const json = (c: Chart): unknown[] => (c === first ? firstJson : apiObjectsOf(c).map((o) => o.toJson()));

  if (layout === YamlOutputType.FILE_PER_APP) {
    const docs = charts.flatMap(json);
    fs.writeFileSync(path.join(app.outdir, `app${app.outputFileExtension}`), manifestsToYaml(docs), { encoding: 'utf8' });
  } else {
    const indexed = hasDependantCharts(app);
    charts.forEach((chart, i) => {
      const name = indexed ? `${String(i).padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart);
      fs.writeFileSync(path.join(app.outdir, `${name}${app.outputFileExtension}`), manifestsToYaml(json(chart)), { encoding: 'utf8' });
    });
  }
  if (recordMetadata) {
    writeMetadata(app, true, charts.flatMap(apiObjectsOf));
  }
}

/** A chart of the app, top-level ones first; `undefined` when it has none. */
function anyChart(app: App): Chart | undefined {
  return app.node.children.find((c): c is Chart => c instanceof Chart) ?? app.node.findAll().find((c): c is Chart => c instanceof Chart);
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
function writeMetadata(app: App, record: boolean, objects: ApiObject[]): void {
  if (!record) {
    return;
  }
  const resources: Record<string, { path: string }> = {};
  for (const o of objects) {
    resources[o.name] = { path: o.node.path };
  }
  fs.writeFileSync(path.join(app.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
}
