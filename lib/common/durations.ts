import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail } from './errors';

/**
 * Whole seconds of a `Duration`, or `fallback` when it is not set. Rejects
 * negative and fractional values.
 *
 * @internal
 */
export function seconds(scope: IConstruct | string, prop: string, value: Duration | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const s = value.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < 0) {
    fail(scope, `${prop} (${s}s) must be a whole, non-negative number of seconds`);
  }
  return s;
}
