import { Duration } from 'cdk8s';

/** How the pod waits for endpoints to be removed before the process stops serving. */
export enum PreStopKind {
  /** No hook: the process itself fails readiness, waits `delay`, then drains. */
  APP = 'APP',
  /** An HTTP GET the application answers after failing readiness and waiting `delay`. */
  HTTP = 'HTTP',
  /** The kubelet's own `sleep` action waits `delay`; SIGTERM follows and the process drains at once. */
  SLEEP = 'SLEEP',
}

/**
 * Where the pre-stop wait happens. Distroless and scratch images have no shell
 * or `sleep`, so exec hooks cannot work there; these three can. The kubelet's
 * native `sleep` action is on by default from Kubernetes 1.30, so it is the
 * default for targets 1.30 and newer (see `setKubernetesVersion`) and rejected
 * below.
 *
 * @example
 * PreStop.app()                      // default below 1.30, works everywhere
 * PreStop.sleep()                    // default from 1.30: the kubelet waits
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

  /**
   * The kubelet's `sleep` pre-stop action (Kubernetes 1.30+): the kubelet
   * waits, then sends SIGTERM, and the process drains for at most
   * `SHUTDOWN_DRAIN_TIMEOUT` without waiting again (`SHUTDOWN_DELAY` is `0s`).
   * Needs nothing in the image.
   *
   * @param duration how long the kubelet waits; the same setting as
   *   `shutdown.delay`, so set one of them. @default - `shutdown.delay` (5 seconds)
   */
  public static sleep(duration?: Duration): PreStop {
    return new PreStop(PreStopKind.SLEEP, undefined, undefined, duration);
  }

  private constructor(
    /** The mechanism. */
    public readonly kind: PreStopKind,
    /** The HTTP path, for `httpGet`. */
    public readonly path?: string,
    /** The HTTP port, for `httpGet`. */
    public readonly port?: number,
    /** The wait, for `sleep`, when given. */
    public readonly duration?: Duration,
  ) {}
}

/** Graceful shutdown timing. */
export interface GracefulShutdownOptions {
  /**
   * Where the pre-stop wait happens.
   * @default - `PreStop.sleep()` when the target Kubernetes version is 1.30 or
   *   newer, `PreStop.app()` below
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
