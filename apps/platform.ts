import { App, Chart } from 'cdk8s';
import { setKubernetesVersion } from '../lib';
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
}
