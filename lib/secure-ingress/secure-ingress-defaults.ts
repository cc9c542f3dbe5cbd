import { BackendProtocol } from './backend-protocol';
import { PathType } from './secure-ingress-props';

/** Defaults of `SecureIngressProps` and `RouteOptions`. @internal */
export const INGRESS_DEFAULTS = {
  component: 'ingress',
  path: '/',
  pathType: PathType.PREFIX,
  protocol: BackendProtocol.HTTP,
} as const;
