import { Chart, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificate } from '../../imports/cert-manager.io';
import { Gateway, GrpcRoute, HttpRoute } from '../../imports/gateway.networking.k8s.io';
import { fail, show } from '../common/errors';
import { recommendedLabels } from '../common/labels';
import { isHostname, validateDnsLabel, validateDnsSubdomain } from '../common/names';
import { BackendTrack, isRoutableBackend, NetworkPeer } from '../common/contracts';
import { describePeer } from '../common/network-peer';
import { k8s } from '../common/plus';
import { validateHttpPath, validatePort } from '../common/validate';
import { Certificates } from './certificates';
import { GatewayAttachmentKind } from './gateway-attachment';
import { GatewayRenderer } from './gateway-renderer';
import { IngressController } from './ingress-controller';
import { IIngressControllerProfile, ResolvedRateLimit, ResolvedTimeouts } from './ingress-controller-profile';
import { IngressRenderer } from './ingress-renderer';
import { INGRESS_DEFAULTS } from './secure-ingress-defaults';
import { describeTimeouts, resolveCors, resolveRateLimit, resolveTimeouts, securityHeaderValues, timeoutValue } from './options';
import { grpcMethodOf, hostSlug, ResolvedRoute, ResolvedRouteTrack } from './route';
import { BackendProtocol, IngressMode, PathType, RouteOptions, SecureIngressProps, ServiceReference } from './secure-ingress-props';
import { SecurityHeaders } from './security-headers';

const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const ANNOTATION_KEY = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * TLS-only routing from host names and paths to routable backends
 * (`GoMicroservice`, `PlainWorkload`, any `IRoutableBackend`) or to any
 * Service, as Gateway API routes (the default) or as Ingress objects.
 *
 * Gateway API mode creates an HTTPRoute (or GRPCRoute) per host attached to
 * a Gateway; with `GatewayAttachment.create` also the Gateway (an HTTPS
 * listener per host and an HTTP listener that only redirects to HTTPS), the
 * redirect route and, with cert-manager, a `Certificate` per host. Ingress
 * mode creates Ingress objects with TLS for every host, a forced HTTPS
 * redirect and the controller profile's annotations. Either way each routed
 * routable backend admits the gateway's or controller's namespace on the routed
 * port through its own NetworkPolicy, and nothing else.
 *
 * @example
 * const edge = new SecureIngress(chart, 'storefront', {
 *   gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }),
 *   certificates: Certificates.fromClusterIssuer('letsencrypt'),
 * });
 * edge.addRoute({ host: 'shop.example.com', path: '/api/orders', service: orders, rewritePrefix: '/' });
 * edge.addRoute({ host: 'grpc.shop.example.com', service: orders, protocol: BackendProtocol.GRPC });
 */
export class SecureIngress extends Construct {
  /** Base of every `metadata.name`. */
  public readonly name: string;
  /** Namespace of the routes or Ingresses, when known. */
  public readonly namespace?: string;
  /** Gateway API routes or Ingress objects. */
  public readonly mode: IngressMode;
  /** The `app.kubernetes.io/*` labels on every object. */
  public readonly labels: Record<string, string>;
  /** The namespace the backends admit traffic from: the gateway proxies' or the ingress controller's. */
  public readonly peerNamespace: string;
  /** The controller profile, in Ingress mode. */
  public readonly controller?: IIngressControllerProfile;
  /** `metadata.name` of the Gateway the routes attach to, in Gateway API mode. */
  public readonly gatewayName?: string;
  /** Namespace of that Gateway. */
  public readonly gatewayNamespace?: string;

  /** The Gateway, when `GatewayAttachment.create` made one. */
  public readonly gateway?: Gateway;
  /** The HTTPRoute that redirects plain HTTP to HTTPS, with a created Gateway. */
  public readonly redirectRoute?: HttpRoute;

