import { policyRule } from './rules';
import { Finding, ManifestSource, PolicyResult, Severity } from './types';

/**
 * Renders findings as text, one line each plus the fix of its rule:
 *
 * ```
 * error   GP-PSS-RUN-AS-NON-ROOT  Deployment/shop/orders spec.template.spec...: runAsNonRoot must be true
 *         dist/shop.k8s.yaml:42:11 · fix: Set spec.securityContext.runAsNonRoot: true ...
 * ```
 */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => {
    const where = f.source ? `${sourceText(f.source)} · ` : '';
    const fix = policyRule(f.ruleId)?.fix ?? '';
    return `${f.severity.padEnd(7)} ${f.ruleId.padEnd(28)} ${f.message}\n        ${where}fix: ${fix}`;
  }).join('\n');
}

/** `file:line:column` when the line is known, else `file#document`. */
export function sourceText(source: ManifestSource): string {
  return source.line === undefined ? `${source.file}#${source.index}` : `${source.file}:${source.line}:${source.column ?? 1}`;
}

/** One summary line: `2 errors, 1 warning`. */
export function formatSummary(result: PolicyResult): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}`;
}

/** Findings of one severity. */
export function findingsOf(result: PolicyResult, severity: Severity): Finding[] {
  return result.findings.filter((f) => f.severity === severity);
}
