import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  BackendProtocol, Certificates, GatewayAttachment, GoMicroservice, IRoutableBackend, ObservabilityStack, ObservabilityStackProps,
  PlainWorkload, PlainWorkloadProps, RouteOptions, SecureIngress,
} from '../../lib';
import { kplus } from '../../lib/common/plus';
import { expectExactError, find, findAll, Manifest, SERVICE_MONITOR_TRACK_RELABELINGS } from '../util';

const GATEWAY = {
  gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway', proxyNamespace: 'envoy-gateway-system' }),
  certificates: Certificates.fromClusterIssuer('letsencrypt'),
};

interface Legacy {
  readonly shop: Chart;
  readonly obs: Chart;
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;
  readonly legacy: PlainWorkload;
}

/** A hand-written cdk8s-plus Deployment + Service in namespace `shop`, presented through PlainWorkload. */
function legacyShop(props: Partial<PlainWorkloadProps> = {}, ports: kplus.ServicePort[] = [
  { name: 'http', port: 80, targetPort: 8080 },
  { name: 'grpc', port: 9090, targetPort: 9090 },
  { name: 'metrics', port: 9102, targetPort: 9102 },
]): Legacy {
  const app = Testing.app();
  const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const obs = new Chart(app, 'obs', { namespace: 'observability', disableResourceNameHashes: true });
  const deployment = new kplus.Deployment(shop, 'legacy', {
    metadata: { name: 'legacy' },
    containers: [{ name: 'legacy', image: 'registry.example.com/legacy:3.1.0', portNumber: 8080 }],
  });
  const service = new kplus.Service(shop, 'legacy-service', {
    metadata: { name: 'legacy', labels: { 'app.kubernetes.io/name': 'legacy' } },
    selector: deployment,
    ports,
  });
  const legacy = new PlainWorkload(shop, 'legacy-contracts', { workload: deployment, service, ...props });
  return { shop, obs, deployment, service, legacy };
}

function stackOf(l: Legacy, props: ObservabilityStackProps = {}): ObservabilityStack {
  return new ObservabilityStack(l.obs, 'observability', props);
}

/** The route of `kind` for `host`. */
function route(manifests: Manifest[], kind: string, host: string): Manifest {
  const routes = findAll(manifests, kind).filter((r) => (r.spec.hostnames ?? []).includes(host) && r.spec.rules.some((rule: Manifest) => rule.backendRefs));
  expect(routes).toHaveLength(1);
  return routes[0];
}

function env(manifests: Manifest[]): Record<string, Manifest> {
  const container = find(manifests, 'Deployment', 'legacy').spec.template.spec.containers[0];
  return Object.fromEntries((container.env ?? []).map((e: Manifest) => [e.name, e]));
}

