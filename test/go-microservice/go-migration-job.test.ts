import { Duration } from 'cdk8s';
import { GoMicroservice, GoMicroserviceProps, GoMigrationJob, GoMigrationJobProps, MigrationOrdering } from '../../lib';
import { kplus } from '../../lib/common/plus';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, findAll, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/shop/orders:1.4.2';
const ORDERS: GoMicroserviceProps = {
  image: IMAGE,
  config: { LOG_LEVEL: 'info' },
  secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
  migrations: { command: ['/orders', 'migrate', 'up'] },
};

function render(props: Partial<GoMicroserviceProps> = {}): Manifest[] {
  const chart = shopChart();
  new GoMicroservice(chart, 'orders', { ...ORDERS, ...props });
  return synth(chart);
}

describe('GoMicroservice migrations (WAIT_FOR_JOB, the default)', () => {
  const manifests = render();
  const job = findAll(manifests, 'Job')[0];
  const deployment = find(manifests, 'Deployment', 'orders');

  test('runs a Job named after the image and config hash, with the service image, config and secrets', () => {
    expect(job.metadata.name).toMatch(/^orders-migrate-[0-9a-f]{10}$/);
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe(IMAGE);
    expect(c.command).toEqual(['/orders', 'migrate', 'up']);
    expect(c.envFrom[0].configMapRef.name).toMatch(/^orders-migrate-config-/);
    expect(c.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'url', optional: false } } });
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 900 });
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe('migration');
  });

  test('a new image or config is a new Job; the same input is the same Job', () => {
    const name = (p: Partial<GoMicroserviceProps>) => findAll(render(p), 'Job')[0].metadata.name;
    expect(name({})).toBe(job.metadata.name);
    expect(name({ image: 'registry.example.com/shop/orders:1.4.3' })).not.toBe(job.metadata.name);
    expect(name({ config: { LOG_LEVEL: 'debug' } })).not.toBe(job.metadata.name);
  });

  test('the pods wait for the Job with a token mounted in the init container only', () => {
    const spec = deployment.spec.template.spec;
    expect(spec.initContainers[0].name).toBe('wait-for-migration');
    expect(spec.initContainers[0].args).toEqual(['wait', '--for=condition=complete', `job/${job.metadata.name}`, '--timeout=960s']);
    expect(spec.initContainers[0].image).toBe('registry.k8s.io/kubectl:v1.31.4');
    expect(spec.initContainers[0].volumeMounts).toContainEqual({ name: 'migration-wait-token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
    expect(spec.containers[0].volumeMounts.map((m: Manifest) => m.name)).not.toContain('migration-wait-token');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes).toContainEqual(expect.objectContaining({ name: 'migration-wait-token' }));
    expect(find(manifests, 'Role', 'orders-migrate-wait').rules).toEqual([{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }]);
    expect(find(manifests, 'RoleBinding', 'orders-migrate-wait').subjects).toEqual([{ kind: 'ServiceAccount', name: 'orders' }]);
    expect(deployment.metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/orders-db ConfigMap/kube-root-ca.crt');
  });

  test('the Job comes before the Deployment in the output, and everything passes the gate', () => {
    const order = manifests.map((m) => m.kind);
    expect(order.indexOf('Job')).toBeLessThan(order.indexOf('Deployment'));
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('takes command, args, limits and the wait image', () => {
    const out = render({ migrations: { args: ['migrate'], backoffLimit: 0, activeDeadline: Duration.minutes(5), waitImage: 'registry.example.com/kubectl:1.33.1', resources: { limits: { memory: '1Gi' } } } });
    const j = findAll(out, 'Job')[0];
    expect(j.spec.backoffLimit).toBe(0);
    expect(j.spec.activeDeadlineSeconds).toBe(300);
    expect(j.spec.template.spec.containers[0].args).toEqual(['migrate']);
    expect(j.spec.template.spec.containers[0].resources.limits.memory).toBe('1Gi');
    const init = find(out, 'Deployment', 'orders').spec.template.spec.initContainers[0];
    expect(init.image).toBe('registry.example.com/kubectl:1.33.1');
    expect(init.args[3]).toBe('--timeout=360s');
  });
});

describe('GoMicroservice migrations as an Argo CD PreSync hook', () => {
  const manifests = render({ migrations: { command: ['/orders', 'migrate'], ordering: MigrationOrdering.ARGO_CD_PRE_SYNC } });

  test('the Job and what it needs are PreSync hooks; the pods do not wait', () => {
    const hooks = manifests.filter((m) => m.metadata.annotations?.['argocd.argoproj.io/hook'] === 'PreSync').map((m) => `${m.kind}/${m.metadata.name}`);
    expect(hooks).toHaveLength(4);
    expect(hooks).toEqual(expect.arrayContaining([
      `Job/${findAll(manifests, 'Job')[0].metadata.name}`,
      expect.stringMatching(/^ConfigMap\/orders-migrate-config-/),
      'NetworkPolicy/orders-migrate',
      'ServiceAccount/orders-migrate',
    ]));
    for (const m of manifests.filter((x) => x.metadata.annotations?.['argocd.argoproj.io/hook'])) {
      expect(m.metadata.annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
    }
    expect(find(manifests, 'Deployment', 'orders').spec.template.spec.initContainers).toBeUndefined();
    expect(findAll(manifests, 'Role')).toEqual([]);
    expect(manifests).toPassPolicies();
  });
});

describe('GoMigrationJob standalone (EXTERNAL ordering, e.g. Flux dependsOn)', () => {
  test('renders a plain Job without hooks', () => {
    const chart = shopChart();
    const m = new GoMigrationJob(chart, 'orders-migrate', { image: IMAGE, command: ['/orders', 'migrate'] });
    const out = synth(chart);
    expect(m.ordering).toBe(MigrationOrdering.EXTERNAL);
    const job = find(out, 'Job', m.jobName);
    expect(job.metadata.annotations).toBeUndefined();
    expect(out).toPassPolicies();
  });
});

describe('migrations validation', () => {
  test('throws on a wait image with another ordering', () => {
    expectExactError(() => render({ migrations: { ordering: MigrationOrdering.EXTERNAL, waitImage: 'registry.example.com/kubectl:1.33.1' } }),
      '[test/orders] migrations.waitImage ("registry.example.com/kubectl:1.33.1") is only used with MigrationOrdering.WAIT_FOR_JOB: remove it');
  });

  test('throws on an unpinned wait image', () => {
    expectExactError(() => render({ migrations: { waitImage: 'bitnami/kubectl' } }),
      '[test/orders] migrations.waitImage ("bitnami/kubectl") has no tag or digest: pin a version tag or a digest');
  });

  test('throws on a negative backoff limit, naming the migration', () => {
    expectExactError(() => render({ migrations: { backoffLimit: -1 } }), '[test/orders/Migrations] backoffLimit (-1) must be an integer from 0 to 100');
  });

  test('throws on a standalone name too long for the hash', () => {
    const props: GoMigrationJobProps = { image: IMAGE, name: 'm'.repeat(53) };
    expectExactError(() => new GoMigrationJob(shopChart(), 'migrate', props),
      `[test/migrate] name ("${'m'.repeat(53)}") is longer than 52 characters: the Job's name adds an 11-character hash`);
  });

  test('an existing service account is bound for the wait', () => {
    const chart = shopChart();
    new GoMicroservice(chart, 'orders', { ...ORDERS, serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'orders-identity') });
    expect(find(synth(chart), 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'orders-identity' }]);
  });
});
