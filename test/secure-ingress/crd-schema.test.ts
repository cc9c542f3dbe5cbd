import { App, Duration, Testing } from 'cdk8s';
import { ENVIRONMENTS } from '../../apps/environments';
import {
  BackendProtocol, Certificates, checkManifests, GatewayAttachment, GoMicroservice, PathType, SecureIngress, SecurityHeaders,
} from '../../lib';
import { buildPlatform } from '../../apps/platform';
import { Manifest, shopChart } from '../util';

/**
 * Validates what SecureIngress renders against the Gateway API v1.5.1 and
 * cert-manager schemas of the policy gate (the releases the classes in
 * imports/ were generated from), with unknown fields rejected, and checks the
 * invariants the example platform promises.
 */

/** Schema findings (GP-SCHEMA-*) for each object, as `Kind/name: message`. */
function schemaErrors(objects: Manifest[]): string[] {
  return checkManifests(objects).findings
    .filter((f) => f.ruleId.startsWith('GP-SCHEMA'))
    .map((f) => `${f.ruleId} ${f.message}`);
}

const CRD_KINDS = ['Gateway', 'HTTPRoute', 'GRPCRoute', 'Certificate'];

function synthEnvironment(name: string): Manifest[] {
  const env = ENVIRONMENTS.find((e) => e.name === name)!;
  const app: App = Testing.app();
  buildPlatform(app, env);
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

test('Gateway, HTTPRoute, GRPCRoute (v1) and Certificate have schemas', () => {
  const objects = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'shop' }, spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'h', namespace: 'shop' }, spec: {} },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'r', namespace: 'shop' }, spec: {} },
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'shop' }, spec: { secretName: 's', issuerRef: { name: 'i' } } },
  ];
  expect(schemaErrors(objects)).toEqual([]);
});

test('an unknown field fails the strict schema', () => {
  expect(schemaErrors([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x', namespace: 'shop' }, spec: { hostname: 'a.example.com' } }]))
    .toEqual(['GP-SCHEMA-UNKNOWN-FIELD HTTPRoute/shop/x spec.hostname: unknown field for gateway.networking.k8s.io/v1 HTTPRoute']);
});

describe.each(ENVIRONMENTS.map((e) => e.name))('example platform %s', (name) => {
  const manifests = synthEnvironment(name);

  test('every Gateway API and cert-manager object is valid against its schema', () => {
    expect(schemaErrors(manifests.filter((m) => CRD_KINDS.includes(m.kind)))).toEqual([]);
  });

  test('every Ingress has TLS for every host, and no snippet annotation', () => {
    for (const ing of manifests.filter((m) => m.kind === 'Ingress')) {
      const tlsHosts = (ing.spec.tls ?? []).flatMap((t: Manifest) => t.hosts);
      for (const rule of ing.spec.rules) {
        expect(tlsHosts).toContain(rule.host);
      }
      expect(Object.keys(ing.metadata.annotations ?? {}).filter((k) => /snippet$/.test(k))).toEqual([]);
    }
  });

  test('every routed backend port exists on its Service', () => {
    const servicePorts = (svc: string): number[] => manifests
      .find((m) => m.kind === 'Service' && m.metadata.name === svc)!.spec.ports.map((p: Manifest) => p.port);
    const backends: Array<[string, number]> = [
      ...manifests.filter((m) => m.kind === 'Ingress').flatMap((ing) => ing.spec.rules.flatMap((r: Manifest) => r.http.paths
        .map((p: Manifest) => [p.backend.service.name, p.backend.service.port.number] as [string, number]))),
      ...manifests.filter((m) => m.kind === 'HTTPRoute' || m.kind === 'GRPCRoute').flatMap((route) => route.spec.rules
        .flatMap((r: Manifest) => (r.backendRefs ?? []).map((b: Manifest) => [b.name, b.port] as [string, number]))),
    ];
    expect(backends.length).toBeGreaterThan(0);
    for (const [svc, port] of backends) {
      expect(servicePorts(svc)).toContain(port);
    }
  });
});

test('staging is exposed through Ingress objects and production through Gateway API routes', () => {
  const staging = synthEnvironment('staging');
  const production = synthEnvironment('production');
  expect(staging.filter((m) => m.kind === 'Ingress').map((m) => m.metadata.name)).toEqual(['storefront', 'storefront-canary', 'storefront-2', 'storefront-2-canary', 'grafana-edge']);
  expect(staging.filter((m) => m.kind === 'HTTPRoute')).toEqual([]);
  expect(production.filter((m) => m.kind === 'Ingress')).toEqual([]);
  expect(production.filter((m) => CRD_KINDS.includes(m.kind)).map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
    'Certificate/gateway/storefront-grpc-shop-example-com',
    'Certificate/gateway/storefront-shop-example-com',
    'GRPCRoute/shop/storefront-grpc-shop-example-com',
    'Gateway/gateway/storefront',
    'HTTPRoute/shop/storefront-https-redirect',
    'HTTPRoute/shop/storefront-shop-example-com',
  ]);
});

test('every Gateway API option renders objects valid against the schemas', () => {
  // GIVEN every feature of Gateway API mode, on a created and on an existing Gateway
  const chart = shopChart();
  const users = new GoMicroservice(chart, 'users', { image: 'registry.example.com/users:2.0.3' });
  const orders = new GoMicroservice(chart, 'orders', { image: 'registry.example.com/orders:1.4.2', grpcPort: 9090 });
  const created = new SecureIngress(chart, 'created', {
    gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }),
    certificates: Certificates.fromIssuer('shop-ca'),
    securityHeaders: SecurityHeaders.recommended({ extra: { 'Content-Security-Policy': "default-src 'self'" } }),
    timeouts: { request: Duration.seconds(90), backendRequest: Duration.millis(1500) },
    cors: { allowOrigins: ['https://*.example.com', 'https://shop.example.com:8443'], allowCredentials: true, exposeHeaders: ['X-Request-Id'] },
  });
  created.addRoute({ host: '*.example.com', path: '/api', service: users, rewritePrefix: '/v2' });
  created.addRoute({ host: '*.example.com', path: '/ping', pathType: PathType.EXACT, service: users });
  created.addRoute({ host: 'grpc.example.com', service: orders, protocol: BackendProtocol.GRPC });
  const existing = new SecureIngress(chart, 'existing', { gateway: GatewayAttachment.existing({ name: 'public', namespace: 'gateway', sectionName: 'https' }) });
  existing.addRoute({ host: 'legacy.example.com', service: { serviceName: 'legacy', ports: [8080] } });
  existing.addRoute({ host: 'rpc.example.com', path: '/shop.orders.v1.OrderService/Get', service: orders, protocol: BackendProtocol.GRPC });
  const plain = new SecureIngress(chart, 'plain', { gateway: GatewayAttachment.create({ gatewayClassName: 'eg' }), allowPlainHttp: true });
  plain.addRoute({ host: 'dev.example.com', service: users });
  // WHEN
  const objects = Testing.synth(chart).filter((m) => CRD_KINDS.includes(m.kind));
  // THEN
  expect(objects).toHaveLength(10);
  expect(schemaErrors(objects)).toEqual([]);
});
