import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';
import { validateIntegerInRange } from '../common/validate';
import { ResolvedCors, ResolvedRateLimit, ResolvedTimeouts } from './ingress-controller-profile';
import { CorsOptions, RateLimitOptions, TimeoutOptions } from './secure-ingress-props';
import { SecurityHeaders } from './security-headers';

/** Defaults of the option structs. @internal */
export const OPTION_DEFAULTS = {
  corsAllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  corsAllowHeaders: ['Authorization', 'Content-Type'],
  corsMaxAgeSeconds: 600,
  hstsMaxAgeSeconds: 365 * 24 * 3600,
} as const;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const ORIGIN = /^(\*|https?:\/\/(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?)$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const MAX_LIMIT = 1_000_000;

/** A positive duration in milliseconds. */
function positiveMillis(scope: IConstruct, prop: string, value: Duration): number {
  const ms = value.toMilliseconds();
  if (!(ms > 0) || !Number.isInteger(ms)) {
    fail(scope, `${prop} (${ms}ms) must be a positive whole number of milliseconds`);
  }
  return ms;
}

/** A positive duration in whole seconds. */
function positiveSeconds(scope: IConstruct, prop: string, value: Duration): number {
  const s = value.toSeconds({ integral: false });
  if (!(s > 0) || !Number.isInteger(s)) {
    fail(scope, `${prop} (${s}s) must be a positive whole number of seconds`);
  }
  return s;
}

/** Validates `TimeoutOptions`; `undefined` when none is set. @internal */
export function resolveTimeouts(scope: IConstruct, prop: string, t: TimeoutOptions | undefined): ResolvedTimeouts | undefined {
  if (t === undefined) {
    return undefined;
  }
  const r: ResolvedTimeouts = {
    requestMillis: t.request && positiveMillis(scope, `${prop}.request`, t.request),
    backendRequestMillis: t.backendRequest && positiveMillis(scope, `${prop}.backendRequest`, t.backendRequest),
    connectSeconds: t.connect && positiveSeconds(scope, `${prop}.connect`, t.connect),
    readSeconds: t.read && positiveSeconds(scope, `${prop}.read`, t.read),
    sendSeconds: t.send && positiveSeconds(scope, `${prop}.send`, t.send),
  };
  if (r.requestMillis !== undefined && r.backendRequestMillis !== undefined && r.backendRequestMillis > r.requestMillis) {
    fail(scope, `${prop}.backendRequest (${formatDuration(r.backendRequestMillis)}) must not exceed ${prop}.request (${formatDuration(r.requestMillis)})`);
  }
  return Object.values(r).some((v) => v !== undefined) ? r : undefined;
}

/** Validates `RateLimitOptions`. @internal */
export function resolveRateLimit(scope: IConstruct, r: RateLimitOptions | undefined): ResolvedRateLimit | undefined {
  if (r === undefined) {
    return undefined;
  }
  for (const key of ['requestsPerSecond', 'requestsPerMinute', 'connections', 'burstMultiplier'] as const) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
      fail(scope, `rateLimit.${key} (${show(v)}) must be a positive integer`);
    }
    if (v !== undefined) {
      validateIntegerInRange(scope, `rateLimit.${key}`, v, 1, MAX_LIMIT);
    }
  }
  if (r.requestsPerSecond === undefined && r.requestsPerMinute === undefined && r.connections === undefined) {
    fail(scope, `rateLimit (${show(r)}) sets no limit: set requestsPerSecond, requestsPerMinute or connections`);
  }
  return { ...r };
}

