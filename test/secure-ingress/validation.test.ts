import { App, Duration, Size } from 'cdk8s';
import {
  BackendProtocol, Certificates, GatewayAttachment, GoMicroservice, PathType, RouteOptions, SecureIngress,
  SecureIngressProps, SecurityHeaders,
} from '../../lib';
import { expectExactError, shopChart } from '../util';

const CERTS = Certificates.fromClusterIssuer('letsencrypt');
const GATEWAY = { gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }), certificates: CERTS };
const INGRESS = { ingress: { ingressClassName: 'nginx' }, certificates: CERTS };

function create(props: SecureIngressProps): SecureIngress {
  return new SecureIngress(shopChart(), 'edge', props);
}

/** A fresh ingress with users (HTTP only) and orders (HTTP + gRPC) in its chart. */
function setup(props: SecureIngressProps = GATEWAY): { edge: SecureIngress; users: GoMicroservice; orders: GoMicroservice } {
  const chart = shopChart();
  const users = new GoMicroservice(chart, 'users', { image: 'registry.example.com/users:2.0.3' });
  const orders = new GoMicroservice(chart, 'orders', { image: 'registry.example.com/orders:1.4.2', grpcPort: 9090 });
  return { edge: new SecureIngress(chart, 'edge', props), users, orders };
}

