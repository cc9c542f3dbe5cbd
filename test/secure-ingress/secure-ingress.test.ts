import { Chart, Duration, Size, Testing } from 'cdk8s';
import {
  BackendProtocol, Certificates, GatewayAttachment, GoMicroservice, IngressController, IngressMode, IngressOptions, PathType,
  RouteOptions, SecureIngress, SecureIngressProps, SecurityHeaders,
} from '../../lib';
import { find, findAll, Manifest, shopChart, synth } from '../util';

const ORDERS_IMAGE = 'registry.example.com/shop/orders:1.4.2';
const USERS_IMAGE = 'registry.example.com/shop/users:2.0.3';

/** A shop chart with users (HTTP) and orders (HTTP on 8080 behind Service port 80, gRPC on 9090). */
function shop(): { chart: Chart; users: GoMicroservice; orders: GoMicroservice } {
  const chart = shopChart();
  const users = new GoMicroservice(chart, 'users', { image: USERS_IMAGE });
  const orders = new GoMicroservice(chart, 'orders', { image: ORDERS_IMAGE, grpcPort: 9090 });
  return { chart, users, orders };
}

function ingressRules(networkPolicy: Manifest): Array<{ namespace: string; ports: number[] }> {
  return (networkPolicy.spec.ingress ?? []).map((rule: Manifest) => ({
    namespace: rule.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'],
    ports: rule.ports.map((p: Manifest) => p.port),
  }));
}

