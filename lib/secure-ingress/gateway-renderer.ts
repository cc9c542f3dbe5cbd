import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate, CertificateSpecIssuerRef } from '../../imports/cert-manager.io';
import {
  Gateway, GatewaySpecListeners, GatewaySpecListenersAllowedRoutesNamespaces, GatewaySpecListenersAllowedRoutesNamespacesFrom,
  GatewaySpecListenersTlsMode, GrpcRoute, GrpcRouteSpecRules, GrpcRouteSpecRulesFilters, GrpcRouteSpecRulesFiltersType,
  GrpcRouteSpecRulesMatchesHeadersType, GrpcRouteSpecRulesMatchesMethodType, HttpRoute, HttpRouteSpecParentRefs, HttpRouteSpecRules, HttpRouteSpecRulesFilters,
  HttpRouteSpecRulesFiltersCorsAllowMethods, HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersType, HttpRouteSpecRulesFiltersUrlRewritePathType, HttpRouteSpecRulesMatchesHeadersType,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/gateway.networking.k8s.io';
import { fail } from '../common/errors';
import { Certificates, CertificateSourceKind } from './certificates';
import { ResolvedCors, ResolvedTimeouts } from './ingress-controller-profile';
import { describeTimeouts, formatDuration } from './options';
import { hostSlug, ResolvedRoute } from './route';
import { BackendProtocol, PathType } from './secure-ingress-props';

/** The Gateway API allows at most 16 rules per route. */
const MAX_RULES = 16;
/** The Gateway API allows at most 64 listeners per Gateway. */
const MAX_LISTENERS = 64;
const HTTPS_PORT = 443;
const HTTP_PORT = 80;
const HTTP_LISTENER = 'http';

/** What the Gateway renderer needs from its `SecureIngress`. @internal */
export interface GatewayRendererProps {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  /** The Gateway routes attach to. */
  readonly gatewayName: string;
  readonly gatewayNamespace?: string;
  /** For an existing Gateway: its listener, if named. */
  readonly sectionName?: string;
  /** For a new Gateway: its class; `undefined` for an existing one. */
  readonly gatewayClassName?: string;
  /** TLS source; `undefined` for plain HTTP or an existing Gateway. */
  readonly certificates?: Certificates;
  readonly plainHttp: boolean;
  readonly securityHeaders: Record<string, string>;
  readonly cors?: ResolvedCors;
}

interface HostRoutes {
  readonly protocol: BackendProtocol;
  readonly rules: ResolvedRoute[];
  readonly route: HttpRoute | GrpcRoute;
  readonly secretName?: string;
}

/**
 * Renders routes as Gateway API objects: an HTTPRoute or GRPCRoute per host,
 * and for a new Gateway the Gateway itself, its certificates and the route
 * that redirects plain HTTP to HTTPS.
 *
 * @internal
 */
export class GatewayRenderer {
  public readonly gateway?: Gateway;
  public readonly redirectRoute?: HttpRoute;
  public readonly httpRoutes: HttpRoute[] = [];
  public readonly grpcRoutes: GrpcRoute[] = [];
  public readonly certificates: Certificate[] = [];

  private readonly hosts = new Map<string, HostRoutes>();

  public constructor(private readonly scope: Construct, private readonly props: GatewayRendererProps) {
    if (props.gatewayClassName === undefined) {
      return;
    }
    this.gateway = new Gateway(scope, 'Gateway', {
      metadata: { name: props.gatewayName, namespace: props.gatewayNamespace, labels: props.labels },
      spec: {
        gatewayClassName: props.gatewayClassName,
        listeners: Lazy.any({ produce: () => this.listeners() }),
      },
    });
    if (!props.plainHttp) {
      this.redirectRoute = new HttpRoute(scope, 'HttpsRedirect', {
        metadata: { name: `${props.name}-https-redirect`, namespace: props.namespace, labels: props.labels },
        spec: {
          parentRefs: [this.parentRef(HTTP_LISTENER)],
          hostnames: Lazy.any({ produce: () => [...this.hosts.keys()] }),
          rules: [{
            filters: [{
              type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
              requestRedirect: { scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: 301 },
            }],
          }],
        },
      });
    }
  }

  /** Adds a validated route; `prop` names the verb in messages. */
  public addRoute(route: ResolvedRoute, prop: string): void {
    let host = this.hosts.get(route.host);
    if (host && host.protocol !== route.protocol) {
      fail(this.scope, `${prop} protocol (${route.protocol}) differs from the other routes of host ${JSON.stringify(route.host)} (${host.protocol}): `
        + 'a Gateway accepts only one of an HTTPRoute and a GRPCRoute sharing a hostname; serve gRPC on a host of its own');
    }
    if (host && ruleCount(host.rules) + ruleCount([route]) > MAX_RULES) {
      fail(this.scope, `${prop} host (${JSON.stringify(route.host)}) already has ${ruleCount(host.rules)} rules: the Gateway API allows at most ${MAX_RULES} rules per route (a release track's header adds one); use another host`);
    }
    if (route.protocol === BackendProtocol.GRPC && route.timeouts !== undefined) {
      fail(this.scope, `${prop} timeouts (${describeTimeouts(route.timeouts)}) cannot apply to a gRPC route: GRPCRoute has no timeouts in the Gateway API`);
    }
    if (!host) {
      if (this.gateway && this.hosts.size + 1 >= MAX_LISTENERS) {
        fail(this.scope, `${prop} host (${JSON.stringify(route.host)}) needs listener ${this.hosts.size + 2}: a Gateway has at most ${MAX_LISTENERS} listeners`);
      }
      host = this.createHost(route);
      this.hosts.set(route.host, host);
    }
    host.rules.push(route);
  }

  private createHost(first: ResolvedRoute): HostRoutes {
    const p = this.props;
    const slug = hostSlug(first.host);
    const metadata = { name: `${p.name}-${slug}`, namespace: p.namespace, labels: p.labels };
    const rules: ResolvedRoute[] = [];
    const parentRefs = [this.parentRef(this.gateway ? this.listenerName(first.host) : p.sectionName)];
    let secretName: string | undefined;
    if (this.gateway && p.certificates) {
      secretName = p.certificates._secretFor(first.host, `${p.name}-${slug}-tls`);
      if (p.certificates._kind === CertificateSourceKind.CERT_MANAGER) {
        this.certificates.push(new Certificate(this.scope, `Certificate-${first.host}`, {
          metadata: { name: `${p.name}-${slug}`, namespace: p.gatewayNamespace, labels: p.labels },
          spec: {
            secretName: secretName!,
            dnsNames: [first.host],
            issuerRef: issuerRef(p.certificates),
          },
        }));
      }
    }
    if (first.protocol === BackendProtocol.GRPC) {
      const route = new GrpcRoute(this.scope, `GrpcRoute-${first.host}`, {
        metadata,
        spec: { parentRefs, hostnames: [first.host], rules: Lazy.any({ produce: () => rules.flatMap((r) => this.grpcRules(r)) }) },
      });
      this.grpcRoutes.push(route);
      return { protocol: first.protocol, rules, route, secretName };
    }
    const route = new HttpRoute(this.scope, `HttpRoute-${first.host}`, {
      metadata,
      spec: { parentRefs, hostnames: [first.host], rules: Lazy.any({ produce: () => rules.flatMap((r) => this.httpRules(r)) }) },
    });
    this.httpRoutes.push(route);
    return { protocol: first.protocol, rules, route, secretName };
  }

  private parentRef(sectionName: string | undefined): HttpRouteSpecParentRefs {
    return { name: this.props.gatewayName, namespace: this.props.gatewayNamespace, sectionName };
  }

  private listenerName(host: string): string {
    return `${this.props.plainHttp ? 'http' : 'https'}-${hostSlug(host)}`;
  }

  /**
   * A route's rules: one per track header (the header always reaches its
   * track; more header matches win over the plain rule), then the path rule,
   * whose backends share the requests by weight.
   */
  private httpRules(r: ResolvedRoute): HttpRouteSpecRules[] {
    const base = this.httpRule(r);
    const pathMatch = base.matches![0];
    const headerRules = (r.tracks ?? []).filter((t) => t.header).map((t): HttpRouteSpecRules => ({
      ...base,
      matches: [{ ...pathMatch, headers: [{ type: HttpRouteSpecRulesMatchesHeadersType.EXACT, name: t.header!.name, value: t.header!.value }] }],
      backendRefs: [{ name: t.serviceName, port: r.servicePort }],
    }));
    return [...headerRules, { ...base, backendRefs: weightedBackends(r) }];
  }

  private grpcRules(r: ResolvedRoute): GrpcRouteSpecRules[] {
    const base = this.grpcRule(r);
    const method = base.matches?.[0]?.method;
    const headerRules = (r.tracks ?? []).filter((t) => t.header).map((t): GrpcRouteSpecRules => ({
      ...base,
      matches: [{ method, headers: [{ type: GrpcRouteSpecRulesMatchesHeadersType.EXACT, name: t.header!.name, value: t.header!.value }] }],
      backendRefs: [{ name: t.serviceName, port: r.servicePort }],
    }));
    return [...headerRules, { ...base, backendRefs: weightedBackends(r) }];
  }

  private httpRule(r: ResolvedRoute): HttpRouteSpecRules {
    const filters: HttpRouteSpecRulesFilters[] = [];
    const headers = Object.entries(this.props.securityHeaders);
    if (headers.length > 0) {
      filters.push({
        type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
        responseHeaderModifier: { set: headers.map(([name, value]) => ({ name, value })) },
      });
    }
    const cors = this.props.cors;
    if (cors) {
      filters.push({
        type: HttpRouteSpecRulesFiltersType.CORS,
        cors: {
          allowOrigins: cors.allowOrigins,
          allowMethods: cors.allowMethods as HttpRouteSpecRulesFiltersCorsAllowMethods[],
          allowHeaders: cors.allowHeaders,
          exposeHeaders: cors.exposeHeaders.length > 0 ? cors.exposeHeaders : undefined,
          allowCredentials: cors.allowCredentials,
          maxAge: cors.maxAgeSeconds,
        },
      });
    }
    if (r.rewritePrefix !== undefined) {
      filters.push({
        type: HttpRouteSpecRulesFiltersType.URL_REWRITE,
        urlRewrite: { path: { type: HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_PREFIX_MATCH, replacePrefixMatch: r.rewritePrefix } },
      });
    }
    return {
      matches: [{
        path: {
          type: r.pathType === PathType.EXACT ? HttpRouteSpecRulesMatchesPathType.EXACT : HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
          value: r.path,
        },
      }],
      filters: filters.length > 0 ? filters : undefined,
      backendRefs: [{ name: r.serviceName, port: r.servicePort }],
      timeouts: routeTimeouts(r.timeouts),
    };
  }

  private grpcRule(r: ResolvedRoute): GrpcRouteSpecRules {
    const filters: GrpcRouteSpecRulesFilters[] = [];
    const headers = Object.entries(this.props.securityHeaders);
    if (headers.length > 0) {
      filters.push({
        type: GrpcRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER,
        responseHeaderModifier: { set: headers.map(([name, value]) => ({ name, value })) },
      });
    }
    const m = r.grpcMethod ?? {};
    return {
      matches: m.service !== undefined
        ? [{ method: { type: GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method } }]
        : undefined,
      filters: filters.length > 0 ? filters : undefined,
      backendRefs: [{ name: r.serviceName, port: r.servicePort }],
    };
  }

  private listeners(): GatewaySpecListeners[] {
    const p = this.props;
    const namespaces = this.allowedNamespaces();
    const listeners: GatewaySpecListeners[] = [];
    if (!p.plainHttp) {
      // Serves only the redirect route: every host, plain HTTP, to HTTPS.
      listeners.push({
        name: HTTP_LISTENER,
        port: HTTP_PORT,
        protocol: 'HTTP',
        allowedRoutes: { namespaces, kinds: [{ kind: 'HTTPRoute' }] },
      });
    }
    for (const [hostname, h] of this.hosts) {
      const kinds = [{ kind: h.protocol === BackendProtocol.GRPC ? 'GRPCRoute' : 'HTTPRoute' }];
      listeners.push(p.plainHttp
        ? { name: this.listenerName(hostname), hostname, port: HTTP_PORT, protocol: 'HTTP', allowedRoutes: { namespaces, kinds } }
        : {
          name: this.listenerName(hostname),
          hostname,
          port: HTTPS_PORT,
          protocol: 'HTTPS',
          tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: h.secretName! }] },
          allowedRoutes: { namespaces, kinds },
        });
    }
    return listeners;
  }

  /** The route namespace only: the Gateway's own, or the one namespace the routes live in. */
  private allowedNamespaces(): GatewaySpecListenersAllowedRoutesNamespaces {
    const p = this.props;
    if (p.namespace === p.gatewayNamespace) {
      return { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME };
    }
    return {
      from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
      selector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace! } },
    };
  }
}

