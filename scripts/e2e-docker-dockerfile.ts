// Writes the scratch-variant Dockerfile and .dockerignore of the example
// service into the build context given as the only argument. Used by
// scripts/e2e-docker.sh, which points the GO_IMAGE build argument at a
// builder image made from the host's Go toolchain.
import { GoDockerfile, RuntimeImage } from '../lib/docker';
import { resolveGoService } from '../lib/go-microservice';
import { Testing } from 'cdk8s';
import { ORDERS_EXAMPLE } from '../apps/local';

const context = process.argv[2];
if (!context) {
  console.error('usage: e2e-docker-dockerfile.ts <build context>');
  process.exit(2);
}
const settings = resolveGoService(Testing.chart(), ORDERS_EXAMPLE, 'orders');
const dockerfile = new GoDockerfile({ service: settings, runtime: RuntimeImage.scratch() });
dockerfile.write(context);
console.log(JSON.stringify({
  binary: dockerfile.binaryPath,
  port: settings.httpPort,
  readiness: settings.readiness.path,
  liveness: settings.liveness.path,
  metrics: settings.metricsPath,
  grace: settings.shutdown.terminationGracePeriodSeconds,
}));
