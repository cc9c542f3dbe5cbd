import * as path from 'path';
import { ANYONE, buildGraph, GraphEdge, PlatformGraph } from '../../lib/review/graph-model';
import { readManifestDir } from '../../lib/review/manifests';
import {
  admit, deployment, gateway, hpa, httpRoute, labelsFor, namespace, networkPolicy, nsNamed, pdb, podsOf, service, shop,
} from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

// Reading and modelling the example platform takes seconds on a busy machine.
jest.setTimeout(60_000);
const W = (ns: string, name: string): string => `workload:${ns}/Deployment/${name}`;

function traffic(g: PlatformGraph): string[] {
  return g.edges.filter((e) => e.kind === 'traffic').map((e) => `${e.from} -> ${e.to} : ${e.label}${e.wide ? ' (wide)' : ''}`);
}

function edgesOf(g: PlatformGraph, kind: GraphEdge['kind']): string[] {
  return g.edges.filter((e) => e.kind === kind).map((e) => `${e.from} -> ${e.to}${e.label ? ` : ${e.label}` : ''}`);
}

describe('graph: traffic admitted by NetworkPolicies', () => {
  test('a pod no ingress policy selects admits everyone, drawn as a wide edge', () => {
    // GIVEN two services and no NetworkPolicy
    const g = buildGraph(shop());
    // THEN both admit anyone on all ports
    expect(traffic(g)).toEqual([
      `${ANYONE} -> ${W('shop', 'orders')} : all ports (no ingress policy) (wide)`,
      `${ANYONE} -> ${W('shop', 'users')} : all ports (no ingress policy) (wide)`,
    ]);
    expect(g.nodes.find((n) => n.id === ANYONE)?.wide).toBe(true);
  });

  test('a same-namespace podSelector admits exactly the workloads it matches, on the named port', () => {
    const g = buildGraph([...shop(), admit('shop', 'orders', [podsOf('users')], 9090), admit('shop', 'users', [podsOf('orders')])]);
    expect(traffic(g)).toEqual([
      `${W('shop', 'orders')} -> ${W('shop', 'users')} : http`,
      `${W('shop', 'users')} -> ${W('shop', 'orders')} : grpc`,
    ]);
  });

  test('a deny-all policy (Ingress type, no rules) admits nobody: no edge, the workload says so', () => {
    const denyAll = networkPolicy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
    const g = buildGraph([...shop(), denyAll]);
    expect(traffic(g)).toEqual([]);
    expect(g.nodes.find((n) => n.id === W('shop', 'orders'))?.details).toContain('admits no ingress traffic');
  });

  test('an Egress-only policy does not make its pods deny ingress', () => {
    const egressOnly = networkPolicy('shop', 'egress', { podSelector: {}, policyTypes: ['Egress'], egress: [] });
    const g = buildGraph([deployment('shop', 'orders'), egressOnly]);
    expect(traffic(g)).toEqual([`${ANYONE} -> ${W('shop', 'orders')} : all ports (no ingress policy) (wide)`]);
  });

  test('a peer that matches no workload admits nobody: no edge, and a note names the policy', () => {
    const g = buildGraph([...shop(), admit('shop', 'orders', [podsOf('billing')])]);
    expect(traffic(g).filter((e) => e.includes('orders') && !e.startsWith(ANYONE))).toEqual([]);
    expect(g.notes).toContain('NetworkPolicy shop/orders: peer app.kubernetes.io/instance=billing,app.kubernetes.io/name=billing in shop matches no workload, so it admits nobody');
  });

  test('cross-namespace: namespaceSelector AND podSelector admit the workload in the other namespace only', () => {
    const g = buildGraph([
      ...shop(), deployment('observability', 'prometheus'), deployment('observability', 'grafana'),
      admit('shop', 'orders', [{ namespaceSelector: nsNamed('observability'), ...podsOf('prometheus') }]),
    ]);
    expect(traffic(g).filter((e) => e.includes('-> workload:shop/Deployment/orders'))).toEqual([
      `${W('observability', 'prometheus')} -> ${W('shop', 'orders')} : http`,
    ]);
  });

  test('a namespace outside the manifests is drawn as one node for its pods', () => {
    const g = buildGraph([...shop(), admit('shop', 'users', [{ namespaceSelector: nsNamed('ingress-nginx'), podSelector: {} }])]);
    expect(traffic(g)).toContain(`peer:ingress-nginx/all -> ${W('shop', 'users')} : http`);
    expect(g.nodes.find((n) => n.id === 'peer:ingress-nginx/all')).toMatchObject({ label: 'every pod in ingress-nginx', details: ['namespace not in these manifests'] });
  });

  test('an empty namespaceSelector is wide: every namespace', () => {
    const g = buildGraph([...shop(), admit('shop', 'users', [{ namespaceSelector: {} }])]);
    expect(traffic(g)).toContain(`peer:all/all -> ${W('shop', 'users')} : http (wide)`);
    expect(g.nodes.find((n) => n.id === 'peer:all/all')).toMatchObject({ label: 'every pod in every namespace', wide: true });
  });

  test('a namespaceSelector by labels (not by name) is wide: any namespace carrying them', () => {
    const g = buildGraph([...shop(), namespace('tools', { team: 'platform' }),
      admit('shop', 'users', [{ namespaceSelector: { matchLabels: { team: 'platform' } }, ...podsOf('debug') }])]);
    const e = g.edges.find((x) => x.kind === 'traffic' && x.to === W('shop', 'users') && x.from !== ANYONE);
    expect(e).toMatchObject({ from: 'peer:team=platform/app.kubernetes.io/instance=debug,app.kubernetes.io/name=debug', wide: true });
    expect(g.nodes.find((n) => n.id === e!.from)?.label).toBe('instance=debug,name=debug in namespaces team=platform');
  });

  test('matchExpressions: In, NotIn, Exists and DoesNotExist select pods', () => {
    const tiered = (name: string, tier: string): ReturnType<typeof deployment> => {
      const d = deployment('shop', name);
      d.spec.template.metadata.labels.tier = tier;
      return d;
    };
    const g = buildGraph([deployment('shop', 'db'), tiered('api', 'backend'), tiered('web', 'frontend'), tiered('batch', 'jobs'),
      admit('shop', 'db', [{ podSelector: { matchExpressions: [
        { key: 'tier', operator: 'In', values: ['backend', 'jobs'] },
        { key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['batch'] },
        { key: 'tier', operator: 'Exists' },
        { key: 'debug', operator: 'DoesNotExist' },
      ] } }])]);
    expect(traffic(g).filter((e) => e.includes('-> workload:shop/Deployment/db'))).toEqual([`${W('shop', 'api')} -> ${W('shop', 'db')} : http`]);
  });

  test('an ipBlock of 0.0.0.0/0 is wide; a narrower one is not', () => {
    const g = buildGraph([deployment('shop', 'users'), networkPolicy('shop', 'users', {
      podSelector: { matchLabels: labelsFor('users') },
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }, { ipBlock: { cidr: '192.168.0.0/16' } }] }],
    })]);
    expect(traffic(g)).toEqual([
      `peer:cidr/0.0.0.0/0 except 10.0.0.0/8 -> ${W('shop', 'users')} : all ports (wide)`,
      `peer:cidr/192.168.0.0/16 -> ${W('shop', 'users')} : all ports`,
    ]);
  });

  test('a rule without from admits any source; policyTypes omitted still means Ingress', () => {
    const g = buildGraph([deployment('shop', 'users'), networkPolicy('shop', 'users', {
      podSelector: { matchLabels: labelsFor('users') }, ingress: [{ ports: [{ port: 8080 }] }],
    })]);
    expect(traffic(g)).toEqual([`peer:any-source -> ${W('shop', 'users')} : http (wide)`]);
  });

  test("a source's egress policy that does not admit the destination removes the edge", () => {
    const g = buildGraph([...shop(), admit('shop', 'orders', [podsOf('users')]),
      networkPolicy('shop', 'users-egress', { podSelector: { matchLabels: labelsFor('users') }, policyTypes: ['Egress'], egress: [{ to: [podsOf('payments')] }] })]);
    expect(traffic(g).filter((e) => e.endsWith('orders : http'))).toEqual([]);
    expect(g.notes).toContain('shop/orders admits shop/users on http, but an egress policy of users blocks it');
  });
});

