import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { GoServiceProps } from '../lib';
import { LocalDockerStack } from '../lib/local';
import { STAGING } from './environments';

/**
 * The example Go service in `examples/orders`, described once; the same
 * props would build its GoMicroservice.
 */
export const ORDERS_EXAMPLE: GoServiceProps = {
  name: 'orders',
  image: 'shop/orders-example:0.1.0',
  resources: STAGING.resources,
  config: { LOG_LEVEL: STAGING.logLevel },
};

/** Builds the local Docker environment of the example service. */
export function buildLocal(app: App): LocalDockerStack {
  return new LocalDockerStack(app, 'local', {
    // Relative to local/, where `terraform apply` runs.
    services: [{
      service: ORDERS_EXAMPLE,
      context: '../examples/orders',
      // The service's CI proposes each scanned image to this platform repository.
      workflow: { platform: { repository: 'shop/platform' } },
    }],
    prometheus: {},
  });
}

// Runs after the Kubernetes app (npm run synth). The output folder is local/,
// outside cdk8s's output folder (dist/), which `cdk8s synth` empties. The
// Terraform JSON is written without cdktf's manifest and metadata, so it is
// byte-stable.
if (require.main === module) {
  const outdir = 'local';
  // cdktf's own output folder stays empty: nothing calls app.synth().
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-'));
  try {
    const stack = buildLocal(new App({ outdir: scratch }));
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(path.join(outdir, 'cdk.tf.json'), `${Testing.synth(stack, true)}\n`);
    stack.writeDockerfiles(outdir);
    stack.writeWorkflows(outdir);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
