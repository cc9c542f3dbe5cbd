import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { yamlFilesIn } from '../common/files';

/** One Kubernetes object as plain data, as read from a manifest file. */
export type Manifest = Record<string, unknown>;

/** Raised for bad command-line input or unreadable manifests; the CLI prints it with the usage text. */
export class ReviewInputError extends Error {}

/** Namespace of objects that do not name one. */
export const DEFAULT_NAMESPACE = 'default';

/** Kinds that live outside namespaces (the ones the example platform and common add-ons use). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'ClusterIssuer', 'GatewayClass', 'IngressClass', 'PriorityClass', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'ClusterSecretStore', 'APIService', 'Node',
]);

/** A plain object, or an empty one. */
export function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** An array, or an empty one. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A map of string values (labels, annotations, selectors). */
export function strMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(value))) {
    if (typeof v === 'string') {
      out[k] = v;
    }
  }
  return out;
}

export function kindOf(m: Manifest): string {
  return str(m.kind) ?? '';
}

export function nameOf(m: Manifest): string {
  return str(rec(m.metadata).name) ?? '';
}

/** The namespace of a namespaced object (`default` when unset); undefined for cluster-scoped kinds. */
export function namespaceOf(m: Manifest): string | undefined {
  if (CLUSTER_SCOPED.has(kindOf(m))) {
    return undefined;
  }
  return str(rec(m.metadata).namespace) ?? DEFAULT_NAMESPACE;
}

export function labelsOf(m: Manifest): Record<string, string> {
  return strMap(rec(m.metadata).labels);
}

export function annotationsOf(m: Manifest): Record<string, string> {
  return strMap(rec(m.metadata).annotations);
}

/** The identity the diff keys objects by: `apiVersion kind namespace/name`. */
export function objectKey(m: Manifest): string {
  const ns = namespaceOf(m);
  return `${str(m.apiVersion) ?? ''} ${kindOf(m)} ${ns === undefined ? '' : `${ns}/`}${nameOf(m)}`;
}

/** `Kind ns/name` for messages. */
export function describe(m: Manifest): string {
  const ns = namespaceOf(m);
  return `${kindOf(m)} ${ns === undefined ? '' : `${ns}/`}${nameOf(m)}`;
}

/**
 * Reads every Kubernetes object from a directory (recursively, `*.yaml` and
 * `*.yml`, in sorted order) or from one file. Empty documents and documents
 * that are not objects with a `kind` are skipped; invalid YAML is an error.
 */
export function readManifestDir(target: string): Manifest[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new ReviewInputError(`${target}: no such file or directory`);
  }
  const files = stat.isDirectory() ? yamlFilesIn(target) : [target];
  const out: Manifest[] = [];
  for (const file of files) {
    out.push(...parseManifests(fs.readFileSync(file, 'utf8'), file));
  }
  return out;
}

/** Parses multi-document YAML into objects; `source` names the text in errors. */
export function parseManifests(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (!('errors' in doc) || doc.errors.length > 0) {
      const message = 'errors' in doc ? doc.errors[0].message : 'not a YAML document';
      throw new ReviewInputError(`${source}: document ${index} is not valid YAML: ${message}`);
    }
    const value = doc.toJS();
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.kind === 'string') {
      out.push(value as Manifest);
    }
  });
  return out;
}
