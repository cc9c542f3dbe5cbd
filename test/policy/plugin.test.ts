import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { PolicyValidation } from '../../lib/policy';
import { container, goodSet } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

// cdk8s-cli exports only its plugin types, not the classes the CLI itself uses: load them by path.
const CLI = path.dirname(require.resolve('cdk8s-cli/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require(path.join(CLI, 'lib', 'plugins', 'validation')) as typeof import('cdk8s-cli/lib/plugins/validation');

describe('cdk8s validation plugin', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-plugin-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function manifest(objects: unknown[]): string {
    const file = path.join(dir, `chart-${fs.readdirSync(dir).length}.k8s.yaml`);
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    return file;
  }

  test('submits success when the manifests pass', async () => {
    // GIVEN
    const context = new ValidationContext([manifest(goodSet())], 'cdk8s-go-platform', '0.1.0', {}, false);
    // WHEN
    await new PolicyValidation({ external: ['Secret/orders-db'] }).validate(context);
    // THEN
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().violations).toEqual([]);
    expect(context.report.toJson().summary.metadata).toEqual({ errors: '0', warnings: '0' });
  });

  test('checks at the kubernetesVersion property (1.27 by default)', async () => {
    // GIVEN a sleep pre-stop hook, in the Kubernetes API from 1.29
    const set = goodSet();
    container(set).lifecycle = { preStop: { sleep: { seconds: 5 } } };
    const file = manifest(set);
    const at = async (options: { kubernetesVersion?: string }) => {
      const context = new ValidationContext([file], 'cdk8s-go-platform', '0.1.0', {}, false);
      await new PolicyValidation({ external: ['Secret/orders-db'], ...options }).validate(context);
      return context.report;
    };
    // THEN
    const stale = await at({});
    expect(stale.success).toBe(false);
    expect(stale.toJson().violations.map((v) => v.ruleName)).toEqual(['GP-SCHEMA-VERSION [error] No kind or field newer than the target Kubernetes version']);
    expect((await at({ kubernetesVersion: '1.30' })).success).toBe(true);
  });

  test('submits failure with one violation per rule, naming resource, location and manifest', async () => {
    // GIVEN
    const set = goodSet();
    container(set).image = 'registry.example.com/orders';
    const file = manifest(set);
    const context = new ValidationContext([file], 'cdk8s-go-platform', '0.1.0', { orders: { path: 'app/shop/orders/Deployment' } }, false);
    // WHEN
    await new PolicyValidation({ external: ['Secret/orders-db'] }).validate(context);
    // THEN
    expect(context.report.success).toBe(false);
    const json = context.report.toJson();
    expect(json.violations).toEqual([{
      ruleName: 'GP-IMAGE-TAG [error] Images are pinned by a version tag or digest (no missing tag, no latest)',
      recommendation: 'Mutable tags make rollouts and rollbacks run code nobody reviewed.',
      fix: 'Use an immutable version tag (registry/app:1.4.2) or a digest (@sha256:...).',
      violatingConstructs: [{
        resourceName: 'orders',
        constructPath: 'app/shop/orders/Deployment',
        manifestPath: file,
        locations: ['Deployment/shop/orders spec.template.spec.containers[0].image: image "registry.example.com/orders" has no tag: pin a version tag or a digest', `${file}:47:11`],
      }],
    }]);
    expect(context.report.toString()).toContain('GP-IMAGE-TAG');
  });

  test('warnings are reported without failing synth', async () => {
    const context = new ValidationContext([manifest(goodSet().filter((o) => o.kind !== 'NetworkPolicy'))], 'p', '1.0.0', {}, false);
    await new PolicyValidation({ external: ['Secret/orders-db'] }).validate(context);
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().violations.map((v) => v.ruleName)).toEqual(['GP-NETWORK-POLICY [warning] A NetworkPolicy selects every workload']);
  });

  test('clusterFolders checks each top-level folder of the output apart', async () => {
    // GIVEN the same objects in two environment folders
    const files = ['staging', 'production'].map((env) => {
      fs.mkdirSync(path.join(dir, env));
      const file = path.join(dir, env, 'shop.k8s.yaml');
      fs.writeFileSync(file, goodSet().map((o) => stringify(o)).join('---\n'));
      return file;
    });

    // WHEN checked as one set, THEN the second copy collides with the first
    const together = new ValidationContext(files, 'p', '1.0.0', {}, false);
    await new PolicyValidation({ external: ['Secret/orders-db'] }).validate(together);
    expect(together.report.success).toBe(false);
    expect(together.report.toJson().violations.map((v) => v.ruleName)).toEqual(['GP-DUPLICATE [error] No two objects with the same API group, kind, namespace and name in one cluster']);

    // WHEN each folder is a cluster, THEN both pass
    const apart = new ValidationContext(files, 'p', '1.0.0', {}, false);
    await new PolicyValidation({ external: ['Secret/orders-db'], clusterFolders: true }).validate(apart);
    expect(apart.report.success).toBe(true);
  });

  test('strictReferences fails synth on a Secret nobody creates; by default it is a warning', async () => {
    const relaxed = new ValidationContext([manifest(goodSet())], 'p', '1.0.0', {}, false);
    await new PolicyValidation().validate(relaxed);
    expect(relaxed.report.success).toBe(true);
    expect(relaxed.report.toJson().violations.map((v) => v.ruleName)).toEqual([expect.stringMatching(/^GP-SECRET-MISSING \[warning\] /)]);

    const strict = new ValidationContext([manifest(goodSet())], 'p', '1.0.0', {}, false);
    await new PolicyValidation({ strictReferences: true }).validate(strict);
    expect(strict.report.success).toBe(false);
    expect(strict.report.toJson().violations.map((v) => v.ruleName)).toEqual([expect.stringMatching(/^GP-SECRET-MISSING \[error\] /)]);
  });

  test('cdk8s-cli loads the plugin from this repository without a build', () => {
    // The way `cdk8s synth` does it: a local path relative to the project, a pinned version, a class name.
    const file = manifest(goodSet());
    const script = `
      const cli = require('path').dirname(require.resolve('cdk8s-cli/package.json'));
      const { ValidationPlugin } = require(cli + '/lib/plugins/validation');
      const { PluginManager } = require(cli + '/lib/plugins/_manager');
      const config = { package: './lib/policy/cdk8s-plugin.js', version: '0.1.0', class: 'PolicyValidation', properties: { external: ['Secret/orders-db'] } };
      const { plugin, context } = ValidationPlugin.load(config, { manifests: [${JSON.stringify(file)}] }, false, new PluginManager('.cdk8s-plugins'));
      plugin.validate(context).then(() => console.log(JSON.stringify(context.report.toJson().summary)));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ status: 'success', version: '0.1.0', metadata: { errors: '0', warnings: '0' } });
  });
});
