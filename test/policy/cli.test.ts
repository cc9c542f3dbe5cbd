import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { PolicyExitCode, runPolicyCli } from '../../lib/policy';
import { container, goodSet } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runPolicyCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

function yamlOf(objects: unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

describe('cdk8s-go-platform check', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-cli-'));
    fs.mkdirSync(path.join(dir, 'good', 'nested'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'good', 'a.k8s.yaml'), yamlOf(goodSet().slice(0, 5)));
    fs.writeFileSync(path.join(dir, 'good', 'nested', 'b.k8s.yml'), yamlOf(goodSet().slice(5)));
    fs.writeFileSync(path.join(dir, 'good', 'construct-metadata.json'), '{"version":"1.0.0","resources":{}}');
    const bad = goodSet();
    container(bad).image = 'registry.example.com/orders:latest';
    fs.writeFileSync(path.join(dir, 'bad.yaml'), yamlOf(bad));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('passes a directory of valid manifests, read recursively, with exit code 0', () => {
    const r = run('check', '--external', 'Secret/shop/orders-db', path.join(dir, 'good'));
    expect(r.stdout).toBe('policy gate passed: 11 objects, 0 errors, 0 warnings\n');
    expect(r.code).toBe(PolicyExitCode.PASSED);
  });

  test('fails with exit code 1 and names rule, object, path and file', () => {
    const file = path.join(dir, 'bad.yaml');
    const r = run('check', '--external', 'Secret/shop/orders-db', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error   GP-IMAGE-TAG');
    expect(r.stdout).toContain('Deployment/shop/orders spec.template.spec.containers[0].image: image "registry.example.com/orders:latest" uses the mutable tag "latest"');
    expect(r.stdout).toContain(`${file}:47:11 · fix: `);
    // line 47, column 11 is the offending field itself
    expect(fs.readFileSync(file, 'utf8').split('\n')[46].slice(10)).toBe('image: registry.example.com/orders:latest');
    expect(r.stdout).toContain('policy gate failed: 11 objects, 1 error, 0 warnings');
  });

  test('reports the same object in two clusters as a duplicate unless --clusters checks each top-level folder apart', () => {
    // GIVEN the good set as two environments below one folder
    const out = path.join(dir, 'dist');
    for (const env of ['staging', 'production']) {
      fs.mkdirSync(path.join(out, env), { recursive: true });
      fs.writeFileSync(path.join(out, env, 'shop.k8s.yaml'), yamlOf(goodSet()));
    }

    // WHEN checked together, THEN every object of the second is a duplicate
    const together = run('check', '--json', '--external', 'Secret/shop/orders-db', out);
    const duplicates = JSON.parse(together.stdout).findings.filter((f: { ruleId: string }) => f.ruleId === 'GP-DUPLICATE');
    expect(together.code).toBe(PolicyExitCode.FAILED);
    expect(duplicates).toHaveLength(11);
    expect(duplicates[0].message).toBe(`Namespace/shop: duplicate object: ${path.join(out, 'production', 'shop.k8s.yaml')}#0 defines the same Namespace (apiVersion v1), and the later one overwrites the earlier when applied`);

    // WHEN each top-level folder is a cluster, THEN both pass
    const apart = run('check', '--clusters', '--external', 'Secret/shop/orders-db', out);
    expect(apart.stdout).toBe('policy gate passed: 22 objects, 0 errors, 0 warnings\n');
    expect(apart.code).toBe(PolicyExitCode.PASSED);
  });

  test('--clusters still finds a duplicate within one cluster', () => {
    const out = path.join(dir, 'dist');
    fs.mkdirSync(path.join(out, 'production'), { recursive: true });
    fs.writeFileSync(path.join(out, 'production', 'a.k8s.yaml'), yamlOf(goodSet()));
    fs.writeFileSync(path.join(out, 'production', 'b.k8s.yaml'), yamlOf(goodSet().filter((o) => o.kind === 'Deployment')));
    const r = run('check', '--clusters', '--external', 'Secret/shop/orders-db', out);
    expect(r.code).toBe(PolicyExitCode.FAILED);
    expect(r.stdout).toContain(`error   GP-DUPLICATE                 Deployment/shop/orders: duplicate object: ${path.join(out, 'production', 'a.k8s.yaml')}#`);
  });

  test('--json prints a parseable result', () => {
    const r = run('check', '--json', path.join(dir, 'bad.yaml'));
    const json = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(json).toMatchObject({ passed: false, errors: 1, warnings: 1, objects: 11 });
    expect(json.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['GP-IMAGE-TAG', 'GP-SECRET-MISSING']);
    expect(json.findings[0]).toMatchObject({
      severity: 'error',
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'orders' },
      path: 'spec.template.spec.containers[0].image',
      source: { file: path.join(dir, 'bad.yaml'), index: 3 },
    });
  });

  test('--strict-references makes a Secret nobody creates an error', () => {
    const file = path.join(dir, 'good', 'a.k8s.yaml');
    const relaxed = run('check', path.join(dir, 'good'));
    expect(relaxed.code).toBe(PolicyExitCode.PASSED);
    expect(relaxed.stdout).toContain('warning GP-SECRET-MISSING');
    const strict = run('check', '--strict-references', path.join(dir, 'good'));
    expect(strict.code).toBe(PolicyExitCode.FAILED);
    expect(strict.stdout).toContain('error   GP-SECRET-MISSING            Deployment/shop/orders spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: Secret "orders-db" is not in namespace "shop" of the set, no ExternalSecret or SealedSecret there creates it, and it is not declared external');
    expect(strict.stdout).toContain(file);
  });

  test('--disable and --warnings-as-errors', () => {
    expect(run('check', '--disable', 'GP-IMAGE-TAG,GP-REF-MISSING', path.join(dir, 'bad.yaml')).code).toBe(0);
    const noPolicy = path.join(dir, 'nopolicy.yaml');
    fs.writeFileSync(noPolicy, yamlOf(goodSet().filter((o) => o.kind !== 'NetworkPolicy')));
    expect(run('check', '--external', 'Secret/orders-db', noPolicy).code).toBe(0);
    expect(run('check', '--external', 'Secret/orders-db', '--warnings-as-errors', noPolicy).code).toBe(1);
  });

  test('--pss sets the profile of a namespace', () => {
    const set = goodSet();
    set[3].spec.template.spec.hostNetwork = true;
    const file = path.join(dir, 'host.yaml');
    fs.writeFileSync(file, yamlOf(set));
    expect(run('check', '--external', 'Secret/orders-db', file).code).toBe(1);
    expect(run('check', '--external', 'Secret/orders-db', '--pss', 'shop=privileged', file).code).toBe(0);
  });

  test.each([
    [['check'], 'no file or directory given'],
    [['check', '/nonexistent/dist'], '/nonexistent/dist: no such file or directory'],
    [['check', '--bogus', 'x'], 'unknown option --bogus'],
    [['check', '--pss', 'shop'], '--pss expects <namespace>=<level>'],
    [['check', '--default-pss', 'strict', 'x'], 'unknown Pod Security level "strict"'],
    [['check', '--disable', 'GP-NOPE', 'x'], 'unknown rule(s) GP-NOPE'],
    [['lint', 'x'], 'unknown command "lint"'],
  ])('usage error %j exits with 2', (argv, message) => {
    const r = run(...argv);
    expect(r.code).toBe(PolicyExitCode.USAGE);
    expect(r.stderr).toContain(message);
  });

  test('invalid YAML exits with 2', () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'kind: [unclosed\n');
    const r = run('check', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: document 0 is not valid YAML`);
  });

  test('rules lists every rule', () => {
    const r = run('rules');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GP-PSS-RUN-AS-NON-ROOT');
  });

  test('the bin script runs end to end as a process', () => {
    const bin = path.join(ROOT, 'bin', 'cdk8s-go-platform.ts');
    const tsx = ['--import', 'tsx', bin];
    const ok = execFileSync(process.execPath, [...tsx, 'check', '--json', '--external', 'Secret/orders-db', path.join(dir, 'good')], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(ok).passed).toBe(true);
    const failed = spawnSync(process.execPath, [...tsx, 'check', path.join(dir, 'bad.yaml')], { cwd: ROOT, encoding: 'utf8' });
    expect(failed.status).toBe(1);
    const usage = spawnSync(process.execPath, [...tsx, 'check'], { cwd: ROOT, encoding: 'utf8' });
    expect(usage.status).toBe(2);
  });
});