const RECOMMENDED_HEADERS = [
  { name: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' },
  { name: 'X-Content-Type-Options', value: 'nosniff' },
  { name: 'X-Frame-Options', value: 'DENY' },
  { name: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
];

describe('SecureIngress in Gateway API mode with a created Gateway', () => {
  function build(): { manifests: Manifest[]; edge: SecureIngress } {
    const { chart, users, orders } = shop();
    const edge = new SecureIngress(chart, 'storefront', {
      gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway', proxyNamespace: 'envoy-gateway-system' }),
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
      timeouts: { request: Duration.seconds(30), backendRequest: Duration.millis(2500) },
      cors: { allowOrigins: ['https://shop.example.com'], allowCredentials: true, exposeHeaders: ['X-Request-Id'], maxAge: Duration.hours(1) },
    });
    edge.addRoute({ host: 'shop.example.com', path: '/api/orders', service: orders, rewritePrefix: '/' });
    edge.addRoute({ host: 'shop.example.com', path: '/healthz', pathType: PathType.EXACT, service: users });
    edge.addRoute({ host: 'grpc.shop.example.com', path: '/shop.orders.v1.OrderService', service: orders, protocol: BackendProtocol.GRPC });
    edge.addRoute({ host: 'grpc.shop.example.com', path: '/shop.orders.v1.Admin/Drain', service: orders, protocol: BackendProtocol.GRPC });
    return { manifests: synth(chart), edge };
  }

  test('creates a Gateway with an HTTP redirect listener and an HTTPS listener per host', () => {
    // GIVEN / WHEN
    const { manifests } = build();
    // THEN
    const gateway = find(manifests, 'Gateway', 'storefront');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata.namespace).toBe('gateway');
    expect(gateway.spec.gatewayClassName).toBe('eg');
    const fromShop = { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } };
    expect(gateway.spec.listeners).toEqual([
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: fromShop, kinds: [{ kind: 'HTTPRoute' }] } },
      {
        name: 'https-shop-example-com', hostname: 'shop.example.com', port: 443, protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'storefront-shop-example-com-tls' }] },
        allowedRoutes: { namespaces: fromShop, kinds: [{ kind: 'HTTPRoute' }] },
      },
      {
        name: 'https-grpc-shop-example-com', hostname: 'grpc.shop.example.com', port: 443, protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'storefront-grpc-shop-example-com-tls' }] },
        allowedRoutes: { namespaces: fromShop, kinds: [{ kind: 'GRPCRoute' }] },
      },
    ]);
  });

  test('the HTTP listener only redirects to HTTPS', () => {
    const { manifests } = build();
    const redirect = find(manifests, 'HTTPRoute', 'storefront-https-redirect');
    expect(redirect.metadata.namespace).toBe('shop');
    expect(redirect.spec).toEqual({
      parentRefs: [{ name: 'storefront', namespace: 'gateway', sectionName: 'http' }],
      hostnames: ['shop.example.com', 'grpc.shop.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  });

  test('renders one HTTPRoute per HTTP host with rewrite, headers, CORS and timeouts', () => {
    const { manifests } = build();
    const route = find(manifests, 'HTTPRoute', 'storefront-shop-example-com');
    expect(route.metadata.namespace).toBe('shop');
    expect(route.spec.parentRefs).toEqual([{ name: 'storefront', namespace: 'gateway', sectionName: 'https-shop-example-com' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    const [orders, health] = route.spec.rules;
    expect(orders.matches).toEqual([{ path: { type: 'PathPrefix', value: '/api/orders' } }]);
    expect(orders.backendRefs).toEqual([{ name: 'orders', port: 80 }]);
    expect(orders.timeouts).toEqual({ request: '30s', backendRequest: '2s500ms' });
    expect(orders.filters).toEqual([
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: RECOMMENDED_HEADERS } },
      {
        type: 'CORS',
        cors: {
          allowOrigins: ['https://shop.example.com'],
          allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
          allowHeaders: ['Authorization', 'Content-Type'],
          exposeHeaders: ['X-Request-Id'],
          allowCredentials: true,
          maxAge: 3600,
        },
      },
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
    ]);
    expect(health.matches).toEqual([{ path: { type: 'Exact', value: '/healthz' } }]);
    expect(health.backendRefs).toEqual([{ name: 'users', port: 80 }]);
    expect(health.filters.map((f: Manifest) => f.type)).toEqual(['ResponseHeaderModifier', 'CORS']);
  });

  test('renders a GRPCRoute per gRPC host, matching services and methods, without timeouts', () => {
    const { manifests } = build();
    const route = find(manifests, 'GRPCRoute', 'storefront-grpc-shop-example-com');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ name: 'storefront', namespace: 'gateway', sectionName: 'https-grpc-shop-example-com' }]);
    expect(route.spec.rules).toEqual([
      {
        matches: [{ method: { type: 'Exact', service: 'shop.orders.v1.OrderService' } }],
        filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: RECOMMENDED_HEADERS } }],
        backendRefs: [{ name: 'orders', port: 9090 }],
      },
      {
        matches: [{ method: { type: 'Exact', service: 'shop.orders.v1.Admin', method: 'Drain' } }],
        filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: RECOMMENDED_HEADERS } }],
        backendRefs: [{ name: 'orders', port: 9090 }],
      },
    ]);
  });

  test('creates a cert-manager Certificate per host beside the Gateway', () => {
    const { manifests } = build();
    const certs = findAll(manifests, 'Certificate');
    expect(certs.map((c) => [c.apiVersion, c.metadata.namespace, c.metadata.name, c.spec])).toEqual([
      ['cert-manager.io/v1', 'gateway', 'storefront-shop-example-com', {
        secretName: 'storefront-shop-example-com-tls',
        dnsNames: ['shop.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
      }],
      ['cert-manager.io/v1', 'gateway', 'storefront-grpc-shop-example-com', {
        secretName: 'storefront-grpc-shop-example-com-tls',
        dnsNames: ['grpc.shop.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
      }],
    ]);
  });

  test('backends admit the proxy namespace on the routed container ports only', () => {
    const { manifests } = build();
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'orders'))).toEqual([
      { namespace: 'envoy-gateway-system', ports: [8080] },
      { namespace: 'envoy-gateway-system', ports: [9090] },
    ]);
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'users'))).toEqual([
      { namespace: 'envoy-gateway-system', ports: [8080] },
    ]);
  });

  test('labels every object and exposes the created objects', () => {
    const { manifests, edge } = build();
    const labels = {
      'app.kubernetes.io/component': 'ingress',
      'app.kubernetes.io/instance': 'storefront',
      'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
      'app.kubernetes.io/name': 'storefront',
    };
    for (const kind of ['Gateway', 'HTTPRoute', 'GRPCRoute', 'Certificate']) {
      for (const m of findAll(manifests, kind)) {
        expect(m.metadata.labels).toEqual(labels);
      }
    }
    expect(edge.mode).toBe(IngressMode.GATEWAY_API);
    expect(edge.gateway).toBeDefined();
    expect(edge.redirectRoute).toBeDefined();
    expect(edge.httpRoutes.map((r) => r.name)).toEqual(['storefront-shop-example-com']);
    expect(edge.grpcRoutes.map((r) => r.name)).toEqual(['storefront-grpc-shop-example-com']);
    expect(edge.managedCertificates).toHaveLength(2);
    expect(edge.ingresses).toEqual([]);
    expect(edge.peerNamespace).toBe('envoy-gateway-system');
    expect(edge.routeCount).toBe(4);
  });

  test('matches the snapshot', () => {
    expect(build().manifests).toMatchSnapshot();
  });
});

