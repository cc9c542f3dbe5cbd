import { IConstruct } from 'constructs';
import { fail, show } from './errors';

/** Checks that `value` is an integer in `[min, max]`. @internal */
export function validateIntegerInRange(scope: IConstruct | string, prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${prop} (${show(value)}) must be an integer from ${min} to ${max}`);
  }
}

/** Checks that `value` is a TCP port number, 1 to 65535. @internal */
export function validatePort(scope: IConstruct | string, prop: string, value: number): void {
  validateIntegerInRange(scope, prop, value, 1, 65535);
}

/** Checks that `value` is a number in the open-closed ratio range `(0, 1]`. @internal */
export function validateRatio(scope: IConstruct | string, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    fail(scope, `${prop} (${show(value)}) must be a ratio greater than 0 and at most 1`);
  }
}

/**
 * Checks that the named values are pairwise distinct, e.g. container ports.
 * `entries` keeps the caller's order so the message names the first clash.
 *
 * @internal
 */
export function validateDistinct(scope: IConstruct | string, what: string, entries: Array<[string, number | string | undefined]>): void {
  const seen = new Map<number | string, string>();
  for (const [name, value] of entries) {
    if (value === undefined) {
      continue;
    }
    const other = seen.get(value);
    if (other !== undefined) {
      fail(scope, `${name} (${show(value)}) collides with ${other}: each ${what} must be distinct`);
    }
    seen.set(value, name);
  }
}

/** Checks that an HTTP path is absolute and has no spaces. @internal */
export function validateHttpPath(scope: IConstruct | string, prop: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
    fail(scope, `${prop} (${show(path)}) must be an absolute HTTP path starting with '/' and without spaces`);
  }
}
