import { Chart, Duration, Size } from 'cdk8s';
import { BackendProtocol, Certificates, GatewayAttachment, IngressController, IngressMode, SecureIngress } from '../lib';
import type { Environment } from './environments';
import type { ShopServices } from './shop';

/**
 * The storefront's public edge: `<domain>` serves the users and orders REST
 * APIs under `/api/users` and `/api/orders` (the prefix is stripped before
 * the services see the path), and `grpc.<domain>` serves the orders gRPC API.
 * Payments stays internal.
 *
 * Production attaches Gateway API routes to a Gateway of its own in the
 * `gateway` namespace (Envoy Gateway runs the proxies in
 * `envoy-gateway-system`); staging uses Ingress objects for ingress-nginx.
 * Certificates come from cert-manager either way.
 */
export function buildIngress(chart: Chart, env: Environment, services: ShopServices): SecureIngress {
  const certificates = Certificates.fromClusterIssuer(env.edge.clusterIssuer);
  const edge = env.edge.mode === IngressMode.GATEWAY_API
    ? new SecureIngress(chart, 'storefront', {
      partOf: 'shop',
      gateway: GatewayAttachment.create({ gatewayClassName: env.edge.className, namespace: 'gateway', proxyNamespace: 'envoy-gateway-system' }),
      certificates,
      timeouts: { request: Duration.seconds(30) },
      cors: { allowOrigins: [`https://${env.domain}`] },
    })
    : new SecureIngress(chart, 'storefront', {
      partOf: 'shop',
      ingress: { ingressClassName: env.edge.className, controller: IngressController.ingressNginx() },
      certificates,
      timeouts: { connect: Duration.seconds(5), read: Duration.seconds(30), send: Duration.seconds(30) },
      rateLimit: { requestsPerSecond: 20 },
      maxBodySize: Size.mebibytes(8),
      cors: { allowOrigins: [`https://${env.domain}`] },
    });

  edge.addRoute({ host: env.domain, path: '/api/users', service: services.users, rewritePrefix: '/' });
  edge.addRoute({ host: env.domain, path: '/api/orders', service: services.orders, rewritePrefix: '/' });
  edge.addRoute({ host: `grpc.${env.domain}`, path: '/shop.orders.v1.OrderService', service: services.orders, protocol: BackendProtocol.GRPC });
  return edge;
}
