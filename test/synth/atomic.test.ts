import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, YamlOutputType } from 'cdk8s';
import { EnvValue, Secret } from 'cdk8s-plus-27';
import { GoMicroservice, PodSecurityLevel, SynthError, synthApp, synthApps } from '../../lib';

// The `fs` module object itself (not the namespace copy an import makes), so
// a spy on it is what lib/synth calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('fs') as typeof fs;

/** Every file below `dir` (hidden ones too) with a hash of its bytes, by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.join(rel, d.name);
      if (d.isDirectory()) {
        out[`${p}/`] = '';
        walk(p);
      } else {
        out[p] = createHash('sha256').update(fs.readFileSync(path.join(dir, p))).digest('hex');
      }
    }
  };
  walk('');
  return out;
}

/** A small shop: users and orders, a chart each, in one environment. */
function shop(outdir: string, version: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  for (const name of ['users', 'orders']) {
    new GoMicroservice(new Chart(app, name, { namespace: 'shop', disableResourceNameHashes: true }), name, {
      image: `registry.example.com/${name}:${version}`,
    });
  }
  return app;
}

describe('synthApps is one transaction', () => {
  let root: string;
  let dist: string;
  let before: Record<string, string>;

  beforeEach(() => {
    // GIVEN a previous output of two environments, and a folder of another tool beside them
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-atomic-'));
    dist = path.join(root, 'dist');
    synthApps([shop(path.join(dist, 'staging'), '1.0.0'), shop(path.join(dist, 'production'), '1.0.0')], { warn: () => undefined });
    fs.mkdirSync(path.join(dist, 'local'));
    fs.writeFileSync(path.join(dist, 'local', 'cdk.tf.json'), '{}\n');
    before = tree(root);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['dist/staging/orders.k8s.yaml', 'dist/production/users.k8s.yaml', 'dist/local/cdk.tf.json']));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs a new version where the second app breaks; returns the error. */
  function failSecond(breakIt: (app: App) => void): SynthError {
    const staging = shop(path.join(dist, 'staging'), '2.0.0');
    const production = shop(path.join(dist, 'production'), '2.0.0');
    breakIt(production);
    try {
      synthApps([staging, production], { warn: () => undefined });
    } catch (e) {
      expect(e).toBeInstanceOf(SynthError);
      return e as SynthError;
    }
    throw new Error('synthApps did not fail');
  }

  test('replaces every output folder when all apps succeed, and leaves folders beside them alone', () => {
    // WHEN
    synthApps([shop(path.join(dist, 'staging'), '2.0.0'), shop(path.join(dist, 'production'), '2.0.0')], { warn: () => undefined });

    // THEN
    const after = tree(root);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(fs.readFileSync(path.join(dist, 'production', 'orders.k8s.yaml'), 'utf8')).toContain('image: registry.example.com/orders:2.0.0');
    expect(after['dist/local/cdk.tf.json']).toBe(before['dist/local/cdk.tf.json']);
  });

  test('a construct validation error in the second app leaves the previous output byte-identical', () => {
    // WHEN
    const err = failSecond((app) => {
      app.node.findChild('orders').node.findChild('orders').node.addValidation({ validate: () => ['route to port 81, which no service exposes'] });
    });

    // THEN
    expect(err.app).toBe(path.join(dist, 'production'));
    expect(err.message).toBe([
      `synth of app "${path.join(dist, 'production')}" failed; nothing was written: ${path.join(dist, 'staging')}, ${path.join(dist, 'production')} are as before`,
      'Validation failed with the following errors:',
      '  [orders/orders] route to port 81, which no service exposes',
    ].join('\n'));
    expect(tree(root)).toEqual(before);
  });

  test('a policy violation in the second app leaves the previous output byte-identical and names the construct path', () => {
    // WHEN
    const err = failSecond((app) => {
      const orders = app.node.findChild('orders').node.findChild('orders') as GoMicroservice;
      ApiObject.of(orders.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    });

    // THEN
    expect(err.app).toBe(path.join(dist, 'production'));
    expect(err.message).toContain('policy gate failed (1 finding):\n  [orders/orders/Deployment/Resource] GP-PSS-HOST-NAMESPACES Deployment/shop/orders spec.template.spec.hostNetwork: ');
    expect(tree(root)).toEqual(before);
  });

  test('the policy option is the gate\'s options; false skips the gate', () => {
    // GIVEN a second app whose orders run with host networking
    const hostNetwork = (app: App): void => {
      const orders = app.node.findChild('orders').node.findChild('orders') as GoMicroservice;
      ApiObject.of(orders.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    };
    const apps = (): App[] => {
      const production = shop(path.join(dist, 'production'), '2.0.0');
      hostNetwork(production);
      return [shop(path.join(dist, 'staging'), '2.0.0'), production];
    };

    // WHEN the namespace is exempted by option, or the gate is off, THEN synth succeeds
    synthApps(apps(), { warn: () => undefined, policy: { podSecurityLevels: { shop: PodSecurityLevel.PRIVILEGED } } });
    expect(fs.readFileSync(path.join(dist, 'production', 'orders.k8s.yaml'), 'utf8')).toContain('hostNetwork: true');
    synthApps(apps(), { warn: () => undefined, policy: false });

    // WHEN the options are the defaults, THEN it fails
    expect(() => synthApps(apps(), { warn: () => undefined, policy: {} })).toThrow('GP-PSS-HOST-NAMESPACES');
  });

  test('policy warnings go to warn and do not fail synth', () => {
    const warnings: string[] = [];
    const staging = shop(path.join(dist, 'staging'), '2.0.0');
    const users = staging.node.findChild('users').node.findChild('users') as GoMicroservice;
    users.deployment.containers[0].env.addVariable('DB', EnvValue.fromSecretValue({ secret: Secret.fromSecretName(staging, 'db', 'users-db'), key: 'url' }));
    synthApps([staging], { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`policy warnings in app "${path.join(dist, 'staging')}":\nwarning GP-SECRET-MISSING`);
  });

  test('two objects with the same name in different namespaces are fine', () => {
    const app = shop(path.join(dist, 'staging'), '2.0.0');
    new GoMicroservice(new Chart(app, 'billing', { namespace: 'billing', disableResourceNameHashes: true }), 'orders', { image: 'registry.example.com/orders:2.0.0' });
    synthApps([app], { warn: () => undefined });
    expect(fs.readdirSync(path.join(dist, 'staging')).sort()).toEqual(['billing.k8s.yaml', 'orders.k8s.yaml', 'users.k8s.yaml']);
  });

  test('a failure late in rendering (a later chart of the second app) leaves the previous output byte-identical', () => {
    // WHEN a value of the second app's last chart fails only when it is rendered
    const err = failSecond((app) => {
      const late = new Chart(app, 'late', { namespace: 'shop', disableResourceNameHashes: true });
      late.addDependency(app.node.findChild('orders') as Chart);
      new ApiObject(late, 'flags', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flags' },
        data: { mode: Lazy.any({ produce: () => { throw new Error('flags: feature service unreachable'); } }) },
      });
    });

    // THEN
    expect(err.message).toContain('flags: feature service unreachable');
    expect(tree(root)).toEqual(before);
  });

  test('two objects with the same kind, namespace and name in the second app fail with both construct paths', () => {
    // WHEN a second chart defines orders in namespace shop again
    const err = failSecond((app) => {
      new GoMicroservice(new Chart(app, 'orders-v2', { namespace: 'shop', disableResourceNameHashes: true }), 'orders', { image: 'registry.example.com/orders:2.0.0' });
    });

    // THEN
    const lines = err.message.split('\n');
    expect(lines[1]).toBe('duplicate objects:');
    expect(lines).toContain('  [orders-v2/orders/Deployment/Resource] Deployment "orders" in namespace "shop" (apps/v1) duplicates [orders/orders/Deployment/Resource]: the object applied last would replace the other; give one another name or namespace');
    expect(lines).toContain('  [orders-v2/orders/Service/Resource] Service "orders" in namespace "shop" (v1) duplicates [orders/orders/Service/Resource]: the object applied last would replace the other; give one another name or namespace');
    expect(tree(root)).toEqual(before);
  });

  test('a write failure while staging the second app leaves the previous output byte-identical', () => {
    // GIVEN the disk fails on the second app's files
    const write = nodeFs.writeFileSync;
    jest.spyOn(nodeFs, 'writeFileSync').mockImplementation((file, ...rest) => {
      if (String(file).includes(`${path.sep}.production.synth-`)) {
        throw new Error('ENOSPC: no space left on device');
      }
      return write(file, ...rest);
    });

    // WHEN
    const err = failSecond(() => undefined);

    // THEN
    expect(err.app).toBe(path.join(dist, 'production'));
    expect(err.message).toContain('failed while writing; nothing was written');
    expect(err.message).toContain('ENOSPC: no space left on device');
    expect(tree(root)).toEqual(before);
  });

  test('a failure moving the second app into place puts the first one back', () => {
    // GIVEN the rename of the second app's staging folder fails, after the first was swapped in
    const rename = nodeFs.renameSync;
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      if (/\.production\.synth-[^.]+$/.test(String(from)) && String(to) === path.join(dist, 'production')) {
        throw new Error('EXDEV: cross-device link not permitted');
      }
      return rename(from, to);
    });

    // WHEN
    const err = failSecond(() => undefined);

    // THEN
    expect(err.message).toContain('failed while moving its output into place; nothing was written');
    expect(tree(root)).toEqual(before);
  });

  test('says when an output folder did not exist before (cdk8s synth deletes it before running the app)', () => {
    // GIVEN the output was deleted before the run, as `cdk8s synth` does
    fs.rmSync(dist, { recursive: true, force: true });

    // WHEN
    const err = failSecond((app) => {
      app.node.findChild('orders').node.addValidation({ validate: () => ['broken'] });
    });

    // THEN nothing half-written is left
    expect(err.message.split('\n')[0]).toBe(`synth of app "${path.join(dist, 'production')}" failed; nothing was written: ${path.join(dist, 'staging')}, ${path.join(dist, 'production')} are as before (${path.join(dist, 'staging')}, ${path.join(dist, 'production')} did not exist before this run; \`cdk8s synth\` deletes its output folder before it runs the app)`);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('rejects apps whose output folders overlap', () => {
    expect(() => synthApps([shop(dist, '1.0.0'), shop(path.join(dist, 'production'), '1.0.0')]))
      .toThrow(`apps "${dist}" and "${path.join(dist, 'production')}" write to overlapping output folders: give each app a folder of its own`);
    expect(tree(root)).toEqual(before);
  });

  test('synthApp is the same transaction for one app', () => {
    const app = shop(path.join(dist, 'staging'), '2.0.0');
    app.node.findChild('users').node.addValidation({ validate: () => ['broken'] });
    expect(() => synthApp(app)).toThrow(SynthError);
    expect(tree(root)).toEqual(before);
  });
});
