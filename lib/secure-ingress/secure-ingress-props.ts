import { Duration, Size } from 'cdk8s';
import type { IRoutableBackend } from '../common/contracts';
import { BackendProtocol } from './backend-protocol';
import type { Certificates } from './certificates';
import type { GatewayAttachment } from './gateway-attachment';
import type { IIngressControllerProfile } from './ingress-controller-profile';
import type { SecurityHeaders } from './security-headers';

// In a module of its own so the controller profiles read it without importing the props; exported here as before.
export { BackendProtocol };

/** How a route's path is matched. */
export enum PathType {
  /** The path and everything below it, element by element (`/api` matches `/api/x`, not `/apix`). */
  PREFIX = 'Prefix',
  /** Exactly the path. */
  EXACT = 'Exact',
}

/** Which API the routes are rendered as. */
export enum IngressMode {
  /** `gateway.networking.k8s.io/v1` HTTPRoute/GRPCRoute objects attached to a Gateway. */
  GATEWAY_API = 'GatewayAPI',
  /** `networking.k8s.io/v1` Ingress objects for an ingress controller. */
  INGRESS = 'Ingress',
}

/**
 * A Kubernetes Service that is not a `GoMicroservice`, by name, with the
 * Service ports it exposes. Its NetworkPolicy is its owner's business.
 */
export interface ServiceReference {
  /** `metadata.name` of the Service, in the ingress's namespace. */
  readonly serviceName: string;
  /** Every Service port (`spec.ports[].port`) a route may use. */
  readonly ports: number[];
}

/** Timeouts for the requests of a route. Each controller expresses only some of them. */
export interface TimeoutOptions {
  /**
   * The whole request, from the client's first byte to the last byte of the
   * response. Gateway API: `rules[].timeouts.request` (HTTP routes only).
   * Not expressible by ingress-nginx.
   * @default - the implementation's default
   */
  readonly request?: Duration;

  /**
   * One attempt from the proxy to the backend. Gateway API:
   * `rules[].timeouts.backendRequest`; must not exceed `request`.
   * Not expressible by ingress-nginx.
   * @default - the implementation's default
   */
  readonly backendRequest?: Duration;

  /**
   * Establishing the connection to the backend. ingress-nginx:
   * `proxy-connect-timeout`. Not expressible in the Gateway API.
   * @default - the controller's default
   */
  readonly connect?: Duration;

  /**
   * Between two successive reads of the backend's response. ingress-nginx:
   * `proxy-read-timeout`. Not expressible in the Gateway API.
   * @default - the controller's default
   */
  readonly read?: Duration;

  /**
   * Between two successive writes of the request to the backend.
   * ingress-nginx: `proxy-send-timeout`. Not expressible in the Gateway API.
   * @default - the controller's default
   */
  readonly send?: Duration;
}

/** Per-client rate limits. Not expressible in the Gateway API's standard channel. */
export interface RateLimitOptions {
  /**
   * Requests per second from one client address.
   * @default - no per-second limit
   */
  readonly requestsPerSecond?: number;

  /**
   * Requests per minute from one client address.
   * @default - no per-minute limit
   */
  readonly requestsPerMinute?: number;

  /**
   * Concurrent connections from one client address.
   * @default - no connection limit
   */
  readonly connections?: number;

  /**
   * Burst size as a multiple of the rate.
   * @default - the controller's default (5 for ingress-nginx)
   */
  readonly burstMultiplier?: number;
}

/** Cross-origin resource sharing, answered by the proxy. */
export interface CorsOptions {
  /** Origins allowed to call, as `https://app.example.com` (scheme, host, optional port), or `*`. */
  readonly allowOrigins: string[];

  /**
   * Methods allowed in cross-origin requests.
   * @default ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
   */
  readonly allowMethods?: string[];

  /**
   * Request headers allowed in cross-origin requests.
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: string[];

  /**
   * Response headers the browser may expose to the caller.
   * @default - none
   */
  readonly exposeHeaders?: string[];

  /**
   * Allow cookies and credentials; not allowed with the `*` origin.
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * How long browsers may cache a preflight answer.
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;
}

/**
 * Ingress mode (`networking.k8s.io/v1`): setting this renders Ingress objects
 * instead of Gateway API routes.
 */
export interface IngressOptions {
  /** `spec.ingressClassName`: the IngressClass of the controller that serves the routes. */
  readonly ingressClassName: string;

