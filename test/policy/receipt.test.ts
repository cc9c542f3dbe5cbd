import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { GoMicroservice, PolicyValidation, synthApps } from '../../lib';
import { GATE_RECEIPT_FILE } from '../../lib/policy/receipt';

// cdk8s-cli exports only its plugin types, not the classes the CLI itself uses: load them by path.
const CLI = path.dirname(require.resolve('cdk8s-cli/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require(path.join(CLI, 'lib', 'plugins', 'validation')) as typeof import('cdk8s-cli/lib/plugins/validation');

/**
 * Two environments, each a folder of dist/, as the scaffolded repo writes
 * them; `underCdk8sSynth` sets the variables the cdk8s CLI gives its app
 * when validation plugins are configured.
 */
function platform(dist: string, underCdk8sSynth: boolean, image = 'registry.example.com/shop/api:1.0.0'): App[] {
  if (underCdk8sSynth) {
    process.env.CDK8S_OUTDIR = dist;
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
  } else {
    delete process.env.CDK8S_OUTDIR;
    delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
  }
  return ['staging', 'production'].map((env) => {
    const app = new App({ outdir: path.join(dist, env), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    new GoMicroservice(new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true }), 'api', { image });
    return app;
  });
}

function manifestsOf(dist: string): string[] {
  return ['staging', 'production'].flatMap((env) => fs.readdirSync(path.join(dist, env)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dist, env, f)));
}

async function validate(dist: string, options: ConstructorParameters<typeof PolicyValidation>[0] = { clusterFolders: true }) {
  const context = new ValidationContext(manifestsOf(dist), 'cdk8s-go-platform', '0.1.0', {}, false);
  await new PolicyValidation(options).validate(context);
  return context.report;
}

describe('the gate receipt between synthApps and the cdk8s plugin', () => {
  let dist: string;
  beforeEach(() => { dist = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'receipt-')), 'dist'); });
  afterEach(() => {
    delete process.env.CDK8S_OUTDIR;
    delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    fs.rmSync(path.dirname(dist), { recursive: true, force: true });
  });

  test('synthApps leaves a receipt only under cdk8s synth with validations (CDK8S_OUTDIR, CDK8S_RECORD_CONSTRUCT_METADATA)', () => {
    synthApps(platform(dist, false));
    expect(fs.existsSync(path.join(dist, 'staging', GATE_RECEIPT_FILE))).toBe(false);
    // An app that records construct metadata by itself is no cdk8s synth run.
    const own = new App({ outdir: path.join(dist, 'own'), yamlOutputType: YamlOutputType.FILE_PER_CHART, recordConstructMetadata: true });
    new GoMicroservice(new Chart(own, 'shop', { namespace: 'shop', disableResourceNameHashes: true }), 'api', { image: 'registry.example.com/shop/api:1.0.0' });
    synthApps([own]);
    expect(fs.readdirSync(path.join(dist, 'own')).sort()).toEqual(['construct-metadata.json', 'shop.k8s.yaml']);

    synthApps(platform(dist, true));
    const receipt = JSON.parse(fs.readFileSync(path.join(dist, 'staging', GATE_RECEIPT_FILE), 'utf8'));
    expect(receipt.receipt).toBe(1);
    expect(receipt.gate).toBe(require.resolve('../../lib/policy/receipt'));
    expect(receipt.options).toBe('{"kubernetesVersion":"1.27"}');
    expect(Object.keys(receipt.files)).toEqual(['shop.k8s.yaml']);
    expect(receipt.files['shop.k8s.yaml']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('no receipt when the gate found a warning: the plugin reports it again', () => {
    const warnings: string[] = [];
    // GIVEN staging's api without a readiness probe (GP-PROBES, a warning)
    const apps = platform(dist, true);
    const api = apps[0].charts[0].node.findChild('api') as GoMicroservice;
    ApiObject.of(api.deployment).addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/readinessProbe'));
    // WHEN
    synthApps(apps, { warn: (m) => warnings.push(m) });
    // THEN
    expect(warnings.length).toBe(1);
    expect(fs.existsSync(path.join(dist, 'staging', GATE_RECEIPT_FILE))).toBe(false);
    expect(fs.existsSync(path.join(dist, 'production', GATE_RECEIPT_FILE))).toBe(true);
  });

  test('the plugin accepts a receipt that matches the bytes and options, checks nothing again, and removes it', async () => {
    synthApps(platform(dist, true));

    const report = await validate(dist);

    expect(report.success).toBe(true);
    expect(report.toJson().summary.metadata).toEqual({ 'errors': '0', 'warnings': '0', 'checked by synthApps': '2 of 2 files (receipt verified)' });
    expect(fs.existsSync(path.join(dist, 'staging', GATE_RECEIPT_FILE))).toBe(false);
    expect(fs.existsSync(path.join(dist, 'production', GATE_RECEIPT_FILE))).toBe(false);
  });

  test('a file changed after synth is checked: the receipt no longer matches', async () => {
    // GIVEN staging's image unpinned by hand after synth
    synthApps(platform(dist, true));
    const file = path.join(dist, 'staging', 'shop.k8s.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('registry.example.com/shop/api:1.0.0', 'registry.example.com/shop/api'));

    const report = await validate(dist);

    // THEN staging is checked and fails; production alone is proven
    expect(report.success).toBe(false);
    expect(report.toJson().violations.map((v) => v.ruleName)).toContain('GP-IMAGE-TAG [error] Images are pinned by a version tag or digest (no missing tag, no latest)');
    expect(report.toJson().summary.metadata?.['checked by synthApps']).toBe('1 of 2 files (receipt verified)');
  });

  test('other options, a file the receipt does not name, or one cluster for all folders: checked as usual', async () => {
    const unproven = async (change: () => void, options?: ConstructorParameters<typeof PolicyValidation>[0]) => {
      synthApps(platform(dist, true));
      change();
      const report = await validate(dist, options);
      return report.toJson().summary.metadata?.['checked by synthApps'];
    };
    expect(await unproven(() => undefined, { clusterFolders: true, kubernetesVersion: '1.30' })).toBeUndefined();
    expect(await unproven(() => undefined, { clusterFolders: true, defaultNamespace: 'default' })).toBeUndefined();
    // (one cluster: the two environments' objects are duplicates of each other, which synthApps never checked)
    expect(await unproven(() => undefined, { clusterFolders: false })).toBeUndefined();
    expect(await unproven(() => fs.copyFileSync(path.join(dist, 'staging', 'shop.k8s.yaml'), path.join(dist, 'staging', 'copy.k8s.yaml')), { clusterFolders: true }))
      .toBe('1 of 3 files (receipt verified)');
  });

  test('a receipt of another copy of the gate is not accepted', async () => {
    synthApps(platform(dist, true));
    const file = path.join(dist, 'staging', GATE_RECEIPT_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"gate": "[^"]*"/, '"gate": "/elsewhere/node_modules/cdk8s-go-platform/build/lib/policy/receipt.js"'));

    const report = await validate(dist);

    expect(report.toJson().summary.metadata?.['checked by synthApps']).toBe('1 of 2 files (receipt verified)');
  });
});
