import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import * as semver from 'semver';
import { synthApp } from '../../lib';
import { cdk8sInternalsPresent } from '../../lib/synth/synth-app';

// synthApp's fast path relies on cdk8s behaviour that is not public API. These
// tests pin each piece against the installed cdk8s, which must be in the range
// package.json promises (scripts/ci-cdk8s-range.sh runs them against the
// lowest release of that range too). When one fails after a cdk8s upgrade,
// synthApp must change before the range is widened.

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
const installed = (JSON.parse(fs.readFileSync(require.resolve('cdk8s/package.json'), 'utf8')) as { version: string }).version;

interface Internals {
  _synthChart?: (chart: Chart) => unknown[];
}

function configMap(scope: Construct, id: string): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-internals-'));
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('the cdk8s internals synthApp relies on', () => {
  test(`the installed cdk8s (${installed}) is in the supported range`, () => {
    expect(semver.satisfies(installed, pkg.peerDependencies.cdk8s)).toBe(true);
  });

  test('App._synthChart exists and Chart.toJson() goes through it', () => {
    // GIVEN
    const internals = App as unknown as Internals;
    expect(typeof internals._synthChart).toBe('function');
    const chart = new Chart(new App(), 'a');
    configMap(chart, 'flags');
    const spy = jest.spyOn(internals as Required<Internals>, '_synthChart');

    // WHEN
    const json = chart.toJson();

    // THEN
    expect(spy).toHaveBeenCalledWith(chart);
    expect(json).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flags' } }]);
    spy.mockRestore();
  });

  test('one chart\'s toJson() validates every construct of the app, in other charts too', () => {
    // GIVEN a failing validation in the second chart
    const app = new App();
    const first = new Chart(app, 'first');
    configMap(first, 'one');
    const second = new Chart(app, 'second');
    configMap(second, 'two').node.addValidation({ validate: () => ['second is broken'] });

    // WHEN / THEN
    expect(() => first.toJson()).toThrow('Validation failed with the following errors:\n  [second/two] second is broken');
  });

  test('one chart\'s toJson() turns dependencies across charts into chart dependencies (app.charts order)', () => {
    // GIVEN an object of the first chart that depends on one of the second
    const app = new App();
    const first = new Chart(app, 'first');
    const second = new Chart(app, 'second');
    const a = configMap(first, 'a');
    const b = configMap(second, 'b');
    a.addDependency(b);
    expect(app.charts).toEqual([first, second]);

    // WHEN
    first.toJson();

    // THEN the chart order follows the object dependency
    expect(first.node.dependencies).toContain(second);
    expect(app.charts).toEqual([second, first]);
  });

  test('App.recordConstructMetadata holds the recordConstructMetadata prop', () => {
    const read = (app: App): unknown => (app as unknown as { recordConstructMetadata?: unknown }).recordConstructMetadata;
    expect(read(new App({ recordConstructMetadata: true }))).toBe(true);
    expect(read(new App({ recordConstructMetadata: false }))).toBe(false);
    expect(cdk8sInternalsPresent(new App())).toBe(true);
  });
});

describe('synthApp without those internals', () => {
  function build(outdir: string): App {
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, recordConstructMetadata: false });
    const users = new Chart(app, 'users');
    const orders = new Chart(app, 'orders');
    configMap(orders, 'orders-flags').addDependency(configMap(users, 'users-flags'));
    return app;
  }

  test('falls back to app.synth() with a warning when App.recordConstructMetadata is absent', () => {
    // GIVEN
    const dir = tmp();
    build(path.join(dir, 'expected')).synth();
    const app = build(path.join(dir, 'actual'));
    Object.defineProperty(app, 'recordConstructMetadata', { value: undefined });
    const warnings: string[] = [];

    // WHEN
    synthApp(app, { warn: (m) => warnings.push(m), policy: false });

    // THEN
    expect(warnings).toEqual([`synthApp: this cdk8s release lacks App._synthChart or App.recordConstructMetadata; "${path.join(dir, 'actual')}" is rendered with app.synth(), which validates the app once per chart`]);
    expect(files(path.join(dir, 'actual'))).toEqual(files(path.join(dir, 'expected')));
    expect(Object.keys(files(path.join(dir, 'actual')))).toEqual(['0000-users.k8s.yaml', '0001-orders.k8s.yaml']);
  });

  test('detects a cdk8s without App._synthChart', () => {
    const internals = App as unknown as Internals;
    const original = internals._synthChart;
    try {
      delete internals._synthChart;
      expect(cdk8sInternalsPresent(new App())).toBe(false);
    } finally {
      internals._synthChart = original;
    }
    expect(cdk8sInternalsPresent(new App())).toBe(true);
  });
});
