// Reads what the observability stack synthesized into dist/: rule groups
// (self-contained ConfigMaps and operator-mode PrometheusRule specs), the
// Prometheus configuration and the Alertmanager configuration. Used by the
// CI step that checks them with promtool and amtool, and by the Docker e2e's
// metric-contract check.
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Manifest = Record<string, any>;

/** One rule file as Prometheus loads it. */
export interface RuleFile {
  /** Where it came from, e.g. `staging/ConfigMap/prometheus-rules-40ca86596d/alerts.yaml`. */
  readonly source: string;
  /** A file name for it, unique within one dist/ tree. */
  readonly fileName: string;
  readonly groups: Array<{ name: string; rules: Manifest[] }>;
}

/** What one environment of dist/ holds for the tools. */
export interface StackOutput {
  readonly environment: string;
  readonly ruleFiles: RuleFile[];
  /** `prometheus.yml` of the self-contained stack. */
  readonly prometheusConfig?: Manifest;
  /** `alertmanager.yml` of the self-contained stack. */
  readonly alertmanagerConfig?: Manifest;
  /** Grafana dashboard models (JSON files of ConfigMaps), by file name. */
  readonly dashboards: Record<string, Manifest>;
}

/** Every manifest of every YAML file in `dir`. */
export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const value = doc.toJS();
      if (value && typeof value === 'object') {
        out.push(value);
      }
    }
  }
  return out;
}

/** The stack's outputs among `manifests` (one environment). */
export function stackOutput(environment: string, manifests: Manifest[]): StackOutput {
  const ruleFiles: RuleFile[] = [];
  let prometheusConfig: Manifest | undefined;
  let alertmanagerConfig: Manifest | undefined;
  const dashboards: Record<string, Manifest> = {};
  for (const m of manifests) {
    const name: string = m.metadata?.name ?? '';
    if (m.kind === 'PrometheusRule') {
      ruleFiles.push({ source: `${environment}/PrometheusRule/${name}`, fileName: `${environment}-${name}.yaml`, groups: normalizeGroups(m.spec.groups) });
    }
    if (m.kind !== 'ConfigMap' || m.data === undefined) {
      continue;
    }
    for (const [key, text] of Object.entries<string>(m.data)) {
      if (key === 'prometheus.yml') {
        prometheusConfig = parse(text);
      } else if (key === 'alertmanager.yml') {
        alertmanagerConfig = parse(text);
      } else if (key.endsWith('.json')) {
        const model = JSON.parse(text);
        if (Array.isArray(model.panels)) {
          dashboards[key] = model;
        }
      } else if (/\.ya?ml$/.test(key)) {
        const parsed = parse(text);
        if (parsed && Array.isArray(parsed.groups) && parsed.groups.every((g: Manifest) => Array.isArray(g.rules))) {
          ruleFiles.push({ source: `${environment}/ConfigMap/${name}/${key}`, fileName: `${environment}-${name}-${key}`, groups: parsed.groups });
        }
      }
    }
  }
  return { environment, ruleFiles, prometheusConfig, alertmanagerConfig, dashboards };
}

/** Every environment under a dist/ folder (its sub-folders with YAML files). */
export function distOutputs(distDir: string): StackOutput[] {
  return readdirSync(distDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(distDir, e.name)).some((f) => f.endsWith('.yaml')))
    .map((e) => e.name)
    .sort()
    .map((env) => stackOutput(env, loadManifests(join(distDir, env))));
}

/** A PrometheusRule's groups as a rule file holds them (the operator copies them verbatim). */
function normalizeGroups(groups: Manifest[]): Array<{ name: string; rules: Manifest[] }> {
  return groups.map((g) => ({ ...g, name: String(g.name), rules: g.rules.map((r: Manifest) => ({ ...r, expr: String(r.expr) })) }));
}