describe('graph: entry points, routes, services, workloads', () => {
  test('listener → route rule → Service → Deployment, with HPA range and PDB on the workload', () => {
    const g = buildGraph([...shop(), hpa('shop', 'orders', 2, 10), pdb('shop', 'orders', { minAvailable: 1 }),
      gateway('gateway', 'edge', [{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'shop.example.com', allowedRoutes: { namespaces: { from: 'All' } } }]),
      httpRoute('shop', 'api', {
        hostnames: ['shop.example.com'], parentRefs: [{ name: 'edge', namespace: 'gateway' }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api/orders' } }], backendRefs: [{ name: 'orders', port: 80 }] }],
      })]);
    expect(edgesOf(g, 'route')).toEqual(['entry:gateway/edge/https -> route:shop/HTTPRoute/api#0 : shop.example.com']);
    expect(edgesOf(g, 'backend')).toEqual(['route:shop/HTTPRoute/api#0 -> service:shop/orders : 80']);
    expect(edgesOf(g, 'selects')).toEqual([`service:shop/orders -> ${W('shop', 'orders')}`, `service:shop/users -> ${W('shop', 'users')}`]);
    expect(g.nodes.find((n) => n.id === 'route:shop/HTTPRoute/api#0')?.label).toBe('/api/orders');
    expect(g.nodes.find((n) => n.id === W('shop', 'orders'))).toMatchObject({ details: ['orders:1.0.0', 'HPA 2–10', 'PDB minAvailable 1'], group: 'shop/orders' });
    expect(g.nodes.find((n) => n.id === 'service:shop/orders')?.group).toBe('shop/orders');
  });

  test('a route the listener does not accept gets no edge, and a note says why', () => {
    const g = buildGraph([...shop(),
      gateway('gateway', 'edge', [{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'shop.example.com' }]),
      httpRoute('shop', 'api', { parentRefs: [{ name: 'edge', namespace: 'gateway' }], rules: [{ backendRefs: [{ name: 'orders', port: 80 }] }] })]);
    expect(edgesOf(g, 'route')).toEqual([]);
    expect(g.notes).toContain('HTTPRoute shop/api is not accepted by listener gateway/edge/https: routes only from namespace gateway');
  });

  test('Ingress hosts and paths route to Services; a backend that does not exist is marked missing', () => {
    const g = buildGraph([...shop(), {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example.com', http: { paths: [
        { path: '/api/users', pathType: 'Prefix', backend: { service: { name: 'users', port: { number: 80 } } } },
        { path: '/api/billing', pathType: 'Prefix', backend: { service: { name: 'billing', port: { name: 'http' } } } },
      ] } }] },
    }]);
    expect(edgesOf(g, 'backend')).toEqual(['route:shop/Ingress/web#0.0 -> service:shop/users : 80', 'route:shop/Ingress/web#0.1 -> service:shop/billing : http']);
    expect(g.nodes.find((n) => n.id === 'service:shop/billing')).toMatchObject({ missing: true });
  });
});

