import { App, Chart } from 'cdk8s';
import { addArgoCdSyncWaves, ArgoCdDeployment, ArgoCdDestination, FluxDeployment, setKubernetesVersion } from '../lib';
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

/** Git repository of this platform; Flux or Argo CD applies each environment's dist/ folder from it. */
export const PLATFORM_REPOSITORY = 'https://github.com/shop/platform';

/**
 * The GitOps objects that apply this environment's `dist/` folder (commit
 * dist/, the engine applies it): Flux in the environment's own cluster, or an
 * Argo CD ApplicationSet over the environment's clusters. Call it last: with
 * Argo CD it orders the objects of every chart with sync waves.
 */
export function buildDelivery(app: App, env: Environment): FluxDeployment | ArgoCdDeployment {
  const delivery = new Chart(app, 'delivery', { disableResourceNameHashes: true });
  if (env.argoCdClusters === undefined) {
    return new FluxDeployment(delivery, 'platform', {
      url: PLATFORM_REPOSITORY,
      stages: [{ name: env.name, path: `./dist/${env.name}` }],
    });
  }
  // Migrations complete before the services roll; see docs/delivery.md.
  addArgoCdSyncWaves(app);
  return new ArgoCdDeployment(delivery, 'platform', {
    url: PLATFORM_REPOSITORY,
    path: `dist/${env.name}`,
    destination: ArgoCdDestination.clusters(env.argoCdClusters),
    // This file goes to the Argo CD cluster, not to the workload clusters.
    exclude: ['construct-metadata.json', 'delivery.k8s.yaml'],
  });
}
