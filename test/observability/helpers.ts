import { App, Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { GoMicroservice, ObservabilityStack, ObservabilityStackProps } from '../../lib';
import { Manifest } from '../util';

/** A shop with two services and an observability chart, like the example platform. */
export interface Fixture {
  readonly app: App;
  readonly shop: Chart;
  readonly obs: Chart;
  readonly orders: GoMicroservice;
  readonly payments: GoMicroservice;
  readonly stack: ObservabilityStack;
}

export function fixture(props: ObservabilityStackProps = {}): Fixture {
  const app = Testing.app();
  const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const obs = new Chart(app, 'obs', { namespace: props.namespace ?? 'observability', disableResourceNameHashes: true });
  const orders = new GoMicroservice(shop, 'orders', { image: 'registry.example.com/orders:1.4.2', grpcPort: 9090 });
  const payments = new GoMicroservice(shop, 'payments', { image: 'registry.example.com/payments:2.9.7', metricsPort: 9102 });
  const stack = new ObservabilityStack(obs, 'observability', props);
  return { app, shop, obs, orders, payments, stack };
}

/** Synthesizes both charts. */
export function synthAll(f: Fixture): { shop: Manifest[]; obs: Manifest[] } {
  return { shop: Testing.synth(f.shop), obs: Testing.synth(f.obs) };
}

/** The YAML file `key` of the ConfigMap whose name starts with `prefix`, parsed. */
export function configFile(manifests: Manifest[], prefix: string, key: string): Manifest {
  const cms = manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith(prefix));
  if (cms.length !== 1) {
    throw new Error(`expected one ConfigMap named ${prefix}*, found ${cms.length}`);
  }
  return parse(cms[0].data[key]);
}