/** Validates `CorsOptions` and fills in the defaults. @internal */
export function resolveCors(scope: IConstruct, c: CorsOptions | undefined): ResolvedCors | undefined {
  if (c === undefined) {
    return undefined;
  }
  if (!Array.isArray(c.allowOrigins) || c.allowOrigins.length === 0) {
    fail(scope, `cors.allowOrigins (${show(c.allowOrigins)}) must list at least one origin`);
  }
  for (const origin of c.allowOrigins) {
    if (!ORIGIN.test(origin)) {
      fail(scope, `cors.allowOrigins (${show(origin)}) must be '*' or a scheme and host such as 'https://app.example.com'`);
    }
  }
  const allowCredentials = c.allowCredentials ?? false;
  if (allowCredentials && c.allowOrigins.includes('*')) {
    fail(scope, 'cors.allowCredentials (true) cannot be combined with the origin \'*\': browsers reject credentials for any origin; list the origins');
  }
  const allowMethods = [...(c.allowMethods ?? OPTION_DEFAULTS.corsAllowMethods)];
  for (const m of allowMethods) {
    if (!HTTP_METHODS.includes(m)) {
      fail(scope, `cors.allowMethods (${show(m)}) must be an upper-case HTTP method: one of ${HTTP_METHODS.join(', ')}`);
    }
  }
  const allowHeaders = [...(c.allowHeaders ?? OPTION_DEFAULTS.corsAllowHeaders)];
  const exposeHeaders = [...(c.exposeHeaders ?? [])];
  for (const [prop, list] of [['allowHeaders', allowHeaders], ['exposeHeaders', exposeHeaders]] as const) {
    for (const h of list) {
      if (!HEADER_NAME.test(h)) {
        fail(scope, `cors.${prop} (${show(h)}) must be an HTTP header name`);
      }
    }
  }
  const maxAgeSeconds = c.maxAge ? positiveSeconds(scope, 'cors.maxAge', c.maxAge) : OPTION_DEFAULTS.corsMaxAgeSeconds;
  return { allowOrigins: [...c.allowOrigins], allowMethods, allowHeaders, exposeHeaders, allowCredentials, maxAgeSeconds };
}

/** The response headers of `SecurityHeaders`, in a stable order; `{}` for `none()`. @internal */
export function securityHeaderValues(scope: IConstruct, headers: SecurityHeaders, tls: boolean): Record<string, string> {
  const o = headers._options;
  if (o === undefined) {
    return {};
  }
  const maxAge = o.hstsMaxAge ? positiveSeconds(scope, 'securityHeaders.hstsMaxAge', o.hstsMaxAge) : OPTION_DEFAULTS.hstsMaxAgeSeconds;
  const values: Record<string, string> = {};
  if (tls) {
    // Browsers ignore HSTS received over plain HTTP.
    values['Strict-Transport-Security'] = `max-age=${maxAge}${(o.hstsIncludeSubdomains ?? true) ? '; includeSubDomains' : ''}`;
  }
  values['X-Content-Type-Options'] = 'nosniff';
  values['X-Frame-Options'] = 'DENY';
  values['Referrer-Policy'] = 'strict-origin-when-cross-origin';
  for (const [name, value] of Object.entries(o.extra ?? {})) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || value === '' || /[\r\n]/.test(value)) {
      fail(scope, `securityHeaders.extra (${show({ [name]: value })}) must map an HTTP header name to a one-line, non-empty value`);
    }
    const existing = Object.keys(values).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing !== undefined) {
      delete values[existing];
    }
    values[name] = value;
  }
  return values;
}

/**
 * A duration as the Gateway API writes it (GEP-2257): `1h30m`, `10s`,
 * `250ms`.
 *
 * @internal
 */
export function formatDuration(millis: number): string {
  const parts: string[] = [];
  let rest = millis;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * size;
    }
  }
  return parts.join('') || '0s';
}

/** `request 30s, connect 5s`: resolved timeouts for messages. @internal */
export function describeTimeouts(t: ResolvedTimeouts): string {
  const parts: string[] = [];
  const add = (name: string, millis: number | undefined) => {
    if (millis !== undefined) {
      parts.push(`${name} ${formatDuration(millis)}`);
    }
  };
  add('request', t.requestMillis);
  add('backendRequest', t.backendRequestMillis);
  add('connect', t.connectSeconds && t.connectSeconds * 1000);
  add('read', t.readSeconds && t.readSeconds * 1000);
  add('send', t.sendSeconds && t.sendSeconds * 1000);
  return parts.join(', ');
}

/** One resolved timeout (`request`, `connect`, ...) as `30s`, for messages. @internal */
export function timeoutValue(t: ResolvedTimeouts, field: string): string {
  const seconds = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  const millis: Record<string, number | undefined> = {
    request: t.requestMillis,
    backendRequest: t.backendRequestMillis,
    connect: seconds(t.connectSeconds),
    read: seconds(t.readSeconds),
    send: seconds(t.sendSeconds),
  };
  const v = millis[field];
  return v !== undefined ? formatDuration(v) : 'unset';
}
