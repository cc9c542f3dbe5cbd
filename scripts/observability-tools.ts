// Command line of the observability checks that run the real Prometheus
// tools (see scripts/ci-observability-tools.sh and
// scripts/e2e-metric-contract.sh):
//
//   extract <dist> <out>    rule files, Alertmanager configs and static-target
//                           copies of the Prometheus configs, for promtool/amtool
//   coverage <tests.yaml> <rule files...>
//                           every built-in alert has a firing and a quiet test
//   contract-config <dist> <out> <host:port>
//                           a Prometheus config with the stack's pod job and
//                           rules, pointed at the example service at host:port
//   contract-check <prometheus-url> <out>
//                           the metric contract against that running Prometheus
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';
import { Chart, Testing } from 'cdk8s';
import { ORDERS_EXAMPLE } from '../apps/local';
import { GoMicroservice } from '../lib';
import { distOutputs, Manifest, StackOutput } from './observability/manifests';
import { checkContract, dashboardUses, exportedFromSeries, ruleUses } from './observability/metric-contract';
import { withStaticTargets } from './observability/static-sd';

const [command, ...args] = process.argv.slice(2);
/** The group of the default alerts (see `ruleGroups` in lib/observability/alert-rules.ts). */
const BUILT_IN_GROUP = 'go-platform.rules';
/** The stack's job that scrapes annotated pods (lib/observability/prometheus.ts). */
const POD_JOB = 'kubernetes-pods';

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

/** The self-contained environment of dist/: the one with a Prometheus config. */
function selfContained(dist: string): StackOutput {
  const env = distOutputs(dist).find((e) => e.prometheusConfig !== undefined);
  if (env === undefined) {
    throw new Error(`no self-contained stack (prometheus.yml) under ${dist}`);
  }
  return env;
}

/** Pod annotations and labels of the example service, as GoMicroservice writes them. */
function examplePod(): { namespace: string; name: string; labels: Record<string, string>; annotations: Record<string, string> } {
  const chart = new Chart(Testing.app(), 'e2e', { namespace: 'shop' });
  new GoMicroservice(chart, 'orders', ORDERS_EXAMPLE);
  const deployment = Testing.synth(chart).find((m) => m.kind === 'Deployment');
  const template = deployment.spec.template.metadata;
  return { namespace: 'shop', name: `${deployment.metadata.name}-e2e`, labels: template.labels ?? {}, annotations: template.annotations ?? {} };
}

/**
 * A Prometheus config for the live contract check: the stack's own pod job
 * and relabeling (from dist/), its rules, every second, with the pod
 * discovery replaced by the example service running at `address`.
 */
function contractConfig(dist: string, out: string, address: string): void {
  const env = selfContained(dist);
  const job = (env.prometheusConfig!.scrape_configs as Manifest[]).find((j) => j.job_name === POD_JOB);
  if (job === undefined) {
    throw new Error(`the stack's Prometheus config has no ${POD_JOB} job`);
  }
  const pod = examplePod();
  const [host, port] = address.split(':');
  const annotated = pod.annotations['prometheus.io/port'];
  if (annotated !== port) {
    // The container runs on another port when the annotated one is taken on this host.
    console.error(`contract: the pod annotation says port ${annotated}; the e2e container listens on ${port}, used instead`);
  }
  const config = withStaticTargets({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: env.ruleFiles.map((r) => resolve(out, 'rules', r.fileName)),
    scrape_configs: [job],
  }, {
    // A discovered pod address carries the pod IP and a declared port; the
    // job must replace that port with the prometheus.io/port annotation.
    pods: [{ address: `${host}:1`, namespace: pod.namespace, name: pod.name, labels: pod.labels, annotations: { ...pod.annotations, 'prometheus.io/port': port } }],
    nodes: [],
  });
  mkdirSync(join(out, 'rules'), { recursive: true });
  for (const rules of env.ruleFiles) {
    write(join(out, 'rules', rules.fileName), { groups: rules.groups });
  }
  write(join(out, 'prometheus.yml'), config);
  const dashboards = Object.values(env.dashboards);
  write(join(out, 'contract.json'), JSON.stringify({
    namespace: pod.namespace,
    ruleFiles: env.ruleFiles.map((r) => r.fileName),
    dashboards,
  }));
  console.log(join(out, 'prometheus.yml'));
}