describe('SecureIngress in Gateway API mode with an existing Gateway', () => {
  test('attaches routes to the named listener and admits the Gateway namespace', () => {
    // GIVEN
    const { chart, users } = shop();
    const edge = new SecureIngress(chart, 'storefront', {
      gateway: GatewayAttachment.existing({ name: 'public', namespace: 'gateway', sectionName: 'https' }),
    });
    // WHEN
    edge.addRoute({ host: '*.shop.example.com', service: users });
    const manifests = synth(chart);
    // THEN
    expect(findAll(manifests, 'Gateway')).toEqual([]);
    expect(findAll(manifests, 'Certificate')).toEqual([]);
    const route = find(manifests, 'HTTPRoute', 'storefront-wildcard-shop-example-com');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateway', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['*.shop.example.com']);
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(findAll(manifests, 'HTTPRoute')).toHaveLength(1);
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'users'))).toEqual([{ namespace: 'gateway', ports: [8080] }]);
  });

  test('routes to any Service by name and port; its NetworkPolicy is left alone', () => {
    const { chart } = shop();
    const edge = new SecureIngress(chart, 'storefront', { gateway: GatewayAttachment.existing({ name: 'public' }) });
    edge.addRoute({ host: 'legacy.example.com', service: { serviceName: 'legacy', ports: [80, 8443] }, port: 8443 });
    const manifests = synth(chart);
    const route = find(manifests, 'HTTPRoute', 'storefront-legacy-example-com');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'shop' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'legacy', port: 8443 }]);
    expect(find(manifests, 'NetworkPolicy', 'users').spec.ingress).toBeUndefined();
  });
});

