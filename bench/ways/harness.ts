/**
 * What every Node.js way shares: argument parsing, phase timing and the one
 * JSON line a way prints for the runner.
 *
 * Each way runs in a fresh child process. `startupMs` is the time from process
 * start to the way's first line (Node.js start-up plus loading cdk8s,
 * cdk8s-plus and the library); the runner's wall time includes it.
 */
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ChartLayout } from '../fleet';

/** Arguments of a way, as passed by the runner. */
export interface WayArgs {
  /** Number of services. */
  readonly n: number;
  /** Output folder (created by the way). */
  readonly out: string;
  /** Chart layout (cdk8s ways only). */
  readonly layout: ChartLayout;
  /** Input file prepared by the runner (the floor's objects). */
  readonly input?: string;
}

/** What a way reports back on stdout. */
export interface WayReport {
  readonly startupMs: number;
  readonly phases: Record<string, number>;
  readonly maxRssKiB: number;
}

function parseArgs(argv: string[]): WayArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = Number(get('--n'));
  const out = get('--out');
  if (!Number.isInteger(n) || n < 1 || !out) {
    throw new Error(`usage: node <way>.js --n <services> --out <dir> [--layout single|per-service] [--input <file>] (got ${argv.join(' ')})`);
  }
  return { n, out, layout: (get('--layout') as ChartLayout | undefined) ?? ChartLayout.SINGLE, input: get('--input') };
}

/**
 * Runs a way when this process was started for it (`node <name>.js ...`):
 * `body` receives the arguments and a `phase(name, fn)` timer. Ways import
 * each other's builders, so a bundle may hold several ways; only the one
 * named by the entry file runs.
 */
export function runWay(name: string, body: (args: WayArgs, phase: <T>(name: string, fn: () => T) => T) => void): void {
  if (path.basename(process.argv[1] ?? '', '.js') !== name) {
    return;
  }
  const startupMs = performance.now();
  const args = parseArgs(process.argv.slice(2));
  const phases: Record<string, number> = {};
  const phase = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const result = fn();
    phases[name] = (phases[name] ?? 0) + performance.now() - t0;
    return result;
  };
  body(args, phase);
  const report: WayReport = { startupMs, phases, maxRssKiB: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
