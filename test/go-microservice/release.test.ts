import { Chart } from 'cdk8s';
import {
  BlueGreenColor, Certificates, GatewayAttachment, GoMicroservice, GoMicroserviceProps, IIngressControllerProfile, IngressController,
  NetworkPeer, ObservabilityStack, Release, SecureIngress, BackendProtocol,
} from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, findAll, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const STABLE = 'registry.example.com/shop/orders:1.4.2';
const NEXT = 'registry.example.com/shop/orders:1.5.0';
const TRACK = 'release.cdk8s-go-platform.io/track';

function orders(chart: Chart, props: Partial<GoMicroserviceProps> = {}): GoMicroservice {
  return new GoMicroservice(chart, 'orders', {
    image: STABLE,
    grpcPort: 9090,
    autoscaling: { minReplicas: 4, maxReplicas: 20 },
    release: Release.canary({ image: NEXT, weight: 10, header: { name: 'X-Canary' } }),
    ...props,
  });
}

function gatewayEdge(chart: Chart): SecureIngress {
  return new SecureIngress(chart, 'edge', {
    gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }),
    certificates: Certificates.fromClusterIssuer('letsencrypt'),
  });
}

function nginxEdge(chart: Chart, controller: IIngressControllerProfile = IngressController.ingressNginx()): SecureIngress {
  return new SecureIngress(chart, 'edge', {
    ingress: { ingressClassName: 'nginx', controller },
    certificates: Certificates.fromClusterIssuer('letsencrypt'),
  });
}

