import { Duration } from 'cdk8s';
import { ConcurrencyPolicy, ExternalSecretSource, GoCronJob, GoCronJobProps, KubernetesVersion, PodVolume, Probe, SecretStoreKind, setKubernetesVersion, TolerationOperator } from '../../lib';
import { kplus } from '../../lib/common/plus';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/shop/orders:1.4.2';
const BASE: GoCronJobProps = { image: IMAGE, schedule: '30 2 * * *', command: ['/orders', 'report'] };

function render(props: Partial<GoCronJobProps> = {}, configure?: (j: GoCronJob) => void): Manifest[] {
  const chart = shopChart();
  const job = new GoCronJob(chart, 'orders-report', { ...BASE, ...props });
  configure?.(job);
  return synth(chart);
}

describe('GoCronJob', () => {
  const manifests = render();
  const cron = find(manifests, 'CronJob', 'orders-report');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  const container = pod.containers[0];

  test('creates a CronJob, a ServiceAccount and a deny-all-ingress NetworkPolicy', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'CronJob/orders-report', 'NetworkPolicy/orders-report', 'ServiceAccount/orders-report',
    ]);
    expect(find(manifests, 'NetworkPolicy', 'orders-report').spec.policyTypes).toEqual(['Ingress']);
  });

  test('pins the documented defaults', () => {
    expect(cron.spec).toMatchObject({
      schedule: '30 2 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      startingDeadlineSeconds: 300,
      suspend: false,
    });
    expect(cron.spec.jobTemplate.spec.backoffLimit).toBe(2);
    expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(3600);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(cron.metadata.labels['app.kubernetes.io/component']).toBe('job');
  });

  test('runs the same hardened, tuned Go container without ports, probes or drain timing', () => {
    expect(container.command).toEqual(['/orders', 'report']);
    expect(container.ports).toBeUndefined();
    expect(container.readinessProbe).toBeUndefined();
    expect(container.livenessProbe).toBeUndefined();
    const names = container.env.map((e: Manifest) => e.name);
    expect(names).toEqual(['POD_NAME', 'POD_NAMESPACE', 'NODE_NAME', 'GOMEMLIMIT', 'GOMAXPROCS', 'OTEL_RESOURCE_ATTRIBUTES']);
    expect(container.env[5].value).toContain('k8s.cronjob.name=orders-report');
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('takes every schedule option, macros and the pod props', () => {
    const out = render({
      schedule: '@daily',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: ConcurrencyPolicy.REPLACE,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      startingDeadline: Duration.minutes(30),
      suspend: true,
      backoffLimit: 0,
      activeDeadline: Duration.hours(3),
      config: { REPORT_BUCKET: 'reports' },
      secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
      volumes: [PodVolume.ephemeral({ name: 'scratch', mountPath: '/scratch', storage: '20Gi' })],
      nodeSelector: { pool: 'batch' },
    });
    const c = find(out, 'CronJob', 'orders-report');
    expect(c.spec).toMatchObject({
      schedule: '@daily', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5, startingDeadlineSeconds: 1800, suspend: true,
    });
    expect(c.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 10800 });
    expect(c.spec.jobTemplate.spec.template.spec.nodeSelector).toEqual({ pool: 'batch' });
    expect(c.metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/orders-db');
    expect(out).toPassPolicies();
  });

  test.each(['*/15 * * * *', '0 9 * * MON-FRI', '0 0 1 JAN,JUL *', '5 4 * * sun', '@hourly'])('accepts the schedule %s', (schedule) => {
    expect(find(render({ schedule }), 'CronJob').spec.schedule).toBe(schedule);
  });

  test('addEnvironment reaches the job container', () => {
    const out = render({}, (j) => j.addEnvironment('REPORT_FORMAT', kplus.EnvValue.fromValue('csv')));
    const env = find(out, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'REPORT_FORMAT', value: 'csv' });
  });
});

