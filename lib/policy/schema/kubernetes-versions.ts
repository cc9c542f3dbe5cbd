import * as fs from 'fs';
import * as path from 'path';
import { KUBERNETES_VERSIONS, KubernetesVersion } from '../../common/kubernetes-version';

/** One type of a version's schema: field -> nested type, `0` (a leaf) or `*T` (a map of T). */
type TypeShape = Readonly<Record<string, string | 0>>;

/** `lib/policy/schema/kubernetes/<minor>.json`, written by scripts/gen-kubernetes-schemas.ts. */
interface VersionSchema {
  readonly kubernetesVersion: string;
  /** The npm package the schema was read from, e.g. `cdk8s-plus-27@2.9.5`. */
  readonly source: string;
  /** `apiVersion/kind` -> root type, for the built-in kinds served at a GA version. */
  readonly kinds: Readonly<Record<string, string>>;
  readonly types: Readonly<Record<string, TypeShape>>;
}

const loaded = new Map<KubernetesVersion, VersionSchema>();

/**
 * The field structure of the built-in kinds of one Kubernetes minor, loaded
 * on first use (about 40 KiB of JSON per minor). The files sit beside this
 * module in the sources and are shipped at the same path in the package.
 *
 * @internal
 */
export function kubernetesSchema(version: KubernetesVersion): VersionSchema {
  let schema = loaded.get(version);
  if (!schema) {
    const file = `${version}.json`;
    const candidates = [
      path.join(__dirname, 'kubernetes', file),
      // build/lib/policy/schema -> lib/policy/schema
      path.join(__dirname, '..', '..', '..', '..', 'lib', 'policy', 'schema', 'kubernetes', file),
      // build/synth (the esbuild bundle of apps/) -> lib/policy/schema
      path.join(__dirname, '..', '..', 'lib', 'policy', 'schema', 'kubernetes', file),
    ];
    const found = candidates.find((f) => fs.existsSync(f));
    if (!found) {
      throw new Error(`policy gate: Kubernetes ${version} schema not found (looked for ${candidates.join(', ')})`);
    }
    schema = JSON.parse(fs.readFileSync(found, 'utf8')) as VersionSchema;
    loaded.set(version, schema);
  }
  return schema;
}

/** Where each supported minor's schema comes from (`cdk8s-plus-27@2.9.5`, ...). */
export function kubernetesSchemaSources(): Record<KubernetesVersion, string> {
  return Object.fromEntries(KUBERNETES_VERSIONS.map((v) => [v, kubernetesSchema(v).source])) as Record<KubernetesVersion, string>;
}

/** A finding of the version check. @internal */
export interface VersionFinding {
  /** JSON pointer of the field; empty for the kind itself. */
  readonly pointer: string;
  /**
   * The first supported minor that has the kind or field; `undefined` when
   * none has it (newer than every supported minor, or not a field at all).
   */
  readonly since?: KubernetesVersion;
}

/**
 * Built-in kinds the schema source leaves out: `cdk8s import k8s` drops the
 * core `v1` Event (the `events.k8s.io/v1` Event takes its name). Served by
 * every supported minor, so not version-checked.
 */
const KINDS_OUTSIDE_SOURCES: ReadonlySet<string> = new Set(['v1/Event']);

/** True when `apiVersion` belongs to a built-in API group of Kubernetes (not a CRD). @internal */
export function isBuiltInApiVersion(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const newest = kubernetesSchema(KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]);
  return Object.keys(newest.kinds).some((k) => (k.split('/').length === 3 ? k.split('/')[0] : '') === group);
}

/** A step of a schema path: a field name, or `*` for a map value. */
type Step = string;

/**
 * Compares an object with the schema of its kind at `target`: reports the
 * kind when `target` does not serve it, else every field `target` lacks, with
 * the supported minor that introduced it (none when no supported minor has
 * it: a typo, or a field newer than every supported minor). Custom resources
 * are not checked.
 *
 * @internal
 */
export function checkKubernetesVersion(manifest: Record<string, unknown>, target: KubernetesVersion): VersionFinding[] {
  const key = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
  const newer = KUBERNETES_VERSIONS.slice(KUBERNETES_VERSIONS.indexOf(target) + 1);
  const root = kubernetesSchema(target).kinds[key];
  if (root === undefined) {
    if (KINDS_OUTSIDE_SOURCES.has(key) || !isBuiltInApiVersion(String(manifest.apiVersion))) {
      return [];
    }
    const since = newer.find((v) => kubernetesSchema(v).kinds[key] !== undefined);
    return [since ? { pointer: '', since } : { pointer: '' }];
  }
  const findings: VersionFinding[] = [];
  const types = kubernetesSchema(target).types;
  const walk = (value: unknown, type: string, pointer: string, steps: Step[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, type, `${pointer}/${i}`, steps));
      return;
    }
    if (value === null || typeof value !== 'object') {
      return;
    }
    const shape = types[type];
    if (!shape) {
      return;
    }
    for (const [field, child] of Object.entries(value as Record<string, unknown>)) {
      const at = `${pointer}/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (steps.length === 0 && (field === 'apiVersion' || field === 'kind')) {
        continue;
      }
      const t = Object.prototype.hasOwnProperty.call(shape, field) ? shape[field] : undefined;
      if (t === undefined) {
        const since = newer.find((v) => resolve(kubernetesSchema(v), key, [...steps, field]));
        findings.push(since ? { pointer: at, since } : { pointer: at });
      } else if (typeof t === 'string' && t.startsWith('*')) {
        if (t.length > 1 && child !== null && typeof child === 'object' && !Array.isArray(child)) {
          for (const [k, v] of Object.entries(child as Record<string, unknown>)) {
            walk(v, t.slice(1), `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, [...steps, field, '*']);
          }
        }
      } else if (typeof t === 'string') {
        walk(child, t, at, [...steps, field]);
      }
    }
  };
  walk(manifest, root, '', []);
  return findings;
}

/** True when the schema path exists for the kind in `schema`. */
function resolve(schema: VersionSchema, key: string, steps: readonly Step[]): boolean {
  let type: string | 0 | undefined = schema.kinds[key];
  for (const step of steps) {
    if (type === undefined || type === 0) {
      return false;
    }
    if (step === '*') {
      if (!type.startsWith('*')) {
        return false;
      }
      type = type.slice(1) || 0;
      continue;
    }
    if (type.startsWith('*')) {
      return false;
    }
    const shape: TypeShape | undefined = schema.types[type];
    type = shape && Object.prototype.hasOwnProperty.call(shape, step) ? shape[step] : undefined;
  }
  return type !== undefined;
}
