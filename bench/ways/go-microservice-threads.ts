/**
 * Way "GoMicroservice + synthApp, 2 threads": the one-chart fleet as
 * `synthApp` writes it (the chart's `toJson()`, then the manifest writer),
 * with the serialization split between the main thread and one worker
 * thread started before the constructs are built. Written to answer whether
 * worker threads help on a 2-core machine; the output is checked
 * byte-identical to `synthApp`'s.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { manifestsToYaml } from '../../lib/synth/yaml-writer';
import { ChartLayout, fleet, FLEET_NAMESPACE } from '../fleet';
import { buildGoMicroserviceFleet } from './go-microservice';
import { runWay } from './harness';

runWay('go-microservice-threads', (args, phase) => {
  if (args.layout !== ChartLayout.SINGLE) {
    throw new Error('go-microservice-threads writes the one-chart layout only');
  }
  const worker = phase('start worker', () => new Worker(path.join(__dirname, 'serialize-worker.js')));
  worker.unref();
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildGoMicroserviceFleet(app, fleet(args.n), args.layout));
  const chart = app.node.findChild(FLEET_NAMESPACE) as Chart;
  const docs = phase('resolve', () => chart.toJson());
  const yaml = phase('serialize', () => {
    // The second half goes to the worker; the main thread writes the first.
    const half = Math.ceil(docs.length / 2);
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(4);
    worker.postMessage({ docs: docs.slice(half), port: port2, done }, [port2]);
    const first = manifestsToYaml(docs.slice(0, half));
    Atomics.wait(new Int32Array(done), 0, 0);
    const second = receiveMessageOnPort(port1)!.message as string;
    // manifestsToYaml joins documents with '---\n'; the two halves join the same way.
    return second === '' ? first : `${first}---\n${second}`;
  });
  phase('write', () => {
    fs.mkdirSync(args.out, { recursive: true });
    fs.writeFileSync(path.join(args.out, `${FLEET_NAMESPACE}${app.outputFileExtension}`), yaml, { encoding: 'utf8' });
  });
});
