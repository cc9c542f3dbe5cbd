import { App, Testing } from 'cdk8s';
import { ENVIRONMENTS } from '../apps/environments';
import { buildPlatform } from '../apps/platform';
import { checkManifests, Severity } from '../lib';
import { policyMatchers } from '../lib/policy/jest';
import { Manifest } from './util';

expect.extend(policyMatchers);

function synthEnvironment(name: string): Manifest[] {
  const env = ENVIRONMENTS.find((e) => e.name === name)!;
  const app: App = Testing.app();
  buildPlatform(app, env);
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

describe.each(ENVIRONMENTS.map((e) => e.name))('example platform: %s', (name) => {
  const manifests = synthEnvironment(name);

  test('passes the policy gate: strict schema, restricted Pod Security, hygiene', () => {
    expect(manifests).toPassPolicies();
    const result = checkManifests(manifests);
    expect(result.findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    expect(result.findings.filter((f) => f.severity === Severity.WARNING)).toEqual([]);
  });

  test('every shop Deployment declares the Secrets it references as external', () => {
    const external = (name: string) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!
      .metadata.annotations['policy.cdk8s-go-platform.io/external'];
    expect(external('users')).toBe('Secret/users-session');
    expect(external('orders')).toBe('Secret/orders-db ConfigMap/kube-root-ca.crt');
    expect(external('order-events')).toBe('Secret/order-events-kafka Secret/orders-db');
    expect(external('payments')).toBe('Secret/payments-provider');
  });

  test('the shop services run the documented release and differ by environment', () => {
    const env = ENVIRONMENTS.find((e) => e.name === name)!;
    const users = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'users')!;
    expect(users.spec.replicas).toBe(env.replicas);
    expect(users.spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/users:${env.release.users}`);
    expect(users.spec.template.spec.containers[0].resources.limits.memory).toBe(env.resources.limits!.memory);
  });
});

describe.each(ENVIRONMENTS.map((e) => e.name))('example platform workloads: %s', (name) => {
  const manifests = synthEnvironment(name);
  const env = ENVIRONMENTS.find((e) => e.name === name)!;
  const one = (kind: string, prefix: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name.startsWith(prefix));
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('orders migrates with a Job before its pods start', () => {
    const job = one('Job', 'orders-migrate-');
    expect(job.spec.template.spec.containers[0].command).toEqual(['/orders', 'migrate', 'up']);
    const orders = one('Deployment', 'orders');
    expect(orders.spec.template.spec.initContainers[0].args[2]).toBe(`job/${job.metadata.name}`);
  });

  test('the order-events worker has no Service and scales on Kafka lag with KEDA', () => {
    expect(manifests.filter((m) => m.kind === 'Service' && m.metadata.name === 'order-events')).toEqual([]);
    const so = one('ScaledObject', 'order-events');
    expect(so.spec.maxReplicaCount).toBe(env.orderEvents.maxReplicas);
    expect(so.spec.triggers[0].type).toBe('kafka');
  });

  test('the orders report runs nightly', () => {
    expect(one('CronJob', 'orders-report').spec).toMatchObject({ schedule: '30 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' });
  });
});

test('the example platform synthesizes byte-identically twice', () => {
  const once = () => JSON.stringify(ENVIRONMENTS.map((e) => synthEnvironment(e.name)));
  expect(once()).toBe(once());
});
