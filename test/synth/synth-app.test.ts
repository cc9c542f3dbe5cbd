import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { GoMicroservice, synthApp } from '../../lib';
import { manifestsToYaml } from '../../lib/synth/yaml-writer';

/** Every file an output folder holds, by name. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

type Layout = 'one chart' | 'chart per service' | 'dependent charts';

/** Builds the same small platform into a fresh App. */
function platform(outdir: string, layout: Layout, props: { yamlOutputType?: YamlOutputType; recordConstructMetadata?: boolean } = {}): App {
  const app = new App({ outdir, yamlOutputType: props.yamlOutputType ?? YamlOutputType.FILE_PER_CHART, recordConstructMetadata: props.recordConstructMetadata ?? false });
  const shared = layout === 'one chart' ? new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true }) : undefined;
  const chart = (id: string) => shared ?? new Chart(app, id, { namespace: 'shop', disableResourceNameHashes: true });
  const users = new GoMicroservice(chart('users'), 'users', { image: 'registry.example.com/users:2.0.3', config: { LOG_LEVEL: 'info' } });
  const orders = new GoMicroservice(chart('orders'), 'orders', {
    image: 'registry.example.com/orders:1.4.2',
    grpcPort: 9090,
    autoscaling: { minReplicas: 2, maxReplicas: 5 },
    secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
  });
  orders.allowFrom(users);
  if (layout === 'dependent charts') {
    // orders is applied after users: cdk8s numbers the chart files.
    Chart.of(orders).addDependency(Chart.of(users));
  }
  return app;
}

/** Synthesizes the platform with app.synth() and with synthApp() into two folders. */
function both(layout: Layout, props: { yamlOutputType?: YamlOutputType; recordConstructMetadata?: boolean } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-app-'));
  platform(path.join(tmp, 'cdk8s'), layout, props).synth();
  synthApp(platform(path.join(tmp, 'fast'), layout, props));
  return { expected: files(path.join(tmp, 'cdk8s')), actual: files(path.join(tmp, 'fast')) };
}

describe('synthApp', () => {
  test.each<Layout>(['one chart', 'chart per service', 'dependent charts'])('writes what app.synth() writes, byte for byte: %s', (layout) => {
    // GIVEN / WHEN
    const { expected, actual } = both(layout, { recordConstructMetadata: true });

    // THEN
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expect(Object.keys(actual)).toContain('construct-metadata.json');
    expect(actual).toEqual(expected);
  });

  test('numbers chart files when charts depend on each other, as cdk8s does', () => {
    const { actual } = both('dependent charts');
    expect(Object.keys(actual)).toEqual(['0000-users.k8s.yaml', '0001-orders.k8s.yaml']);
  });

  test('writes one file per app with YamlOutputType.FILE_PER_APP', () => {
    const { expected, actual } = both('chart per service', { yamlOutputType: YamlOutputType.FILE_PER_APP });
    expect(Object.keys(actual)).toEqual(['app.k8s.yaml']);
    expect(actual).toEqual(expected);
  });

  test('hands other output types to app.synth()', () => {
    const { expected, actual } = both('one chart', { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    expect(Object.keys(actual).length).toBeGreaterThan(1);
    expect(actual).toEqual(expected);
  });

  test('runs every validation of the app: a deferred error fails synth', () => {
    // GIVEN a construct whose validation fails, in the second of two charts
    const app = platform(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-app-')), 'chart per service');
    const orders = app.node.findChild('orders').node.findChild('orders');
    orders.node.addValidation({ validate: () => ['route to port 81, which no service exposes'] });

    // WHEN / THEN
    expect(() => synthApp(app)).toThrow('[orders/orders] route to port 81, which no service exposes');
  });
});

describe('manifestsToYaml', () => {
  const tricky: unknown[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: {
      yes: 'no', on: 'off', Y: 'n', NULL: '~', number: '8080', float: '1.5', octal: '0755', hex: '0x1F', date: '2024-01-01',
      version: '1.4.2', quantity: '500m', empty: '', space: ' lead', trailing: 'trail ', colon: 'a: b', hash: 'a #b', dash: '- a',
      star: '*x', amp: '&x', bang: '!x', quote: '"q"', single: "it's", percent: '%x', at: '@x', backtick: '`x',
      multi: 'line one\nline two\n', unicode: 'grüße ✓', tab: 'a\tb', url: 'http://svc.ns.svc:80/path?x=1&y=2', json: '{"a":1}',
      long: 'x'.repeat(300), inf: '.inf', nan: '.NaN', underscore: '1_000', sexagesimal: '1:20',
    } },
    { kind: 'List', items: [[], {}, [1, [2]], null, true, false, 0, -7, 1.5, 1e21, { a: [] }, { b: {} }], 'key with space': 1, '8080': 'port', y: 'key' },
    { kind: 'Nested', spec: { a: [{ b: [{ c: { d: ['e', { f: 'g' }] } }] }], empty: { x: {} } } },
    { kind: 'Undefined', spec: { a: undefined, b: 1 } },
    {},
    'a scalar document',
  ];

  test.each(tricky.map((doc, i) => [i, doc]))('writes document %i as Yaml.stringify does', (_i, doc) => {
    expect(manifestsToYaml([doc])).toEqual(Yaml.stringify(doc));
  });

  test('writes a stream of documents as Yaml.stringify does', () => {
    expect(manifestsToYaml(tricky)).toEqual(Yaml.stringify(...tricky));
  });

  test('writes an object referenced twice in full, without anchors or aliases', () => {
    const labels = { app: 'x' };
    const doc = { metadata: { labels }, spec: { selector: labels } };
    expect(manifestsToYaml([doc])).toEqual('metadata:\n  labels:\n    app: x\nspec:\n  selector:\n    app: x\n');
    expect(Yaml.stringify(doc)).toContain('&a1');
  });
});
