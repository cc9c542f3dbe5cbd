import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { stringify } from 'yaml';
import { checkSourcedManifests, PolicyExitCode, runPolicyCli } from '../../lib/policy';
import { parseManifestFile, pathSegments } from '../../lib/policy/locate';
import { toSarif } from '../../lib/policy/sarif';
import { container, find, goodSet, podSpec } from './fixtures';

const SARIF_SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

/** The text at a line and column of a YAML text, to the end of that line. */
function at(text: string, line: number, column: number): string {
  return text.split('\n')[line - 1].slice(column - 1);
}

describe('finding positions', () => {
  test('splits finding paths into keys and indexes', () => {
    expect(pathSegments('spec.template.spec.containers[0].image')).toEqual(['spec', 'template', 'spec', 'containers', 0, 'image']);
    expect(pathSegments('metadata.annotations["prometheus.io/port"]')).toEqual(['metadata', 'annotations', 'prometheus.io/port']);
    expect(pathSegments('spec.rules[2].http.paths[10].backend')).toEqual(['spec', 'rules', 2, 'http', 'paths', 10, 'backend']);
    expect(pathSegments('')).toEqual([]);
  });

  test('every finding of a parsed file carries the line and column of its field', () => {
    // GIVEN a file with several problems
    const set = goodSet();
    container(set).image = 'registry.example.com/orders:latest';
    podSpec(set).hostPID = true;
    find(set, 'Deployment').spec.template.metadata.annotations['prometheus.io/port'] = '9100';
    delete container(set).securityContext.capabilities;
    const text = set.map((o) => stringify(o)).join('---\n');

    // WHEN
    const result = checkSourcedManifests(parseManifestFile('shop.k8s.yaml', text), { external: ['Secret/orders-db'] });

    // THEN each finding points at its field, or at the mapping that lacks it
    const where = Object.fromEntries(result.findings.map((f) => [f.ruleId, at(text, f.source?.line ?? 0, f.source?.column ?? 0)]));
    expect(result.findings.every((f) => f.source?.line !== undefined && f.source.column !== undefined)).toBe(true);
    expect(where['GP-IMAGE-TAG']).toBe('image: registry.example.com/orders:latest');
    expect(where['GP-PSS-HOST-NAMESPACES']).toBe('hostPID: true');
    expect(where['GP-PROMETHEUS-PORT']).toBe('prometheus.io/port: "9100"');
    // capabilities is missing: the finding points at the securityContext that lacks it
    expect(where['GP-PSS-CAPABILITIES']).toBe('securityContext:');
  });

  test('a finding about a whole object points at its first line', () => {
    const set = [...goodSet(), goodSet().find((o) => o.kind === 'Service')!];
    const text = set.map((o) => stringify(o)).join('---\n');
    const dup = checkSourcedManifests(parseManifestFile('x.yaml', text), { external: ['Secret/orders-db'] }).findings.find((f) => f.ruleId === 'GP-DUPLICATE');
    expect(dup?.source).toMatchObject({ file: 'x.yaml', index: set.length - 1 });
    expect(at(text, dup!.source!.line!, 1)).toBe('apiVersion: v1');
  });

  test('names the file and document of invalid YAML', () => {
    expect(() => parseManifestFile('bad.yaml', 'a: 1\n---\nb: [\n')).toThrow(/^bad\.yaml: document 1 is not valid YAML: /);
  });
});

describe('SARIF output', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-sarif-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function validateSarif(log: unknown): string[] {
    // The schema's language pattern is written for non-unicode regular expressions.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
    validate(log);
    return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  test('--format sarif writes a SARIF 2.1.0 log that matches the SARIF schema', () => {
    // GIVEN a file with an error and a warning
    const set = goodSet();
    container(set).image = 'registry.example.com/orders:latest';
    const file = path.join(dir, 'shop.k8s.yaml');
    fs.writeFileSync(file, set.map((o) => stringify(o)).join('---\n'));
    let out = '';

    // WHEN
    const code = runPolicyCli(['check', '--format', 'sarif', file], { stdout: (t) => { out += t; }, stderr: () => undefined });

    // THEN
    expect(code).toBe(PolicyExitCode.FAILED);
    const log = JSON.parse(out);
    expect(validateSarif(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('cdk8s-go-platform');
    expect(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([['GP-IMAGE-TAG', 'error'], ['GP-SECRET-MISSING', 'warning']]);
    const first = run.results[0];
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe('GP-IMAGE-TAG');
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: path.relative(process.cwd(), file).split(path.sep).join('/') },
      region: { startLine: 47, startColumn: 11 },
    });
    expect(first.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'Deployment/shop/orders', kind: 'resource' }]);
    expect(first.message.text).toBe('Deployment/shop/orders spec.template.spec.containers[0].image: image "registry.example.com/orders:latest" uses the mutable tag "latest": pin a version tag or a digest');
  });

  test('a passing run is a valid SARIF log with no results; findings without a file have only a logical location', () => {
    expect(validateSarif(toSarif({ findings: [], errors: 0, warnings: 0, passed: true }))).toEqual([]);
    // the schema check itself rejects what is not SARIF 2.1.0
    expect(validateSarif({ version: '2.0.0', runs: [{ results: [{ level: 'fatal' }] }] }).length).toBeGreaterThan(0);
    const unsourced = checkSourcedManifests(goodSet().map((manifest) => ({ manifest })));
    const log = toSarif(unsourced) as { runs: Array<{ results: Array<{ locations: unknown[] }> }> };
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0].results[0].locations).toEqual([{ logicalLocations: [{ fullyQualifiedName: 'Deployment/shop/orders', kind: 'resource' }] }]);
  });

  test('rejects an unknown --format', () => {
    let err = '';
    const code = runPolicyCli(['check', '--format', 'xml', dir], { stdout: () => undefined, stderr: (t) => { err += t; } });
    expect(code).toBe(PolicyExitCode.USAGE);
    expect(err).toContain('--format expects text, json or sarif, got "xml"');
  });
});
