import * as fs from 'fs';
import * as path from 'path';

/** Compares strings by code unit, so order never depends on the locale. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every `*.yaml` and `*.yml` file below `dir`, recursively, in code-unit order of the names at each level. */
export function yamlFilesIn(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byString(a.name, b.name));
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...yamlFilesIn(p));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(p);
    }
  }
  return out;
}
