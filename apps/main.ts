import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { synthApps } from '../lib';
import { ENVIRONMENTS } from './environments';
import { buildPlatform } from './platform';

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR (and deletes it
// first); `npm run synth` runs this file with node, so on failure the previous
// dist/ stays as it was. Each environment gets a folder of its own below it.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

try {
  const apps = ENVIRONMENTS.map((env) => {
    // Construct metadata is recorded as under `cdk8s synth` with validations,
    // so both entry points write the same dist/.
    const app = new App({ outdir: path.join(outdir, env.name), yamlOutputType: YamlOutputType.FILE_PER_CHART, recordConstructMetadata: true });
    try {
      buildPlatform(app, env);
    } catch (e) {
      throw new Error(`environment ${env.name}: ${e instanceof Error ? e.message : String(e)}; nothing was written`, { cause: e });
    }
    return app;
  });
  // Every environment is rendered, validated and policy-checked before any
  // file is written; then all of them replace their folders, or none does.
  synthApps(apps);
} catch (e) {
  console.error(`synth failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
