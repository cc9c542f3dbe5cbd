/**
 * Way "cdk8s-plus by hand + synthApp": the hand-written cdk8s-plus fleet
 * written with `synthApp(app)`, so that GoMicroservice + synthApp is compared
 * with plain cdk8s-plus on the same serializer.
 */
import { App, YamlOutputType } from 'cdk8s';
import { synthApp } from '../../lib';
import { fleet } from '../fleet';
import { runWay } from './harness';
import { buildPlainPlusFleet } from './plain-plus';

runWay('plain-plus-synth-app', (args, phase) => {
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildPlainPlusFleet(app, fleet(args.n), args.layout));
  // The same work as app.synth(), as in the GoMicroservice + synthApp way: the
  // policy gate is benchmarked on its own.
  phase('synth', () => synthApp(app, { policy: false }));
});