async function api(base: string, path: string): Promise<Manifest> {
  const res = await fetch(`${base}${path}`);
  const body = await res.json() as Manifest;
  if (body.status !== 'success') {
    throw new Error(`${path}: ${JSON.stringify(body)}`);
  }
  return body.data;
}

/** Polls `check` once a second until it returns true or `seconds` pass. */
async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    if (await check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`gave up after ${seconds}s waiting for ${what}`);
}

/** Where the metrics that a Go service does not export come from. */
function otherSource(metric: string): string | undefined {
  if (metric.startsWith('kube_')) {
    return 'kube-state-metrics, not running in this check';
  }
  if (metric.startsWith('container_')) {
    return 'the kubelet\'s cAdvisor, not running in this check';
  }
  return undefined;
}

/**
 * The live metric contract: once Prometheus scraped the example service
 * through the stack's job and evaluated every rule, every metric and label
 * the built-in rules and the dashboard use must be in its series, and no
 * rule may have failed to evaluate.
 */
async function contractCheck(base: string, out: string): Promise<void> {
  const contract = JSON.parse(readFileSync(join(out, 'contract.json'), 'utf8'));
  const job = encodeURIComponent(`{job="${POD_JOB}"}`);
  await waitFor('a successful scrape of the service', 60, async () => {
    const up = await api(base, `/api/v1/query?query=${encodeURIComponent(`up{job="${POD_JOB}"}`)}`);
    return up.result.length === 1 && up.result[0].value[1] === '1';
  });
  const target = (await api(base, '/api/v1/targets')).activeTargets.find((t: Manifest) => t.labels.job === POD_JOB);
  console.log(`contract: scraped ${target.scrapeUrl} with labels ${JSON.stringify(target.labels)}`);
  const groups: Manifest[] = contract.ruleFiles.flatMap((f: string) => parse(readFileSync(join(out, 'rules', f), 'utf8')).groups);
  const rulesCount = groups.reduce((n, g) => n + g.rules.length, 0);
  let rules: Manifest[] = [];
  await waitFor(`an evaluation of all ${rulesCount} rules`, 30, async () => {
    rules = (await api(base, '/api/v1/rules')).groups.flatMap((g: Manifest) => g.rules);
    return rules.length === rulesCount && rules.every((r) => r.health !== 'unknown');
  });
  const failed = rules.filter((r) => r.health !== 'ok').map((r) => `rule ${r.name}: ${r.health} ${r.lastError ?? ''}`);

  const series = await api(base, `/api/v1/series?match[]=${job}`) as unknown as Array<Record<string, string>>;
  const exported = exportedFromSeries(series);
  const vars = { namespace: contract.namespace, service: '.+', __rate_interval: '1m', datasource: 'prometheus' };
  const builtIn = groups.filter((g) => g.name === BUILT_IN_GROUP) as Array<{ name: string; rules: Manifest[] }>;
  const uses = [...ruleUses(builtIn), ...contract.dashboards.flatMap((d: Manifest) => dashboardUses(d, vars))];
  const report = checkContract(uses, exported, otherSource);
  console.log(`contract: ${exported.size} metric names exported; ${uses.length} selector uses in ${builtIn.flatMap((g) => g.rules).length} built-in rules and ${contract.dashboards.length} dashboard(s)`);
  report.checked.forEach((c) => console.log(`  ok       ${c}`));
  report.elsewhere.forEach((c) => console.log(`  not here ${c}`));
  console.log(`contract: ${rules.length} rules evaluated, ${rules.length - failed.length} without error`);
  const problems = [...report.missing, ...failed];
  if (problems.length > 0) {
    problems.forEach((p) => console.error(`  MISSING  ${p}`));
    throw new Error(`the metric contract is broken: ${problems.length} problem(s)`);
  }
}

switch (command) {
  case 'extract':
    extract(args[0], args[1]);
    break;
  case 'coverage':
    coverage(args[0], args.slice(1));
    break;
  case 'contract-config':
    contractConfig(args[0], args[1], args[2]);
    break;
  case 'contract-check':
    contractCheck(args[0], args[1]).catch((e: Error) => {
      console.error(`contract: ${e.message}`);
      process.exit(1);
    });
    break;
  default:
    console.error('usage: observability-tools.ts extract <dist> <out> | coverage <tests.yaml> <rule files...>');
    process.exit(2);
}