  private readonly certificates?: Certificates;
  private readonly gatewayRenderer?: GatewayRenderer;
  private readonly ingressRenderer?: IngressRenderer;
  private readonly timeouts?: ResolvedTimeouts;
  private readonly routeList: ResolvedRoute[] = [];
  private readonly admitted = new Set<string>();

  public constructor(scope: Construct, id: string, props: SecureIngressProps = {}) {
    super(scope, id);

    // 1. validate and resolve
    this.name = props.name ?? id;
    validateDnsLabel(this, 'name', this.name);
    if (props.namespace !== undefined) {
      validateDnsLabel(this, 'namespace', props.namespace);
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.labels = recommendedLabels({ name: this.name, instance: this.name, component: INGRESS_DEFAULTS.component, partOf: props.partOf });

    if (props.gateway && props.ingress) {
      fail(this, 'gateway and ingress are both set: choose Gateway API mode (gateway) or Ingress mode (ingress)');
    }
    if (!props.gateway && !props.ingress) {
      fail(this, 'gateway (undefined) is required in Gateway API mode, the default: set gateway (GatewayAttachment.existing or GatewayAttachment.create), or ingress for Ingress mode');
    }
    this.mode = props.ingress ? IngressMode.INGRESS : IngressMode.GATEWAY_API;
    const existingGateway = props.gateway?._kind === GatewayAttachmentKind.EXISTING;
    const plainHttp = props.allowPlainHttp ?? false;
    this.validateCertificates(props, existingGateway, plainHttp);
    this.certificates = props.certificates;

    this.timeouts = resolveTimeouts(this, 'timeouts', props.timeouts);
    const rateLimit = resolveRateLimit(this, props.rateLimit);
    const cors = resolveCors(this, props.cors);
    if (props.maxBodySize !== undefined && !(props.maxBodySize.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) > 0)) {
      fail(this, `maxBodySize (${props.maxBodySize.toKibibytes({ rounding: SizeRoundingBehavior.NONE })}Ki) must be positive`);
    }

    // 2. children, by mode
    if (props.gateway) {
      this.rejectInGatewayMode(props, rateLimit);
      const existing = props.gateway._existing;
      const created = props.gateway._new;
      this.gatewayName = existing?.name ?? created?.name ?? this.name;
      this.gatewayNamespace = existing?.namespace ?? created?.namespace ?? this.namespace;
      validateDnsLabel(this, 'gateway.name', this.gatewayName);
      if (this.gatewayNamespace === undefined) {
        fail(this, 'gateway.namespace (undefined) is required when neither the ingress nor its chart has a namespace');
      }
      validateDnsLabel(this, 'gateway.namespace', this.gatewayNamespace);
      if (existing?.sectionName !== undefined) {
        validateDnsSubdomain(this, 'gateway.sectionName', existing.sectionName);
      }
      if (created) {
        validateDnsSubdomain(this, 'gateway.gatewayClassName', created.gatewayClassName);
      }
      this.peerNamespace = existing?.proxyNamespace ?? created?.proxyNamespace ?? this.gatewayNamespace;
      validateDnsLabel(this, 'gateway.proxyNamespace', this.peerNamespace);
      const headers = props.securityHeaders ?? SecurityHeaders.recommended();
      this.gatewayRenderer = new GatewayRenderer(this, {
        name: this.name,
        namespace: this.namespace,
        labels: this.labels,
        gatewayName: this.gatewayName,
        gatewayNamespace: this.gatewayNamespace,
        sectionName: existing?.sectionName,
        gatewayClassName: created?.gatewayClassName,
        certificates: props.certificates,
        plainHttp,
        securityHeaders: securityHeaderValues(this, headers, !plainHttp),
        cors,
      });
      this.gateway = this.gatewayRenderer.gateway;
      this.redirectRoute = this.gatewayRenderer.redirectRoute;
    } else {
      const ingress = props.ingress!;
      validateDnsSubdomain(this, 'ingress.ingressClassName', ingress.ingressClassName);
      this.controller = ingress.controller ?? IngressController.ingressNginx();
      this.peerNamespace = ingress.controllerNamespace ?? this.controller.namespace;
      validateDnsLabel(this, 'ingress.controllerNamespace', this.peerNamespace);
      const annotations = this.validateAnnotations(this.controller, ingress.annotations ?? {});
      const baseRequest = {
        tls: !plainHttp,
        rateLimit,
        maxBodySize: props.maxBodySize,
        cors,
        securityHeaders: props.securityHeaders?._enabled ? securityHeaderValues(this, props.securityHeaders, !plainHttp) : undefined,
      };
      // Options of the whole ingress the profile cannot express fail here, named as props.
      const probe = this.controller.annotationsFor({ ...baseRequest, protocol: BackendProtocol.HTTP, timeouts: this.timeouts });
      for (const option of probe.unsupported) {
        fail(this, `${option} (${this.describeProp(props, option)}) cannot be expressed by the ${this.controller.name} profile: remove it, or use Gateway API mode`);
      }
      this.ingressRenderer = new IngressRenderer(this, {
        name: this.name,
        namespace: this.namespace,
        labels: this.labels,
        ingressClassName: ingress.ingressClassName,
        profile: this.controller,
        certificates: props.certificates,
        baseRequest,
        annotations,
      });
    }

    this.node.addValidation({
      validate: () => this.routeList.length === 0 ? ['routes (none) must not be empty: call addRoute at least once'] : [],
    });
  }

