import { Duration } from 'cdk8s';

/** Timings shared by every probe kind. */
export interface ProbeTimings {
  /**
   * Delay before the first probe. Prefer a startup probe to a long delay.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;

  /**
   * How often the probe runs.
   * @default - 5s for readiness, 10s for liveness, 2s for startup
   */
  readonly period?: Duration;

  /**
   * How long one probe may take before it counts as failed.
   * @default - 2s for readiness and startup, 3s for liveness
   */
  readonly timeout?: Duration;

  /**
   * Consecutive failures before the probe's action (unready, restart).
   * @default - 3 for readiness, 6 for liveness, 60 for startup
   */
  readonly failureThreshold?: number;

  /**
   * Consecutive successes after a failure before the probe passes again.
   * Kubernetes requires 1 for liveness and startup probes.
   * @default 1
   */
  readonly successThreshold?: number;
}

/** Options for an HTTP GET probe. */
export interface HttpProbeOptions extends ProbeTimings {
  /**
   * Container port to probe.
   * @default - the service's `healthPort`, or its `httpPort` when there is none
   */
  readonly port?: number;
}

/** Options for a gRPC health-protocol probe. */
export interface GrpcProbeOptions extends ProbeTimings {
  /**
   * Container port to probe.
   * @default - the service's `healthPort`, or its `grpcPort` when there is none
   */
  readonly port?: number;

  /**
   * Service name sent in the `grpc.health.v1.HealthCheckRequest`.
   * @default - the empty name: the health of the server as a whole
   */
  readonly service?: string;
}

/** How a probe talks to the container. */
export enum ProbeKind {
  /** An HTTP GET that expects a 2xx or 3xx status. */
  HTTP = 'HTTP',
  /** The gRPC health checking protocol (`grpc.health.v1.Health/Check`). */
  GRPC = 'GRPC',
}

/**
 * A container probe: an HTTP GET on a path, or the gRPC health protocol.
 *
 * @example
 * Probe.http('/readyz', { period: Duration.seconds(5) })
 * Probe.grpc({ service: 'orders.v1.Orders' })
 */
export class Probe {
  /** Probe with an HTTP GET on `path`. */
  public static http(path: string, options: HttpProbeOptions = {}): Probe {
    return new Probe(ProbeKind.HTTP, options, path, undefined);
  }

  /** Probe with the gRPC health checking protocol (needs Kubernetes 1.24+). */
  public static grpc(options: GrpcProbeOptions = {}): Probe {
    return new Probe(ProbeKind.GRPC, options, undefined, options.service);
  }

  private constructor(
    /** HTTP or gRPC. */
    public readonly kind: ProbeKind,
    /** Port and timings as given. */
    public readonly options: ProbeTimings & { readonly port?: number },
    /** The HTTP path, for HTTP probes. */
    public readonly path: string | undefined,
    /** The gRPC health service name, for gRPC probes. */
    public readonly grpcService: string | undefined,
  ) {}
}

/** The three probes of a service container. */
export interface ProbeOptions {
  /**
   * Decides whether the pod receives traffic. May check dependencies.
   * @default - `Probe.http('/readyz')` every 5s, unready after 3 failures;
   *   `Probe.grpc()` on the gRPC port when the service has a `grpcPort`
   */
  readonly readiness?: Probe;

  /**
   * Restarts a wedged process. Must not check dependencies, or a slow
   * database restarts every pod at once.
   * @default - `Probe.http('/healthz')` every 10s, restart after 6 failures (a minute);
   *   `Probe.grpc()` on the gRPC port when the service has a `grpcPort`
   */
  readonly liveness?: Probe;

  /**
   * Holds liveness and readiness off until the process has started, so slow
   * starts need no long `initialDelay`.
   * @default - the liveness check every 2s, allowing 60 failures (two minutes to start)
   */
  readonly startup?: Probe;
}
