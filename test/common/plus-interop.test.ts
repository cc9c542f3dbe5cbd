/**
 * Workloads and Services of another cdk8s-plus major line (cdk8s-plus-33)
 * meet the contracts structurally. The type-level part is checked by
 * `npm run typecheck` (tsc includes test/): this file must compile without
 * casts, and the `@ts-expect-error` lines must stay errors.
 */
import { Chart, Testing } from 'cdk8s';
import * as plus33 from 'cdk8s-plus-33';
import {
  Certificates, GatewayAttachment, GoMicroservice, IPlainService, IPlainWorkloadTarget, IPlusWorkload, NetworkPeerSource, PlainWorkload,
  SecureIngress,
} from '../../lib';
import { find, findAll, Manifest } from '../util';

// Type-level checks: a plus-33 Deployment is a workload peer and a PlainWorkload target, a plus-33 Service a PlainWorkload service.
function typeChecks(deployment: plus33.Deployment, statefulSet: plus33.StatefulSet, service: plus33.Service): void {
  const workload: IPlusWorkload = deployment;
  const peers: NetworkPeerSource[] = [deployment, statefulSet, workload];
  const target: IPlainWorkloadTarget = deployment;
  const plainService: IPlainService = service;
  // @ts-expect-error a Service selects no pods of its own: it is not a network peer
  const notAPeer: NetworkPeerSource = service;
  void [peers, target, plainService, notAPeer];
}
void typeChecks;

function chart(): Chart {
  return new Chart(Testing.app(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
}

describe('cdk8s-plus-33 workloads and Services', () => {
  test('a plus-33 Deployment passed to allowFrom is selected by its labels in its namespace', () => {
    // GIVEN a GoMicroservice and a plus-33 Deployment in another chart's namespace
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    const jobs = new Chart(app, 'jobs', { namespace: 'jobs', disableResourceNameHashes: true });
    const orders = new GoMicroservice(shop, 'orders', { image: 'registry.example.com/orders:1.4.2', grpcPort: 9090 });
    const batch = new plus33.Deployment(jobs, 'batch', { containers: [{ image: 'registry.example.com/batch:1.0.0' }] });

    // WHEN
    orders.allowFrom(batch, { ports: ['grpc'] });

    // THEN the rule selects the Deployment's pods, in its namespace
    const np = find(Testing.synth(shop), 'NetworkPolicy', 'orders');
    const selector = find(Testing.synth(jobs), 'Deployment').spec.selector.matchLabels;
    expect(Object.keys(selector)).toEqual(['cdk8s.io/metadata.addr']);
    expect(np.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'jobs' } }, podSelector: { matchLabels: selector } }],
      ports: [{ port: 9090, protocol: 'TCP' }],
    }]);
  });

  test('a plus-33 Deployment + Service is a SecureIngress route backend through PlainWorkload', () => {
    const c = chart();
    const web = new plus33.Deployment(c, 'web', {
      metadata: { name: 'web' },
      containers: [{ name: 'web', image: 'registry.example.com/web:5.0.0', portNumber: 8080 }],
    });
    const service = new plus33.Service(c, 'web-service', {
      metadata: { name: 'web' },
      selector: web,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    const backend = new PlainWorkload(c, 'web-contracts', { workload: web, service });
    const edge = new SecureIngress(c, 'edge', {
      gateway: GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' }),
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    });
    edge.addRoute({ host: 'web.example.com', service: backend });

    const manifests = Testing.synth(c);
    const routes = findAll(manifests, 'HTTPRoute').filter((r: Manifest) => r.spec.rules.some((rule: Manifest) => rule.backendRefs));
    expect(routes.map((r: Manifest) => r.spec.rules[0].backendRefs)).toEqual([[{ name: 'web', port: 80 }]]);
    expect(find(manifests, 'NetworkPolicy', 'web-admitted').spec).toEqual({
      podSelector: { matchLabels: web.matchLabels },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } }, podSelector: {} }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      }],
    });
  });
});
