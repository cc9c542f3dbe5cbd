/**
 * Differential test of the manifest writer (lib/synth/yaml-writer.ts) against
 * cdk8s's own `Yaml.stringify` (the `yaml` package, YAML 1.1, cdk8s's
 * options): byte identity on every object of dist/, on the benchmark fleet at
 * N = 500, and on generated YAML 1.1 edge cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { dump, JSON_SCHEMA } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { ChartLayout, fleet, FLEET_NAMESPACE } from '../../bench/fleet';
import { buildGoMicroserviceFleet } from '../../bench/ways/go-microservice';
import { fastPathSafe, manifestsToYaml } from '../../lib/synth/yaml-writer';

const DIST = path.join(__dirname, '..', '..', 'dist');

/** What cdk8s writes for these documents. */
function reference(docs: readonly unknown[]): string {
  return Yaml.stringify(...docs);
}

/** The documents of a YAML stream, read as YAML 1.1 (as Kubernetes reads them). */
function parse11(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings that YAML 1.1 and 1.2 readers and writers treat differently, or that need quoting or escaping. */
const EDGE_STRINGS: string[] = [
  // numbers in YAML 1.1 but not (all) in YAML 1.2
  '1_000', '+.5', '-.5', '.5', '1.', '0o17', '017', '08', '0755', '0x1F', '0xFF_FF', '0b1010', '+1', '-1', '-0', '0', '00',
  '1e3', '1E3', 'e3', 'E9', 'e-9', 'E+3', 'e_1', 'E', '1.0e+3', '-1e-3', '12e45', '3.14', '1_0.5', '1,000', '1 000', '8080', '1.2.3', '1.5Gi', '250m', '128Mi', '5s',
  // sexagesimal
  '1:20', '190:20:30', '-1:20', '1:20.5', '12:30:00',
  // special floats
  '.inf', '-.inf', '+.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN', 'NaN', 'Infinity', 'inf',
  // booleans and nulls
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', '', 'nULL', 'tRUE', 'yES',
  'Yes please', 'on-call', 'y-axis', 'N/A', 'null-value', 'nullable', 'yesterday', 'online',
  // merge and value keys
  '<<', '=', '<<: *x', '==',
  // timestamps
  '2001-12-14', '2002-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2001-12-15T02:59:43.1Z', '2001-1-1',
  // indicators and comments
  '-', '--', '---', '...', '- a', '-a', '?', '? a', '?a', ':', ':a', 'a:', 'a: b', 'a:b', 'a::b', 'a #b', 'a#b', '#a', '#',
  '@a', '`a', '%a', '%YAML 1.1', '!a', '!!str', '!tag', '&a', '&anchor', '*a', '|', '|-', '>', '>-', "'", '"', "it's",
  'say "hi"', 'both \' and "', '[a]', '{a}', 'a,b', ',', '[', '}', 'a]', 'a}', '\\', 'C:\\path', 'a\\nb', '$x', '${datasource}',
  '{{ .Values.x }}', 'x: ', ' # c', 'a #', 'a:#',
  // spaces and tabs
  ' ', '  ', ' leading', 'trailing ', ' both ', 'a b  c', 'a  b', 'null ', ' null', '\t', 'a\tb', '\ta', 'a\t', 'key with spaces',
  // line breaks of YAML 1.1 and 1.2, control and invisible characters
  '\u0085', 'a\u0085b', '\u2028', 'a\u2028b', '\u2029', 'a\u2029b', '\ufeff', '\ufeffa', 'a\ufeff', '\u00a0', 'a\u00a0',
  '\u0000', '\u0007', '\u001b[0m', '\r', 'a\rb', '\u007f', '\u00ad', '\u200b', '\ud800', 'a\udfff', 'é', 'ü', '日本語', '😀', 'x😀y',
  // multi-line strings
  'line1\nline2', 'line\n', '\n', '\n\n', 'a\n\n', '\na', '  \n  indented', 'x\n y', '#\n#', 'a\n---\nb', 'a\n...\nb', 'true\n',
  'trailing space \nnext', 'a\r\nb', '\tindented\n\ttabs', 'a\n\n\nb\n\n', ' leading\nlines', 'k: v\nk2: v2', '- a\n- b',
  // long strings
  'a'.repeat(5000), 'word '.repeat(300).trim(), 'long line\n'.repeat(200), `${'x'.repeat(1020)}`, `${'k'.repeat(1030)}`,
  // everyday values that must stay fast and plain
  'http://x.y:8080/a?b=c#d', 'registry.example.com/fleet/svc-0001:1.1.1', 'sha256:abc', 'app.kubernetes.io/name', 'svc-0001',
  'RuntimeDefault', 'kubernetes.io/h2c', 'Secret/db', 'c8f00dba6e3bbc5c6f1d4a0b1e2f3a4b5c6d7e8f90', '/readyz', 'IfNotPresent',
  // key=value lists and $(VAR) references (OTEL_RESOURCE_ATTRIBUTES), and their near misses
  'k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),service.version=1.2.3', 'a=b', 'a=$(B)', 'a,b,c', 'a(b)', 'a$b',
  'a=', 'a,', 'a(', 'a$', 'a=,', 'a:=b', 'a:,b', 'a,:b', 'a=:', 'a=-', 'y=1', 'n,', 'e=1', 'e1=2', 'a,#b', 'a, b', 'a=[b]', 'a={b}',
  '$(A)', '(a)', '=a', ',a', ')a', 'a=\'b\'', 'a="b"', 'a=b c', 'a=b\nc=d',
];

/** Characters the random strings are drawn from: indicators, digits, letters that start YAML keywords, breaks, spaces. */
const ALPHABET = [
  ' ', ' ', ':', '#', '-', '?', '\t', '\n', '"', "'", '.', '_', '+', '~', '<', '=', ',', '[', '{', '!', '&', '*', '|', '>', '%', '@', '`', '\\', '$', '(', ')',
  '0', '1', '2', '9', 'a', 'b', 'e', 'E', 'x', 'o', 'y', 'n', 'N', 'Y', 't', 'T', 'z', 'Z', 'f', 'l', 'u', 's',
  '\u0085', '\u2028', '\ufeff', '\u00a0', '\r', 'é', '😀',
];

/** Characters of letter-first key=value lists, with the indicators that could break them. */
const ASSIGNMENT_ALPHABET = ['a', 'b', 'y', 'n', 'e', 'E', '0', '1', '.', '_', '/', '-', ':', '=', '$', '(', ')', ',', ' ', '#', '[', '{', "'", '"'];

/** A string starting with a letter, mostly of key=value characters. */
function randomAssignment(next: () => number): string {
  let s = 'aknyeE'[Math.floor(next() * 6)];
  const length = Math.floor(next() * 10);
  for (let i = 0; i < length; i++) {
    s += ASSIGNMENT_ALPHABET[Math.floor(next() * ASSIGNMENT_ALPHABET.length)];
  }
  return s;
}

function randomString(next: () => number): string {
  if (next() < 0.25) {
    return randomAssignment(next);
  }
  const length = Math.floor(next() * 12);
  let s = '';
  for (let i = 0; i < length; i++) {
    s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  }
  return s;
}

function randomScalar(next: () => number): unknown {
  const r = next();
  if (r < 0.6) {
    return next() < 0.5 ? randomString(next) : EDGE_STRINGS[Math.floor(next() * EDGE_STRINGS.length)];
  }
  const others: unknown[] = [0, -1, 42, 2 ** 53 - 1, 2 ** 53 + 2, 0.5, -0, 1e21, 1e-7, NaN, Infinity, -Infinity, true, false, null, undefined];
  return others[Math.floor(next() * others.length)];
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.45) {
    return randomScalar(next);
  }
  const size = Math.floor(next() * 4);
  if (r < 0.7) {
    return Array.from({ length: size }, () => randomValue(next, depth + 1));
  }
  const map: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = next() < 0.5 ? randomString(next) : EDGE_STRINGS[Math.floor(next() * EDGE_STRINGS.length)];
    map[key] = randomValue(next, depth + 1);
  }
  return map;
}

