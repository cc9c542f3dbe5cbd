import { IConstruct } from 'constructs';

/**
 * Formats a validation message in the library's one shape:
 * `[<construct path>] <prop> (<value>) <rule>`.
 *
 * @internal
 */
export function formatError(scope: IConstruct | string, message: string): string {
  const path = typeof scope === 'string' ? scope : scope.node.path;
  return `[${path}] ${message}`;
}

/**
 * Throws an `Error` whose message names the construct path, the offending
 * value and the rule it broke.
 *
 * @internal
 */
export function fail(scope: IConstruct | string, message: string): never {
  throw new Error(formatError(scope, message));
}

/**
 * Renders a value for an error message: strings are quoted, everything else is
 * JSON.
 *
 * @internal
 */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) {
    return String(value);
  }
  return JSON.stringify(value);
}
