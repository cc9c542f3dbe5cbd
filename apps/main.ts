import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { synthApp } from '../lib';
import { ENVIRONMENTS } from './environments';
import { buildPlatform } from './platform';

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR; each environment
// gets a folder of its own below it.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

for (const env of ENVIRONMENTS) {
  const app = new App({ outdir: path.join(outdir, env.name), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  buildPlatform(app, env);
  // Byte for byte what app.synth() writes, in time linear in the objects.
  synthApp(app);
}
