import { checkAvailability } from './checks/availability';
import { checkDuplicates } from './checks/duplicates';
import { checkNetworking } from './checks/networking';
import { checkPodSecurity } from './checks/pod-security';
import { checkReferences } from './checks/references';
import { checkSchema } from './checks/schema';
import { checkWorkloads } from './checks/workloads';
import { asRecord, asStringMap, DISABLE_ANNOTATION, Entry, isRecord, PolicyContext, toEntry } from './context';
import { policyRule } from './rules';
import { Finding, Manifest, ManifestSource, ObjectRef, PolicyOptions, PolicyResult, Severity } from './types';

/** A manifest and the file it was read from. */
export interface SourcedManifest {
  readonly manifest: unknown;
  readonly source?: ManifestSource;
  /**
   * Finds a field of the manifest in its file, for findings' `source.line`
   * (`parseManifestFile` provides it).
   * @default - findings name the file and document only
   */
  readonly locate?: (path: string) => { readonly line: number; readonly column: number } | undefined;
}

const CHECKS: ReadonlyArray<(ctx: PolicyContext) => void> = [
  checkSchema,
  checkDuplicates,
  checkPodSecurity,
  checkWorkloads,
  checkAvailability,
  checkNetworking,
  checkReferences,
];

/**
 * Runs every policy rule over a set of Kubernetes objects and returns the
 * findings. Pure: reads nothing but its arguments.
 *
 * References between objects (Service → pods, HPA → Deployment, pods →
 * ConfigMaps) are resolved within the set, so pass everything that is applied
 * together.
 *
 * @example
 * const result = checkManifests(Testing.synth(chart));
 * if (!result.passed) console.error(formatFindings(result.findings));
 */
export function checkManifests(manifests: readonly unknown[], options: PolicyOptions = {}): PolicyResult {
  return checkSourcedManifests(manifests.map((manifest) => ({ manifest })), options);
}

/** Like `checkManifests`, for objects read from files: findings name the file and document. */
export function checkSourcedManifests(items: readonly SourcedManifest[], options: PolicyOptions = {}): PolicyResult {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const entries: Entry[] = [];
  const located: Array<SourcedManifest['locate']> = [];
  const invalid: Finding[] = [];
  for (const item of items) {
    if (item.manifest === null || item.manifest === undefined) {
      continue; // an empty YAML document
    }
    if (!isRecord(item.manifest)) {
      const ref: ObjectRef = { apiVersion: '<none>', kind: '<not an object>', name: '<none>' };
      invalid.push({
        ruleId: 'GP-SCHEMA-KIND', severity: Severity.ERROR, object: ref, path: '',
        message: `document is not an object (${Array.isArray(item.manifest) ? 'array' : typeof item.manifest})`,
        ...(item.source ? { source: item.source } : {}),
      });
      continue;
    }
    entries.push(toEntry(item.manifest as Manifest, defaultNamespace, item.source));
    located.push(item.locate);
  }

  const locators = new Map<ObjectRef, NonNullable<SourcedManifest['locate']>>();
  entries.forEach((e, i) => {
    const locate = located[i];
    if (locate) {
      locators.set(e.ref, locate);
    }
  });
  const ctx = new PolicyContext(entries, options);
  for (const check of CHECKS) {
    check(ctx);
  }
  const suppressions = new Map<ObjectRef, Set<string>>();
  for (const entry of entries) {
    suppressions.set(entry.ref, parseSuppressions(ctx, entry));
  }
  const disabled = new Set(options.disabledRules ?? []);
  const order = new Map<ObjectRef, number>(entries.map((e, i) => [e.ref, i]));
  const findings = [...invalid, ...ctx.findings()]
    .filter((f) => !disabled.has(f.ruleId) || f.ruleId === 'GP-SUPPRESS')
    .filter((f) => !suppressions.get(f.object)?.has(f.ruleId))
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f)
      || (order.get(a.f.object) ?? -1) - (order.get(b.f.object) ?? -1)
      || a.i - b.i)
    .map(({ f }) => withPosition(f, locators.get(f.object)));

  const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
  const warnings = findings.length - errors;
  return { findings, errors, warnings, passed: errors === 0 && !(options.warningsAsErrors && warnings > 0) };
}

/** The finding with the line and column of its field, when the object's file can tell. */
function withPosition(f: Finding, locate: SourcedManifest['locate']): Finding {
  const pos = f.source && locate ? locate(f.path) : undefined;
  return pos && f.source ? { ...f, source: { ...f.source, line: pos.line, column: pos.column } } : f;
}

function rank(f: Finding): number {
  return f.severity === Severity.ERROR ? 0 : 1;
}

/**
 * Reads `policy.cdk8s-go-platform.io/disable` on one object: entries
 * `GP-ID: reason` (or `GP-A, GP-B: reason`) separated by `;` or new lines.
 * Entries without a reason or naming unknown rules are reported and ignored.
 */
function parseSuppressions(ctx: PolicyContext, entry: Entry): Set<string> {
  const out = new Set<string>();
  const value = asStringMap(asRecord(entry.manifest.metadata).annotations)[DISABLE_ANNOTATION];
  if (value === undefined) {
    return out;
  }
  const path = `metadata.annotations["${DISABLE_ANNOTATION}"]`;
  const items = value.split(/[;\n]/).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) {
    ctx.report(entry, 'GP-SUPPRESS', path, 'the annotation is empty: write "GP-RULE-ID: reason"');
  }
  for (const item of items) {
    const colon = item.indexOf(':');
    const ids = (colon >= 0 ? item.slice(0, colon) : item).split(',').map((s) => s.trim()).filter((s) => s !== '');
    const reason = colon >= 0 ? item.slice(colon + 1).trim() : '';
    const unknown = ids.filter((id) => !policyRule(id) || id === 'GP-SUPPRESS');
    if (ids.length === 0 || unknown.length > 0) {
      ctx.report(entry, 'GP-SUPPRESS', path, `${JSON.stringify(item)} does not name known rules${unknown.length > 0 ? ` (${unknown.join(', ')})` : ''}`);
      continue;
    }
    if (reason === '') {
      ctx.report(entry, 'GP-SUPPRESS', path, `suppression of ${ids.join(', ')} gives no reason: write "${ids.join(', ')}: why this object is an exception"`);
      continue;
    }
    ids.forEach((id) => out.add(id));
  }
  return out;
}