  /**
   * The controller profile that turns the typed options into annotations.
   * @default IngressController.ingressNginx()
   */
  readonly controller?: IIngressControllerProfile;

  /**
   * Namespace of the controller's pods, admitted by the backends'
   * NetworkPolicies on the routed ports.
   * @default - the profile's namespace (`ingress-nginx` for ingress-nginx)
   */
  readonly controllerNamespace?: string;

  /**
   * Raw annotations added to every Ingress, the escape hatch for controller
   * settings without a typed option. Snippet annotations are rejected, and so
   * is a key a typed option already sets.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Props of a `SecureIngress`. */
export interface SecureIngressProps {
  /**
   * Base of every `metadata.name`; a DNS-1123 label.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Namespace of the routes (or Ingresses); the backends must live in it.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * `app.kubernetes.io/part-of`.
   * @default - no part-of label
   */
  readonly partOf?: string;

  /**
   * Gateway API mode (the default mode): the Gateway the routes attach to,
   * an existing one or one created here. Required unless `ingress` is set.
   * @default - none; set this or `ingress`
   */
  readonly gateway?: GatewayAttachment;

  /**
   * Switches to Ingress mode, for clusters without a Gateway API
   * implementation.
   * @default - Gateway API mode
   */
  readonly ingress?: IngressOptions;

  /**
   * Where the TLS certificate of every host comes from. Not used with an
   * existing Gateway, whose listeners hold the certificates.
   * @default - none: routes are rejected unless `allowPlainHttp` is set
   */
  readonly certificates?: Certificates;

  /**
   * Serve every host over plain HTTP, without TLS and without a redirect.
   * An explicit opt-in for local and test clusters; excludes `certificates`.
   * @default false
   */
  readonly allowPlainHttp?: boolean;

  /**
   * Security response headers (HSTS and friends). Gateway API mode adds them
   * with a `ResponseHeaderModifier` filter; ingress-nginx cannot set them per
   * Ingress without snippets, so an explicit value there is an error (its
   * controller ConfigMap sends HSTS by default).
   * @default - `SecurityHeaders.recommended()` in Gateway API mode; none in Ingress mode
   */
  readonly securityHeaders?: SecurityHeaders;

  /**
   * Timeouts of every route; a route's own `timeouts` replace them.
   * @default - the controller's defaults
   */
  readonly timeouts?: TimeoutOptions;

  /**
   * Per-client rate limits (Ingress mode only).
   * @default - no rate limit
   */
  readonly rateLimit?: RateLimitOptions;

  /**
   * Largest request body accepted (Ingress mode only).
   * @default - the controller's default (1m for ingress-nginx)
   */
  readonly maxBodySize?: Size;

  /**
   * CORS answered by the proxy, for HTTP routes.
   * @default - no CORS headers
   */
  readonly cors?: CorsOptions;
}

/** One route: requests for `host` whose path matches `path` go to `service`. */
export interface RouteOptions {
  /** Host name, RFC 1123; `*` is allowed as the whole leftmost label (`*.example.com`). */
  readonly host: string;

  /**
   * Path to match. For gRPC routes: `/`, `/<package.Service>` or
   * `/<package.Service>/<Method>`.
   * @default '/'
   */
  readonly path?: string;

  /**
   * How `path` is matched.
   * @default PathType.PREFIX
   */
  readonly pathType?: PathType;

  /**
   * The backend: a routable backend (a `GoMicroservice`, a `PlainWorkload`
   * around a cdk8s-plus Deployment and Service, or your own implementation),
   * or any Service by name and port.
   */
  readonly service: IRoutableBackend | ServiceReference;

  /**
   * Protocol of the backend. gRPC routes go to a routable backend's Service
   * port named `grpc`; HTTP routes to the one named `http`.
   * @default BackendProtocol.HTTP
   */
  readonly protocol?: BackendProtocol;

  /**
   * Service port of a `ServiceReference` backend; must be one of its `ports`.
   * @default - the reference's only port
   */
  readonly port?: number;

  /**
   * Replace the matched prefix with this path before forwarding, so
   * `/api/orders/list` reaches the backend as `/list` with `'/'`. Prefix
   * matches of HTTP routes only.
   * @default - the path is forwarded unchanged
   */
  readonly rewritePrefix?: string;

  /**
   * Timeouts of this route, replacing the ingress-wide `timeouts`.
   * @default - the ingress-wide `timeouts`
   */
  readonly timeouts?: TimeoutOptions;
}
