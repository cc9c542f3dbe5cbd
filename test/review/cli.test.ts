import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ReviewExitCode, runReviewCli } from '../../lib/review/cli';
import { shop } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

// Rendering the example platform and starting a child node process take seconds on a busy machine.
jest.setTimeout(120_000);

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runReviewCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('cdk8s-go-platform graph and diff', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
    fs.mkdirSync(path.join(dir, 'old'));
    fs.mkdirSync(path.join(dir, 'new'));
    fs.writeFileSync(path.join(dir, 'old', 'shop.k8s.yaml'), shop().map((m) => stringify(m)).join('---\n'));
    const after = shop();
    after[0].spec.template.spec.containers[0].image = 'registry.example.com/orders:latest';
    fs.writeFileSync(path.join(dir, 'new', 'shop.k8s.yaml'), after.map((m) => stringify(m)).join('---\n'));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('graph prints DOT, Mermaid and JSON; the title defaults to the directory name', async () => {
    const dot = await run('graph', path.join(dir, 'old'), '--format', 'dot');
    expect(dot.code).toBe(ReviewExitCode.OK);
    expect(dot.stdout).toMatch(/^digraph platform \{\n {2}graph \[rankdir=LR, fontname="Courier", .*label="old"\];/);
    const mermaid = await run('graph', path.join(dir, 'old'), '--format', 'mermaid', '--title', 'shop');
    expect(mermaid.stdout.split('\n').slice(0, 4)).toEqual(['---', 'title: "shop"', '---', 'flowchart LR']);
    const json = JSON.parse((await run('graph', path.join(dir, 'old'), '--format', 'json')).stdout);
    expect(json.nodes.map((n: { id: string }) => n.id)).toContain('workload:shop/Deployment/orders');
  });

  test('graph renders SVG with Graphviz: one <g class="node"> per node, one edge group per edge', async () => {
    const svg = (await run('graph', path.join(dir, 'old'))).stdout;
    const json = JSON.parse((await run('graph', path.join(dir, 'old'), '--format', 'json')).stdout);
    expect(svg).toMatch(/<svg [^>]*viewBox=/);
    expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(json.nodes.length);
    expect(svg.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(json.edges.length);
  });

  test('graph output is byte-identical between runs', async () => {
    const a = await run('graph', path.join(ROOT, 'dist', 'staging'), '--format', 'svg');
    const b = await run('graph', path.join(ROOT, 'dist', 'staging'), '--format', 'svg');
    expect(a.stdout).toBe(b.stdout);
  });

  test('diff prints text and exits 0 without --fail-on', async () => {
    const r = await run('diff', path.join(dir, 'old'), path.join(dir, 'new'));
    expect(r.code).toBe(ReviewExitCode.OK);
    expect(r.stdout).toContain('  [image] Deployment shop/orders: image registry.example.com/orders:latest is not pinned (no version tag or digest)\n');
    expect(r.stdout).toContain('  shop/orders: image 1.0.0 → latest\n');
  });

  test('diff --fail-on exits 1 when a listed risk is found, 0 when only others are', async () => {
    const failing = await run('diff', '--fail-on', 'removed,image', path.join(dir, 'old'), path.join(dir, 'new'), '--format', 'json');
    expect(failing.code).toBe(ReviewExitCode.RISK);
    expect(failing.stderr).toBe('cdk8s-go-platform diff: 1 risk(s) listed in --fail-on: image\n');
    expect(JSON.parse(failing.stdout).risks).toHaveLength(1);
    expect((await run('diff', '--fail-on', 'removed', path.join(dir, 'old'), path.join(dir, 'new'))).code).toBe(ReviewExitCode.OK);
    expect((await run('diff', '--fail-on', 'any', path.join(dir, 'old'), path.join(dir, 'new'))).code).toBe(ReviewExitCode.RISK);
  });

  test.each([
    [['graph'], 'cdk8s-go-platform graph: expected one directory, got 0'],
    [['graph', 'dist/staging', '--format', 'png'], 'cdk8s-go-platform graph: --format must be one of svg, mermaid, dot, json, got "png"'],
    [['graph', '/nonexistent/dir'], 'cdk8s-go-platform graph: /nonexistent/dir: no such file or directory'],
    [['diff', 'a'], 'cdk8s-go-platform diff: expected <old-dir> <new-dir>, got 1 path(s)'],
    [['diff', 'a', 'b', '--fail-on', 'scary'], 'cdk8s-go-platform diff: --fail-on: unknown risk(s) scary; known: immutable-field, removed, storage, network-widened, floor-lowered, image, secret-added, any'],
    [['diff', 'a', 'b', '--format'], 'cdk8s-go-platform diff: --format needs a value'],
    [['diff', 'a', 'b', '--color'], 'cdk8s-go-platform diff: unknown option --color'],
  ])('usage error %j: exit 2 with a clear message', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(ReviewExitCode.USAGE);
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stdout).toBe('');
  });

  test('importing the library does not load the renderer or the diff library; the graph command does', () => {
    const script = [
      "const loaded = () => Object.keys(require.cache).filter((k) => /node_modules[\\\\/](@viz-js|microdiff)[\\\\/]/.test(k)).length;",
      "require('./lib');",
      'const afterImport = loaded();',
      "require('./lib/review/cli').runReviewCli(['graph', 'dist/staging', '--format', 'svg'], { stdout: () => {}, stderr: () => {} })",
      "  .then(() => console.log(JSON.stringify({ afterImport, afterGraph: loaded() })));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ afterImport: 0, afterGraph: 2 });
  });
});
