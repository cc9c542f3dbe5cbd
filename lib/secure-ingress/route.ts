import type { IRoutableBackend } from '../common/contracts';
import { ResolvedTimeouts } from './ingress-controller-profile';
import { BackendProtocol, PathType } from './secure-ingress-props';

/** A validated route with its backend resolved to a Service name and port. @internal */
export interface ResolvedRoute {
  readonly host: string;
  readonly path: string;
  readonly pathType: PathType;
  readonly protocol: BackendProtocol;
  /** `metadata.name` of the backend Service. */
  readonly serviceName: string;
  /** Service port (`spec.ports[].port`) of the backend. */
  readonly servicePort: number;
  /** The backend, when it is a routable backend (not a ServiceReference). */
  readonly backend?: IRoutableBackend;
  /** The backend's other release tracks, on the same Service port. */
  readonly tracks?: ResolvedRouteTrack[];
  readonly rewritePrefix?: string;
  readonly timeouts?: ResolvedTimeouts;
  /** For gRPC routes: the method match that `path` stands for. */
  readonly grpcMethod?: { readonly service?: string; readonly method?: string };
}

/** A release track a route splits traffic to. @internal */
export interface ResolvedRouteTrack {
  readonly track: string;
  readonly serviceName: string;
  readonly weight: number;
  readonly header?: { readonly name: string; readonly value: string };
}

/** `shop.example.com` → `shop-example-com`, `*.example.com` → `wildcard-example-com`. @internal */
export function hostSlug(host: string): string {
  return host.replace(/^\*/, 'wildcard').replace(/\./g, '-');
}

const GRPC_PATH = /^\/([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)(\/([A-Za-z_][A-Za-z0-9_]*))?$/;

/**
 * The gRPC method match a path stands for: `/` matches every method,
 * `/pkg.Service` one service, `/pkg.Service/Method` one method. `undefined`
 * when the path has another shape.
 *
 * @internal
 */
export function grpcMethodOf(path: string): { service?: string; method?: string } | undefined {
  if (path === '/') {
    return {};
  }
  const m = GRPC_PATH.exec(path.replace(/\/$/, ''));
  if (!m) {
    return undefined;
  }
  return m[4] !== undefined ? { service: m[1], method: m[4] } : { service: m[1] };
}
