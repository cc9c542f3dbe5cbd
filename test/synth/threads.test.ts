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
import { ManifestWriter, manifestFilesToYaml, manifestsToYaml, startYamlWorker, WORKER_MIN_DOCUMENTS, workerPays, workerWanted } from '../../lib/synth/yaml-writer';

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

/** The benchmark fleet's documents (150 services) in three files, with documents the fast path refuses and an empty one. */
function threeFiles(): unknown[][] {
  const app = new App({ outdir: 'unused', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  buildGoMicroserviceFleet(app, fleet(150), ChartLayout.SINGLE);
  const docs = (app.node.findChild(FLEET_NAMESPACE) as Chart).toJson();
  const odd: unknown[] = [{ value: '1_000' }, undefined, { text: 'line1\nline2\n' }, { f: 0.5 }];
  return [docs.slice(0, 300), [...docs.slice(300, 700), ...odd], docs.slice(700)];
}

/** Blocks the calling thread until `condition` holds, checking every 10 ms, for at most 30 s. */
function waitFor(condition: () => boolean): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 30_000) {
      throw new Error('condition not met in 30 s');
    }
    Atomics.wait(pause, 0, 0, 10);
  }
}

describe('manifestFilesToYaml and ManifestWriter', () => {
  const input = threeFiles();
  const alone = manifestFilesToYaml(input, undefined);

  test('without a worker: the bytes of manifestsToYaml, file by file', () => {
    expect(input.flat().length).toBeGreaterThanOrEqual(WORKER_MIN_DOCUMENTS);
    expect(alone.threaded).toBe(false);
    expect(alone.texts.map((t, i) => t === manifestsToYaml(input[i]))).toEqual([true, true, true]);
  });

  test('with a worker: the same bytes, however the documents are shared between the two threads', () => {
    const threaded = manifestFilesToYaml(input, startYamlWorker());
    expect(threaded.texts.map((t, i) => t === alone.texts[i])).toEqual([true, true, true]);
  }, 60_000);

  test('the worker writes every fast-path document it is sent before the calling thread finishes', () => {
    // GIVEN a writer whose worker has claimed every document it was sent (the calling thread waits for that)
    const writer = new ManifestWriter(startYamlWorker());
    input.forEach((docs) => writer.addFile(docs));
    expect(writer.sentToWorker).toBe(input.flat().length - 4); // all but the four odd ones
    waitFor(() => writer.workerClaims() === writer.sentToWorker);

    // WHEN
    const result = writer.finish();

    // THEN the worker wrote them, and the bytes are the same
    expect(result.threaded).toBe(true);
    expect(result.texts.map((t, i) => t === alone.texts[i])).toEqual([true, true, true]);
  }, 60_000);

  test('a worker that cannot load js-yaml writes nothing: the calling thread writes every document', () => {
    const writer = new ManifestWriter(startYamlWorker(path.join(os.tmpdir(), 'no-such-js-yaml.js')));
    input.forEach((docs) => writer.addFile(docs));
    const result = writer.finish();
    expect(result.threaded).toBe(false);
    expect(result.texts.map((t, i) => t === alone.texts[i])).toEqual([true, true, true]);
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
