/** How a local container reports its health to Docker. */
export enum LocalHealthCheckKind {
  /** The service binary probes its own readiness endpoint. */
  BINARY = 'BINARY',
  /** A command of the caller's. */
  COMMAND = 'COMMAND',
  /** No health check. */
  NONE = 'NONE',
}

/**
 * The Docker health check of a local service container. Distroless and
 * scratch images have no shell, `curl` or `wget`, so by default the service
 * binary checks itself: Docker runs `<binary> -healthcheck <url>` inside the
 * container, with the URL of the readiness probe (`http://127.0.0.1:8080/readyz`
 * by default), and the binary exits 0 when the endpoint answers 2xx.
 * Interval, timeout and retries follow the readiness probe; the start period
 * follows the startup probe.
 *
 * @example
 * LocalHealthCheck.binary()                                       // default
 * LocalHealthCheck.command(['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:8080/readyz'])
 * LocalHealthCheck.none()
 */
export class LocalHealthCheck {
  /**
   * The service binary checks the readiness endpoint: `<binary> <flag> <url>`.
   * @param flag the flag that switches the binary into checking mode (default `-healthcheck`)
   */
  public static binary(flag: string = '-healthcheck'): LocalHealthCheck {
    return new LocalHealthCheck(LocalHealthCheckKind.BINARY, [flag]);
  }

  /**
   * A Docker health check test of the caller's, e.g. `['CMD', 'wget', ...]`;
   * the first element is `CMD` or `CMD-SHELL`.
   */
  public static command(test: string[]): LocalHealthCheck {
    return new LocalHealthCheck(LocalHealthCheckKind.COMMAND, [...test]);
  }

  /** No health check; Terraform does not wait for the container to become healthy. */
  public static none(): LocalHealthCheck {
    return new LocalHealthCheck(LocalHealthCheckKind.NONE, []);
  }

  private constructor(
    /** Which check. */
    public readonly kind: LocalHealthCheckKind,
    /** The flag of `BINARY`, or the test of `COMMAND`. */
    public readonly args: string[],
  ) {}
}
