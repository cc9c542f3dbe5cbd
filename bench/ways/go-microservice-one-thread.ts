/**
 * Way "GoMicroservice + synthApp, one thread": the GoMicroservice fleet
 * written with `synthApp(app, { threads: false })`, all work on the calling
 * thread; beside the default way it shows what the worker thread brings.
 */
import { App, YamlOutputType } from 'cdk8s';
import { synthApp } from '../../lib';
import { fleet } from '../fleet';
import { buildGoMicroserviceFleet } from './go-microservice';
import { runWay } from './harness';

runWay('go-microservice-one-thread', (args, phase) => {
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildGoMicroserviceFleet(app, fleet(args.n), args.layout));
  // As the default way: the policy gate is benchmarked on its own.
  phase('synth', () => synthApp(app, { policy: false, threads: false }));
});
