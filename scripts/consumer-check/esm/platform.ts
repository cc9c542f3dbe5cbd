// Consumer (b): "type": "module", module/moduleResolution nodenext.
import { App, Chart } from 'cdk8s';
import { Certificates, GoMicroservice, IngressController, ObservabilityStack, SecureIngress } from 'cdk8s-go-platform';

export const ENVIRONMENTS = ['staging', 'production'] as const;

export function buildPlatform(app: App, env: string): void {
  const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const api = new GoMicroservice(shop, 'api', { image: 'registry.example.com/shop/api:3.1.0', config: { LOG_LEVEL: 'info' } });
  const edge = new SecureIngress(shop, 'edge', {
    ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
    certificates: Certificates.fromClusterIssuer('letsencrypt'),
  });
  edge.addRoute({ host: `api.${env}.example.com`, path: '/', service: api });
  const monitoring = new Chart(app, 'observability', { namespace: 'observability', disableResourceNameHashes: true });
  new ObservabilityStack(monitoring, 'observability', { namespace: 'observability' }).monitor(api);
}