describe('graph: scraping, telemetry and secrets', () => {
  test("a self-contained Prometheus scrapes annotated pods by its config's keep rule, and its static targets", () => {
    const config = [
      'scrape_configs:',
      '  - job_name: pods',
      '    kubernetes_sd_configs: [{ role: pod }]',
      '    relabel_configs:',
      '      - { source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep, regex: "true" }',
      '  - job_name: ksm',
      '    static_configs: [{ targets: ["kube-state-metrics.observability.svc:8080"] }]',
    ].join('\n');
    const g = buildGraph([
      deployment('shop', 'orders', { podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' } }),
      deployment('shop', 'users', { podAnnotations: { 'prometheus.io/scrape': 'false' } }),
      deployment('observability', 'prometheus', { volumes: [{ name: 'config', configMap: { name: 'prom-config' } }] }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prom-config', namespace: 'observability' }, data: { 'prometheus.yml': config } },
      deployment('observability', 'kube-state-metrics'), service('observability', 'kube-state-metrics'),
    ]);
    expect(edgesOf(g, 'scrape')).toEqual([
      `${W('observability', 'prometheus')} -> service:observability/kube-state-metrics : ksm`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'orders')} : pods :8080/metrics`,
    ]);
  });

  test('ServiceMonitors without a Prometheus in the set are scraped by one operator node outside it', () => {
    const g = buildGraph([...shop(), {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'orders', namespace: 'shop' },
      spec: { selector: { matchLabels: labelsFor('orders') }, endpoints: [{ port: 'http', path: '/metrics' }] },
    }]);
    expect(edgesOf(g, 'scrape')).toEqual(['monitor:operator -> service:shop/orders : ServiceMonitor orders: http /metrics']);
  });

  test('OTLP endpoints resolve to the collector Service; Secrets show their sources or are marked missing', () => {
    const g = buildGraph([
      deployment('shop', 'orders', {
        annotations: { 'policy.cdk8s-go-platform.io/external': 'Secret/orders-db' },
        env: [
          { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'url' } } },
          { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'orders-api', key: 'key' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'orders-token', key: 'key' } } },
        ],
      }),
      deployment('observability', 'otel-collector'), service('observability', 'otel-collector'),
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'orders-api', namespace: 'shop' }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' } } },
    ]);
    expect(edgesOf(g, 'telemetry')).toEqual([`${W('shop', 'orders')} -> service:observability/otel-collector : OTLP`]);
    expect(edgesOf(g, 'source')).toEqual([
      'source:shop/ExternalSecret/orders-api -> secret:shop/orders-api',
      'store:ClusterSecretStore/vault -> source:shop/ExternalSecret/orders-api',
    ]);
    expect(g.nodes.find((n) => n.id === 'store:ClusterSecretStore/vault')).toMatchObject({ label: 'ClusterSecretStore vault', details: ['outside these manifests'] });
    const secret = (name: string): unknown => g.nodes.find((n) => n.id === `secret:shop/${name}`);
    expect(secret('orders-db')).toMatchObject({ details: ['external (declared)'] });
    expect(secret('orders-token')).toMatchObject({ missing: true });
    expect(secret('orders-api')).not.toHaveProperty('missing');
  });
});

describe('graph: secret stores', () => {
  test('an ExternalSecret links to its default store and to the stores its entries name; a store in the set is not marked outside', () => {
    const g = buildGraph([
      deployment('shop', 'orders', { env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'orders-external', key: 'DATABASE_URL' } } }] }),
      { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'team-vault', namespace: 'shop' }, spec: {} },
      {
        apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'orders-external', namespace: 'shop' },
        spec: {
          secretStoreRef: { kind: 'SecretStore', name: 'team-vault' },
          data: [
            { secretKey: 'DATABASE_URL', remoteRef: { key: 'db', property: 'url' } },
            { secretKey: 'STRIPE_KEY', remoteRef: { key: 'stripe' }, sourceRef: { storeRef: { kind: 'ClusterSecretStore', name: 'aws' } } },
          ],
        },
      },
    ]);
    expect(edgesOf(g, 'source')).toEqual([
      'source:shop/ExternalSecret/orders-external -> secret:shop/orders-external',
      'store:ClusterSecretStore/aws -> source:shop/ExternalSecret/orders-external',
      'store:shop/SecretStore/team-vault -> source:shop/ExternalSecret/orders-external',
    ]);
    expect(g.nodes.filter((n) => n.id.startsWith('store:'))).toEqual([
      { id: 'store:ClusterSecretStore/aws', kind: 'secret-source', label: 'ClusterSecretStore aws', details: ['outside these manifests'] },
      { id: 'store:shop/SecretStore/team-vault', kind: 'secret-source', label: 'SecretStore team-vault', details: [], namespace: 'shop' },
    ]);
  });
});

describe('graph of the example platform', () => {
  test('production: every route, allowed flow and scrape target the manifests imply, and nothing else', () => {
    const g = buildGraph(readManifestDir(path.join(ROOT, 'dist', 'production')));
    expect(edgesOf(g, 'backend')).toEqual([
      'route:shop/GRPCRoute/storefront-grpc-shop-example-com#0 -> service:shop/orders : 9090',
      'route:shop/HTTPRoute/storefront-shop-example-com#0 -> service:shop/users : 80',
      'route:shop/HTTPRoute/storefront-shop-example-com#1 -> service:shop/orders : 80',
    ]);
    expect(traffic(g)).toEqual([
      `peer:envoy-gateway-system/all -> ${W('shop', 'orders')} : grpc, http`,
      `peer:envoy-gateway-system/all -> ${W('shop', 'users')} : http`,
      `peer:monitoring/all -> ${W('shop', 'orders')} : http`,
      `peer:monitoring/all -> ${W('shop', 'payments')} : metrics`,
      `peer:monitoring/all -> ${W('shop', 'payments-green')} : metrics`,
      `peer:monitoring/all -> ${W('shop', 'users')} : http`,
      `${W('shop', 'orders')} -> ${W('shop', 'payments')} : grpc`,
      `${W('shop', 'orders')} -> ${W('shop', 'payments-green')} : grpc`,
      `${W('shop', 'users')} -> ${W('shop', 'orders')} : grpc, http`,
    ]);
    expect(edgesOf(g, 'scrape')).toEqual([
      'monitor:operator -> service:shop/orders : ServiceMonitor orders: http /metrics',
      'monitor:operator -> service:shop/payments : ServiceMonitor payments: metrics /metrics',
      'monitor:operator -> service:shop/payments-preview : ServiceMonitor payments: metrics /metrics',
      'monitor:operator -> service:shop/users : ServiceMonitor users: http /metrics',
    ]);
    // The pods keep their scrape annotations, but no Prometheus of this set reads them: said, not drawn.
    expect(g.nodes.find((n) => n.id === W('shop', 'orders'))?.details).toContain('scrape annotation :8080/metrics (no Prometheus here reads it)');
    expect(g.nodes.filter((n) => n.missing)).toEqual([]);
  });

  test('staging: Ingress paths, the self-contained stack and its flows', () => {
    const g = buildGraph(readManifestDir(path.join(ROOT, 'dist', 'staging')));
    expect(edgesOf(g, 'backend')).toEqual([
      'route:observability/Ingress/grafana-edge#0.0 -> service:observability/grafana : 3000',
      'route:shop/Ingress/storefront#0.0 -> service:shop/users : 80',
      'route:shop/Ingress/storefront#0.1 -> service:shop/orders : 80',
      'route:shop/Ingress/storefront-2#0.0 -> service:shop/orders : 9090',
      'route:shop/Ingress/storefront-2-canary#0.0 -> service:shop/orders-canary : 9090',
      'route:shop/Ingress/storefront-canary#0.0 -> service:shop/orders-canary : 80',
    ]);
    expect(edgesOf(g, 'scrape')).toEqual([
      `${W('observability', 'prometheus')} -> external:every node (kubelet) : kubernetes-cadvisor`,
      `${W('observability', 'prometheus')} -> service:observability/kube-state-metrics : kube-state-metrics`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'order-events')} : kubernetes-pods :8080/metrics`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'orders')} : kubernetes-pods :8080/metrics`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'orders-canary')} : kubernetes-pods :8080/metrics`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'payments')} : kubernetes-pods :9102/metrics`,
      `${W('observability', 'prometheus')} -> ${W('shop', 'users')} : kubernetes-pods :8080/metrics`,
    ]);
    expect(traffic(g).filter((e) => e.includes('(wide)'))).toEqual([]);
    expect(g.nodes.filter((n) => n.missing)).toEqual([]);
  });

  test('the Secrets read from Vault show their ExternalSecret and its store', () => {
    const g = buildGraph(readManifestDir(path.join(ROOT, 'dist', 'production')));
    const hash = (e: string) => e.replace(/-[0-9a-f]{10}\b/g, '-<hash>');
    expect(edgesOf(g, 'source').filter((e) => e.includes('ExternalSecret')).map(hash)).toEqual([
      'source:shop/ExternalSecret/orders-external-<hash> -> secret:shop/orders-external-<hash>',
      'source:shop/ExternalSecret/orders-migrate-external-<hash> -> secret:shop/orders-migrate-external-<hash>',
      'store:ClusterSecretStore/vault -> source:shop/ExternalSecret/orders-external-<hash>',
      'store:ClusterSecretStore/vault -> source:shop/ExternalSecret/orders-migrate-external-<hash>',
    ]);
    const sources = g.nodes.filter((n) => n.kind === 'secret-source' && n.label.startsWith('ExternalSecret'));
    expect(sources.map((n) => n.details)).toEqual([['store ClusterSecretStore/vault'], ['store ClusterSecretStore/vault']]);
    // one store node outside every namespace, installed by the platform team
    expect(g.nodes.filter((n) => n.id.startsWith('store:'))).toEqual([
      { id: 'store:ClusterSecretStore/vault', kind: 'secret-source', label: 'ClusterSecretStore vault', details: ['outside these manifests'] },
    ]);
    expect(edgesOf(g, 'secret').filter((e) => e.includes('-external-')).map(hash)).toEqual([
      `secret:shop/orders-external-<hash> -> ${W('shop', 'orders')} : env DATABASE_URL`,
      'secret:shop/orders-migrate-external-<hash> -> workload:shop/Job/orders-migrate-<hash> : env DATABASE_URL',
    ]);
  });
});
