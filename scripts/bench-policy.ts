/**
 * Benchmark of the policy gate: ~1,000 realistic objects (services of the
 * shape GoMicroservice emits, plus routes and monitors), checked after the
 * validators are loaded.
 *
 *   npx tsx scripts/bench-policy.ts            # generated objects
 *   npx tsx scripts/bench-policy.ts dist       # plus a YAML directory, if given
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { checkManifests, PolicyResult } from '../lib/policy';
import { schemaValidators } from '../lib/policy/schema/validators';

/** Timings of one benchmark run, in milliseconds. */
export interface PolicyBenchResult {
  readonly objects: number;
  /** Loading the precompiled validators (once per process). */
  readonly loadMs: number;
  /** Best of the timed runs over all objects. */
  readonly checkMs: number;
  readonly runs: number;
  readonly errors: number;
  readonly warnings: number;
}

/**
 * Times `checkManifests` over `objects` (default: `generateObjects(1000)`),
 * for the main benchmark.
 */
export async function benchPolicy(objects: readonly unknown[] = generateObjects(1000), runs = 5): Promise<PolicyBenchResult> {
  const t0 = performance.now();
  schemaValidators();
  const loadMs = performance.now() - t0;
  checkManifests(objects.slice(0, 20)); // warm up the JIT
  let best = Infinity;
  let last: PolicyResult | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    // 1.34: the generated pods use the kubelet's sleep pre-stop action (1.30+).
    last = checkManifests(objects, { external: ['Secret/db-credentials'], kubernetesVersion: '1.34' });
    best = Math.min(best, performance.now() - start);
  }
  return { objects: objects.length, loadMs, checkMs: best, runs, errors: last?.errors ?? 0, warnings: last?.warnings ?? 0 };
}

/** About `count` objects: services of 11 objects each, in namespaces of ten services. */
export function generateObjects(count: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; out.length < count; i++) {
    const namespace = `team-${Math.floor(i / 10)}`;
    if (i % 10 === 0) {
      out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
    }
    out.push(...service(`svc-${i}`, namespace));
  }
  return out.slice(0, count);
}

function service(name: string, namespace: string): Record<string, unknown>[] {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const meta = { name, namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'cdk8s-go-platform' } };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, name: `${name}-config` }, data: { LOG_LEVEL: 'info', GOMAXPROCS: '2' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
      spec: {
        replicas: 3, revisionHistoryLimit: 5,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: meta.labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } },
          spec: {
            serviceAccountName: name, automountServiceAccountToken: false, terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
            containers: [{
              name, image: `registry.example.com/${name}:1.4.2`, imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'grpc', containerPort: 9000 }, { name: 'metrics', containerPort: 9090 }],
              env: [
                { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
              ],
              envFrom: [{ configMapRef: { name: `${name}-config` } }],
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'grpc', port: 9000, targetPort: 'grpc', appProtocol: 'kubernetes.io/h2c' }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
    {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta,
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 3, maxReplicas: 12,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta,
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ port: 'http' }, { port: 'grpc' }] }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: meta,
      spec: { parentRefs: [{ name: 'public', namespace: 'gateway' }], hostnames: [`${name}.example.com`],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name, port: 80 }] }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: meta,
      spec: { parentRefs: [{ name: 'public', namespace: 'gateway' }], rules: [{ backendRefs: [{ name, port: 9000 }] }] },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta,
      spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s' }] },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: meta,
      spec: { groups: [{ name, rules: [{ alert: `${name}Down`, expr: `up{job="${name}"} == 0`, for: '5m', labels: { severity: 'page' } }] }] },
    },
  ];
}

function readYaml(dir: string): unknown[] {
  const out: unknown[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...readYaml(p));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(...parseAllDocuments(fs.readFileSync(p, 'utf8')).map((d) => d.toJS() as unknown));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const extra = process.argv[2];
  const objects: unknown[] = extra ? [...readYaml(extra), ...generateObjects(1000)] : generateObjects(1000);
  const r = await benchPolicy(objects);
  console.log(`policy gate: ${r.objects} objects in ${r.checkMs.toFixed(1)} ms (best of ${r.runs}; validators loaded in ${r.loadMs.toFixed(1)} ms); ${r.errors} errors, ${r.warnings} warnings`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
