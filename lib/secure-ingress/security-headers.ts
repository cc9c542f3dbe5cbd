import { Duration } from 'cdk8s';

/** Options of `SecurityHeaders.recommended()`. */
export interface SecurityHeadersOptions {
  /**
   * `max-age` of `Strict-Transport-Security`, in whole seconds.
   * @default Duration.days(365)
   */
  readonly hstsMaxAge?: Duration;

  /**
   * Add `includeSubDomains` to `Strict-Transport-Security`.
   * @default true
   */
  readonly hstsIncludeSubdomains?: boolean;

  /**
   * More response headers to set, e.g. `Content-Security-Policy`; a name the
   * recommended set already has replaces its value.
   * @default - none
   */
  readonly extra?: Record<string, string>;
}

/**
 * Security response headers the proxy sets on every response.
 *
 * `recommended()` sends `Strict-Transport-Security` (one year,
 * `includeSubDomains`), `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY` and `Referrer-Policy: strict-origin-when-cross-origin`.
 *
 * @example
 * SecurityHeaders.recommended({ extra: { 'Content-Security-Policy': "default-src 'self'" } });
 * SecurityHeaders.none();
 */
export class SecurityHeaders {
  /** The recommended set, with options. */
  public static recommended(options: SecurityHeadersOptions = {}): SecurityHeaders {
    return new SecurityHeaders(options);
  }

  /** No security headers from the ingress (the backends or the controller send them). */
  public static none(): SecurityHeaders {
    return new SecurityHeaders(undefined);
  }

  /** @internal */
  public readonly _options?: SecurityHeadersOptions;

  private constructor(options: SecurityHeadersOptions | undefined) {
    this._options = options;
  }

  /** True when headers are sent. @internal */
  public get _enabled(): boolean {
    return this._options !== undefined;
  }
}
