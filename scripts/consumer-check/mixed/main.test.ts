import { Testing } from 'cdk8s';
import { policyMatchers } from 'cdk8s-go-platform/jest';
import { buildPlatform } from './main';

expect.extend(policyMatchers);

test('the mixed chart passes the gate and matches the snapshot', () => {
  const app = Testing.app();
  buildPlatform(app);
  const manifests = Testing.synth(app.charts[0]);
  expect(manifests).toPassPolicies();
  const policy = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'orders');
  expect(JSON.stringify(policy.spec.ingress)).toContain('reports');
  expect(manifests).toMatchSnapshot();
});
