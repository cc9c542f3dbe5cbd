/**
 * Turns measurements into the table printed by `npm run bench`.
 */

/** One way at one N, summarised over the runs. */
export interface WayResult {
  readonly n: number;
  readonly way: string;
  readonly label: string;
  readonly layout: string;
  readonly runs: number;
  /** Wall time of the whole process (start-up included), ms. */
  readonly wallMs: { readonly median: number; readonly min: number; readonly max: number };
  /** Time in the way's own phases (no start-up), median ms; undefined for Helm. */
  readonly inProcessMs?: number;
  /** Peak resident set size, MiB (largest over the runs). */
  readonly peakRssMiB?: number;
  readonly objects: number;
  readonly bytes: number;
  /** Median over rounds of wall / floor's wall in the same round. */
  readonly vsFloor?: number;
  /** Median over rounds of wall / hand-written cdk8s-plus wall (same layout) in the same round. */
  readonly vsPlus?: number;
  /** Median over rounds of wall / helm wall in the same round. */
  readonly vsHelm?: number;
  /** How the output compares with the reference (GoMicroservice, one chart). */
  readonly output: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function pad(s: string, w: number, right = false): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

function ratio(x: number | undefined): string {
  return x === undefined ? '-' : `${x.toFixed(2)}×`;
}

/** A plain-text table, one row per way and N. */
export function formatTable(results: WayResult[]): string {
  const header = ['N', 'way', 'layout', 'wall ms median (min–max)', 'in-process ms', 'peak RSS MiB', 'objects', 'bytes', '÷ floor', '÷ cdk8s-plus', '÷ helm', 'output'];
  const rows = results.map((r) => [
    String(r.n),
    r.label,
    r.layout,
    `${r.wallMs.median.toFixed(0)} (${r.wallMs.min.toFixed(0)}–${r.wallMs.max.toFixed(0)})`,
    r.inProcessMs === undefined ? '-' : r.inProcessMs.toFixed(0),
    r.peakRssMiB === undefined ? '-' : r.peakRssMiB.toFixed(0),
    String(r.objects),
    String(r.bytes),
    ratio(r.vsFloor),
    ratio(r.vsPlus),
    ratio(r.vsHelm),
    r.output,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([0, 3, 4, 5, 6, 7, 8, 9, 10]);
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i], numeric.has(i))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Lines of `label: value` pairs. */
export function formatPairs(pairs: Array<[string, string]>): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}