describe('SecureIngress in Ingress mode (ingress-nginx profile)', () => {
  function build(props: Partial<SecureIngressProps> = {}): { manifests: Manifest[]; edge: SecureIngress } {
    const { chart, users, orders } = shop();
    const edge = new SecureIngress(chart, 'storefront', {
      ingress: { ingressClassName: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/proxy-buffer-size': '16k' } },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
      timeouts: { connect: Duration.seconds(5), read: Duration.seconds(60), send: Duration.seconds(60) },
      rateLimit: { requestsPerSecond: 20, connections: 10, burstMultiplier: 3 },
      maxBodySize: Size.mebibytes(8),
      cors: { allowOrigins: ['https://shop.example.com', 'https://admin.example.com'] },
      ...props,
    });
    edge.addRoute({ host: 'shop.example.com', path: '/api/users', service: users, rewritePrefix: '/' });
    edge.addRoute({ host: 'shop.example.com', path: '/api/orders', service: orders, rewritePrefix: '/' });
    edge.addRoute({ host: 'shop.example.com', path: '/', service: users });
    edge.addRoute({ host: 'grpc.shop.example.com', path: '/shop.orders.v1.OrderService', service: orders, protocol: BackendProtocol.GRPC });
    return { manifests: synth(chart), edge };
  }

  const COMMON = {
    'nginx.ingress.kubernetes.io/cors-allow-credentials': 'false',
    'nginx.ingress.kubernetes.io/cors-allow-headers': 'Authorization, Content-Type',
    'nginx.ingress.kubernetes.io/cors-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'nginx.ingress.kubernetes.io/cors-allow-origin': 'https://shop.example.com, https://admin.example.com',
    'nginx.ingress.kubernetes.io/cors-max-age': '600',
    'nginx.ingress.kubernetes.io/enable-cors': 'true',
    'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
    'nginx.ingress.kubernetes.io/limit-burst-multiplier': '3',
    'nginx.ingress.kubernetes.io/limit-connections': '10',
    'nginx.ingress.kubernetes.io/limit-rps': '20',
    'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
    'nginx.ingress.kubernetes.io/proxy-buffer-size': '16k',
    'nginx.ingress.kubernetes.io/proxy-connect-timeout': '5',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
    'nginx.ingress.kubernetes.io/proxy-send-timeout': '60',
  };

  test('the first Ingress holds the rewritten routes, TLS for every host and the cert-manager annotation', () => {
    const { manifests } = build();
    const ing = find(manifests, 'Ingress', 'storefront');
    expect(ing.apiVersion).toBe('networking.k8s.io/v1');
    expect(ing.metadata.namespace).toBe('shop');
    expect(ing.metadata.annotations).toEqual({
      ...COMMON,
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
      'nginx.ingress.kubernetes.io/use-regex': 'true',
    });
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls).toEqual([
      { hosts: ['shop.example.com'], secretName: 'storefront-shop-example-com-tls' },
      { hosts: ['grpc.shop.example.com'], secretName: 'storefront-grpc-shop-example-com-tls' },
    ]);
    expect(ing.spec.rules).toEqual([{
      host: 'shop.example.com',
      http: {
        paths: [
          { path: '/api/users(/|$)(.*)', pathType: 'ImplementationSpecific', backend: { service: { name: 'users', port: { number: 80 } } } },
          { path: '/api/orders(/|$)(.*)', pathType: 'ImplementationSpecific', backend: { service: { name: 'orders', port: { number: 80 } } } },
        ],
      },
    }]);
  });

  test('routes with other controller settings get Ingresses of their own, each with TLS for its hosts', () => {
    const { manifests } = build();
    const plain = find(manifests, 'Ingress', 'storefront-2');
    expect(plain.metadata.annotations).toEqual(COMMON);
    expect(plain.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'storefront-shop-example-com-tls' }]);
    expect(plain.spec.rules).toEqual([{
      host: 'shop.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'users', port: { number: 80 } } } }] },
    }]);
    const grpc = find(manifests, 'Ingress', 'storefront-3');
    expect(grpc.metadata.annotations).toEqual({ ...COMMON, 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' });
    expect(grpc.spec.tls).toEqual([{ hosts: ['grpc.shop.example.com'], secretName: 'storefront-grpc-shop-example-com-tls' }]);
    expect(grpc.spec.rules[0].http.paths).toEqual([
      { path: '/shop.orders.v1.OrderService', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 9090 } } } },
    ]);
  });

  test('every Ingress has TLS for every host it routes and never a snippet annotation', () => {
    const { manifests } = build();
    for (const ing of findAll(manifests, 'Ingress')) {
      const tlsHosts = ing.spec.tls.flatMap((t: Manifest) => t.hosts);
      for (const rule of ing.spec.rules) {
        expect(tlsHosts).toContain(rule.host);
      }
      expect(Object.keys(ing.metadata.annotations).filter((k) => k.endsWith('snippet'))).toEqual([]);
    }
  });

  test('backends admit the controller namespace on the routed container ports', () => {
    const { manifests, edge } = build();
    expect(edge.peerNamespace).toBe('ingress-nginx');
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'orders'))).toEqual([
      { namespace: 'ingress-nginx', ports: [8080] },
      { namespace: 'ingress-nginx', ports: [9090] },
    ]);
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'users'))).toEqual([{ namespace: 'ingress-nginx', ports: [8080] }]);
  });

  test('existing Secrets and an Issuer', () => {
    const secrets = build({ certificates: Certificates.fromSecrets({ 'shop.example.com': 'shop-tls', 'grpc.shop.example.com': 'grpc-tls' }) }).manifests;
    const first = find(secrets, 'Ingress', 'storefront');
    expect(first.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(first.spec.tls).toEqual([
      { hosts: ['shop.example.com'], secretName: 'shop-tls' },
      { hosts: ['grpc.shop.example.com'], secretName: 'grpc-tls' },
    ]);
    const wildcard = find(build({ certificates: Certificates.fromSecret('wildcard-tls') }).manifests, 'Ingress', 'storefront');
    expect(wildcard.spec.tls).toEqual([{ hosts: ['shop.example.com', 'grpc.shop.example.com'], secretName: 'wildcard-tls' }]);
    const issuer = find(build({ certificates: Certificates.fromIssuer('shop-ca') }).manifests, 'Ingress', 'storefront');
    expect(issuer.metadata.annotations['cert-manager.io/issuer']).toBe('shop-ca');
  });

  test('per-route timeouts and a custom controller namespace', () => {
    const { chart, users } = shop();
    const edge = new SecureIngress(chart, 'api', {
      ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx('edge'), controllerNamespace: 'edge-system' },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    });
    edge.addRoute({ host: 'api.example.com', path: '/export', service: users, timeouts: { read: Duration.minutes(5) } });
    const manifests = synth(chart);
    expect(find(manifests, 'Ingress', 'api').metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
    });
    expect(edge.controller!.namespace).toBe('edge');
    expect(ingressRules(find(manifests, 'NetworkPolicy', 'users'))).toEqual([{ namespace: 'edge-system', ports: [8080] }]);
  });

  test('matches the snapshot', () => {
    expect(build().manifests).toMatchSnapshot();
  });
});

