import { stringify } from 'yaml';

/**
 * The `yaml` options cdk8s's `Yaml.stringify` uses (YAML 1.1, no line
 * wrapping, undefined kept), plus `aliasDuplicateObjects: false`: an object
 * referenced twice in one manifest is written out in full instead of as an
 * anchor and alias, which spares the serializer its duplicate search (about a
 * third of its time on manifests) and keeps the YAML readable by tools that do
 * not follow aliases. Everything else is byte-identical to `Yaml.stringify`.
 */
const OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1', aliasDuplicateObjects: false } as const;

/**
 * A YAML stream of `docs`, as cdk8s writes a chart's file.
 *
 * @internal
 */
export function manifestsToYaml(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : stringify(doc, OPTIONS))).join('---\n');
}
