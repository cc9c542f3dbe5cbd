import { Duration } from 'cdk8s';

/** How the pod waits for endpoints to be removed before the process stops serving. */
export enum PreStopKind {
  /** No hook: the process itself fails readiness, waits `delay`, then drains. */
  APP = 'APP',
  /** The kubelet's native `sleep` lifecycle action (Kubernetes 1.30+). */
  SLEEP = 'SLEEP',
  /** An HTTP GET the application answers after failing readiness and waiting `delay`. */
  HTTP = 'HTTP',
}

/**
 * Where the pre-stop wait happens. Distroless and scratch images have no shell
 * or `sleep`, so exec hooks cannot work there; these three can.
 *
 * @example
 * PreStop.app()                      // default, works everywhere
 * PreStop.sleep()                    // Kubernetes 1.30+ only
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
   * The native `sleep` pre-stop action for `delay`; SIGTERM arrives after it.
   * Needs Kubernetes 1.30 or newer (the `PodLifecycleSleepAction` feature):
   * API servers before that reject the manifest.
   */
  public static sleep(): PreStop {
    return new PreStop(PreStopKind.SLEEP);
  }

  /**
   * An HTTP GET pre-stop hook on `path`; the application should fail readiness
   * and answer after `delay`. SIGTERM arrives when it returns.
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