test('GoCronJob: every prop at once', () => {
  // GIVEN every prop (a new prop fails to compile here until covered)
  const chart = shopChart();
  const all: Required<GoCronJobProps> = {
    image: IMAGE,
    name: 'report',
    schedule: '0 3 * * 1',
    timeZone: 'America/New_York',
    concurrencyPolicy: ConcurrencyPolicy.ALLOW,
    successfulJobsHistoryLimit: 2,
    failedJobsHistoryLimit: 4,
    startingDeadline: Duration.minutes(2),
    suspend: false,
    command: ['/orders', 'report'],
    args: ['--weekly'],
    namespace: 'commerce',
    instance: 'report-eu',
    component: 'report',
    partOf: 'shop',
    serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'reporter'),
    backoffLimit: 1,
    activeDeadline: Duration.minutes(30),
    terminationGracePeriod: Duration.seconds(10),
    resources: { limits: { memory: '2Gi' } },
    config: { FORMAT: 'csv' },
    secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
    secretEnvFrom: ['report-extra'],
    goRuntime: { setMaxProcs: false },
    nodeSelector: { pool: 'batch' },
    tolerations: [{ key: 'batch', operator: TolerationOperator.EXISTS }],
    affinity: {},
    priorityClassName: 'batch-low',
    imagePullSecrets: ['registry'],
    configFiles: { mountPath: '/etc/report', files: { 'report.yaml': 'columns: [id]\n' } },
    secretFiles: [{ secretName: 'bucket-key', mountPath: '/var/run/secrets/bucket' }, { mountPath: '/var/run/secrets/signing', external: { 'key.pem': ExternalSecretSource.vaultKv({ store: { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' }, path: 'shop/test/report', property: 'signing-key' }) } }],
    externalSecrets: { refreshInterval: Duration.minutes(30) },
    volumes: [PodVolume.ephemeral({ name: 'scratch', mountPath: '/scratch', storage: '5Gi' })],
    initContainers: [{ name: 'fetch', image: 'registry.example.com/fetch:1.0.0' }],
    sidecars: [],
    downwardApiEnv: true,
  };
  // WHEN
  new GoCronJob(chart, 'orders-report', all);
  const out = synth(chart);
  // THEN
  const cron = find(out, 'CronJob', 'report');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  expect(cron.metadata.namespace).toBe('commerce');
  expect(cron.spec).toMatchObject({ schedule: '0 3 * * 1', timeZone: 'America/New_York', concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 4, startingDeadlineSeconds: 120 });
  expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800 });
  expect(pod.terminationGracePeriodSeconds).toBe(10);
  expect(pod.serviceAccountName).toBe('reporter');
  expect(pod.initContainers.map((c: Manifest) => c.name)).toEqual(['fetch']);
  expect(pod.containers[0].env.map((e: Manifest) => e.name)).not.toContain('GOMAXPROCS');
  expect(cron.metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/bucket-key Secret/orders-db Secret/report-extra');
  expect(find(out, 'ExternalSecret').spec).toMatchObject({ refreshInterval: '30m', data: [{ secretKey: 'key.pem', remoteRef: { key: 'shop/test/report', property: 'signing-key' } }] });
  expect(out).toMatchSnapshot();
});

test('GoCronJob: sidecars are native from 1.29, so the run still completes', () => {
  const chart = shopChart();
  setKubernetesVersion(chart, KubernetesVersion.V1_29);
  new GoCronJob(chart, 'orders-report', { ...BASE, sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:2.0.0', ports: [{ name: 'health', number: 9801 }], probes: { readiness: Probe.http('/ready', { port: 9801 }), liveness: Probe.http('/live', { port: 9801 }) } }] });
  const pod = find(synth(chart), 'CronJob').spec.jobTemplate.spec.template.spec;
  expect(pod.containers.map((c: Manifest) => c.name)).toEqual(['orders-report']);
  expect(pod.initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([['proxy', 'Always']]);
});

describe('GoCronJob validation', () => {
  const P = '[test/orders-report]';
  const build = (props: Partial<GoCronJobProps>) => () => new GoCronJob(shopChart(), 'orders-report', { ...BASE, ...props });
  test.each<[string, Partial<GoCronJobProps>, string]>([
    ['a missing schedule', { schedule: undefined as never }, `${P} schedule (undefined) is required: a cron expression such as "30 2 * * *"`],
    ['six fields', { schedule: '0 30 2 * * *' }, `${P} schedule ("0 30 2 * * *") must have five fields (minute hour day-of-month month day-of-week) or be one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`],
    ['an unknown macro', { schedule: '@every 5m' }, `${P} schedule ("@every 5m") must have five fields (minute hour day-of-month month day-of-week) or be one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly`],
    ['a minute out of range', { schedule: '61 2 * * *' }, `${P} schedule ("61 2 * * *") is not a valid cron expression: Constraint error, got value 61 expected range 0-59`],
    ['a day that never comes', { schedule: '0 0 31 2 *' }, `${P} schedule ("0 0 31 2 *") is not a valid cron expression: Invalid explicit day of month definition`],
    ['a Jenkins hash', { schedule: 'H 2 * * *' }, `${P} schedule ("H 2 * * *") uses H, L, W or #, which Kubernetes does not support`],
    ['a time zone in the schedule', { schedule: 'TZ=UTC 0 2 * *' }, `${P} schedule ("TZ=UTC 0 2 * *") is not a valid cron expression: Invalid characters, got value: TZ=UTC`],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, `${P} timeZone ("Mars/Olympus_Mons") is not an IANA time zone name such as "Europe/Berlin" or "Etc/UTC"`],
    ['a lower-case time zone', { timeZone: 'europe/berlin' }, `${P} timeZone ("europe/berlin") is not an IANA time zone name such as "Europe/Berlin" or "Etc/UTC"`],
    ['a negative history limit', { successfulJobsHistoryLimit: -1 }, `${P} successfulJobsHistoryLimit (-1) must be an integer from 0 to 100`],
    ['a failed history limit too large', { failedJobsHistoryLimit: 1000 }, `${P} failedJobsHistoryLimit (1000) must be an integer from 0 to 100`],
    ['a starting deadline under ten seconds', { startingDeadline: Duration.seconds(5) }, `${P} startingDeadline (5) must be an integer from 10 to 86400`],
    ['a negative backoff limit', { backoffLimit: -1 }, `${P} backoffLimit (-1) must be an integer from 0 to 100`],
    ['an active deadline over a week', { activeDeadline: Duration.days(8) }, `${P} activeDeadline (691200) must be an integer from 1 to 604800`],
    ['an unpinned image', { image: 'registry.example.com/shop/orders:latest' }, `${P} image ("registry.example.com/shop/orders:latest") uses the mutable tag "latest": pin a version tag or a digest`],
    ['a sidecar below Kubernetes 1.29', { sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:2.0.0', ports: [{ name: 'health', number: 9801 }], probes: { readiness: Probe.http('/ready', { port: 9801 }), liveness: Probe.http('/live', { port: 9801 }) } }] },
      `${P} sidecars (proxy) in a job need native sidecars, Kubernetes 1.29 or newer; the target is 1.27: raise it with setKubernetesVersion or run the helper in the main container`],
    ['a name over 52 characters', { name: 'a'.repeat(53) }, `${P} name ("${'a'.repeat(53)}") is longer than 52 characters: a CronJob's name must leave room for the suffix of its Jobs`],
  ])('throws on %s', (_name, props, message) => {
    expectExactError(build(props), message);
  });
});
