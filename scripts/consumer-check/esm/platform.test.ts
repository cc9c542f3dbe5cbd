import { Testing } from 'cdk8s';
import { policyMatchers } from 'cdk8s-go-platform/jest';
import type { LocalDockerStackProps } from 'cdk8s-go-platform/local';
import { buildPlatform, ENVIRONMENTS } from './platform.js';

expect.extend(policyMatchers);

for (const env of ENVIRONMENTS) {
  test(`${env}: snapshot and policy gate`, () => {
    const app = Testing.app();
    buildPlatform(app, env);
    const manifests = app.charts.flatMap((chart) => Testing.synth(chart));
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });
}

test('the local entry point types resolve under nodenext', () => {
  const props: LocalDockerStackProps = { services: [] };
  expect(props.services).toEqual([]);
});