describe('canary release', () => {
  test('adds a canary Deployment, Service, HPA, PDB and NetworkPolicy beside the stable ones, told apart by instance and track', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    const svc = orders(chart);
    const out = synth(chart);
    // THEN
    const stable = find(out, 'Deployment', 'orders');
    const canary = find(out, 'Deployment', 'orders-canary');
    expect(stable.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'orders' });
    expect(stable.spec.template.metadata.labels[TRACK]).toBe('stable');
    expect(canary.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'orders-canary', 'app.kubernetes.io/name': 'orders' });
    expect(canary.spec.template.metadata.labels[TRACK]).toBe('canary');
    expect(canary.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.5.0');
    expect(canary.spec.template.spec.containers[0].image).toBe(NEXT);
    expect(canary.spec.template.spec.containers[0].name).toBe('orders');
    // same hardening and settings as the stable pods
    expect(canary.spec.template.spec.securityContext).toEqual(stable.spec.template.spec.securityContext);
    expect(canary.spec.template.spec.containers[0].securityContext).toEqual(stable.spec.template.spec.containers[0].securityContext);
    expect(canary.spec.template.spec.containers[0].resources).toEqual(stable.spec.template.spec.containers[0].resources);
    expect(canary.spec.strategy).toEqual(stable.spec.strategy);
    // the stable Service selects the stable pods only; the canary's its own
    expect(find(out, 'Service', 'orders').spec.selector).toEqual({ 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'orders' });
    expect(find(out, 'Service', 'orders-canary').spec.selector).toEqual({ 'app.kubernetes.io/instance': 'orders-canary', 'app.kubernetes.io/name': 'orders' });
    expect(find(out, 'Service', 'orders-canary').spec.ports.map((p: Manifest) => p.name)).toEqual(['http', 'grpc']);
    // scaled by the canary's share: 10% of 4..20 is 1..2
    const hpa = find(out, 'HorizontalPodAutoscaler', 'orders-canary');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 2]);
    expect(hpa.spec.scaleTargetRef.name).toBe('orders-canary');
    expect(findAll(out, 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['orders']);
    expect(find(out, 'NetworkPolicy', 'orders-canary').spec.podSelector.matchLabels).toEqual(svc.releaseTrack!.selectorLabels);
    expect(svc.releaseTracks).toEqual([{ track: 'canary', serviceName: 'orders-canary', weight: 10, header: { name: 'x-canary', value: 'always' } }]);
    expect(out).toPassPolicies();
    expect(out).toMatchSnapshot();
  });

  test('a canary at a large share gets its own disruption budget', () => {
    const chart = shopChart();
    orders(chart, { release: Release.canary({ image: NEXT, weight: 50 }) });
    const out = synth(chart);
    const hpa = find(out, 'HorizontalPodAutoscaler', 'orders-canary');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(find(out, 'PodDisruptionBudget', 'orders-canary').spec.selector.matchLabels['app.kubernetes.io/instance']).toBe('orders-canary');
  });

  test('without autoscaling the canary runs its share of replicas, at least one', () => {
    const chart = shopChart();
    orders(chart, { autoscaling: undefined, replicas: 3, release: Release.canary({ image: NEXT, weight: 0 }) });
    expect(find(synth(chart), 'Deployment', 'orders-canary').spec.replicas).toBe(1);
  });

  test('allowFrom, admitting peers and monitoring cover both tracks', () => {
    // GIVEN
    const chart = shopChart();
    const svc = orders(chart);
    const users = new GoMicroservice(chart, 'users', { image: 'registry.example.com/shop/users:2.0.3' });
    const stack = new ObservabilityStack(chart, 'obs', { operator: { releaseLabel: 'kps' } });
    // WHEN
    svc.allowFrom(users);
    users.allowFrom(svc);
    svc.allowFrom(NetworkPeer.namespace('batch'));
    stack.monitor(svc);
    const out = synth(chart);
    // THEN both NetworkPolicies carry the same rules
    const stablePolicy = find(out, 'NetworkPolicy', 'orders');
    const canaryPolicy = find(out, 'NetworkPolicy', 'orders-canary');
    expect(canaryPolicy.spec.ingress).toEqual(stablePolicy.spec.ingress);
    expect(stablePolicy.spec.ingress).toHaveLength(3);
    // users admits the pods of both tracks
    const usersRule = find(out, 'NetworkPolicy', 'users').spec.ingress[0].from[0];
    expect(usersRule.podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'orders' },
      matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values: ['orders', 'orders-canary'] }],
    });
    // OpenTelemetry settings reach both tracks
    const env = (name: string) => find(out, 'Deployment', name).spec.template.spec.containers[0].env.map((e: Manifest) => e.name);
    expect(env('orders-canary')).toEqual(env('orders'));
    expect(env('orders-canary')).toContain('OTEL_SERVICE_NAME');
    // the ServiceMonitor selects both Services and carries the track as a label
    const sm = find(out, 'ServiceMonitor', 'orders');
    expect(sm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'orders' });
    expect(find(out, 'Service', 'orders-canary').metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.endpoints[0].relabelings[0]).toEqual({
      action: 'replace',
      sourceLabels: ['__meta_kubernetes_pod_label_release_cdk8s_go_platform_io_track'],
      targetLabel: 'track',
    });
  });

  test('Gateway API routes send the header to the canary and split the rest by weight', () => {
    // GIVEN
    const chart = shopChart();
    const svc = orders(chart);
    const edge = gatewayEdge(chart);
    // WHEN
    edge.addRoute({ host: 'shop.example.com', path: '/api/orders', service: svc, rewritePrefix: '/' });
    edge.addRoute({ host: 'grpc.shop.example.com', service: svc, protocol: BackendProtocol.GRPC });
    const out = synth(chart);
    // THEN
    const http = find(out, 'HTTPRoute', 'edge-shop-example-com');
    expect(http.spec.rules).toHaveLength(2);
    expect(http.spec.rules[0].matches).toEqual([{
      path: { type: 'PathPrefix', value: '/api/orders' },
      headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }],
    }]);
    expect(http.spec.rules[0].backendRefs).toEqual([{ name: 'orders-canary', port: 80 }]);
    expect(http.spec.rules[0].filters).toEqual(http.spec.rules[1].filters);
    expect(http.spec.rules[1].matches).toEqual([{ path: { type: 'PathPrefix', value: '/api/orders' } }]);
    expect(http.spec.rules[1].backendRefs).toEqual([{ name: 'orders', port: 80, weight: 90 }, { name: 'orders-canary', port: 80, weight: 10 }]);
    const grpc = find(out, 'GRPCRoute', 'edge-grpc-shop-example-com');
    expect(grpc.spec.rules[0].matches).toEqual([{ headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }] }]);
    expect(grpc.spec.rules[1].backendRefs).toEqual([{ name: 'orders', port: 9090, weight: 90 }, { name: 'orders-canary', port: 9090, weight: 10 }]);
    // the gateway's namespace is admitted by both tracks
    expect(find(out, 'NetworkPolicy', 'orders-canary').spec.ingress).toEqual(find(out, 'NetworkPolicy', 'orders').spec.ingress);
    expect(out).toPassPolicies();
    expect(out).toMatchSnapshot();
  });

  test('ingress-nginx gets a canary Ingress with the same host and path', () => {
    // GIVEN
    const chart = shopChart();
    const svc = orders(chart);
    const edge = nginxEdge(chart);
    // WHEN
    edge.addRoute({ host: 'shop.example.com', path: '/api/orders', service: svc });
    const out = synth(chart);
    // THEN
    const [main, canary] = findAll(out, 'Ingress');
    expect(main.spec.rules[0].http.paths[0].backend.service.name).toBe('orders');
    expect(canary.metadata.name).toBe('edge-canary');
    expect(canary.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-by-header': 'x-canary',
      'nginx.ingress.kubernetes.io/canary-by-header-value': 'always',
      'nginx.ingress.kubernetes.io/canary-weight': '10',
    });
    expect(canary.spec.rules).toEqual([{
      host: 'shop.example.com',
      http: { paths: [{ path: '/api/orders', pathType: 'Prefix', backend: { service: { name: 'orders-canary', port: { number: 80 } } } }] },
    }]);
    expect(canary.spec.tls).toEqual(main.spec.tls);
    expect(out).toPassPolicies();
  });
});