/** Rules a route renders to: its own, plus one per track header. */
function ruleCount(routes: ResolvedRoute[]): number {
  return routes.reduce((n, r) => n + 1 + (r.tracks ?? []).filter((t) => t.header).length, 0);
}

/**
 * The backends of a route's path rule: the backend's own Service alone, or
 * with its weighted tracks (a track at weight 0 is reached by header only).
 */
function weightedBackends(r: ResolvedRoute): Array<{ name: string; port: number; weight?: number }> {
  const weighted = (r.tracks ?? []).filter((t) => t.weight > 0);
  if (weighted.length === 0) {
    return [{ name: r.serviceName, port: r.servicePort }];
  }
  const rest = 100 - weighted.reduce((n, t) => n + t.weight, 0);
  return [
    { name: r.serviceName, port: r.servicePort, weight: rest },
    ...weighted.map((t) => ({ name: t.serviceName, port: r.servicePort, weight: t.weight })),
  ];
}

function issuerRef(c: Certificates): CertificateSpecIssuerRef {
  return { group: 'cert-manager.io', kind: c._issuer!.kind, name: c._issuer!.name };
}

function routeTimeouts(t: ResolvedTimeouts | undefined): HttpRouteSpecRules['timeouts'] {
  if (!t || (t.requestMillis === undefined && t.backendRequestMillis === undefined)) {
    return undefined;
  }
  return {
    request: t.requestMillis !== undefined ? formatDuration(t.requestMillis) : undefined,
    backendRequest: t.backendRequestMillis !== undefined ? formatDuration(t.backendRequestMillis) : undefined,
  };
}