describe('SecureIngress rejects bad props', () => {
  const cases: Array<[string, SecureIngressProps, string]> = [
    ['a name that is not a DNS-1123 label', { ...GATEWAY, name: 'Edge_1' },
      '[test/edge] name ("Edge_1") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['a namespace that is not a DNS-1123 label', { ...GATEWAY, namespace: 'Shop' },
      '[test/edge] namespace ("Shop") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['both modes', { ...GATEWAY, ingress: { ingressClassName: 'nginx' } },
      '[test/edge] gateway and ingress are both set: choose Gateway API mode (gateway) or Ingress mode (ingress)'],
    ['no Gateway in the default Gateway API mode', { certificates: CERTS },
      '[test/edge] gateway (undefined) is required in Gateway API mode, the default: set gateway (GatewayAttachment.existing or GatewayAttachment.create), or ingress for Ingress mode'],
    ['plain HTTP without an explicit opt-in', { gateway: GatewayAttachment.create({ gatewayClassName: 'eg' }) },
      '[test/edge] certificates (undefined) must be set: a SecureIngress serves TLS only (Certificates.fromClusterIssuer, fromIssuer, fromSecret, fromSecrets); set allowPlainHttp: true to opt in to plain HTTP'],
    ['plain HTTP without an opt-in in Ingress mode', { ingress: { ingressClassName: 'nginx' } },
      '[test/edge] certificates (undefined) must be set: a SecureIngress serves TLS only (Certificates.fromClusterIssuer, fromIssuer, fromSecret, fromSecrets); set allowPlainHttp: true to opt in to plain HTTP'],
    ['plain HTTP together with certificates', { ...INGRESS, allowPlainHttp: true },
      '[test/edge] allowPlainHttp (true) cannot be combined with certificates (Certificates.fromClusterIssuer("letsencrypt")): a SecureIngress serves either TLS or plain HTTP'],
    ['certificates for an existing Gateway', { gateway: GatewayAttachment.existing({ name: 'public' }), certificates: Certificates.fromSecret('tls') },
      '[test/edge] certificates (Certificates.fromSecret("tls")) cannot apply to an existing Gateway: its listeners hold the certificates; use GatewayAttachment.create to manage them here'],
    ['plain HTTP on an existing Gateway', { gateway: GatewayAttachment.existing({ name: 'public' }), allowPlainHttp: true },
      '[test/edge] allowPlainHttp (true) cannot apply to an existing Gateway: its listeners decide the protocol; name the listener with sectionName'],
    ['an issuer name that is not a DNS name', { ...INGRESS, certificates: Certificates.fromClusterIssuer('Lets Encrypt') },
      '[test/edge] certificates issuer name ("Lets Encrypt") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['a Secret name that is not a DNS name', { ...INGRESS, certificates: Certificates.fromSecret('TLS') },
      '[test/edge] certificates secretName ("TLS") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['a certificate for an invalid host', { ...INGRESS, certificates: Certificates.fromSecrets({ 'shop..example.com': 'shop-tls' }) },
      '[test/edge] certificates host ("shop..example.com") must be an RFC 1123 host name in lower case, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['a zero timeout', { ...INGRESS, timeouts: { read: Duration.seconds(0) } },
      '[test/edge] timeouts.read (0s) must be a positive whole number of seconds'],
    ['a fractional connect timeout', { ...INGRESS, timeouts: { connect: Duration.millis(1500) } },
      '[test/edge] timeouts.connect (1.5s) must be a positive whole number of seconds'],
    ['a zero request timeout', { ...GATEWAY, timeouts: { request: Duration.seconds(0) } },
      '[test/edge] timeouts.request (0ms) must be a positive whole number of milliseconds'],
    ['a backend timeout above the request timeout', { ...GATEWAY, timeouts: { request: Duration.seconds(10), backendRequest: Duration.seconds(15) } },
      '[test/edge] timeouts.backendRequest (15s) must not exceed timeouts.request (10s)'],
    ['a rate limit of zero', { ...INGRESS, rateLimit: { requestsPerSecond: 0 } },
      '[test/edge] rateLimit.requestsPerSecond (0) must be a positive integer'],
    ['a negative rate limit', { ...INGRESS, rateLimit: { requestsPerMinute: -5 } },
      '[test/edge] rateLimit.requestsPerMinute (-5) must be a positive integer'],
    ['a negative connection limit', { ...INGRESS, rateLimit: { connections: -1 } },
      '[test/edge] rateLimit.connections (-1) must be a positive integer'],
    ['a zero burst multiplier', { ...INGRESS, rateLimit: { requestsPerSecond: 5, burstMultiplier: 0 } },
      '[test/edge] rateLimit.burstMultiplier (0) must be a positive integer'],
    ['a rate limit that limits nothing', { ...INGRESS, rateLimit: { burstMultiplier: 2 } },
      '[test/edge] rateLimit ({"burstMultiplier":2}) sets no limit: set requestsPerSecond, requestsPerMinute or connections'],
    ['a body size of zero', { ...INGRESS, maxBodySize: Size.mebibytes(0) },
      '[test/edge] maxBodySize (0Ki) must be positive'],
    ['CORS without origins', { ...INGRESS, cors: { allowOrigins: [] } },
      '[test/edge] cors.allowOrigins ([]) must list at least one origin'],
    ['a CORS origin with a path', { ...INGRESS, cors: { allowOrigins: ['https://shop.example.com/app'] } },
      '[test/edge] cors.allowOrigins ("https://shop.example.com/app") must be \'*\' or a scheme and host such as \'https://app.example.com\''],
    ['CORS credentials for any origin', { ...INGRESS, cors: { allowOrigins: ['*'], allowCredentials: true } },
      '[test/edge] cors.allowCredentials (true) cannot be combined with the origin \'*\': browsers reject credentials for any origin; list the origins'],
    ['a CORS method in lower case', { ...INGRESS, cors: { allowOrigins: ['*'], allowMethods: ['get'] } },
      '[test/edge] cors.allowMethods ("get") must be an upper-case HTTP method: one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH'],
    ['a CORS header with a space', { ...INGRESS, cors: { allowOrigins: ['*'], allowHeaders: ['X Trace'] } },
      '[test/edge] cors.allowHeaders ("X Trace") must be an HTTP header name'],
    ['a security header with a line break', { ...GATEWAY, securityHeaders: SecurityHeaders.recommended({ extra: { 'X-Test': 'a\r\nb' } }) },
      '[test/edge] securityHeaders.extra ({"X-Test":"a\\r\\nb"}) must map an HTTP header name to a one-line, non-empty value'],
    // Gateway API mode: what its standard channel cannot express
    ['a rate limit in Gateway API mode', { ...GATEWAY, rateLimit: { requestsPerSecond: 10 } },
      '[test/edge] rateLimit ({"requestsPerSecond":10}) cannot be expressed in Gateway API mode: the Gateway API has no standard rate limit; use the implementation\'s policy resource, or Ingress mode'],
    ['a body size in Gateway API mode', { ...GATEWAY, maxBodySize: Size.mebibytes(8) },
      '[test/edge] maxBodySize (8192Ki) cannot be expressed in Gateway API mode: the Gateway API has no standard body size limit; use the implementation\'s policy resource, or Ingress mode'],
    ['a connect timeout in Gateway API mode', { ...GATEWAY, timeouts: { connect: Duration.seconds(5), read: Duration.seconds(30) } },
      '[test/edge] timeouts (connect 5s, read 30s) cannot be expressed in Gateway API mode: HTTPRoute has only request and backendRequest timeouts'],
    ['a Gateway name that is not a DNS-1123 label', { ...GATEWAY, gateway: GatewayAttachment.create({ gatewayClassName: 'eg', name: 'Public' }) },
      '[test/edge] gateway.name ("Public") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['an invalid GatewayClass name', { ...GATEWAY, gateway: GatewayAttachment.create({ gatewayClassName: 'Envoy Gateway' }) },
      '[test/edge] gateway.gatewayClassName ("Envoy Gateway") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['an invalid listener name', { gateway: GatewayAttachment.existing({ name: 'public', sectionName: 'HTTPS' }) },
      '[test/edge] gateway.sectionName ("HTTPS") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['an invalid proxy namespace', { gateway: GatewayAttachment.existing({ name: 'public', proxyNamespace: 'Envoy' }) },
      '[test/edge] gateway.proxyNamespace ("Envoy") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    // Ingress mode
    ['an invalid IngressClass name', { ...INGRESS, ingress: { ingressClassName: 'NGINX' } },
      '[test/edge] ingress.ingressClassName ("NGINX") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['an invalid controller namespace', { ...INGRESS, ingress: { ingressClassName: 'nginx', controllerNamespace: 'Ingress' } },
      '[test/edge] ingress.controllerNamespace ("Ingress") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['a configuration snippet as a raw annotation', { ...INGRESS, ingress: { ingressClassName: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";' } } },
      '[test/edge] ingress.annotations ("nginx.ingress.kubernetes.io/configuration-snippet") is rejected by the ingress-nginx profile: snippet annotations inject raw NGINX configuration and are never allowed'],
    ['a server snippet as a raw annotation', { ...INGRESS, ingress: { ingressClassName: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'return 200;' } } },
      '[test/edge] ingress.annotations ("nginx.ingress.kubernetes.io/server-snippet") is rejected by the ingress-nginx profile: snippet annotations inject raw NGINX configuration and are never allowed'],
    ['a raw annotation with an invalid key', { ...INGRESS, ingress: { ingressClassName: 'nginx', annotations: { 'bad key': 'x' } } },
      '[test/edge] ingress.annotations ({"bad key":"x"}) must map an annotation key ([prefix/]name) to a string'],
    ['security headers ingress-nginx cannot set', { ...INGRESS, securityHeaders: SecurityHeaders.recommended() },
      '[test/edge] securityHeaders (SecurityHeaders.recommended()) cannot be expressed by the ingress-nginx profile: remove it, or use Gateway API mode'],
    ['a request timeout ingress-nginx cannot set', { ...INGRESS, timeouts: { request: Duration.seconds(30) } },
      '[test/edge] timeouts.request (30s) cannot be expressed by the ingress-nginx profile: remove it, or use Gateway API mode'],
  ];

  test.each(cases)('throws for %s', (_name, props, message) => {
    expectExactError(() => create(props), message);
  });
});

