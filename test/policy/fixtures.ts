import { checkManifests, Finding, PolicyOptions, PolicyResult } from '../../lib/policy';

/** A mutable manifest for tests. */
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A small, complete service that passes every rule. Fresh objects on every call. */
export function goodSet(): Obj[] {
  const labels = { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'orders', namespace: 'shop' }, automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders-config', namespace: 'shop' }, data: { LOG_LEVEL: 'info' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'shop', labels },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'prometheus.io/port': '9090' } },
          spec: {
            serviceAccountName: 'orders',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'orders',
              image: 'registry.example.com/orders:1.4.2',
              ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
              envFrom: [{ configMapRef: { name: 'orders-config' } }],
              env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'password' } } }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 8080 } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders', namespace: 'shop', labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 'metrics' }] },
    },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'orders', namespace: 'shop' },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'orders', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, minReplicas: 3, maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'orders', namespace: 'shop' },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'orders', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateway' }], hostnames: ['shop.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/orders' } }], backendRefs: [{ name: 'orders', port: 80 }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'orders', namespace: 'shop' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['*.example.com'], secretName: 'shop-tls' }],
        rules: [{ host: 'orders.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'orders', port: { name: 'http' } } } }] } }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'orders', namespace: 'shop' },
      spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] },
    },
  ];
}

/** Options of the good set: its one Secret is created out of band. */
export const GOOD_OPTIONS: PolicyOptions = { external: ['Secret/shop/orders-db'] };

/** The object of a set by kind (and name). */
export function find(set: Obj[], kind: string, name?: string): Obj {
  const obj = set.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!obj) {
    throw new Error(`no ${kind} ${name ?? ''} in set`);
  }
  return obj;
}

/** The pod spec of the set's Deployment. */
export function podSpec(set: Obj[]): Obj {
  return find(set, 'Deployment').spec.template.spec;
}

/** The first container of the set's Deployment. */
export function container(set: Obj[]): Obj {
  return podSpec(set).containers[0];
}

/** Runs the gate with the good set's options merged with `options`. */
export function check(set: readonly unknown[], options: PolicyOptions = {}): PolicyResult {
  return checkManifests(set, { ...GOOD_OPTIONS, ...options });
}

/** Findings of one rule. */
export function findingsOf(result: PolicyResult, ruleId: string): Finding[] {
  return result.findings.filter((f) => f.ruleId === ruleId);
}
