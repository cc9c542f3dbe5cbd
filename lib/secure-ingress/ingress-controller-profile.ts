import { Size } from 'cdk8s';
import type { BackendProtocol } from './backend-protocol';

/** Timeouts resolved to whole seconds (or milliseconds where noted). */
export interface ResolvedTimeouts {
  /**
   * Whole request, milliseconds.
   * @default - the controller's default
   */
  readonly requestMillis?: number;
  /**
   * One backend attempt, milliseconds.
   * @default - the controller's default
   */
  readonly backendRequestMillis?: number;
  /**
   * Connect, seconds.
   * @default - the controller's default
   */
  readonly connectSeconds?: number;
  /**
   * Read, seconds.
   * @default - the controller's default
   */
  readonly readSeconds?: number;
  /**
   * Send, seconds.
   * @default - the controller's default
   */
  readonly sendSeconds?: number;
}

/** Validated CORS settings with defaults filled in. */
export interface ResolvedCors {
  /** Allowed origins. */
  readonly allowOrigins: string[];
  /** Allowed methods. */
  readonly allowMethods: string[];
  /** Allowed request headers. */
  readonly allowHeaders: string[];
  /** Exposed response headers. */
  readonly exposeHeaders: string[];
  /** Whether credentials are allowed. */
  readonly allowCredentials: boolean;
  /** Preflight cache lifetime, seconds. */
  readonly maxAgeSeconds: number;
}

/** Validated rate limits. */
export interface ResolvedRateLimit {
  /**
   * Requests per second per client.
   * @default - no limit
   */
  readonly requestsPerSecond?: number;
  /**
   * Requests per minute per client.
   * @default - no limit
   */
  readonly requestsPerMinute?: number;
  /**
   * Concurrent connections per client.
   * @default - no limit
   */
  readonly connections?: number;
  /**
   * Burst as a multiple of the rate.
   * @default - the controller's default
   */
  readonly burstMultiplier?: number;
}

/**
 * What one Ingress object asks of the controller: the typed options, already
 * validated. A profile maps each to annotations or reports it as unsupported.
 */
export interface IngressControllerRequest {
  /** True when the hosts have TLS: plain HTTP must redirect to HTTPS. */
  readonly tls: boolean;
  /** Protocol of every backend of this Ingress. */
  readonly protocol: BackendProtocol;
  /**
   * Replacement for the matched prefix of every path of this Ingress.
   * @default - paths are passed on unchanged
   */
  readonly rewritePrefix?: string;
  /**
   * Timeouts of every path of this Ingress.
   * @default - the controller's defaults
   */
  readonly timeouts?: ResolvedTimeouts;
  /**
   * Per-client rate limits.
   * @default - no limit
   */
  readonly rateLimit?: ResolvedRateLimit;
  /**
   * Largest request body.
   * @default - the controller's limit
   */
  readonly maxBodySize?: Size;
  /**
   * CORS.
   * @default - no CORS
   */
  readonly cors?: ResolvedCors;
  /**
   * Security response headers, when explicitly asked for.
   * @default - none asked for
   */
  readonly securityHeaders?: Record<string, string>;
}

/** What a profile made of an `IngressControllerRequest`. */
export interface IngressControllerAnnotations {
  /** Annotations to put on the Ingress. */
  readonly annotations: Record<string, string>;
  /**
   * The options (prop paths such as `rateLimit.requestsPerMinute`) this
   * controller cannot express; the ingress turns each into an error.
   */
  readonly unsupported: string[];
}

/** A path as the controller wants it written. */
export interface IngressControllerPath {
  /** `spec.rules[].http.paths[].path`. */
  readonly path: string;
  /** `spec.rules[].http.paths[].pathType`: `Prefix`, `Exact` or `ImplementationSpecific`. */
  readonly pathType: string;
}

/** A release track of one Ingress's routes: a share of requests, and a header that always reaches it. */
export interface IngressCanaryRequest {
  /** Percent (0 to 100) of the requests without the header. */
  readonly weight: number;
  /**
   * Requests with this header (exact value) always go to the track.
   * @default - no header rule
   */
  readonly header?: { readonly name: string; readonly value: string };
}

/**
 * A controller profile: how one ingress controller reads the typed options of
 * a `SecureIngress` in Ingress mode. Implement it to support another
 * controller; options it cannot express must be reported as `unsupported`,
 * never dropped.
 */
export interface IIngressControllerProfile {
  /** Name of the controller, used in messages (e.g. `ingress-nginx`). */
  readonly name: string;

  /** Namespace the controller's pods run in by convention. */
  readonly namespace: string;

  /** Annotations for one Ingress object. */
  annotationsFor(request: IngressControllerRequest): IngressControllerAnnotations;

  /**
   * The path to write for a prefix match whose prefix is replaced by
   * `rewritePrefix`, or `undefined` when the controller cannot rewrite.
   */
  rewritePath(path: string, rewritePrefix: string): IngressControllerPath | undefined;

  /**
   * Why a raw annotation may not be set (e.g. snippets that inject controller
   * configuration), or `undefined` when it may.
   */
  rejectAnnotation(key: string, value: string): string | undefined;

  /**
   * Annotations that make a second Ingress (same hosts and paths, the
   * track's Service) a canary of the first. A profile without this method,
   * or one that returns `undefined`, cannot split traffic: routes to a
   * backend with release tracks then fail at synth time.
   * @default - none: the controller cannot split traffic between release tracks
   */
  canaryAnnotations?(request: IngressCanaryRequest): Record<string, string> | undefined;
}