describe('SecureIngress defaults', () => {
  test('pins every documented default', () => {
    // GIVEN only the required choices
    const { chart, users } = shop();
    const gw = new SecureIngress(chart, 'web', {
      gateway: GatewayAttachment.create({ gatewayClassName: 'eg' }),
      certificates: Certificates.fromSecret('web-tls'),
    });
    const ing = new SecureIngress(chart, 'legacy', { ingress: { ingressClassName: 'nginx' }, certificates: Certificates.fromSecret('web-tls') });
    // WHEN
    gw.addRoute({ host: 'web.example.com', service: users });
    ing.addRoute({ host: 'legacy.example.com', service: users });
    const manifests = synth(chart);

    // THEN: name = id, namespace = chart's, Gateway named after the ingress in its namespace
    expect(gw.name).toBe('web');
    expect(gw.namespace).toBe('shop');
    const gateway = find(manifests, 'Gateway', 'web');
    expect(gateway.metadata.namespace).toBe('shop');
    expect(gateway.spec.listeners[0].allowedRoutes.namespaces).toEqual({ from: 'Same' });
    // proxies in the Gateway's namespace
    expect(gw.peerNamespace).toBe('shop');
    // path '/', Prefix, HTTP, Service port 80, recommended security headers, no CORS, no timeouts
    const rule = find(manifests, 'HTTPRoute', 'web-web-example-com').spec.rules[0];
    expect(rule).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: RECOMMENDED_HEADERS } }],
      backendRefs: [{ name: 'users', port: 80 }],
    });
    // Ingress mode: ingress-nginx profile, its namespace, forced redirect, no security headers
    expect(ing.controller!.name).toBe('ingress-nginx');
    expect(ing.peerNamespace).toBe('ingress-nginx');
    expect(find(manifests, 'Ingress', 'legacy').metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' });
    expect(find(manifests, 'Ingress', 'legacy').spec.rules[0].http.paths[0].pathType).toBe('Prefix');
  });

  test('security headers can be tuned or turned off', () => {
    const { chart, users } = shop();
    const tuned = new SecureIngress(chart, 'tuned', {
      gateway: GatewayAttachment.existing({ name: 'public' }),
      securityHeaders: SecurityHeaders.recommended({
        hstsMaxAge: Duration.days(2), hstsIncludeSubdomains: false, extra: { 'Content-Security-Policy': "default-src 'self'", 'x-frame-options': 'SAMEORIGIN' },
      }),
    });
    const off = new SecureIngress(chart, 'off', { gateway: GatewayAttachment.existing({ name: 'public' }), securityHeaders: SecurityHeaders.none() });
    tuned.addRoute({ host: 'a.example.com', service: users });
    off.addRoute({ host: 'b.example.com', service: users });
    const manifests = synth(chart);
    expect(find(manifests, 'HTTPRoute', 'tuned-a-example-com').spec.rules[0].filters[0].responseHeaderModifier.set).toEqual([
      { name: 'Strict-Transport-Security', value: 'max-age=172800' },
      { name: 'X-Content-Type-Options', value: 'nosniff' },
      { name: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
      { name: 'Content-Security-Policy', value: "default-src 'self'" },
      { name: 'x-frame-options', value: 'SAMEORIGIN' },
    ]);
    expect(find(manifests, 'HTTPRoute', 'off-b-example-com').spec.rules[0].filters).toBeUndefined();
  });

  test('plain HTTP only with the explicit opt-in', () => {
    const { chart, users } = shop();
    const gw = new SecureIngress(chart, 'dev', { gateway: GatewayAttachment.create({ gatewayClassName: 'eg' }), allowPlainHttp: true });
    const ing = new SecureIngress(chart, 'devi', { ingress: { ingressClassName: 'nginx' }, allowPlainHttp: true });
    gw.addRoute({ host: 'dev.example.com', service: users });
    ing.addRoute({ host: 'dev.example.com', service: users });
    const manifests = synth(chart);
    expect(find(manifests, 'Gateway', 'dev').spec.listeners).toEqual([{
      name: 'http-dev-example-com', hostname: 'dev.example.com', port: 80, protocol: 'HTTP',
      allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ kind: 'HTTPRoute' }] },
    }]);
    expect(gw.redirectRoute).toBeUndefined();
    expect(find(manifests, 'HTTPRoute', 'dev-dev-example-com').spec.rules[0].filters[0].responseHeaderModifier.set.map((h: Manifest) => h.name))
      .toEqual(['X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy']);
    const plain = find(manifests, 'Ingress', 'devi');
    expect(plain.spec.tls).toBeUndefined();
    expect(plain.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' });
  });

  test('synthesizes the same output twice', () => {
    const once = () => {
      const { chart, orders } = shop();
      const edge = new SecureIngress(chart, 'storefront', {
        gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }),
        certificates: Certificates.fromClusterIssuer('letsencrypt'),
      });
      edge.addRoute({ host: 'shop.example.com', service: orders });
      return JSON.stringify(Testing.synth(chart));
    };
    expect(once()).toBe(once());
  });
});

