// Consumer (a): the layout and tsconfig of `cdk8s init typescript-app`
// (CommonJS, node10 resolution, lib es2016), with the package installed.
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { Certificates, GoMicroservice, IngressController, ObservabilityStack, SecureIngress, synthApp } from 'cdk8s-go-platform';

export const ENVIRONMENTS = ['staging', 'production'];

export function buildPlatform(app: App, env: string): GoMicroservice {
  const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const users = new GoMicroservice(shop, 'users', { image: 'registry.example.com/shop/users:2.0.3', config: { LOG_LEVEL: env === 'production' ? 'info' : 'debug' } });
  const orders = new GoMicroservice(shop, 'orders', { image: 'registry.example.com/shop/orders:1.4.2', grpcPort: 9090 });
  orders.allowFrom(users);
  const edge = new SecureIngress(shop, 'edge', {
    ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
    certificates: Certificates.fromClusterIssuer('letsencrypt'),
  });
  edge.addRoute({ host: `shop.${env}.example.com`, path: '/api/users', service: users });
  const monitoring = new Chart(app, 'observability', { namespace: 'observability', disableResourceNameHashes: true });
  const stack = new ObservabilityStack(monitoring, 'observability', { namespace: 'observability' });
  stack.monitor(users);
  stack.monitor(orders);
  return users;
}

if (require.main === module) {
  const outdir = process.env.CDK8S_OUTDIR || 'dist';
  for (const env of ENVIRONMENTS) {
    const app = new App({ outdir: path.join(outdir, env), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildPlatform(app, env);
    synthApp(app);
  }
}