describe('blue-green release', () => {
  function payments(chart: Chart, active: BlueGreenColor): GoMicroservice {
    return new GoMicroservice(chart, 'payments', {
      image: 'registry.example.com/shop/payments:2.9.7',
      replicas: 3,
      release: Release.blueGreen({
        green: { image: 'registry.example.com/shop/payments:3.0.0' },
        active,
        preview: { header: { name: 'x-preview' } },
      }),
    });
  }

  test('runs both colors at full size; the Service selects the active one and payments-preview the other', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    const svc = payments(chart, BlueGreenColor.BLUE);
    const edge = gatewayEdge(chart);
    edge.addRoute({ host: 'pay.example.com', service: svc });
    const out = synth(chart);
    // THEN
    expect(find(out, 'Deployment', 'payments').spec.replicas).toBe(3);
    expect(find(out, 'Deployment', 'payments').spec.template.metadata.labels[TRACK]).toBe('blue');
    expect(find(out, 'Deployment', 'payments-green').spec.replicas).toBe(3);
    expect(find(out, 'Deployment', 'payments-green').spec.template.metadata.labels[TRACK]).toBe('green');
    expect(find(out, 'Service', 'payments').spec.selector['app.kubernetes.io/instance']).toBe('payments');
    expect(find(out, 'Service', 'payments-preview').spec.selector['app.kubernetes.io/instance']).toBe('payments-green');
    expect(findAll(out, 'PodDisruptionBudget').map((p) => p.metadata.name).sort()).toEqual(['payments', 'payments-green']);
    const rules = find(out, 'HTTPRoute', 'edge-pay-example-com').spec.rules;
    expect(rules.map((r: Manifest) => r.backendRefs)).toEqual([[{ name: 'payments-preview', port: 80 }], [{ name: 'payments', port: 80 }]]);
    expect(out).toPassPolicies();
  });

  test('switching active changes only the two Service selectors', () => {
    // GIVEN
    const blue = shopChart();
    payments(blue, BlueGreenColor.BLUE);
    const green = shopChart();
    // WHEN
    payments(green, BlueGreenColor.GREEN);
    // THEN
    const before = synth(blue);
    const after = synth(green);
    const changed = after.filter((m, i) => JSON.stringify(m) !== JSON.stringify(before[i]));
    expect(changed.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Service/payments', 'Service/payments-preview']);
    expect(find(after, 'Service', 'payments').spec.selector['app.kubernetes.io/instance']).toBe('payments-green');
    expect(find(after, 'Service', 'payments-preview').spec.selector['app.kubernetes.io/instance']).toBe('payments');
  });
});

