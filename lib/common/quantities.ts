import { IConstruct } from 'constructs';
import { fail, show } from './errors';

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const FACTORS: Record<string, number> = {
  '': 1,
  'm': 1e-3,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/**
 * Parses a Kubernetes quantity (`250m`, `0.5`, `512Mi`, `1G`) into its plain
 * value (cores for CPU, bytes for memory). Returns `undefined` when the string
 * is not a quantity.
 *
 * @internal
 */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY.exec(value);
  if (!match) {
    return undefined;
  }
  return Number(match[1]) * FACTORS[match[2] ?? ''];
}

/** The kinds of quantity the library reads. @internal */
export type QuantityKind = 'cpu' | 'memory' | 'storage';

const EXAMPLES: Record<QuantityKind, string> = {
  cpu: `'250m' or '1'`,
  memory: `'128Mi' or '1Gi'`,
  storage: `'10Gi'`,
};

/**
 * Parses a CPU quantity into cores, a memory or storage quantity into bytes,
 * and throws a clear error when the string does not parse or is not positive.
 *
 * @internal
 */
export function requireQuantity(scope: IConstruct | string, prop: string, value: string, kind: QuantityKind): number {
  const parsed = typeof value === 'string' ? parseQuantity(value) : undefined;
  if (parsed === undefined || parsed <= 0) {
    fail(scope, `${prop} (${show(value)}) is not a valid ${kind} quantity: use a positive Kubernetes quantity such as ${EXAMPLES[kind]}`);
  }
  if (kind !== 'cpu' && value.endsWith('m')) {
    fail(scope, `${prop} (${show(value)}) is in milli-bytes: use binary suffixes such as ${EXAMPLES[kind]}`);
  }
  return parsed;
}
