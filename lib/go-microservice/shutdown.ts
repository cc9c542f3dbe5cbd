import { Duration } from 'cdk8s';

/** How the pod waits for endpoints to be removed before the process stops serving. */
export enum PreStopKind {
  /** No hook: the process itself fails readiness, waits `delay`, then drains. */
  APP = 'APP',
  /** An HTTP GET the application answers after failing readiness and waiting `delay`. */
  HTTP = 'HTTP',
}

/**
 * Where the pre-stop wait happens. Distroless and scratch images have no shell
 * or `sleep`, so exec hooks cannot work there; these two can. The kubelet's
 * native `sleep` action needs Kubernetes 1.30+ and is outside the 1.27 API
 * this library targets (strict 1.27 schema validation rejects it).
 *
 * @example
 * PreStop.app()                      // default, works everywhere
 * PreStop.httpGet('/drain')          // app answers once it has waited
 */
export class PreStop {
  /**
   * No lifecycle hook. The application handles SIGTERM: it fails readiness,
   * waits `SHUTDOWN_DELAY`, then drains for at most `SHUTDOWN_DRAIN_TIMEOUT`.
   * Works on every image and every Kubernetes version.
   */
  public static app(): PreStop {
    return new PreStop(PreStopKind.APP);
  }

  /**
   * An HTTP GET pre-stop hook on `path`: the handler fails readiness and
   * answers after `SHUTDOWN_DELAY`; SIGTERM arrives when it returns, and the
   * process then drains without waiting again.
   */
  public static httpGet(path: string, options: { readonly port?: number } = {}): PreStop {
    return new PreStop(PreStopKind.HTTP, path, options.port);
  }

  private constructor(
    /** The mechanism. */
    public readonly kind: PreStopKind,
    /** The HTTP path, for `httpGet`. */
    public readonly path?: string,
    /** The HTTP port, for `httpGet`. */
    public readonly port?: number,
  ) {}
}

/** Graceful shutdown timing. */
export interface GracefulShutdownOptions {
  /**
   * Where the pre-stop wait happens.
   * @default PreStop.app()
   */
  readonly preStop?: PreStop;

  /**
   * Time between the start of termination and the moment the process stops
   * accepting new requests, so that endpoint removal reaches every proxy.
   * @default Duration.seconds(5)
   */
  readonly delay?: Duration;

  /**
   * Longest time the process may spend finishing in-flight requests after
   * it stops accepting new ones.
   * @default Duration.seconds(20)
   */
  readonly drainTimeout?: Duration;

  /**
   * `terminationGracePeriodSeconds`: must cover `delay` plus `drainTimeout`.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}
