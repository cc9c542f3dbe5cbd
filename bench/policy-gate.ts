/**
 * Times the policy gate (lib/policy `checkManifests`, through
 * scripts/bench-policy.ts) on the YAML the benchmark wrote. Run from source
 * with tsx by the runner: the gate's timing is taken in-process, after its
 * validators are loaded, so the runner's transpiling does not count.
 *
 *   node --import tsx bench/policy-gate.ts <dir-with-yaml>
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { benchPolicy } from '../scripts/bench-policy';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const objects: unknown[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const value = doc.toJS();
      if (value) {
        objects.push(value);
      }
    }
  }
  process.stdout.write(`${JSON.stringify(await benchPolicy(objects, 3))}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
