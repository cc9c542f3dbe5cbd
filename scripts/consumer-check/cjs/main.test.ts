import { Testing } from 'cdk8s';
import { App as TerraformApp, Testing as TerraformTesting } from 'cdktf';
import { policyMatchers } from 'cdk8s-go-platform/jest';
import { LocalDockerStack } from 'cdk8s-go-platform/local';
import { buildPlatform, ENVIRONMENTS } from './main';

expect.extend(policyMatchers);

for (const env of ENVIRONMENTS) {
  test(`${env}: snapshot and policy gate`, () => {
    const app = Testing.app();
    buildPlatform(app, env);
    // lib es2016 (the cdk8s template's): no Array.prototype.flatMap.
    const manifests: any[] = [];
    for (const chart of app.charts) {
      manifests.push(...Testing.synth(chart));
    }
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });
}

test('the local Docker stack entry point resolves and builds', () => {
  const stack = new LocalDockerStack(new TerraformApp(), 'local', {
    services: [{ service: { name: 'users', image: 'registry.example.com/shop/users:2.0.3' }, context: '../services/users' }],
  });
  const json = JSON.parse(TerraformTesting.synth(stack, true));
  expect(Object.keys(json.resource.docker_container)).toEqual(['users']);
});
