import { App, Chart } from 'cdk8s';
import { FluxDeployment, setKubernetesVersion } from '../lib';
import { Environment } from './environments';
import { buildIngress } from './ingress';
import { buildObservability } from './observability';
import { buildShop } from './shop';

/** Builds the whole example platform of one environment into `app`. */
export function buildPlatform(app: App, env: Environment): void {
  setKubernetesVersion(app, env.kubernetesVersion);
  const shop = new Chart(app, 'shop', { namespace: env.namespace, disableResourceNameHashes: true });
  const services = buildShop(shop, env);
  buildIngress(shop, env, services);
  buildObservability(app, env, services);
  buildDelivery(app, env);
}

/** Git repository of this platform; Flux applies each environment's dist/ folder from it. */
export const PLATFORM_REPOSITORY = 'https://github.com/shop/platform';

/** The Flux objects that apply this environment's `dist/` folder (GitOps: commit dist/, Flux applies it). */
export function buildDelivery(app: App, env: Environment): FluxDeployment {
  const delivery = new Chart(app, 'delivery', { disableResourceNameHashes: true });
  return new FluxDeployment(delivery, 'platform', {
    url: PLATFORM_REPOSITORY,
    stages: [{ name: env.name, path: `./dist/${env.name}` }],
  });
}
