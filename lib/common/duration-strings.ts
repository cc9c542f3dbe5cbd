import { IConstruct } from 'constructs';
import { fail, show } from './errors';

/** Seconds per unit of a Prometheus duration, largest first (the order the units must appear in). */
const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 24 * 3600],
  ['w', 7 * 24 * 3600],
  ['d', 24 * 3600],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
];

const DURATION = new RegExp(`^${UNITS.map(([unit]) => `(?:([0-9]+)${unit})?`).join('')}$`);

/**
 * Parses a duration in the form Prometheus, Alertmanager, Loki and Tempo read
 * (`30s`, `5m`, `1h30m`, `15d`, `2w`): whole numbers with units from `y` down to
 * `ms`, largest first. Returns seconds, or `undefined` when the string is not
 * such a duration.
 *
 * @internal
 */
export function parseDurationString(value: string): number | undefined {
  if (typeof value !== 'string' || value === '') {
    return undefined;
  }
  const match = DURATION.exec(value);
  if (!match) {
    return undefined;
  }
  return UNITS.reduce((sum, [, factor], i) => sum + Number(match[i + 1] ?? 0) * factor, 0);
}

/**
 * Requires a Prometheus-style duration string and returns it in seconds.
 * Rejects negative values, spelled-out units (`5 minutes`) and, unless
 * `allowZero`, a zero duration.
 *
 * @internal
 */
export function requireDurationString(scope: IConstruct | string, prop: string, value: string, options: { allowZero?: boolean } = {}): number {
  if (typeof value === 'string' && value.trim().startsWith('-')) {
    fail(scope, `${prop} (${show(value)}) is negative: use a duration of zero or more such as '30s', '5m' or '1h'`);
  }
  const parsed = parseDurationString(value);
  if (parsed === undefined) {
    fail(scope, `${prop} (${show(value)}) is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`);
  }
  if (parsed === 0 && !options.allowZero) {
    fail(scope, `${prop} (${show(value)}) must be longer than zero`);
  }
  return parsed;
}
