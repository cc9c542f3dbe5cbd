/**
 * Way "GoMicroservice + synthApp": the GoMicroservice fleet written with
 * `synthApp(app)` instead of `app.synth()`; the same files, byte for byte.
 */
import { App, YamlOutputType } from 'cdk8s';
import { synthApp } from '../../lib';
import { fleet } from '../fleet';
import { buildGoMicroserviceFleet } from './go-microservice';
import { runWay } from './harness';

runWay('go-microservice-synth-app', (args, phase) => {
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildGoMicroserviceFleet(app, fleet(args.n), args.layout));
  // The same work as app.synth(): the policy gate synthApp runs by default is
  // benchmarked on its own (the policy gate row), not inside this phase.
  phase('synth', () => synthApp(app, { policy: false }));
});