/** Each edge string as a key, as a value, as a sequence item, nested in sequences of maps. */
function edgeDocuments(): unknown[] {
  return EDGE_STRINGS.flatMap((s) => [
    { value: s },
    { [s]: 'value' },
    { [s]: { nested: [s] } },
    { items: [s, [s, { [s]: s }], []], empty: {} },
    { deep: [{ a: [{ b: [[{ c: s }]] }] }] },
  ]);
}

/** Documents of other shapes: empty, structural edge cases, non-plain values. */
const SHAPES: unknown[] = [
  {}, { a: {} }, { a: [] }, { a: [[], {}] }, { a: [[1, 2], [3, [4, {}]]] }, { a: [{ b: 1, c: [{ d: 2 }] }, { e: { f: [] } }] },
  { a: null, b: [null] }, { a: true, b: [false] }, { a: -5 }, { a: { b: { c: { d: [{ e: [[{ f: 1 }]] }] } } } }, { a: [{}] },
  { a: 0.5, b: 1e21, c: -0, d: NaN, e: Infinity }, { a: undefined, b: [undefined, 1] }, { a: 2 ** 60 },
  [], [1, 'a'], 'text', 42, null, { date: new Date(0) }, { map: new Map([['a', 1]]) }, { set: new Set([1]) },
  // eslint-disable-next-line no-sparse-arrays
  { sparse: [1, , 3] }, Object.assign(Object.create(null), { a: 1 }), { [Symbol('s')]: 1, a: 1 },
];

