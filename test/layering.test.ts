import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The seams between the parts, read from the import statements with the
 * TypeScript parser: no import cycles, constructs depend on contracts rather
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

/** Every cycle, as the files of each strongly connected component with more than one file. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) {
        found.push(component.sort());
      }
    }
  };
  for (const v of graph.keys()) {
    if (!index.has(v)) {
      visit(v);
    }
  }
  return found;
}

describe('layering', () => {
  const graph = importGraph();
  const importers = (predicate: (target: string) => boolean, from: (file: string) => boolean): string[] =>
    [...graph.entries()].filter(([file, deps]) => from(file) && deps.some(predicate)).map(([file]) => file);

  test('lib/ and apps/ have no import cycles', () => {
    // the graph is real: the entry point reaches every folder
    expect(graph.get('lib/index.ts')).toEqual(expect.arrayContaining(['lib/go-microservice/index.ts', 'lib/secure-ingress/index.ts']));
    expect(cycles(graph)).toEqual([]);
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
