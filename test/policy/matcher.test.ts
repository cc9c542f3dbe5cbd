import { ApiObject, Chart, Testing } from 'cdk8s';
import { addPolicyValidation, PodSecurityLevel } from '../../lib/policy';
import { policyMatchers } from '../../lib/policy/jest';
import { container, goodSet, podSpec } from './fixtures';

expect.extend(policyMatchers);

describe('toPassPolicies', () => {
  test('passes for manifests that break no error rule', () => {
    expect(goodSet()).toPassPolicies({ external: ['Secret/orders-db'] });
  });

  test('fails with the findings in the message', () => {
    const set = goodSet();
    container(set).image = 'registry.example.com/orders:latest';
    expect(set).not.toPassPolicies({ external: ['Secret/orders-db'] });
    expect(() => expect(set).toPassPolicies({ external: ['Secret/orders-db'] })).toThrow(/GP-IMAGE-TAG.*Deployment\/shop\/orders spec.template.spec.containers\[0\].image/);
  });

  test('takes options, e.g. a namespace profile', () => {
    const set = goodSet();
    podSpec(set).hostNetwork = true;
    expect(set).toPassPolicies({ external: ['Secret/orders-db'], podSecurityLevels: { shop: PodSecurityLevel.PRIVILEGED } });
  });

  test('takes strictReferences: a Secret nobody creates fails only then', () => {
    expect(goodSet()).toPassPolicies();
    expect(goodSet()).not.toPassPolicies({ strictReferences: true });
    expect(() => expect(goodSet()).toPassPolicies({ strictReferences: true })).toThrow(/error {3}GP-SECRET-MISSING/);
  });

  test('works on Testing.synth output', () => {
    const chart = Testing.chart();
    for (const obj of goodSet()) {
      new ApiObject(chart, `${obj.kind}-${obj.metadata.name}`, obj as never);
    }
    expect(Testing.synth(chart)).toPassPolicies({ external: ['Secret/orders-db'] });
  });
});

describe('addPolicyValidation', () => {
  test('fails synth with the error findings of the chart', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    const set = goodSet();
    container(set).image = 'registry.example.com/orders';
    for (const obj of set) {
      new ApiObject(chart, `${obj.kind}-${obj.metadata.name}`, obj as never);
    }
    addPolicyValidation(chart, { external: ['Secret/orders-db'] });
    expect(() => app.synth()).toThrow(/GP-IMAGE-TAG: Deployment\/shop\/orders spec.template.spec.containers\[0\].image: image "registry.example.com\/orders" has no tag/);
  });
});