describe('manifestsToYaml', () => {
  test('writes every file of dist/ byte for byte as committed', () => {
    // GIVEN every YAML file of the example platform
    const files = fs.readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = fs.readFileSync(path.join(DIST, file), 'utf8');
      const docs = parse11(text);

      // WHEN / THEN
      expect({ file, yaml: manifestsToYaml(docs) }).toEqual({ file, yaml: text });
      expect({ file, yaml: reference(docs) }).toEqual({ file, yaml: text });
    }
  });

  test('writes the benchmark fleet at N = 500 as cdk8s does, every document through js-yaml', () => {
    // GIVEN the 3,501 objects of the benchmark fleet in one chart
    const app = new App({ outdir: 'unused', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildGoMicroserviceFleet(app, fleet(500), ChartLayout.SINGLE);
    const docs = (app.node.findChild(FLEET_NAMESPACE) as Chart).toJson();
    expect(docs).toHaveLength(3501);

    // WHEN / THEN
    expect(docs.filter((d) => !fastPathSafe(d))).toEqual([]);
    expect(manifestsToYaml(docs) === reference(docs)).toBe(true);
  }, 120_000);

  test('writes each YAML 1.1 edge case as cdk8s does, as key, value, item and nested', () => {
    const docs = edgeDocuments();
    docs.forEach((doc, i) => {
      expect({ i, yaml: manifestsToYaml([doc]) }).toEqual({ i, yaml: reference([doc]) });
    });
    // The documents of plain everyday strings take the fast path.
    expect(fastPathSafe({ value: 'registry.example.com/fleet/svc-0001:1.1.1', [`app.kubernetes.io/name`]: 'svc-0001', port: '8080' })).toBe(true);
    expect(fastPathSafe({ value: 'k8s.pod.name=$(POD_NAME),k8s.deployment.name=svc-0001,service.version=1.1.1' })).toBe(true);
  });

  test('writes documents of other shapes as cdk8s does', () => {
    SHAPES.forEach((doc, i) => {
      expect({ i, yaml: manifestsToYaml([doc]) }).toEqual({ i, yaml: reference([doc]) });
    });
    expect(manifestsToYaml([{ a: 1 }, undefined, { b: 2 }])).toBe(reference([{ a: 1 }, undefined, { b: 2 }]));
  });

  test('writes 5,000 random documents of edge-case keys, scalars and nesting as cdk8s does', () => {
    const next = random(20261130);
    let fast = 0;
    for (let i = 0; i < 5_000; i++) {
      const doc = { [randomString(next)]: randomValue(next, 0), items: randomValue(next, 1) };
      fast += fastPathSafe(doc) ? 1 : 0;
      const actual = manifestsToYaml([doc]);
      if (actual !== reference([doc])) {
        // Only on failure: the document and both texts in the message.
        expect({ doc, actual }).toEqual({ doc, actual: reference([doc]) });
      }
    }
    // Both paths are exercised.
    expect(fast).toBeGreaterThan(250);
    expect(fast).toBeLessThan(4_750);
  }, 120_000);

  test('js-yaml alone would write some YAML 1.1 numbers as plain strings: the writer sends those to yaml', () => {
    for (const s of ['1_000', '+.5']) {
      // GIVEN a string that a YAML 1.1 reader takes for a number when written plain
      const doc = { value: s };

      // WHEN js-yaml writes it alone, and when the writer does
      const raw = dump(doc, { lineWidth: -1, noRefs: true, quotingType: '"', schema: JSON_SCHEMA });
      const written = manifestsToYaml([doc]);

      // THEN js-yaml's text reads back as a number; the writer took the exact path and its text reads back as the string
      expect(raw).toBe(`value: ${s}\n`);
      expect(typeof (parse11(raw)[0] as { value: unknown }).value).toBe('number');
      expect(fastPathSafe(doc)).toBe(false);
      expect(written).toBe(reference([doc]));
      expect(parse11(written)).toEqual([doc]);
    }
  });
});
