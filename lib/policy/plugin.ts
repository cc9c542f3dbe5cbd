import * as fs from 'fs';
import { checkSourcedManifests, SourcedManifest } from './check';
import { checkClusters, clusterFolderOf, commonFolder } from './clusters';
import { sourceText } from './format';
import { parseManifestFile } from './locate';
import { takeGateReceipt } from './receipt';
import { policyRule } from './rules';
import { Finding, PolicyOptions, PolicyResult } from './types';

/** The part of the cdk8s CLI validation context the plugin uses (cdk8s-cli `ValidationContext`). */
export interface PolicyValidationContext {
  readonly manifests: readonly string[];
  parseManifest(manifestPath: string): unknown[];
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: ReadonlyArray<{ readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }>;
    }): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
}

/** Options of the cdk8s validation plugin: the gate's options and how the output is split into clusters. */
export interface PolicyValidationOptions extends PolicyOptions {
  /**
   * Treat each top-level folder of the output (`dist/staging`,
   * `dist/production`) as a cluster of its own: references resolve and
   * duplicate objects are found within one folder only. For apps that write
   * one folder per environment (`synthApps`).
   *
   * @default false - all manifests are one cluster
   */
  readonly clusterFolders?: boolean;
}

/**
 * The policy gate as a cdk8s CLI validation plugin: `cdk8s synth` fails with
 * a report when any object breaks an error rule. Warnings are listed in the
 * report without failing synth.
 *
 * A cluster (output folder) that `synthApps` already passed through the same
 * gate in the same `cdk8s synth` run is not checked again: its receipt (the
 * gate module, the options, a SHA-256 per file) must match the files given
 * byte for byte, otherwise the cluster is checked as usual.
 *
 * In `cdk8s.yaml` (properties are `PolicyOptions`):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-go-platform
 *     version: 0.1.0
 *     class: PolicyValidation
 *     properties:                      # PolicyValidationOptions
 *       podSecurityLevels: { logging: privileged }
 *       clusterFolders: true           # dist/staging and dist/production are two clusters
 * ```
 */
export class PolicyValidation {
  private readonly options: PolicyOptions;
  private readonly clusterFolders: boolean;

  constructor(options: PolicyValidationOptions = {}) {
    const { clusterFolders, ...policy } = options;
    this.options = policy;
    this.clusterFolders = clusterFolders ?? false;
  }

  public async validate(context: PolicyValidationContext): Promise<void> {
    const root = commonFolder(context.manifests);
    const clusterOf = (file: string): string => (this.clusterFolders ? clusterFolderOf(root, file) : root);
    const clusters = new Map<string, string[]>();
    for (const file of context.manifests) {
      const key = clusterOf(file);
      clusters.set(key, [...(clusters.get(key) ?? []), file]);
    }
    // A cluster whose app already passed the same gate on these exact bytes
    // (synthApps' receipt, see receipt.ts) is not checked twice.
    const unchecked = [...clusters].filter(([folder, files]) => !takeGateReceipt(folder, files, this.options)).flatMap(([, files]) => files);
    const items: SourcedManifest[] = [];
    for (const file of unchecked) {
      // Parsed here rather than with context.parseManifest, to keep positions: findings carry file and line.
      items.push(...parseManifestFile(file, fs.readFileSync(file, 'utf8')));
    }
    const result: PolicyResult = unchecked.length === 0
      ? { findings: [], errors: 0, warnings: 0, passed: true }
      : this.clusterFolders
        ? checkClusters(items, (i) => clusterOf(i.source?.file ?? root), this.options)
        : checkSourcedManifests(items, this.options);

    const byRule = new Map<string, Finding[]>();
    for (const f of result.findings) {
      const list = byRule.get(f.ruleId) ?? [];
      list.push(f);
      byRule.set(f.ruleId, list);
    }
    for (const [ruleId, findings] of byRule) {
      const rule = policyRule(ruleId);
      context.report.addViolation({
        ruleName: `${ruleId} [${findings[0].severity}] ${rule?.title ?? ''}`.trim(),
        recommendation: rule?.reason ?? '',
        fix: rule?.fix ?? '',
        violatingResources: findings.map((f) => ({
          resourceName: f.object.name,
          locations: f.source?.line === undefined ? [f.message] : [f.message, sourceText(f.source)],
          manifestPath: f.source?.file ?? '',
        })),
      });
    }
    const proven = context.manifests.length - unchecked.length;
    context.report.submit(result.passed ? 'success' : 'failure', {
      errors: String(result.errors),
      warnings: String(result.warnings),
      ...(proven > 0 ? { 'checked by synthApps': `${proven} of ${context.manifests.length} files (receipt verified)` } : {}),
    });
  }
}
