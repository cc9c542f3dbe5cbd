/**
 * Worker thread of the way "GoMicroservice + synthApp, 2 threads"
 * (go-microservice-threads.ts): serializes the documents it receives with
 * the library's manifest writer and posts the YAML back. It loads only the
 * writer (js-yaml), not cdk8s.
 */
import { parentPort } from 'worker_threads';
import { manifestsToYaml } from '../../lib/synth/yaml-writer';

/** A request: documents to serialize, a flag to raise when the answer is posted. */
export interface SerializeRequest {
  readonly docs: unknown[];
  readonly port: import('worker_threads').MessagePort;
  readonly done: SharedArrayBuffer;
}

parentPort?.on('message', (request: SerializeRequest) => {
  request.port.postMessage(manifestsToYaml(request.docs));
  const flag = new Int32Array(request.done);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
