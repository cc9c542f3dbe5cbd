import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The seams between the parts, read from the import statements with the
 * TypeScript parser (cycles with dpdm): no import cycles, constructs depend on contracts rather
 * than on each other's classes, and nothing below the policy gate imports it.
 */

const ROOT = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      return sourceFiles(rel);
    }
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Relative imports (type-only ones included) of every file under lib/ and apps/, resolved to files. */
function importGraph(): Map<string, string[]> {
  const files = new Set([...sourceFiles('lib'), ...sourceFiles('apps')]);
  const graph = new Map<string, string[]>();
  for (const file of [...files].sort()) {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, false);
    const deps = info.importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => path.join(path.dirname(file), name))
      .map((target) => [`${target}.ts`, path.join(target, 'index.ts')].find((c) => files.has(c)))
      .filter((c): c is string => c !== undefined);
    graph.set(file, [...new Set(deps)].sort());
  }
  return graph;
}

/**
 * Every import cycle dpdm finds among the files matched by `globs` (type-only
 * imports included), each as the files around the cycle, relative to `cwd`.
 * dpdm runs as its CLI: its API loads ESM-only dependencies jest cannot require.
 */
function cycles(cwd: string, globs: string[]): string[][] {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'dpdm-')), 'graph.json');
  try {
    execFileSync(process.execPath, [require.resolve('dpdm/lib/bin/dpdm.js'), '--no-tree', '--no-warning', '--no-circular', '--no-progress', '-o', out, ...globs], { cwd, stdio: 'pipe' });
    return (JSON.parse(readFileSync(out, 'utf8')) as { circulars: string[][] }).circulars;
  } finally {
    rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

describe('layering', () => {
  const graph = importGraph();
  const importers = (predicate: (target: string) => boolean, from: (file: string) => boolean): string[] =>
    [...graph.entries()].filter(([file, deps]) => from(file) && deps.some(predicate)).map(([file]) => file);

  test('lib/, apps/, bin/ and scripts/ have no import cycles (dpdm)', () => {
    // the graph is real: the entry point reaches every folder
    expect(graph.get('lib/index.ts')).toEqual(expect.arrayContaining(['lib/go-microservice/index.ts', 'lib/secure-ingress/index.ts']));
    expect(cycles(ROOT, ['lib/**/*.ts', 'apps/**/*.ts', 'bin/**/*.ts', 'scripts/*.ts'])).toEqual([]);
  });

  test('the cycle check finds a cycle made only of a type import', () => {
    // GIVEN two files that import each other, one of them for a type only
    const dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
    writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b;\n");
    writeFileSync(path.join(dir, 'b.ts'), "import type { a } from './a';\nexport const b = 1;\nexport type A = typeof a;\n");
    try {
      // THEN the check reports it
      expect(cycles(dir, ['*.ts'])).toEqual([['b.ts', 'a.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('constructs never import the policy gate: annotation and label names live in lib/common', () => {
    const constructs = (f: string) => /^lib\/(common|go-microservice|secure-ingress|observability|docker)\//.test(f);
    expect(importers((t) => t.startsWith('lib/policy/'), constructs)).toEqual([]);
  });

  test('SecureIngress and ObservabilityStack depend on contracts, not on the GoMicroservice class', () => {
    const consumers = (f: string) => /^lib\/(secure-ingress|observability)\//.test(f);
    expect(importers((t) => t === 'lib/go-microservice/go-microservice.ts' || t === 'lib/go-microservice/index.ts', consumers)).toEqual([]);
  });

  test('lib/common imports nothing outside lib/common', () => {
    expect(importers((t) => !t.startsWith('lib/common/'), (f) => f.startsWith('lib/common/'))).toEqual([]);
  });
});
