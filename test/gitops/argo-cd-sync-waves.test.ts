import { ApiObject, Chart, Testing } from 'cdk8s';
import { GoMicroservice, MigrationOrdering } from '../../lib';
import { k8s } from '../../lib/common/plus';
import { ARGO_CD_SYNC_WAVE_DEFAULTS, addArgoCdSyncWaves } from '../../lib/gitops';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, Manifest } from '../util';

expect.extend(policyMatchers);

const WAVE = 'argocd.argoproj.io/sync-wave';

/** A namespace, a secret source, a CRD, a service with migrations and its workloads. */
function platform(ordering?: MigrationOrdering): Chart {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  new k8s.KubeNamespace(chart, 'Namespace', { metadata: { name: 'shop', namespace: undefined } });
  new ApiObject(chart, 'OrdersDb', {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret',
    metadata: { name: 'orders-db' },
    spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' }, target: { name: 'orders-db' }, data: [{ secretKey: 'url', remoteRef: { key: 'shop/orders', property: 'url' } }] },
  });
  new k8s.KubeCustomResourceDefinition(chart, 'Crd', {
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openApiv3Schema: { type: 'object' } } }] },
  });
  new GoMicroservice(chart, 'orders', {
    image: 'registry.example.com/shop/orders:1.4.2',
    config: { LOG_LEVEL: 'info' },
    secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
    migrations: { command: ['/orders', 'migrate', 'up'], ...(ordering ? { ordering } : {}) },
  });
  return chart;
}

function waves(manifests: Manifest[]): Record<string, string[]> {
  const byWave: Record<string, string[]> = {};
  for (const m of manifests) {
    const wave = m.metadata.annotations?.[WAVE] ?? (m.metadata.annotations?.['argocd.argoproj.io/hook'] ? 'hook' : '0');
    (byWave[wave] ??= []).push(`${m.kind}/${m.metadata.name}`.replace(/-[0-9a-f]{10}$/, ''));
  }
  for (const list of Object.values(byWave)) {
    list.sort();
  }
  return byWave;
}

describe('addArgoCdSyncWaves', () => {
  test('setup first, migrations next, workloads last', () => {
    // GIVEN
    const chart = platform();
    // WHEN
    addArgoCdSyncWaves(chart);
    const manifests = Testing.synth(chart);
    // THEN
    const byWave = waves(manifests);
    expect(byWave['-2']).toEqual(['CustomResourceDefinition/widgets.example.com', 'ExternalSecret/orders-db', 'Namespace/shop']);
    expect(byWave['-1']).toEqual([
      'ConfigMap/orders-migrate-config', 'Job/orders-migrate', 'NetworkPolicy/orders-migrate', 'Role/orders-migrate-wait',
      'RoleBinding/orders-migrate-wait', 'ServiceAccount/orders-migrate',
    ]);
    expect(byWave['0']).toEqual(expect.arrayContaining(['Deployment/orders', 'Service/orders']));
    expect(Object.keys(byWave).sort()).toEqual(['-1', '-2', '0']);
    expect(ARGO_CD_SYNC_WAVE_DEFAULTS).toEqual({ setup: -2, migrations: -1 });
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('waves are configurable; an object that names its wave keeps it', () => {
    const chart = platform();
    ApiObject.of(chart.node.findChild('orders')).metadata.addAnnotation(WAVE, '5');
    addArgoCdSyncWaves(chart, { setup: -10, migrations: -5 });
    const byWave = waves(Testing.synth(chart));
    expect(byWave['-10']).toHaveLength(3);
    expect(byWave['-5']).toContain('Job/orders-migrate');
    expect(byWave['5']).toEqual(['Deployment/orders']);
  });

  test('Argo CD hooks are left to their phase', () => {
    const chart = platform(MigrationOrdering.ARGO_CD_PRE_SYNC);
    addArgoCdSyncWaves(chart);
    const byWave = waves(Testing.synth(chart));
    expect(byWave.hook).toEqual(['ConfigMap/orders-migrate-config', 'Job/orders-migrate', 'NetworkPolicy/orders-migrate', 'ServiceAccount/orders-migrate']);
    expect(byWave['-1']).toBeUndefined();
  });

  test('fails synthesis for an object that needs a wave and was created after the call', () => {
    const chart = platform();
    addArgoCdSyncWaves(chart);
    new k8s.KubeNamespace(chart, 'Late', { metadata: { name: 'late' } });
    new k8s.KubeConfigMap(chart, 'Fine', { metadata: { name: 'fine' } });
    expect(() => Testing.synth(chart)).toThrow(
      'Namespace "late" (shop/Late) was created after addArgoCdSyncWaves and has no sync wave: call it once the charts are complete');
  });
});

describe('addArgoCdSyncWaves validation', () => {
  test.each<[string, Parameters<typeof addArgoCdSyncWaves>[1], string]>([
    ['a wave of 0', { migrations: 0 }, '[shop] migrations (0) must be a negative integer: every other object syncs in wave 0'],
    ['a fractional wave', { setup: -1.5 }, '[shop] setup (-1.5) must be a negative integer: every other object syncs in wave 0'],
    ['setup after migrations', { setup: -1, migrations: -2 },
      '[shop] setup (-1) must be lower than migrations (-2): migrations read the namespaces and secrets of the setup wave'],
    ['setup equal to migrations', { setup: -1 },
      '[shop] setup (-1) must be lower than migrations (-1): migrations read the namespaces and secrets of the setup wave'],
  ])('throws on %s', (_, options, message) => {
    expectExactError(() => addArgoCdSyncWaves(platform(), options), message);
  });

  test('names the App when called on it', () => {
    expectExactError(() => addArgoCdSyncWaves(Testing.app(), { migrations: 0 }),
      '[App] migrations (0) must be a negative integer: every other object syncs in wave 0');
  });

  test('throws on an object whose wave is not an integer', () => {
    const chart = platform();
    ApiObject.of(chart.node.findChild('orders')).metadata.addAnnotation(WAVE, 'early');
    expectExactError(() => addArgoCdSyncWaves(chart),
      '[shop/orders/Deployment/Resource] metadata.annotations["argocd.argoproj.io/sync-wave"] ("early") must be an integer such as "-1"');
  });
});
