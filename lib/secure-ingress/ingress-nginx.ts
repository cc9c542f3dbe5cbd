import { Size, SizeRoundingBehavior } from 'cdk8s';
import type {
  IIngressControllerProfile, IngressCanaryRequest, IngressControllerAnnotations, IngressControllerPath, IngressControllerRequest,
} from './ingress-controller-profile';
import { BackendProtocol } from './backend-protocol';

const PREFIX = 'nginx.ingress.kubernetes.io/';

/**
 * The ingress-nginx profile (the Kubernetes community controller,
 * `registry.k8s.io/ingress-nginx/controller`). ingress-nginx was retired after
 * March 2026: this profile is kept for clusters that still run it.
 *
 * Snippet annotations (`configuration-snippet`, `server-snippet`, ...) are
 * never written and are rejected as raw annotations: they inject raw NGINX
 * configuration and were the way into several controller CVEs.
 */
export class IngressNginxProfile implements IIngressControllerProfile {
  /** `ingress-nginx`. */
  public readonly name = 'ingress-nginx';
  /** Namespace of the controller pods. */
  public readonly namespace: string;

  /** @param namespace namespace of the controller pods (default `ingress-nginx`) */
  public constructor(namespace = 'ingress-nginx') {
    this.namespace = namespace;
  }

  /**
   * ingress-nginx canary annotations: `canary`, `canary-weight` and, with a
   * header, `canary-by-header` and `canary-by-header-value`. The controller
   * takes every other setting of the canary from the main Ingress.
   */
  public canaryAnnotations(request: IngressCanaryRequest): Record<string, string> {
    const a: Record<string, string> = {
      [`${PREFIX}canary`]: 'true',
      [`${PREFIX}canary-weight`]: String(request.weight),
    };
    if (request.header) {
      a[`${PREFIX}canary-by-header`] = request.header.name;
      a[`${PREFIX}canary-by-header-value`] = request.header.value;
    }
    return a;
  }

  /** Maps the typed options to `nginx.ingress.kubernetes.io/*` annotations. */
  public annotationsFor(request: IngressControllerRequest): IngressControllerAnnotations {
    const a: Record<string, string> = {};
    const unsupported: string[] = [];
    const set = (name: string, value: string | number | boolean | undefined) => {
      if (value !== undefined) {
        a[PREFIX + name] = String(value);
      }
    };

    if (request.tls) {
      // Redirect even when TLS is terminated in front of the controller.
      set('force-ssl-redirect', true);
    } else {
      set('ssl-redirect', false);
    }
    if (request.protocol === BackendProtocol.GRPC) {
      set('backend-protocol', 'GRPC');
    }
    if (request.rewritePrefix !== undefined) {
      set('use-regex', true);
      set('rewrite-target', `${request.rewritePrefix.replace(/\/+$/, '')}/$2`);
    }

    const t = request.timeouts;
    if (t) {
      if (t.requestMillis !== undefined) {
        unsupported.push('timeouts.request');
      }
      if (t.backendRequestMillis !== undefined) {
        unsupported.push('timeouts.backendRequest');
      }
      set('proxy-connect-timeout', t.connectSeconds);
      set('proxy-read-timeout', t.readSeconds);
      set('proxy-send-timeout', t.sendSeconds);
    }

    const r = request.rateLimit;
    if (r) {
      set('limit-rps', r.requestsPerSecond);
      set('limit-rpm', r.requestsPerMinute);
      set('limit-connections', r.connections);
      set('limit-burst-multiplier', r.burstMultiplier);
    }

    if (request.maxBodySize) {
      set('proxy-body-size', nginxSize(request.maxBodySize));
    }

    const c = request.cors;
    if (c) {
      set('enable-cors', true);
      set('cors-allow-origin', c.allowOrigins.join(', '));
      set('cors-allow-methods', c.allowMethods.join(', '));
      set('cors-allow-headers', c.allowHeaders.join(', '));
      if (c.exposeHeaders.length > 0) {
        set('cors-expose-headers', c.exposeHeaders.join(', '));
      }
      set('cors-allow-credentials', c.allowCredentials);
      set('cors-max-age', c.maxAgeSeconds);
    }

    if (request.securityHeaders !== undefined) {
      // Per-Ingress response headers need a snippet; HSTS and the rest belong
      // in the controller ConfigMap (`hsts`, `add-headers`).
      unsupported.push('securityHeaders');
    }
    return { annotations: a, unsupported };
  }

  /** `/api` becomes `/api(/|$)(.*)` (ImplementationSpecific), escaped, so `$2` is the rest of the path. */
  public rewritePath(path: string, _rewritePrefix: string): IngressControllerPath {
    // The second capture group is what follows the prefix: `/api(/|$)(.*)`.
    const base = path.replace(/\/+$/, '');
    return { path: base === '' ? '/()(.*)' : `${escapeRegex(base)}(/|$)(.*)`, pathType: 'ImplementationSpecific' };
  }

  /** Rejects every `*-snippet` annotation. */
  public rejectAnnotation(key: string, _value: string): string | undefined {
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (/snippet$/i.test(name)) {
      return 'snippet annotations inject raw NGINX configuration and are never allowed';
    }
    if (key.startsWith(PREFIX) && /^canary(-|$)/.test(name)) {
      return 'canary annotations are written for release tracks: set release on the backend (Release.canary) instead';
    }
    return undefined;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A size as NGINX reads it: the largest of g, m, k that divides it. */
function nginxSize(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (kib % (1024 * 1024) === 0) {
    return `${kib / (1024 * 1024)}g`;
  }
  if (kib % 1024 === 0) {
    return `${kib / 1024}m`;
  }
  return `${Math.ceil(kib)}k`;
}
