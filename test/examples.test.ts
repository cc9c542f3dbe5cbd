import { App, Testing } from 'cdk8s';
import { ENVIRONMENTS, PRODUCTION, STAGING } from '../apps/environments';
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
  const kubernetesVersion = ENVIRONMENTS.find((e) => e.name === name)!.kubernetesVersion;

  test('passes the policy gate at its Kubernetes version: strict schema, restricted Pod Security, hygiene', () => {
    expect(manifests).toPassPolicies({ kubernetesVersion });
    const result = checkManifests(manifests, { kubernetesVersion });
    expect(result.findings.filter((f) => f.severity === Severity.ERROR)).toEqual([]);
    expect(result.findings.filter((f) => f.severity === Severity.WARNING)).toEqual([]);
  });

  test('every shop Deployment declares the Secrets it references as external', () => {
    const external = (name: string) => manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!
      .metadata.annotations['policy.cdk8s-go-platform.io/external'];
    expect(external('users')).toBe('Secret/users-session');
    // orders reads its database URL from Vault: that Secret comes from an ExternalSecret in the set.
    expect(external('orders')).toBe('ConfigMap/kube-root-ca.crt');
    expect(external('order-events')).toBe('Secret/order-events-kafka Secret/orders-db');
    expect(external('payments')).toBe('Secret/payments-provider');
  });

  test('orders and its migration Job read DATABASE_URL from Vault KV v2 through the vault ClusterSecretStore', () => {
    const externalSecrets = manifests.filter((m) => m.kind === 'ExternalSecret');
    expect(externalSecrets.map((m) => m.metadata.name.replace(/-[0-9a-f]{10}$/, ''))).toEqual(['orders-external', 'orders-migrate-external']);
    for (const es of externalSecrets) {
      expect(es.apiVersion).toBe('external-secrets.io/v1');
      expect(es.metadata.namespace).toBe('shop');
      expect(es.spec).toEqual({
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        target: { name: es.metadata.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: 'DATABASE_URL', remoteRef: { key: `shop/${name}/orders/database`, property: 'url' } }],
      });
    }
    const env = (kind: string, prefix: string) => manifests.find((m) => m.kind === kind && m.metadata.name.startsWith(prefix))!
      .spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'DATABASE_URL');
    expect(env('Deployment', 'orders').valueFrom.secretKeyRef).toEqual({ name: externalSecrets[0].metadata.name, key: 'DATABASE_URL', optional: false });
    expect(env('Job', 'orders-migrate').valueFrom.secretKeyRef).toEqual({ name: externalSecrets[1].metadata.name, key: 'DATABASE_URL', optional: false });
    // strict references: every Secret the shop reads is either declared external or created in the set
    expect(checkManifests(manifests, { kubernetesVersion, strictReferences: true }).findings.filter((f) => f.ruleId === 'GP-SECRET-MISSING')).toEqual([]);
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
    // The stable pods, and a canary's where the environment runs one, wait for the migration.
    const deployments = manifests.filter((m) => m.kind === 'Deployment' && ['orders', 'orders-canary'].includes(m.metadata.name));
    expect(deployments.map((d) => d.metadata.name)).toEqual(env.tracks.ordersCanary ? ['orders', 'orders-canary'] : ['orders']);
    for (const orders of deployments) {
      expect(orders.spec.template.spec.initContainers[0].args[2]).toBe(`job/${job.metadata.name}`);
    }
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

test('staging targets 1.34 and uses what it brings; production stays on 1.27', () => {
  expect(STAGING.kubernetesVersion).toBe('1.34');
  expect(PRODUCTION.kubernetesVersion).toBe('1.27');
  const staging = synthEnvironment('staging');
  const production = synthEnvironment('production');
  const orders = (ms: Manifest[], kind: string) => ms.find((m) => m.kind === kind && m.metadata.name === 'orders')!;
  expect(orders(staging, 'Service').spec.trafficDistribution).toBe('PreferClose');
  expect(orders(staging, 'Deployment').spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  expect(orders(production, 'Service').spec.trafficDistribution).toBeUndefined();
  expect(orders(production, 'Deployment').spec.template.spec.containers[0].lifecycle).toBeUndefined();
});

test('the gate rejects the 1.34 staging output when told the cluster is 1.27', () => {
  const result = checkManifests(synthEnvironment('staging'), { kubernetesVersion: '1.27' });
  expect(result.passed).toBe(false);
  expect([...new Set(result.findings.map((f) => f.ruleId))]).toEqual(['GP-SCHEMA-VERSION']);
  expect(result.findings.map((f) => f.message)).toContain(
    'Service/shop/orders spec.trafficDistribution: field added in Kubernetes 1.30, newer than the target 1.27');
});

test('the example platform synthesizes byte-identically twice', () => {
  const once = () => JSON.stringify(ENVIRONMENTS.map((e) => synthEnvironment(e.name)));
  expect(once()).toBe(once());
});

describe('example platform delivery: each environment carries its GitOps objects', () => {
  test('staging: Flux applies ./dist/staging in its own cluster; no Argo CD sync waves', () => {
    const manifests = synthEnvironment(STAGING.name);
    const delivery = manifests.filter((m) => /fluxcd\.io|argoproj\.io/.test(m.apiVersion));
    expect(delivery.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['GitRepository/platform', 'Kustomization/platform-staging']);
    expect(delivery[1].spec.path).toBe('./dist/staging');
    expect(manifests.filter((m) => m.metadata.annotations?.['argocd.argoproj.io/sync-wave'] !== undefined)).toEqual([]);
  });

  test('production: an Argo CD ApplicationSet over two clusters; migrations sync in an earlier wave than the services', () => {
    const manifests = synthEnvironment(PRODUCTION.name);
    const delivery = manifests.filter((m) => /fluxcd\.io|argoproj\.io/.test(m.apiVersion));
    expect(delivery.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ApplicationSet/platform']);
    const [set] = delivery;
    expect(set.spec.generators).toEqual([{ list: { elements: [{ name: 'prod-eu-west' }, { name: 'prod-us-east' }] } }]);
    expect(set.spec.template.spec.source).toMatchObject({ path: 'dist/production', directory: { exclude: '{construct-metadata.json,delivery.k8s.yaml}' } });
    const wave = (m: Manifest): string | undefined => m.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    const migration = manifests.filter((m) => m.metadata.labels?.['app.kubernetes.io/component'] === 'migration');
    expect(migration.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'ExternalSecret', 'Job', 'NetworkPolicy', 'Role', 'RoleBinding', 'ServiceAccount']);
    // The migration's ExternalSecret is a secret source: it syncs first, so its Secret exists when the Job starts.
    expect(migration.filter((m) => m.kind !== 'ExternalSecret').every((m) => wave(m) === '-1')).toBe(true);
    expect(manifests.filter((m) => m.kind === 'ExternalSecret').map(wave)).toEqual(['-2', '-2']);
    expect(manifests.filter((m) => m.kind === 'Deployment').map(wave)).toEqual(manifests.filter((m) => m.kind === 'Deployment').map(() => undefined));
  });
});
