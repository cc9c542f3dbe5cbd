// The metric contract between the stack's queries (alert rules, recording
// rules, dashboard panels) and what a Go service exports: every metric name a
// query selects and every label it matches on or groups by must exist in the
// service's series. The queries are read with the PromQL grammar of the
// Prometheus web UI, so nothing is matched by regular expressions.
import { parser } from '@prometheus-io/lezer-promql';
import { Manifest } from './manifests';

/* eslint-disable @typescript-eslint/no-explicit-any */
type SyntaxNode = any;

/** One metric selected by one query, with the labels the query relies on. */
export interface SelectorUse {
  /** Which query, e.g. `alert GoServiceHighErrorRate` or `panel "Heap in use"`. */
  readonly query: string;
  readonly metric: string;
  /** Labels the query matches on or groups by, sorted. */
  readonly labels: string[];
}

/** The metrics of a running service: each metric name with its label names. */
export type ExportedSeries = Map<string, Set<string>>;

/** The outcome of a contract check. */
export interface ContractReport {
  /** Metrics or labels a query needs that the service does not export. */
  readonly missing: string[];
  /** Uses left to another source (kube-state-metrics, cAdvisor), with the reason. */
  readonly elsewhere: string[];
  /** Uses found, as `metric{label,...}`. */
  readonly checked: string[];
}

/** Grafana's variables, replaced by values a live query can run with. */
export interface GrafanaVariables {
  readonly [name: string]: string;
}

function text(expr: string, node: SyntaxNode): string {
  return expr.slice(node.from, node.to);
}

function children(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.type.name === name) {
      out.push(c);
    }
  }
  return out;
}

function groupingLabels(expr: string, modifier: SyntaxNode, keyword: string): string[] {
  if (children(modifier, keyword).length === 0) {
    return [];
  }
  return children(modifier, 'GroupingLabels').flatMap((g) => children(g, 'LabelName').map((l) => text(expr, l)));
}

/** Every metric selector of a PromQL expression with the labels it relies on. */
export function selectorUses(expr: string, query: string): SelectorUse[] {
  const tree = parser.parse(expr);
  const uses: SelectorUse[] = [];
  let error: string | undefined;
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError && error === undefined) {
        error = `position ${ref.from}`;
      }
      if (ref.type.name !== 'VectorSelector') {
        return true;
      }
      const node = ref.node;
      const id = children(node, 'Identifier')[0];
      const labels = new Set<string>();
      let metric = id ? text(expr, id) : undefined;
      for (const matchers of children(node, 'LabelMatchers')) {
        for (let m = matchers.firstChild; m; m = m.nextSibling) {
          const name = children(m, 'LabelName')[0];
          if (name === undefined) {
            continue;
          }
          const label = text(expr, name);
          const value = children(m, 'StringLiteral')[0];
          if (label === '__name__' && value !== undefined) {
            metric = JSON.parse(text(expr, value));
          } else {
            labels.add(label);
          }
        }
      }
      for (let p = node.parent; p; p = p.parent) {
        if (p.type.name === 'AggregateExpr') {
          for (const mod of children(p, 'AggregateModifier')) {
            groupingLabels(expr, mod, 'By').forEach((l) => labels.add(l));
          }
        } else if (p.type.name === 'BinaryExpr') {
          for (const mod of children(p, 'MatchingModifierClause')) {
            groupingLabels(expr, mod, 'On').forEach((l) => labels.add(l));
          }
        }
      }
      if (metric === undefined) {
        throw new Error(`${query}: a selector without a metric name cannot be checked: ${text(expr, node)}`);
      }
      uses.push({ query, metric, labels: [...labels].sort() });
      return false;
    },
  });
  if (error !== undefined) {
    throw new Error(`${query}: not valid PromQL at ${error}: ${expr}`);
  }
  return uses;
}

/** Replaces Grafana's `$name`, `${name}` and `$__rate_interval` by the given values. */
export function substituteVariables(expr: string, vars: GrafanaVariables): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!(name in vars)) {
      throw new Error(`no value for the Grafana variable ${whole} in ${expr}`);
    }
    return vars[name];
  });
}

