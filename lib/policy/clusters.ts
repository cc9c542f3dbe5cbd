import * as path from 'path';
import { checkSourcedManifests, SourcedManifest } from './check';
import { PolicyOptions, PolicyResult } from './types';

/**
 * The cluster a manifest file belongs to when each top-level folder below
 * `root` is one cluster (`dist/staging/...` and `dist/production/...` below
 * `dist`): that folder, or `root` itself for files directly in it.
 *
 * @internal
 */
export function clusterFolderOf(root: string, file: string): string {
  const rel = path.relative(root, file);
  const first = rel.split(path.sep)[0];
  return rel.startsWith('..') || rel === first ? root : path.join(root, first);
}

/** The deepest folder that holds every file. @internal */
export function commonFolder(files: readonly string[]): string {
  if (files.length === 0) {
    return '.';
  }
  const parts = files.map((f) => path.dirname(path.resolve(f)).split(path.sep));
  const out: string[] = [];
  for (let i = 0; i < parts[0].length && parts.every((p) => p[i] === parts[0][i]); i++) {
    out.push(parts[0][i]);
  }
  return path.relative(process.cwd(), out.join(path.sep) || path.sep) || '.';
}

/**
 * Checks each cluster's objects as a set of its own: references resolve and
 * duplicates are found within one cluster only. Findings keep the order of
 * the clusters, which keep the order of the items.
 *
 * @internal
 */
export function checkClusters(items: readonly SourcedManifest[], clusterOf: (item: SourcedManifest) => string, options: PolicyOptions = {}): PolicyResult {
  const groups = new Map<string, SourcedManifest[]>();
  for (const item of items) {
    const key = clusterOf(item);
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const results = [...groups.values()].map((g) => checkSourcedManifests(g, options));
  return {
    findings: results.flatMap((r) => r.findings),
    errors: results.reduce((n, r) => n + r.errors, 0),
    warnings: results.reduce((n, r) => n + r.warnings, 0),
    passed: results.every((r) => r.passed),
  };
}
