/**
 * The benchmark fleet: N Go services in one namespace, described once as
 * plain data so every way (GoMicroservice, hand-written cdk8s-plus, Helm)
 * renders the same objects from the same input.
 *
 * Every service gets a Deployment, Service, ServiceAccount, ConfigMap,
 * HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy; every
 * third one also serves gRPC. Service i calls service i-1, so each
 * NetworkPolicy but the first admits one peer.
 *
 * One TLS Ingress (a SecureIngress in Ingress mode, for ingress-nginx, with
 * cert-manager's cluster issuer) routes `https://<FLEET_HOST>/<name>` to each
 * service's HTTP port, so each NetworkPolicy also admits the controller's
 * namespace on 8080.
 */
export const FLEET_NAMESPACE = 'fleet';

/** The fleet's edge: one Ingress, one host, a path per service. */
export const FLEET_INGRESS = {
  /** `metadata.name` of the Ingress (and the construct id). */
  name: 'fleet-edge',
  host: 'fleet.example.com',
  ingressClassName: 'nginx',
  clusterIssuer: 'letsencrypt',
  /** Namespace of the ingress-nginx controller, admitted by every backend. */
  controllerNamespace: 'ingress-nginx',
  /** The chart of the Ingress when each service has a chart of its own. */
  chartId: 'fleet-edge',
} as const;

/** The route path of a service. */
export function routePath(name: string): string {
  return `/${name}`;
}

/** One service of the fleet. */
export interface FleetService {
  /** `metadata.name` of every object of the service. */
  readonly name: string;
  /** Pinned image. */
  readonly image: string;
  /** The image tag (the `app.kubernetes.io/version` label). */
  readonly version: string;
  /** gRPC port, when the service has one. */
  readonly grpcPort?: number;
  /** Plain settings (the ConfigMap). */
  readonly config: Record<string, string>;
  /** Secret holding `DATABASE_URL`. */
  readonly databaseSecret: string;
  /** Name of the service that calls this one, if any. */
  readonly calledBy?: string;
  /** Autoscaling bounds. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** Name of the i-th service (1-based). */
export function serviceName(i: number): string {
  return `svc-${String(i).padStart(4, '0')}`;
}

/** The fleet of `n` services. */
export function fleet(n: number): FleetService[] {
  const services: FleetService[] = [];
  for (let i = 1; i <= n; i++) {
    const name = serviceName(i);
    const version = `1.${i % 10}.${i % 7}`;
    services.push({
      name,
      image: `registry.example.com/fleet/${name}:${version}`,
      version,
      grpcPort: i % 3 === 0 ? 9090 : undefined,
      config: { LOG_LEVEL: 'info', UPSTREAM_URL: i > 1 ? `http://${serviceName(i - 1)}.${FLEET_NAMESPACE}.svc` : 'none' },
      databaseSecret: `${name}-db`,
      calledBy: i < n ? serviceName(i + 1) : undefined,
      minReplicas: 2,
      maxReplicas: 10,
    });
  }
  return services;
}

/** How the services are spread over cdk8s charts. */
export enum ChartLayout {
  /** All services in one chart (one file), as `apps/` does per environment. */
  SINGLE = 'single',
  /** One chart (one file) per service. */
  PER_SERVICE = 'per-service',
}
