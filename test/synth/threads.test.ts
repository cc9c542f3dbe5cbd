/**
 * synthApp's worker thread: used by default on 2 or more cores for an app of
 * 1,000 objects or more, off with `threads: false`; the bytes are the same
 * either way and from run to run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ChartLayout, fleet, FLEET_NAMESPACE } from '../../bench/fleet';
import { buildGoMicroserviceFleet } from '../../bench/ways/go-microservice';
import { synthApp } from '../../lib';
import { manifestFilesToYaml, manifestsToYaml, startYamlWorker, WORKER_MIN_DOCUMENTS, workerPays, workerWanted } from '../../lib/synth/yaml-writer';

/** Every file an output folder holds, by name. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** The benchmark fleet of `n` services, synthesized with synthApp into a new folder. */
function synthFleet(n: number, layout: ChartLayout, threads?: boolean): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-threads-'));
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  buildGoMicroserviceFleet(app, fleet(n), layout);
  synthApp(app, threads === undefined ? {} : { threads });
  return files(outdir);
}

describe('worker thread decision', () => {
  test('a worker is started when threads are on and at least 2 cores are available', () => {
    expect(workerWanted(true, 2)).toBe(true);
    expect(workerWanted(true, 16)).toBe(true);
    expect(workerWanted(true, 1)).toBe(false);
    expect(workerWanted(false, 16)).toBe(false);
  });

  test('it writes YAML only for an app of 1,000 documents or more', () => {
    expect(WORKER_MIN_DOCUMENTS).toBe(1000);
    expect(workerPays(999)).toBe(false);
    expect(workerPays(1000)).toBe(true);
  });
});

describe('manifestFilesToYaml', () => {
  test('writes with a worker thread the bytes it writes alone, file by file', () => {
    // GIVEN the benchmark fleet's documents in three files, with documents the fast path refuses and an empty one
    const app = new App({ outdir: 'unused', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildGoMicroserviceFleet(app, fleet(150), ChartLayout.SINGLE);
    const docs = (app.node.findChild(FLEET_NAMESPACE) as Chart).toJson();
    const odd: unknown[] = [{ value: '1_000' }, undefined, { text: 'line1\nline2\n' }, { f: 0.5 }];
    const input = [docs.slice(0, 300), [...docs.slice(300, 700), ...odd], docs.slice(700)];
    expect(input.flat().length).toBeGreaterThanOrEqual(WORKER_MIN_DOCUMENTS);

    // WHEN
    const alone = manifestFilesToYaml(input, undefined);
    const threaded = manifestFilesToYaml(input, startYamlWorker());

    // THEN
    expect(alone.threaded).toBe(false);
    expect(threaded.threaded).toBe(true);
    expect(alone.texts.map((t, i) => t === manifestsToYaml(input[i]))).toEqual([true, true, true]);
    expect(threaded.texts.map((t, i) => t === alone.texts[i])).toEqual([true, true, true]);
  }, 60_000);
});

describe('synthApp with threads', () => {
  test.each([ChartLayout.SINGLE, ChartLayout.PER_SERVICE])('writes the same bytes with and without a worker, run after run: %s', (layout) => {
    // GIVEN a fleet of 1,002 objects (143 services of 7 objects and an Ingress)
    // WHEN it is synthesized with the default (a worker on this machine when it has 2 cores), twice, and with threads: false
    const first = synthFleet(143, layout);
    const second = synthFleet(143, layout);
    const alone = synthFleet(143, layout, false);

    // THEN
    expect(Object.keys(first).length).toBe(layout === ChartLayout.SINGLE ? 1 : 144);
    expect(first).toEqual(alone);
    expect(second).toEqual(first);
  }, 120_000);
});