  /** The HTTPRoutes, one per HTTP host (Gateway API mode). */
  public get httpRoutes(): HttpRoute[] {
    return [...this.gatewayRenderer?.httpRoutes ?? []];
  }

  /** The GRPCRoutes, one per gRPC host (Gateway API mode). */
  public get grpcRoutes(): GrpcRoute[] {
    return [...this.gatewayRenderer?.grpcRoutes ?? []];
  }

  /** cert-manager `Certificate`s, one per host, beside a created Gateway. */
  public get managedCertificates(): Certificate[] {
    return [...this.gatewayRenderer?.certificates ?? []];
  }

  /** The Ingress objects (Ingress mode), in creation order. */
  public get ingresses(): k8s.KubeIngress[] {
    return [...this.ingressRenderer?.ingresses ?? []];
  }

  /** Number of routes added. */
  public get routeCount(): number {
    return this.routeList.length;
  }

  /**
   * Routes requests for `host` whose path matches `path` to a service, and
   * admits the gateway's or controller's namespace on the routed port of a
   * routable backend.
   */
  public addRoute(options: RouteOptions): void {
    const prop = 'addRoute';
    const host = options.host;
    if (typeof host !== 'string' || !isHostname(host, true) || IPV4.test(host)) {
      fail(this, `${prop} host (${show(host)}) must be an RFC 1123 host name in lower case, not an IP address, with '*' only as the whole leftmost label (*.example.com)`);
    }
    const longest = `${this.name}-${hostSlug(host)}-tls`;
    if (longest.length > 253) {
      fail(this, `${prop} host (${show(host)}) is too long for the object names derived from it (${show(longest)} has ${longest.length} characters, at most 253)`);
    }
    const path = options.path ?? INGRESS_DEFAULTS.path;
    validateHttpPath(this, `${prop} path`, path);
    if (/[?#]/.test(path) || /\/\/|\/\.\.?(\/|$)/.test(path)) {
      fail(this, `${prop} path (${show(path)}) must not contain '?', '#', '//' or '.' and '..' segments`);
    }
    const pathType = options.pathType ?? INGRESS_DEFAULTS.pathType;
    if (!Object.values(PathType).includes(pathType)) {
      fail(this, `${prop} pathType (${show(pathType)}) must be one of ${Object.values(PathType).join(', ')}`);
    }
    const protocol = options.protocol ?? INGRESS_DEFAULTS.protocol;
    if (!Object.values(BackendProtocol).includes(protocol)) {
      fail(this, `${prop} protocol (${show(protocol)}) must be one of ${Object.values(BackendProtocol).join(', ')}`);
    }
    if (this.certificates && this.certificates._secretFor(host, '') === undefined) {
      fail(this, `${prop} host (${show(host)}) has no certificate source: ${this.certificates._describe()} lists no Secret for it; add one, or use a wildcard Secret or cert-manager`);
    }
    const clash = this.routeList.find((r) => r.host === host && r.path === path);
    if (clash) {
      fail(this, `${prop} host and path (${show(host + path)}) are already routed to ${show(clash.serviceName)}: each host and path may be routed once`);
    }

    if (options.rewritePrefix !== undefined) {
      validateHttpPath(this, `${prop} rewritePrefix`, options.rewritePrefix);
      if (pathType === PathType.EXACT) {
        fail(this, `${prop} rewritePrefix (${show(options.rewritePrefix)}) cannot apply to an Exact path: only a Prefix match has a prefix to replace`);
      }
      if (protocol === BackendProtocol.GRPC) {
        fail(this, `${prop} rewritePrefix (${show(options.rewritePrefix)}) cannot apply to a gRPC route: gRPC paths name the service and method`);
      }
    }
    let grpcMethod: ResolvedRoute['grpcMethod'];
    if (protocol === BackendProtocol.GRPC) {
      grpcMethod = grpcMethodOf(path);
      if (!grpcMethod) {
        fail(this, `${prop} path (${show(path)}) of a gRPC route must be '/', '/<package.Service>' or '/<package.Service>/<Method>'`);
      }
    }

    const backend = this.resolveBackend(options, protocol, prop);

    const own = resolveTimeouts(this, `${prop} timeouts`, options.timeouts);
    if (this.mode === IngressMode.GATEWAY_API && own) {
      this.rejectNonGatewayTimeouts(`${prop} timeouts`, own);
    }
    // GRPCRoute has no timeouts: the ingress-wide ones apply to HTTP routes only.
    const timeouts = own ?? (this.mode === IngressMode.GATEWAY_API && protocol === BackendProtocol.GRPC ? undefined : this.timeouts);

    const route: ResolvedRoute = {
      host, path, pathType, protocol, ...backend, rewritePrefix: options.rewritePrefix, timeouts, grpcMethod,
    };
    this.gatewayRenderer?.addRoute(route, prop);
    this.ingressRenderer?.addRoute(route, prop);
    this.routeList.push(route);

    if (route.backend) {
      const portName = routePortName(protocol);
      const key = `${route.backend.node.path}|${portName}`;
      if (!this.admitted.has(key)) {
        this.admitted.add(key);
        route.backend.allowFrom(NetworkPeer.namespace(this.peerNamespace), { ports: [portName] });
      }
    }
  }

  private resolveBackend(options: RouteOptions, protocol: BackendProtocol, prop: string): Pick<ResolvedRoute, 'serviceName' | 'servicePort' | 'backend' | 'tracks'> {
    const service = options.service;
    if (isRoutableBackend(service)) {
      if (options.port !== undefined) {
        fail(this, `${prop} port (${show(options.port)}) applies to ServiceReference backends only: a routable backend (a GoMicroservice) is reached on its Service port named http or grpc, chosen by protocol`);
      }
      if (service.namespace !== this.namespace) {
        fail(this, `${prop} service (${show(service.name)}) is in namespace ${show(service.namespace)}, not the ingress's ${show(this.namespace)}: routes reach backends in their own namespace only`);
      }
      const portName = routePortName(protocol);
      const port = service.servicePorts.find((p) => p.name === portName);
      if (!port) {
        if (protocol === BackendProtocol.GRPC) {
          fail(this, `${prop} protocol (GRPC) needs a grpc port, which service ${show(service.name)} does not expose: set grpcPort on it, or route over HTTP`);
        }
        fail(this, `${prop} protocol (HTTP) needs a Service port named http, which service ${show(service.name)} does not expose: name the Service port that serves HTTP http`);
      }
      const tracks = this.resolveTracks(service.name, service.releaseTracks ?? [], prop);
      return { serviceName: service.name, servicePort: port.port, backend: service, tracks: tracks.length > 0 ? tracks : undefined };
    }
    const ref = service as ServiceReference;
    if (!ref || typeof ref.serviceName !== 'string' || !Array.isArray(ref.ports)) {
      fail(this, `${prop} service (${show(describePeer(ref))}) must be a routable backend (a GoMicroservice or a PlainWorkload) or a ServiceReference ({ serviceName, ports })`);
    }
    validateDnsLabel(this, `${prop} service.serviceName`, ref.serviceName);
    if (ref.ports.length === 0) {
      fail(this, `${prop} service.ports ([]) of Service ${show(ref.serviceName)} is empty: list the Service ports routes may use`);
    }
    ref.ports.forEach((p, i) => validatePort(this, `${prop} service.ports[${i}]`, p));
    if (options.port === undefined) {
      if (ref.ports.length > 1) {
        fail(this, `${prop} port (undefined) is required: Service ${show(ref.serviceName)} exposes several ports (${ref.ports.join(', ')})`);
      }
      return { serviceName: ref.serviceName, servicePort: ref.ports[0] };
    }
    if (!ref.ports.includes(options.port)) {
      fail(this, `${prop} port (${show(options.port)}) is not a port of Service ${show(ref.serviceName)}: use one of ${ref.ports.join(', ')}`);
    }
    return { serviceName: ref.serviceName, servicePort: options.port };
  }

  /** Checks the release tracks a routable backend declares (its own contract, not only GoMicroservice's). */
  private resolveTracks(serviceName: string, tracks: BackendTrack[], prop: string): ResolvedRouteTrack[] {
    let total = 0;
    const headers = new Set<string>();
    const resolved = tracks.map((t, i) => {
      const at = `${prop} service.releaseTracks[${i}]`;
      validateDnsLabel(this, `${at}.serviceName`, t.serviceName);
      if (t.serviceName === serviceName) {
        fail(this, `${at}.serviceName (${show(t.serviceName)}) is the backend's own Service: a track needs a Service of its own`);
      }
      if (typeof t.weight !== 'number' || !Number.isInteger(t.weight) || t.weight < 0 || t.weight > 100) {
        fail(this, `${at}.weight (${show(t.weight)}) must be an integer percent from 0 to 100`);
      }
      total += t.weight;
      if (t.header !== undefined) {
        if (typeof t.header.name !== 'string' || !HEADER_NAME.test(t.header.name)) {
          fail(this, `${at}.header.name (${show(t.header.name)}) must be an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~`);
        }
        const key = `${t.header.name.toLowerCase()}=${t.header.value}`;
        if (headers.has(key)) {
          fail(this, `${at}.header (${show(key)}) already selects another track: each track needs its own header or value`);
        }
        headers.add(key);
      }
      return { track: t.track, serviceName: t.serviceName, weight: t.weight, header: t.header ? { name: t.header.name.toLowerCase(), value: t.header.value } : undefined };
    });
    if (total > 100) {
      fail(this, `${prop} service.releaseTracks (${show(tracks.map((t) => t.weight))}) take ${total}% of the requests: the weights must add up to at most 100`);
    }
    return resolved;
  }

  private validateCertificates(props: SecureIngressProps, existingGateway: boolean, plainHttp: boolean): void {
    const c = props.certificates;
    if (existingGateway) {
      if (c) {
        fail(this, `certificates (${c._describe()}) cannot apply to an existing Gateway: its listeners hold the certificates; use GatewayAttachment.create to manage them here`);
      }
      if (props.allowPlainHttp !== undefined) {
        fail(this, `allowPlainHttp (${props.allowPlainHttp}) cannot apply to an existing Gateway: its listeners decide the protocol; name the listener with sectionName`);
      }
      return;
    }
    if (plainHttp && c) {
      fail(this, `allowPlainHttp (true) cannot be combined with certificates (${c._describe()}): a SecureIngress serves either TLS or plain HTTP`);
    }
    if (!plainHttp && !c) {
      fail(this, 'certificates (undefined) must be set: a SecureIngress serves TLS only (Certificates.fromClusterIssuer, fromIssuer, fromSecret, fromSecrets); set allowPlainHttp: true to opt in to plain HTTP');
    }
    if (!c) {
      return;
    }
    if (c._issuer) {
      validateDnsSubdomain(this, 'certificates issuer name', c._issuer.name);
    }
    if (c._secretName !== undefined) {
      validateDnsSubdomain(this, 'certificates secretName', c._secretName);
    }
    for (const [host, secret] of Object.entries(c._secretsByHost ?? {})) {
      if (!isHostname(host, true)) {
        fail(this, `certificates host (${show(host)}) must be an RFC 1123 host name in lower case, with '*' only as the whole leftmost label (*.example.com)`);
      }
      validateDnsSubdomain(this, `certificates secretName of ${host}`, secret);
    }
  }

  /** Options the Gateway API's standard channel cannot express. */
  private rejectInGatewayMode(props: SecureIngressProps, rateLimit: ResolvedRateLimit | undefined): void {
    if (rateLimit) {
      fail(this, `rateLimit (${show(props.rateLimit)}) cannot be expressed in Gateway API mode: the Gateway API has no standard rate limit; use the implementation's policy resource, or Ingress mode`);
    }
    if (props.maxBodySize) {
      fail(this, `maxBodySize (${props.maxBodySize.toKibibytes({ rounding: SizeRoundingBehavior.NONE })}Ki) cannot be expressed in Gateway API mode: the Gateway API has no standard body size limit; use the implementation's policy resource, or Ingress mode`);
    }
    if (this.timeouts) {
      this.rejectNonGatewayTimeouts('timeouts', this.timeouts);
    }
  }

  private rejectNonGatewayTimeouts(prop: string, t: ResolvedTimeouts): void {
    const other: ResolvedTimeouts = { connectSeconds: t.connectSeconds, readSeconds: t.readSeconds, sendSeconds: t.sendSeconds };
    if (Object.values(other).some((v) => v !== undefined)) {
      fail(this, `${prop} (${describeTimeouts(other)}) cannot be expressed in Gateway API mode: HTTPRoute has only request and backendRequest timeouts`);
    }
  }

  private validateAnnotations(profile: IIngressControllerProfile, annotations: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(annotations)) {
      if (!ANNOTATION_KEY.test(key) || key.length > 316 || typeof value !== 'string') {
        fail(this, `ingress.annotations (${show({ [key]: value })}) must map an annotation key ([prefix/]name) to a string`);
      }
      const reason = profile.rejectAnnotation(key, value);
      if (reason !== undefined) {
        fail(this, `ingress.annotations (${show(key)}) is rejected by the ${profile.name} profile: ${reason}`);
      }
      out[key] = value;
    }
    return out;
  }

  /** The value of an ingress-wide option, for a message. */
  private describeProp(props: SecureIngressProps, option: string): string {
    const [head, field] = option.split('.');
    if (head === 'timeouts' && this.timeouts) {
      return timeoutValue(this.timeouts, field);
    }
    if (head === 'rateLimit') {
      return show((props.rateLimit as Record<string, unknown> | undefined)?.[field]);
    }
    if (head === 'maxBodySize') {
      return `${props.maxBodySize?.toKibibytes({ rounding: SizeRoundingBehavior.NONE })}Ki`;
    }
    if (head === 'securityHeaders') {
      return 'SecurityHeaders.recommended()';
    }
    if (head === 'cors') {
      return show(props.cors?.allowOrigins);
    }
    return 'set';
  }
}

/** The Service port name a route of `protocol` uses. */
function routePortName(protocol: BackendProtocol): 'http' | 'grpc' {
  return protocol === BackendProtocol.GRPC ? 'grpc' : 'http';
}