describe('SecureIngress.addRoute rejects bad routes', () => {
  type Case = [string, SecureIngressProps, (s: { users: GoMicroservice; orders: GoMicroservice }) => RouteOptions, string];
  const cases: Case[] = [
    ['a host with upper-case letters', GATEWAY, ({ users }) => ({ host: 'Shop.example.com', service: users }),
      '[test/edge] addRoute host ("Shop.example.com") must be an RFC 1123 host name in lower case, not an IP address, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['a host with an empty label', GATEWAY, ({ users }) => ({ host: 'shop..example.com', service: users }),
      '[test/edge] addRoute host ("shop..example.com") must be an RFC 1123 host name in lower case, not an IP address, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['a wildcard that is not the leftmost label', INGRESS, ({ users }) => ({ host: 'shop.*.example.com', service: users }),
      '[test/edge] addRoute host ("shop.*.example.com") must be an RFC 1123 host name in lower case, not an IP address, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['a wildcard that is part of a label', INGRESS, ({ users }) => ({ host: '*shop.example.com', service: users }),
      '[test/edge] addRoute host ("*shop.example.com") must be an RFC 1123 host name in lower case, not an IP address, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['an IP address', INGRESS, ({ users }) => ({ host: '10.0.0.1', service: users }),
      '[test/edge] addRoute host ("10.0.0.1") must be an RFC 1123 host name in lower case, not an IP address, with \'*\' only as the whole leftmost label (*.example.com)'],
    ['a label longer than 63 characters', GATEWAY, ({ users }) => ({ host: `${'a'.repeat(64)}.example.com`, service: users }),
      `[test/edge] addRoute host ("${'a'.repeat(64)}.example.com") must be an RFC 1123 host name in lower case, not an IP address, with '*' only as the whole leftmost label (*.example.com)`],
    ['a host too long for the names derived from it', GATEWAY, ({ users }) => ({ host: `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`, service: users }),
      `[test/edge] addRoute host ("${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com") is too long for the object names derived from it ("edge-${'a'.repeat(60)}-${'b'.repeat(60)}-${'c'.repeat(60)}-${'d'.repeat(60)}-com-tls" has 256 characters, at most 253)`],
    ['a path without a leading slash', GATEWAY, ({ users }) => ({ host: 'shop.example.com', path: 'api', service: users }),
      '[test/edge] addRoute path ("api") must be an absolute HTTP path starting with \'/\' and without spaces'],
    ['a path with a query', GATEWAY, ({ users }) => ({ host: 'shop.example.com', path: '/api?x=1', service: users }),
      '[test/edge] addRoute path ("/api?x=1") must not contain \'?\', \'#\', \'//\' or \'.\' and \'..\' segments'],
    ['a path with a dot-dot segment', INGRESS, ({ users }) => ({ host: 'shop.example.com', path: '/api/../admin', service: users }),
      '[test/edge] addRoute path ("/api/../admin") must not contain \'?\', \'#\', \'//\' or \'.\' and \'..\' segments'],
    ['an unknown path type', GATEWAY, ({ users }) => ({ host: 'shop.example.com', pathType: 'Regex' as PathType, service: users }),
      '[test/edge] addRoute pathType ("Regex") must be one of Prefix, Exact'],
    ['a rewrite of an Exact path', GATEWAY, ({ users }) => ({ host: 'shop.example.com', path: '/api', pathType: PathType.EXACT, rewritePrefix: '/', service: users }),
      '[test/edge] addRoute rewritePrefix ("/") cannot apply to an Exact path: only a Prefix match has a prefix to replace'],
    ['a rewrite of a gRPC route', INGRESS, ({ orders }) => ({ host: 'grpc.example.com', rewritePrefix: '/', service: orders, protocol: BackendProtocol.GRPC }),
      '[test/edge] addRoute rewritePrefix ("/") cannot apply to a gRPC route: gRPC paths name the service and method'],
    ['a relative rewrite', GATEWAY, ({ users }) => ({ host: 'shop.example.com', path: '/api', rewritePrefix: 'v2', service: users }),
      '[test/edge] addRoute rewritePrefix ("v2") must be an absolute HTTP path starting with \'/\' and without spaces'],
    ['a gRPC route to a service without a grpc port', GATEWAY, ({ users }) => ({ host: 'grpc.example.com', service: users, protocol: BackendProtocol.GRPC }),
      '[test/edge] addRoute protocol (GRPC) needs a grpc port, which service "users" does not expose: set grpcPort on it, or route over HTTP'],
    ['a gRPC path that names no service', GATEWAY, ({ orders }) => ({ host: 'grpc.example.com', path: '/v1/orders/list', service: orders, protocol: BackendProtocol.GRPC }),
      '[test/edge] addRoute path ("/v1/orders/list") of a gRPC route must be \'/\', \'/<package.Service>\' or \'/<package.Service>/<Method>\''],
    ['a Service port that is not listed', INGRESS, () => ({ host: 'shop.example.com', service: { serviceName: 'legacy', ports: [80] }, port: 8080 }),
      '[test/edge] addRoute port (8080) is not a port of Service "legacy": use one of 80'],
    ['no port for a Service with several', INGRESS, () => ({ host: 'shop.example.com', service: { serviceName: 'legacy', ports: [80, 443] } }),
      '[test/edge] addRoute port (undefined) is required: Service "legacy" exposes several ports (80, 443)'],
    ['a Service reference without ports', GATEWAY, () => ({ host: 'shop.example.com', service: { serviceName: 'legacy', ports: [] } }),
      '[test/edge] addRoute service.ports ([]) of Service "legacy" is empty: list the Service ports routes may use'],
    ['an invalid Service port', GATEWAY, () => ({ host: 'shop.example.com', service: { serviceName: 'legacy', ports: [0] } }),
      '[test/edge] addRoute service.ports[0] (0) must be an integer from 1 to 65535'],
    ['an invalid Service name', GATEWAY, () => ({ host: 'shop.example.com', service: { serviceName: 'Legacy', ports: [80] } }),
      '[test/edge] addRoute service.serviceName ("Legacy") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['a port for a GoMicroservice', GATEWAY, ({ users }) => ({ host: 'shop.example.com', service: users, port: 8080 }),
      '[test/edge] addRoute port (8080) applies to ServiceReference backends only: a routable backend (a GoMicroservice) is reached on its Service port named http or grpc, chosen by protocol'],
    ['a host without a certificate', { ...INGRESS, certificates: Certificates.fromSecrets({ 'shop.example.com': 'shop-tls' }) },
      ({ users }) => ({ host: 'api.example.com', service: users }),
      '[test/edge] addRoute host ("api.example.com") has no certificate source: Certificates.fromSecrets({"shop.example.com":"shop-tls"}) lists no Secret for it; add one, or use a wildcard Secret or cert-manager'],
    ['a route timeout ingress-nginx cannot set', INGRESS, ({ users }) => ({ host: 'shop.example.com', service: users, timeouts: { backendRequest: Duration.seconds(5) } }),
      '[test/edge] addRoute timeouts.backendRequest (5s) cannot be expressed by the ingress-nginx profile: remove it, or use Gateway API mode'],
    ['a route read timeout in Gateway API mode', GATEWAY, ({ users }) => ({ host: 'shop.example.com', service: users, timeouts: { read: Duration.seconds(60) } }),
      '[test/edge] addRoute timeouts (read 1m) cannot be expressed in Gateway API mode: HTTPRoute has only request and backendRequest timeouts'],
    ['timeouts on a gRPC route in Gateway API mode', GATEWAY, ({ orders }) => ({ host: 'grpc.example.com', service: orders, protocol: BackendProtocol.GRPC, timeouts: { request: Duration.seconds(5) } }),
      '[test/edge] addRoute timeouts (request 5s) cannot apply to a gRPC route: GRPCRoute has no timeouts in the Gateway API'],
    ['a zero route timeout', INGRESS, ({ users }) => ({ host: 'shop.example.com', service: users, timeouts: { send: Duration.seconds(0) } }),
      '[test/edge] addRoute timeouts.send (0s) must be a positive whole number of seconds'],
  ];

  test.each(cases)('throws for %s', (_name, props, route, message) => {
    const { edge, users, orders } = setup(props);
    expectExactError(() => edge.addRoute(route({ users, orders })), message);
  });

  test('throws when the same host and path is routed twice', () => {
    const { edge, users, orders } = setup();
    edge.addRoute({ host: 'shop.example.com', path: '/api', service: users });
    expect(() => edge.addRoute({ host: 'shop.example.com', path: '/api', pathType: PathType.EXACT, service: orders })).toThrow(
      '[test/edge] addRoute host and path ("shop.example.com/api") are already routed to "users": each host and path may be routed once');
  });

  test('throws when one host mixes HTTP and gRPC in Gateway API mode', () => {
    const { edge, users, orders } = setup();
    edge.addRoute({ host: 'shop.example.com', path: '/api', service: users });
    expect(() => edge.addRoute({ host: 'shop.example.com', path: '/shop.orders.v1.OrderService', service: orders, protocol: BackendProtocol.GRPC })).toThrow(
      '[test/edge] addRoute protocol (GRPC) differs from the other routes of host "shop.example.com" (HTTP): a Gateway accepts only one of an HTTPRoute and a GRPCRoute sharing a hostname; serve gRPC on a host of its own');
  });

  test('throws when a host gets more than 16 routes in Gateway API mode', () => {
    const { edge, users } = setup();
    for (let i = 0; i < 16; i++) {
      edge.addRoute({ host: 'shop.example.com', path: `/p${i}`, service: users });
    }
    expect(() => edge.addRoute({ host: 'shop.example.com', path: '/p16', service: users })).toThrow(
      '[test/edge] addRoute host ("shop.example.com") already has 16 rules: the Gateway API allows at most 16 rules per route (a release track\'s header adds one); use another host');
  });

  test('throws when the backend lives in another namespace', () => {
    const chart = shopChart();
    const billing = new GoMicroservice(chart, 'billing', { image: 'registry.example.com/billing:1.0.0', namespace: 'billing' });
    const edge = new SecureIngress(chart, 'edge', INGRESS);
    expect(() => edge.addRoute({ host: 'shop.example.com', service: billing })).toThrow(
      '[test/edge] addRoute service ("billing") is in namespace "billing", not the ingress\'s "shop": routes reach backends in their own namespace only');
  });

  test('throws at synth when no route was ever added', () => {
    // GIVEN an ingress without routes
    const chart = shopChart();
    new SecureIngress(chart, 'edge', INGRESS);
    // WHEN / THEN
    expect(() => (chart.node.root as App).synth()).toThrow(
      'Validation failed with the following errors:\n  [test/edge] routes (none) must not be empty: call addRoute at least once');
  });
});
