import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { WorkflowActionStep, WorkflowRunStep, WorkflowStep } from '../../lib/docker';
import { INIT_APP_COMMAND, INIT_DIFF_FAIL_ON, INIT_DIFF_MARKER, INIT_PLUGIN_PATH, initProject, initWorkflow, runInit, testedVersions } from '../../lib/init';

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
    for (const tool of ['cdk8s-cli', 'esbuild', 'jest', 'ts-jest', 'typescript', '@types/jest', '@types/node']) {
      expect(pkg.devDependencies[tool]).toBe(PKG.devDependencies[tool]);
      expect(pkg.devDependencies[tool]).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(pkg.scripts).toEqual({
      synth: 'cdk8s synth --check-upgrade=false',
      test: 'jest',
      typecheck: 'tsc --noEmit',
      gate: 'cdk8s-go-platform check dist/staging && cdk8s-go-platform check dist/production',
    });
    // every install script is reviewed: npm 11.16+ lists none, npm 12 runs esbuild's and skips backport's
    expect(pkg.allowScripts).toEqual({ esbuild: true, backport: false });
    expect(testedVersions().self).toBe(PKG.version);
  });

  test('cdk8s.yaml bundles main.ts with esbuild (transpile only) and loads the policy gate plugin module, one cluster per environment folder', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const config = parse(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8'));

    expect(config).toEqual({
      language: 'typescript',
      app: './node_modules/.bin/esbuild main.ts --bundle --platform=node --target=node20 --packages=external --log-level=warning --outfile=build/synth/main.js && node build/synth/main.js',
      output: 'dist',
      validations: [{
        package: './node_modules/cdk8s-go-platform/build/lib/policy/plugin.js', version: PKG.version, class: 'PolicyValidation',
        properties: { clusterFolders: true },
      }],
    });
    expect(config.app).toBe(INIT_APP_COMMAND);
  });

  test('the plugin path is where the package ships PolicyValidation, the class the root entry exports', () => {
    // GIVEN the package layout: lib/ compiles to build/lib/ (package.json#files ships build/lib)
    const source = path.join(ROOT, INIT_PLUGIN_PATH.replace('./node_modules/cdk8s-go-platform/build/', '').replace(/\.js$/, '.ts'));
    // THEN
    expect(PKG.files).toContain('build/lib');
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions.outDir).toBe('build');
    expect(fs.existsSync(source)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require(source).PolicyValidation).toBe(require('../../lib').PolicyValidation);
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

  test('the workflow passes the GitHub workflow schema (action-validator) and is the workflow data', () => {
    const dir = path.join(tmp, 'p');
    initProject(dir);
    const text = fs.readFileSync(path.join(dir, '.github/workflows/platform.yml'), 'utf8');

    expect(validateWorkflow(text).errors).toEqual([]);
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(initWorkflow())));
    expect(text.split('\n')[0]).toBe('# CI of the platform repo, written by `cdk8s-go-platform init`.');
    expect(text).toMatchSnapshot();
  });

  test('pushes and pull requests run npm ci, the type-check, the tests, synth, the gate and the stale dist/ check, with a read-only token', () => {
    const workflow = initWorkflow();
    const job = workflow.jobs.platform;
    const runs = job.steps.filter((s): s is WorkflowRunStep => 'run' in s).map((s) => s.run.trim());

    expect(workflow.on).toEqual({ push: { branches: ['main'] }, pull_request: {} });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'read' });
    expect(job.if).toBeUndefined();
    expect(runs.slice(0, 5)).toEqual(['npm ci', 'npm run typecheck', 'npm test', 'npm run synth', 'npm run gate']);
    expect(runs[5]).toContain('git diff --exit-code --stat -- dist');
  });

  test('pull requests get a diff job: the only job that may write, and only to pull requests', () => {
    const diff = initWorkflow().jobs.diff;
    const step = (name: string): WorkflowStep => diff.steps.find((s) => s.name === name)!;

    expect(diff.if).toBe("github.event_name == 'pull_request'");
    expect(diff.needs).toEqual(['platform']);
    expect(diff.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
    // The merge commit and its parents: the base's dist/ comes from git, not from a second synth.
    expect((step('Check out') as WorkflowActionStep).with).toEqual({ 'fetch-depth': 2, 'persist-credentials': false });
    expect((step('Install') as WorkflowRunStep).run).toBe('npm ci --omit=dev');
    const run = (step('Diff dist/ against the base branch') as WorkflowRunStep).run;
    expect(run).toContain("git archive 'HEAD^1' dist | tar -x -C \"$base\"");
    expect(run).toContain('npx cdk8s-go-platform diff "$old" "$new" --format markdown --title "$cluster" >> "$out"');
    expect(run).toContain(`echo '${INIT_DIFF_MARKER}'`);
    expect(run).toContain('cat "$out" >> "$GITHUB_STEP_SUMMARY"');
  });

  test('the comment is found by its marker and updated, and skipped where the token cannot write (forks, Dependabot)', () => {
    const comment = initWorkflow().jobs.diff.steps.find((s) => s.name === 'Post or update the pull request comment') as WorkflowRunStep;

    expect(comment.if).toBe("github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'");
    expect(comment.env).toEqual({ GH_TOKEN: '${{ github.token }}', PR_NUMBER: '${{ github.event.pull_request.number }}' });
    expect(comment.run).toContain(`marker='${INIT_DIFF_MARKER}'`);
    expect(comment.run).toContain('gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id"');
    expect(comment.run).toContain('gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments"');
    // No expression is expanded inside a script: values reach it through env.
    for (const job of Object.values(initWorkflow().jobs)) {
      for (const s of job.steps) {
        expect('run' in s ? s.run : '').not.toContain('${{');
      }
    }
  });

  test('the pull request check fails on the risks of INIT_DIFF_FAIL_ON, after the comment', () => {
    const steps = initWorkflow().jobs.diff.steps;
    const fail = steps[steps.length - 1] as WorkflowRunStep;

    expect(INIT_DIFF_FAIL_ON).toEqual(['immutable-field', 'storage']);
    expect(fail.name).toBe('Fail on risky changes');
    expect(fail.env).toEqual({ FAIL_ON: 'immutable-field,storage' });
    expect(fail.run).toContain('--fail-on "$FAIL_ON"');
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
