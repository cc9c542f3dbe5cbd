import * as path from 'path';
import { describeObject } from './context';
import { POLICY_RULES } from './rules';
import { PolicyResult, Severity } from './types';

/** Where the SARIF 2.1.0 schema lives; code-scanning UIs read `$schema`. */
const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/**
 * The gate's result as a SARIF 2.1.0 log (one run, every rule described in
 * the tool driver), for code-scanning UIs. File locations are relative to
 * the working folder, with the line and column of the offending field when
 * known; the object (`Kind/namespace/name`) is the logical location.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
export function toSarif(result: PolicyResult, cwd: string = process.cwd()): Record<string, unknown> {
  const index = new Map(POLICY_RULES.map((r, i) => [r.id, i]));
  const level = (s: Severity): string => (s === Severity.ERROR ? 'error' : 'warning');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-go-platform',
          informationUri: 'https://www.npmjs.com/package/cdk8s-go-platform',
          rules: POLICY_RULES.map((r) => ({
            id: r.id,
            shortDescription: { text: r.title },
            fullDescription: { text: r.reason },
            help: { text: r.fix },
            defaultConfiguration: { level: level(r.severity) },
          })),
        },
      },
      results: result.findings.map((f) => ({
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
        level: level(f.severity),
        message: { text: f.message },
        locations: [{
          ...(f.source ? {
            physicalLocation: {
              artifactLocation: { uri: path.relative(cwd, path.resolve(cwd, f.source.file)).split(path.sep).join('/') },
              ...(f.source.line !== undefined ? { region: { startLine: f.source.line, startColumn: f.source.column ?? 1 } } : {}),
            },
          } : {}),
          logicalLocations: [{ fullyQualifiedName: describeObject(f.object), kind: 'resource' }],
        }],
      })),
    }],
  };
}
