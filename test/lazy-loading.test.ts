import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * Importing the package loads only what every app needs: the heavy
 * dependencies of some constructs are required on first use. Checked in a
 * fresh Node.js process (jest keeps its own module registry), by the files
 * `require.cache` holds after `require` of the root entry, and again after a
 * first use of each.
 */

const ROOT = path.resolve(__dirname, '..');

/** Module files loaded by a fresh process that runs `script` after requiring the root entry as `lib`. */
function loadedAfter(script = ''): string[] {
  const code = `const lib = require(${JSON.stringify(path.join(ROOT, 'lib'))}); ${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

/** Each heavy dependency, by the path its files are loaded from. */
const HEAVY: Record<string, RegExp> = {
  'the Grafana Foundation SDK': /node_modules\/@grafana\/grafana-foundation-sdk\//,
  'the PromQL parser': /node_modules\/@prometheus-io\/lezer-promql\//,
  'the policy gate\'s schema validators': /validators\.generated\.js$/,
  'the Argo CD classes': /imports\/argoproj\.io\.ts$/,
  'cron-parser and luxon': /node_modules\/(cron-parser|luxon)\//,
};

describe('lazy loading', () => {
  const root = loadedAfter();

  test.each(Object.entries(HEAVY))('the root entry does not load %s', (_name, pattern) => {
    expect(root.filter((f) => pattern.test(f))).toEqual([]);
  });

  test('a cron job loads cron-parser and luxon on first use', () => {
    const files = loadedAfter(`
      const { App, Chart } = require('cdk8s');
      new lib.GoCronJob(new Chart(new App(), 'c', { namespace: 'jobs' }), 'report', { image: 'registry.example.com/report:1.0.0', schedule: '30 2 * * *' });
    `);
    expect(files.some((f) => HEAVY['cron-parser and luxon'].test(f))).toBe(true);
  });
});