describe('a hand-written cdk8s-plus Deployment + Service as a routable backend', () => {
  // GIVEN a Gateway API ingress routing HTTP and gRPC to the plain workload
  const l = legacyShop();
  const edge = new SecureIngress(l.shop, 'edge', GATEWAY);
  edge.addRoute({ host: 'legacy.example.com', path: '/', service: l.legacy });
  edge.addRoute({ host: 'grpc.legacy.example.com', service: l.legacy, protocol: BackendProtocol.GRPC });
  const manifests = Testing.synth(l.shop);

  test('routes reach the Service ports named http and grpc', () => {
    expect(route(manifests, 'HTTPRoute', 'legacy.example.com').spec.rules[0].backendRefs).toEqual([{ name: 'legacy', port: 80 }]);
    expect(route(manifests, 'GRPCRoute', 'grpc.legacy.example.com').spec.rules[0].backendRefs).toEqual([{ name: 'legacy', port: 9090 }]);
  });

  test('the workload admits the gateway proxies on the routed container ports, in a NetworkPolicy of its own', () => {
    const np = find(manifests, 'NetworkPolicy', 'legacy-admitted');
    expect(np.metadata.namespace).toBe('shop');
    expect(np.spec.podSelector).toEqual({ matchLabels: l.deployment.matchLabels });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const gateway = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } }, podSelector: {} };
    expect(np.spec.ingress).toEqual([
      { from: [gateway], ports: [{ port: 8080, protocol: 'TCP' }] },
      { from: [gateway], ports: [{ port: 9090, protocol: 'TCP' }] },
    ]);
  });

  test('the Deployment gets the prometheus.io annotations of its metrics port', () => {
    expect(find(manifests, 'Deployment', 'legacy').spec.template.metadata.annotations).toEqual({
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': '9102',
      'prometheus.io/scrape': 'true',
    });
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('a hand-written cdk8s-plus Deployment + Service as a monitorable workload', () => {
  test('self-contained: OpenTelemetry environment, Prometheus admitted to metrics, the pods admitted to the collector', () => {
    // GIVEN a self-contained stack WHEN it monitors the plain workload
    const l = legacyShop();
    const stack = stackOf(l);
    stack.monitor(l.legacy);
    const shop = Testing.synth(l.shop);
    const obs = Testing.synth(l.obs);

    // THEN
    expect(stack.monitoredServices).toEqual(['shop/legacy']);
    expect(env(shop).OTEL_SERVICE_NAME).toEqual({ name: 'OTEL_SERVICE_NAME', value: 'legacy' });
    expect(env(shop).OTEL_EXPORTER_OTLP_ENDPOINT).toEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' });
    expect(env(shop).K8S_POD_NAME).toEqual({ name: 'K8S_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(find(shop, 'NetworkPolicy', 'legacy-admitted').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'observability', 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9102, protocol: 'TCP' }],
    }]);
    expect(find(obs, 'NetworkPolicy', 'otel-collector').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: l.deployment.matchLabels } }],
      ports: [{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }],
    }]);
  });

  test('operator mode: a ServiceMonitor that selects the Service by its labels on the metrics port', () => {
    const l = legacyShop({ metricsPath: '/internal/metrics' });
    const stack = stackOf(l, { operator: { prometheusNamespace: 'monitoring' } });
    stack.monitor(l.legacy);
    const obs = Testing.synth(l.obs);
    const sm = find(obs, 'ServiceMonitor', 'legacy');
    expect(sm.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'legacy', 'release': 'kube-prometheus-stack' });
    expect(sm.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'legacy' } },
      namespaceSelector: { matchNames: ['shop'] },
      endpoints: [{
        port: 'metrics',
        path: '/internal/metrics',
        interval: '30s',
        // the release track relabelings act only on pods that carry a track label
        relabelings: SERVICE_MONITOR_TRACK_RELABELINGS,
      }],
    });
    expect(find(Testing.synth(l.shop), 'NetworkPolicy', 'legacy-admitted').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
      ports: [{ port: 9102, protocol: 'TCP' }],
    }]);
  });

  test('a GoMicroservice admits the plain workload as a peer in its namespace', () => {
    const l = legacyShop();
    const orders = new GoMicroservice(l.shop, 'orders', { image: 'registry.example.com/orders:1.4.2' });
    orders.allowFrom(l.legacy);
    expect(find(Testing.synth(l.shop), 'NetworkPolicy', 'orders').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: l.deployment.matchLabels } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('networkPolicy: false leaves admission to the workload\'s own policies and creates nothing', () => {
    const l = legacyShop({ networkPolicy: false });
    stackOf(l).monitor(l.legacy);
    expect(l.legacy.networkPolicy).toBeUndefined();
    expect(findAll(Testing.synth(l.shop), 'NetworkPolicy')).toEqual([]);
  });

  test('a hand-written implementation of IRoutableBackend is routed without any class check', () => {
    const l = legacyShop();
    const admitted: string[] = [];
    const anchor = new Construct(l.shop, 'custom');
    const custom: IRoutableBackend = {
      node: anchor.node,
      with: (...mixins) => anchor.with(...mixins),
      name: 'custom',
      namespace: 'shop',
      selectorLabels: { app: 'custom' },
      servicePorts: [{ name: 'http', port: 80, targetPort: 8080 }],
      portNumber: () => 8080,
      allowFrom: (_peer, options) => {
        admitted.push(...options?.ports ?? []);
      },
    };
    const edge = new SecureIngress(l.shop, 'edge', GATEWAY);
    edge.addRoute({ host: 'custom.example.com', service: custom });
    expect(route(Testing.synth(l.shop), 'HTTPRoute', 'custom.example.com').spec.rules[0].backendRefs).toEqual([{ name: 'custom', port: 80 }]);
    expect(admitted).toEqual(['http']);
  });
});

