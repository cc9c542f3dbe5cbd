import * as fs from 'fs';
import * as path from 'path';
import { knownKinds } from '../../lib/policy';
import { schemaValidators } from '../../lib/policy/schema/validators';
import { check, findingsOf, goodSet, Obj } from './fixtures';

const CUSTOM_RESOURCES: Obj[] = [
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'pm', namespace: 'shop' },
    spec: { selector: { matchLabels: { a: 'b' } }, podMetricsEndpoints: [{ port: 'metrics' }] } },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'rules', namespace: 'shop' },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'Down', expr: 'up == 0', for: '5m', labels: { severity: 'page' } }] }] } },
  { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'tls', namespace: 'shop' },
    spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'shop' },
    spec: { gatewayClassName: 'cilium', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'shop.example.com',
      tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-tls' }] } }] } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'grpc', namespace: 'shop' },
    spec: { parentRefs: [{ name: 'public' }], rules: [{ matches: [{ method: { service: 'shop.v1.Orders' } }], backendRefs: [{ name: 'orders', port: 80 }] }] } },
];

describe('schema', () => {
  test('knows the built-in kinds and the custom resources the library emits', () => {
    const kinds = knownKinds();
    for (const k of ['apps/v1/Deployment', 'policy/v1/PodDisruptionBudget', 'autoscaling/v2/HorizontalPodAutoscaler',
      'networking.k8s.io/v1/NetworkPolicy', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/PrometheusRule', 'cert-manager.io/v1/Certificate', 'gateway.networking.k8s.io/v1/Gateway',
      'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/GRPCRoute',
      'argoproj.io/v1alpha1/Application', 'argoproj.io/v1alpha1/ApplicationSet']) {
      expect(kinds).toContain(k);
    }
    expect(kinds).not.toContain('extensions/v1beta1/Ingress');
  });

  test.each(CUSTOM_RESOURCES.map((o) => [o.kind, o] as const))('a valid %s passes the schema', (_kind, obj) => {
    const result = check([...goodSet(), obj]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('GP-SCHEMA'))).toEqual([]);
  });

  test.each(CUSTOM_RESOURCES.map((o) => [o.kind, o] as const))('an unknown field in a %s is rejected', (kind, obj) => {
    const bad = JSON.parse(JSON.stringify(obj));
    bad.spec.extraField = true;
    const found = findingsOf(check([...goodSet(), bad]), 'GP-SCHEMA-UNKNOWN-FIELD');
    expect(found.map((f) => [f.object.kind, f.path])).toEqual([[kind, 'spec.extraField']]);
  });

  test('maps and free-form fields accept any key', () => {
    const set = goodSet();
    set[3].metadata.annotations = { 'example.com/anything': 'x' };
    set[3].spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
    expect(check(set).findings).toEqual([]);
  });

  test('reports the enum and the path of an invalid value', () => {
    const set = goodSet();
    set[3].spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    const [f] = findingsOf(check(set), 'GP-SCHEMA-INVALID');
    expect(f.path).toBe('spec.template.spec.containers[0].imagePullPolicy');
    expect(f.message).toBe('Deployment/shop/orders spec.template.spec.containers[0].imagePullPolicy: must be one of ["Always","IfNotPresent","Never"]');
  });
});

describe('generated validators', () => {
  test('were generated from the pinned schema packages (else run npm run policy:validators)', () => {
    const pinned = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'scripts', 'policy-validators.sources.json'), 'utf8')) as {
      packages: Array<{ name: string; version: string }>;
    }).packages;
    const versions = schemaValidators().versions;
    expect(Object.keys(versions)).toEqual(['kubernetes-models', '@kubernetes-models/gateway-api', '@kubernetes-models/prometheus-operator', '@kubernetes-models/cert-manager',
      '@kubernetes-models/external-secrets', '@kubernetes-models/sealed-secrets', '@kubernetes-models/flux-cd', '@kubernetes-models/argo-cd', '@kubernetes-models/keda']);
    for (const [pkg, version] of Object.entries(versions)) {
      expect(pinned.find((p) => p.name === pkg)?.version).toBe(version);
    }
  });
});
