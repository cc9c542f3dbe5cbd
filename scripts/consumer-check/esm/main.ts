import * as path from 'node:path';
import { App, YamlOutputType } from 'cdk8s';
import { synthApp } from 'cdk8s-go-platform';
import { buildPlatform, ENVIRONMENTS } from './platform.js';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
for (const env of ENVIRONMENTS) {
  const app = new App({ outdir: path.join(outdir, env), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  buildPlatform(app, env);
  synthApp(app);
}
