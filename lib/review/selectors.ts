import { arr, rec, str, strMap } from './manifests';

/** The label every namespace carries with its own name (Kubernetes 1.22+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A Kubernetes label selector: `matchLabels` and `matchExpressions`. */
export interface LabelSelector {
  readonly matchLabels: Record<string, string>;
  readonly matchExpressions: readonly { key: string; operator: string; values: string[] }[];
}

/** Reads a `LabelSelector` object; an absent selector reads as empty (matches everything). */
export function readSelector(value: unknown): LabelSelector {
  const v = rec(value);
  return {
    matchLabels: strMap(v.matchLabels),
    matchExpressions: arr(v.matchExpressions).map((e) => ({
      key: str(rec(e).key) ?? '',
      operator: str(rec(e).operator) ?? '',
      values: arr(rec(e).values).filter((x): x is string => typeof x === 'string'),
    })),
  };
}

/** True when the selector has no terms, so it selects everything. */
export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

/** Label selector semantics of Kubernetes: every term must hold. */
export function matchesSelector(s: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) {
    if (labels[k] !== v) {
      return false;
    }
  }
  for (const e of s.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !e.values.includes(labels[e.key])) { return false; } break;
      case 'NotIn': if (has && e.values.includes(labels[e.key])) { return false; } break;
      case 'Exists': if (!has) { return false; } break;
      case 'DoesNotExist': if (has) { return false; } break;
      // An unknown operator is rejected by the API server; treat it as matching nothing.
      default: return false;
    }
  }
  return true;
}

/** Plain `Service.spec.selector`-style maps as a selector. */
export function mapSelector(labels: Record<string, string>): LabelSelector {
  return { matchLabels: labels, matchExpressions: [] };
}

/** `a=b,c in (d,e)` — the selector as kubectl prints it; `{}` reads "all". */
export function formatSelector(s: LabelSelector): string {
  const terms = Object.keys(s.matchLabels).sort().map((k) => `${k}=${s.matchLabels[k]}`);
  for (const e of s.matchExpressions) {
    switch (e.operator) {
      case 'In': terms.push(`${e.key} in (${e.values.join(',')})`); break;
      case 'NotIn': terms.push(`${e.key} notin (${e.values.join(',')})`); break;
      case 'Exists': terms.push(e.key); break;
      case 'DoesNotExist': terms.push(`!${e.key}`); break;
      default: terms.push(`${e.key} ${e.operator} (${e.values.join(',')})`);
    }
  }
  return terms.length === 0 ? 'all' : terms.join(',');
}

/**
 * The namespace names a namespace selector pins through
 * `kubernetes.io/metadata.name` (matchLabels or an `In` expression), or
 * undefined when it selects namespaces by other labels (any namespace, now or
 * later, that carries them).
 */
export function pinnedNamespaces(s: LabelSelector): string[] | undefined {
  let names: string[] | undefined;
  const byLabel = s.matchLabels[NAMESPACE_NAME_LABEL];
  if (byLabel !== undefined) {
    names = [byLabel];
  }
  for (const e of s.matchExpressions) {
    if (e.key === NAMESPACE_NAME_LABEL && e.operator === 'In') {
      names = names === undefined ? [...e.values] : names.filter((n) => e.values.includes(n));
    }
  }
  return names;
}

/** Short display of selector labels without the common `app.kubernetes.io/` prefix. */
export function shortSelector(s: LabelSelector): string {
  return formatSelector(s).replace(/app\.kubernetes\.io\//g, '');
}