describe('PlainWorkload rejects what it cannot present', () => {
  test('throws when the Service and the workload are in different namespaces', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    const deployment = new kplus.Deployment(a, 'web', { containers: [{ image: 'registry.example.com/web:1.0.0' }] });
    const service = new kplus.Service(b, 'web', { ports: [{ name: 'http', port: 80 }] });
    expectExactError(() => new PlainWorkload(a, 'contracts', { workload: deployment, service }),
      '[a/contracts] service namespace ("b") differs from the workload\'s ("a"): put both in one namespace');
  });

  test('throws when a Service port has no name', () => {
    expectExactError(() => legacyShop({}, [{ port: 80, targetPort: 8080 } as never]),
      '[shop/legacy-contracts] service.ports[0] (80) has no name: name every Service port (http, grpc, metrics...) so routes and monitoring can find it');
  });

  test('throws when metricsPortName is not a port of the Service', () => {
    expectExactError(() => legacyShop({ metricsPortName: 'prom' }),
      '[shop/legacy-contracts] metricsPortName ("prom") is not a port of Service "legacy": use one of http, grpc, metrics');
  });

  test('throws when prometheusScrape is asked for without a metrics port', () => {
    expectExactError(() => legacyShop({ prometheusScrape: true }, [{ name: 'http', port: 80, targetPort: 8080 }]),
      '[shop/legacy-contracts] prometheusScrape (true) needs a metrics port, which Service "legacy" does not have: name it metrics, or set metricsPortName');
  });

  test('throws when monitored without a metrics port', () => {
    const l = legacyShop({}, [{ name: 'http', port: 80, targetPort: 8080 }]);
    expectExactError(() => stackOf(l).monitor(l.legacy),
      '[shop/legacy-contracts] metricsPortName ("metrics") is not a port of Service "legacy": name the metrics port metrics, or set metricsPortName');
  });

  test('throws when a ServiceMonitor would select an unlabelled Service', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const deployment = new kplus.Deployment(shop, 'web', { containers: [{ image: 'registry.example.com/web:1.0.0' }] });
    const service = new kplus.Service(shop, 'web-service', { selector: deployment, ports: [{ name: 'metrics', port: 9102 }] });
    const web = new PlainWorkload(shop, 'web-contracts', { workload: deployment, service });
    const stack = new ObservabilityStack(new Chart(app, 'obs'), 'observability', { operator: {} });
    expectExactError(() => stack.monitor(web),
      '[shop/web-contracts] service labels ({}) are empty: label the Service so a ServiceMonitor can select it');
  });

  test('throws when the workload selects its pods with expressions and a NetworkPolicy is to be created', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const deployment = new kplus.Deployment(shop, 'web', { containers: [{ image: 'registry.example.com/web:1.0.0' }] });
    deployment.select(kplus.LabelSelector.of({ expressions: [kplus.LabelExpression.exists('tier')] }));
    const service = new kplus.Service(shop, 'web-service', { selector: deployment, ports: [{ name: 'http', port: 80 }] });
    expectExactError(() => new PlainWorkload(shop, 'web-contracts', { workload: deployment, service }),
      '[shop/web-contracts] workload matchExpressions ([{"key":"tier","operator":"Exists"}]) cannot select the pods of the NetworkPolicy this construct creates: select the workload by labels only, or set networkPolicy: false');
  });

  test('throws when allowFrom names a port the Service does not have, or none', () => {
    const l = legacyShop();
    expectExactError(() => l.legacy.allowFrom(l.legacy, { ports: ['admin'] }),
      '[shop/legacy-contracts] allowFrom ports names "admin", which Service "legacy" does not expose: use one of http, grpc, metrics');
    const m = legacyShop({}, [{ name: 'metrics', port: 9102 }]);
    expectExactError(() => m.legacy.allowFrom(m.deployment),
      '[shop/legacy-contracts] allowFrom ports ([]) is empty: name at least one of metrics');
  });

  test('throws when the peer is the workload itself', () => {
    const l = legacyShop();
    const message = '[shop/legacy-contracts] allowFrom peer ("shop/legacy-contracts") is this workload itself: allowFrom admits other workloads, not the workload\'s own pods';
    expectExactError(() => l.legacy.allowFrom(l.legacy), message);
    expectExactError(() => l.legacy.allowFrom(l.deployment), message);
  });

  test('throws when an environment variable is set twice', () => {
    const l = legacyShop();
    l.legacy.addEnvironment('MODE', kplus.EnvValue.fromValue('a'));
    expectExactError(() => l.legacy.addEnvironment('MODE', kplus.EnvValue.fromValue('b')),
      '[shop/legacy-contracts] addEnvironment sets "MODE", which is already set: each environment variable must be set once');
  });

  test('throws when the workload has no container to configure', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const deployment = new kplus.Deployment(shop, 'web');
    const service = new kplus.Service(shop, 'web-service', { ports: [{ name: 'http', port: 80 }] });
    const web = new PlainWorkload(shop, 'web-contracts', { workload: deployment, service });
    expectExactError(() => web.addEnvironment('MODE', kplus.EnvValue.fromValue('a')),
      '[shop/web-contracts] addEnvironment ("MODE") needs a container: add one to the workload first');
  });

  test('SecureIngress throws when a routable backend has no http Service port', () => {
    const l = legacyShop({}, [{ name: 'grpc', port: 9090 }]);
    const edge = new SecureIngress(l.shop, 'edge', GATEWAY);
    expectExactError(() => edge.addRoute({ host: 'legacy.example.com', service: l.legacy }),
      '[shop/edge] addRoute protocol (HTTP) needs a Service port named http, which service "legacy" does not expose: name the Service port that serves HTTP http');
  });

  test('SecureIngress throws when the backend is neither a routable backend nor a ServiceReference', () => {
    const l = legacyShop();
    const edge = new SecureIngress(l.shop, 'edge', GATEWAY);
    expectExactError(() => edge.addRoute({ host: 'legacy.example.com', service: l.deployment } as unknown as RouteOptions),
      '[shop/edge] addRoute service ("shop/legacy") must be a routable backend (a GoMicroservice or a PlainWorkload) or a ServiceReference ({ serviceName, ports })');
  });
});