describe('SecureIngress with every prop', () => {
  test('Ingress mode', () => {
    // GIVEN every prop that Ingress mode takes (gateway excludes it; allowPlainHttp excludes certificates)
    const { chart, orders } = shop();
    const ingress: Required<IngressOptions> = {
      ingressClassName: 'nginx',
      controller: IngressController.ingressNginx(),
      controllerNamespace: 'ingress-nginx',
      annotations: { 'nginx.ingress.kubernetes.io/proxy-buffer-size': '16k' },
    };
    const props: Required<Omit<SecureIngressProps, 'gateway' | 'allowPlainHttp'>> = {
      name: 'edge',
      namespace: 'shop',
      partOf: 'shop',
      ingress,
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
      securityHeaders: SecurityHeaders.none(),
      timeouts: { connect: Duration.seconds(2), read: Duration.seconds(20), send: Duration.seconds(20) },
      rateLimit: { requestsPerSecond: 5, requestsPerMinute: 200, connections: 4, burstMultiplier: 2 },
      maxBodySize: Size.kibibytes(512),
      cors: {
        allowOrigins: ['https://shop.example.com'], allowMethods: ['GET'], allowHeaders: ['X-Token'], exposeHeaders: ['X-Id'],
        allowCredentials: true, maxAge: Duration.minutes(1),
      },
    };
    const route: Required<Omit<RouteOptions, 'port'>> = {
      host: 'shop.example.com', path: '/api', pathType: PathType.PREFIX, service: orders, protocol: BackendProtocol.HTTP,
      rewritePrefix: '/', timeouts: { read: Duration.seconds(45) },
    };
    // WHEN
    new SecureIngress(chart, 'storefront', props).addRoute(route);
    // THEN
    const ing = find(synth(chart), 'Ingress', 'edge');
    expect(ing.metadata.labels['app.kubernetes.io/part-of']).toBe('shop');
    expect(ing.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/cors-allow-credentials': 'true',
      'nginx.ingress.kubernetes.io/cors-allow-headers': 'X-Token',
      'nginx.ingress.kubernetes.io/cors-allow-methods': 'GET',
      'nginx.ingress.kubernetes.io/cors-allow-origin': 'https://shop.example.com',
      'nginx.ingress.kubernetes.io/cors-expose-headers': 'X-Id',
      'nginx.ingress.kubernetes.io/cors-max-age': '60',
      'nginx.ingress.kubernetes.io/enable-cors': 'true',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '2',
      'nginx.ingress.kubernetes.io/limit-connections': '4',
      'nginx.ingress.kubernetes.io/limit-rpm': '200',
      'nginx.ingress.kubernetes.io/limit-rps': '5',
      'nginx.ingress.kubernetes.io/proxy-body-size': '512k',
      'nginx.ingress.kubernetes.io/proxy-buffer-size': '16k',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '45',
      'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
      'nginx.ingress.kubernetes.io/use-regex': 'true',
    });
  });

  test('Gateway API mode', () => {
    // GIVEN every prop Gateway API mode takes (rate limits and body sizes are Ingress-only)
    const { chart, orders } = shop();
    const props: Required<Omit<SecureIngressProps, 'ingress' | 'allowPlainHttp' | 'rateLimit' | 'maxBodySize'>> = {
      name: 'edge',
      namespace: 'shop',
      partOf: 'shop',
      gateway: GatewayAttachment.create({ gatewayClassName: 'eg', name: 'public', namespace: 'gateway', proxyNamespace: 'envoy-gateway-system' }),
      certificates: Certificates.fromIssuer('shop-ca'),
      securityHeaders: SecurityHeaders.recommended({ hstsMaxAge: Duration.days(1) }),
      timeouts: { request: Duration.seconds(20) },
      cors: { allowOrigins: ['*'] },
    };
    // WHEN
    new SecureIngress(chart, 'storefront', props).addRoute({
      host: 'shop.example.com', path: '/api', service: orders, rewritePrefix: '/', timeouts: { request: Duration.seconds(5) },
    });
    const manifests = synth(chart);
    // THEN
    expect(find(manifests, 'Gateway', 'public').metadata.namespace).toBe('gateway');
    const rule = find(manifests, 'HTTPRoute', 'edge-shop-example-com').spec.rules[0];
    expect(rule.timeouts).toEqual({ request: '5s' });
    expect(rule.filters[0].responseHeaderModifier.set[0]).toEqual({ name: 'Strict-Transport-Security', value: 'max-age=86400; includeSubDomains' });
    expect(find(manifests, 'Certificate', 'edge-shop-example-com').spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'shop-ca' });
  });
});