/** Every selector use of the alerting and recording rules of `groups`. */
export function ruleUses(groups: Array<{ name: string; rules: Manifest[] }>): SelectorUse[] {
  return groups.flatMap((g) => g.rules.flatMap((r) => selectorUses(String(r.expr), r.alert !== undefined ? `alert ${r.alert}` : `record ${r.record}`)));
}

/**
 * Every selector use of a Grafana dashboard model: the panel targets and the
 * `label_values(selector, label)` queries of its variables.
 */
export function dashboardUses(dashboard: Manifest, vars: GrafanaVariables): SelectorUse[] {
  const uses: SelectorUse[] = [];
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') {
      continue;
    }
    const q: string = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q ?? '');
    if (!m) {
      throw new Error(`variable ${v.name}: cannot read query ${JSON.stringify(q)}`);
    }
    for (const u of selectorUses(substituteVariables(m[1], vars), `variable $${v.name}`)) {
      uses.push({ ...u, labels: [...new Set([...u.labels, m[2]])].sort() });
    }
  }
  const panels: Manifest[] = (dashboard.panels ?? []).flatMap((p: Manifest) => [p, ...(p.panels ?? [])]);
  for (const p of panels) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr === 'string') {
        uses.push(...selectorUses(substituteVariables(t.expr, vars), `panel ${JSON.stringify(p.title)} ${t.refId ?? ''}`.trim()));
      }
    }
  }
  return uses;
}

/**
 * Labels the built-in rules group by that only some targets carry: `track`
 * is set by scrape relabeling on the pods of a service with a release
 * (docs/releases.md) and absent elsewhere, which `by (track)` allows.
 */
const OPTIONAL_LABELS = new Set(['track']);

/**
 * Checks `uses` against what the service exports. `elsewhere(metric)` names
 * the source of a metric the service is not expected to export (returns
 * `undefined` for the service's own metrics); such uses are reported, not
 * checked.
 */
export function checkContract(uses: SelectorUse[], exported: ExportedSeries, elsewhere: (metric: string) => string | undefined): ContractReport {
  const missing = new Set<string>();
  const skipped = new Set<string>();
  const checked = new Set<string>();
  for (const u of uses) {
    const source = elsewhere(u.metric);
    if (source !== undefined) {
      skipped.add(`${u.metric} (${source})`);
      continue;
    }
    const labels = exported.get(u.metric);
    if (labels === undefined) {
      missing.add(`${u.query}: metric ${u.metric} is not exported`);
      continue;
    }
    const absent = u.labels.filter((l) => !labels.has(l) && !OPTIONAL_LABELS.has(l));
    if (absent.length > 0) {
      missing.add(`${u.query}: ${u.metric} has no label ${absent.join(', ')}`);
      continue;
    }
    checked.add(`${u.metric}{${u.labels.join(',')}}`);
  }
  return { missing: [...missing].sort(), elsewhere: [...skipped].sort(), checked: [...checked].sort() };
}

/** Metric names and label names of a Prometheus `/api/v1/series` answer. */
export function exportedFromSeries(series: Array<Record<string, string>>): ExportedSeries {
  const out: ExportedSeries = new Map();
  for (const s of series) {
    const name = s.__name__;
    const labels = out.get(name) ?? new Set<string>();
    Object.keys(s).filter((k) => k !== '__name__').forEach((k) => labels.add(k));
    out.set(name, labels);
  }
  return out;
}

/**
 * Metric names and label names of a text exposition (what `/metrics`
 * answers) as Prometheus stores them after a scrape: with `targetLabels`
 * on every series, and the `up` series of the scrape itself.
 */
export function exportedFromExposition(exposition: string, targetLabels: string[]): ExportedSeries {
  const out: ExportedSeries = new Map([['up', new Set(targetLabels)]]);
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s/.exec(line);
    if (!m) {
      continue;
    }
    const labels = out.get(m[1]) ?? new Set<string>(targetLabels);
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) {
      labels.add(pair[1]);
    }
    out.set(m[1], labels);
  }
  return out;
}