describe('release validation', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['weight above 100', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: 101 }) }),
      '[test/orders] release.weight (101) must be an integer percent from 0 to 100'],
    ['weight below 0', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: -1 }) }),
      '[test/orders] release.weight (-1) must be an integer percent from 0 to 100'],
    ['weight not an integer', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: 12.5 }) }),
      '[test/orders] release.weight (12.5) must be an integer percent from 0 to 100'],
    ['canary with the stable image', () => orders(shopChart(), { release: Release.canary({ image: STABLE, weight: 10 }) }),
      '[test/orders] release.image ("registry.example.com/shop/orders:1.4.2") is the service\'s image: a second track needs another release; to promote, set image to it and remove release'],
    ['canary with an unpinned image', () => orders(shopChart(), { release: Release.canary({ image: 'registry.example.com/shop/orders:latest', weight: 10 }) }),
      '[test/orders] release.image ("registry.example.com/shop/orders:latest") uses the mutable tag "latest": pin a version tag or a digest'],
    ['invalid header name', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: 10, header: { name: 'x canary' } }) }),
      '[test/orders] release.header.name ("x canary") must be an HTTP header name: letters, digits and !#$%&\'*+-.^_`|~'],
    ['header a proxy rewrites', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: 10, header: { name: 'Host' } }) }),
      '[test/orders] release.header.name ("Host") is a header proxies rewrite: choose a header of your own such as x-canary'],
    ['invalid header value', () => orders(shopChart(), { release: Release.canary({ image: NEXT, weight: 10, header: { name: 'x-canary', value: 'a b' } }) }),
      '[test/orders] release.header.value ("a b") must be 1 to 256 visible ASCII characters without spaces or quotes'],
    ['unknown blue-green color', () => orders(shopChart(), { release: Release.blueGreen({ green: { image: NEXT }, active: 'purple' as BlueGreenColor }) }),
      '[test/orders] release.active ("purple") is not a color: use BlueGreenColor.BLUE or BlueGreenColor.GREEN'],
    ['green with the blue image', () => orders(shopChart(), { release: Release.blueGreen({ green: { image: STABLE }, active: BlueGreenColor.GREEN }) }),
      '[test/orders] release.green.image ("registry.example.com/shop/orders:1.4.2") is the service\'s image: a second track needs another release; to promote, set image to it and remove release'],
    ['a name too long for the track Service', () => orders(shopChart(), { name: 'o'.repeat(60) }),
      `[test/orders] release (canary) names objects "${'o'.repeat(60)}-canary", longer than the 63 characters a Service name may have: shorten name`],
    ['release with keda', () => orders(shopChart(), {
      autoscaling: undefined,
      keda: { minReplicas: 1, maxReplicas: 3, triggers: [] },
    }), '[test/orders] release (canary) cannot be combined with keda: KEDA scales one Deployment; use autoscaling or replicas'],
  ];

  test.each(cases)('throws on %s', (_name, fn, message) => {
    expectExactError(fn, message);
  });

  test('throws when an Ingress profile cannot express a canary', () => {
    const chart = shopChart();
    const svc = orders(chart);
    const plain = IngressController.ingressNginx();
    const noCanary: IIngressControllerProfile = {
      name: 'plain-controller',
      namespace: 'ingress',
      annotationsFor: (r) => plain.annotationsFor(r),
      rewritePath: (p, r) => plain.rewritePath(p, r),
      rejectAnnotation: () => undefined,
    };
    const edge = nginxEdge(chart, noCanary);
    expectExactError(() => edge.addRoute({ host: 'shop.example.com', service: svc }),
      '[test/edge] addRoute service ("orders") has release track "canary" (weight 10, header x-canary), which the plain-controller profile cannot express: it has no canary Ingress; use Gateway API mode, or remove the release');
  });

  test('throws when raw canary annotations are set on ingress-nginx', () => {
    const chart = shopChart();
    expectExactError(() => new SecureIngress(chart, 'edge', {
      ingress: { ingressClassName: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '5' } },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    }), '[test/edge] ingress.annotations ("nginx.ingress.kubernetes.io/canary-weight") is rejected by the ingress-nginx profile: canary annotations are written for release tracks: set release on the backend (Release.canary) instead');
  });

  test('throws when a routable backend declares tracks whose weights exceed 100', () => {
    const chart = shopChart();
    const svc = new GoMicroservice(chart, 'orders', { image: STABLE });
    const edge = gatewayEdge(chart);
    const twoTracks = Object.create(svc, {
      releaseTracks: { value: [{ track: 'a', serviceName: 'orders-a', weight: 60 }, { track: 'b', serviceName: 'orders-b', weight: 50 }] },
    });
    expectExactError(() => edge.addRoute({ host: 'shop.example.com', service: twoTracks }),
      '[test/edge] addRoute service.releaseTracks ([60,50]) take 110% of the requests: the weights must add up to at most 100');
  });
});
