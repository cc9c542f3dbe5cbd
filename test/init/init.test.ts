import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { initProject, runInit, testedVersions } from '../../lib/init';

const ROOT = path.join(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const FILES = [
  'package.json',
  'tsconfig.json',
  'cdk8s.yaml',
  'main.ts',
  'main.test.ts',
  'jest.config.js',
  '.gitignore',
  '.github/workflows/platform.yml',
];

function capture(): { io: { stdout(t: string): void; stderr(t: string): void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (t) => (out += t), stderr: (t) => (err += t) }, out: () => out, err: () => err };
}

describe('cdk8s-go-platform init', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'init-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes every file of the platform repo into a new folder', () => {
    const dir = path.join(tmp, 'my-platform');
    const result = initProject(dir);

    expect(result.written).toEqual(FILES);
    expect(result.skipped).toEqual([]);
    for (const f of FILES) {
      expect(fs.existsSync(path.join(dir, f))).toBe(true);
    }
  });

  test('package.json pins the tested versions of the peers and tools', () => {
    const dir = path.join(tmp, 'my-platform');
    initProject(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));

    expect(pkg.name).toBe('my-platform');
    expect(pkg.dependencies).toEqual({
      'cdk8s-go-platform': `^${PKG.version}`,
      'cdk8s': PKG.devDependencies.cdk8s,
      'cdk8s-plus-27': PKG.devDependencies['cdk8s-plus-27'],
      'constructs': PKG.devDependencies.constructs,
    });
    for (const tool of ['cdk8s-cli', 'jest', 'ts-jest', 'tsx', 'typescript', '@types/jest', '@types/node']) {
      expect(pkg.devDependencies[tool]).toBe(PKG.devDependencies[tool]);
      expect(pkg.devDependencies[tool]).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(pkg.scripts).toEqual({
      synth: 'cdk8s synth --check-upgrade=false',
      test: 'jest',
      typecheck: 'tsc --noEmit',
      gate: 'cdk8s-go-platform check dist/staging && cdk8s-go-platform check dist/production',
    });
    expect(testedVersions().self).toBe(PKG.version);
  });

  test('cdk8s.yaml runs main.ts transpile-only and loads the policy gate from the installed package, one cluster per environment folder', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const config = parse(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8'));

    expect(config).toEqual({
      language: 'typescript',
      app: 'node --import tsx main.ts',
      output: 'dist',
      validations: [{
        package: './node_modules/cdk8s-go-platform', version: PKG.version, class: 'PolicyValidation',
        properties: { clusterFolders: true },
      }],
    });
  });

  test('tsconfig is strict, CommonJS, without skipLibCheck', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));

    expect(tsconfig.compilerOptions.strict).toBe(true);
    expect(tsconfig.compilerOptions.module).toBe('commonjs');
    expect(tsconfig.compilerOptions.skipLibCheck).toBeUndefined();
  });

  test('main.ts builds both environments with synthApp; the test snapshots and runs the gate', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const main = fs.readFileSync(path.join(dir, 'main.ts'), 'utf8');
    const spec = fs.readFileSync(path.join(dir, 'main.test.ts'), 'utf8');

    expect(main).toContain("name: 'staging'");
    expect(main).toContain("name: 'production'");
    for (const used of ['new GoMicroservice(', 'new SecureIngress(', 'edge.addRoute(', 'new ObservabilityStack(', 'synthApp(app)']) {
      expect(main).toContain(used);
    }
    expect(spec).toContain("from 'cdk8s-go-platform/jest'");
    expect(spec).toContain('toPassPolicies()');
    expect(spec).toContain('toMatchSnapshot()');
  });

  test('the workflow runs npm ci, the tests, synth, the gate and the stale dist/ check', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const workflow = parse(fs.readFileSync(path.join(dir, '.github/workflows/platform.yml'), 'utf8'));
    const runs = workflow.jobs.platform.steps.filter((s: { run?: string }) => s.run !== undefined).map((s: { run: string }) => s.run.trim());

    expect(runs.slice(0, 5)).toEqual(['npm ci', 'npm run typecheck', 'npm test', 'npm run synth', 'npm run gate']);
    expect(runs[5]).toContain('git diff --exit-code --stat -- dist');
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  test('refuses a folder that is not empty and writes nothing', () => {
    fs.writeFileSync(path.join(tmp, 'README.md'), '# mine\n');
    const c = capture();

    expect(runInit([tmp], c.io)).toBe(2);
    expect(c.err()).toBe(`cdk8s-go-platform init: ${tmp} is not empty (README.md): use an empty folder, or --force to add the files that are missing (existing files are kept)\n`);
    expect(fs.readdirSync(tmp)).toEqual(['README.md']);
  });

  test('--force writes the missing files and keeps existing ones as they are', () => {
    fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"mine"}\n');
    fs.writeFileSync(path.join(tmp, 'README.md'), '# mine\n');
    const c = capture();

    expect(runInit(['--force', tmp, '--name', 'mine'], c.io)).toBe(0);

    expect(fs.readFileSync(path.join(tmp, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
    expect(fs.readFileSync(path.join(tmp, 'README.md'), 'utf8')).toBe('# mine\n');
    expect(fs.existsSync(path.join(tmp, 'main.ts'))).toBe(true);
    expect(c.out()).toContain('  kept    package.json (exists; not replaced)\n');
    expect(c.out()).toContain('  created main.ts\n');
    expect(c.out()).toContain('Existing files were kept');
  });

  test('initializes the current folder when no directory is given, named after it', () => {
    const dir = path.join(tmp, 'shop-platform');
    fs.mkdirSync(dir);
    const c = capture();

    expect(runInit([], c.io, dir)).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('shop-platform');
    expect(c.out()).toContain('  cd .\n');
  });

  test('rejects a folder name that is no npm package name unless --name is given', () => {
    const dir = path.join(tmp, 'My Platform');
    const c = capture();

    expect(runInit([dir], c.io)).toBe(2);
    expect(c.err()).toBe('cdk8s-go-platform init: package name "my platform" is not a valid npm package name: lower-case letters, digits, ".", "_" and "-"; pass --name\n');
    expect(runInit([dir, '--name', 'my-platform'], capture().io)).toBe(0);
  });

  test('rejects unknown options and extra arguments', () => {
    const a = capture();
    expect(runInit(['--yes'], a.io, tmp)).toBe(2);
    expect(a.err()).toBe('cdk8s-go-platform init: unknown option "--yes"\n');
    const b = capture();
    expect(runInit(['a', 'b'], b.io, tmp)).toBe(2);
    expect(b.err()).toBe('cdk8s-go-platform init: one directory expected, got 2: a b\n');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('a path that is a file is refused', () => {
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, '');
    const c = capture();
    expect(runInit([file], c.io)).toBe(2);
    expect(c.err()).toBe(`cdk8s-go-platform init: ${file} is not a folder\n`);
  });
});
