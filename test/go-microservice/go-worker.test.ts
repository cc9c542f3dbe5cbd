import { Duration } from 'cdk8s';
import { kplus } from '../../lib/common/plus';
import { ExternalSecretSource, GoMicroservice, GoWorker, GoWorkerProps, MetricTargetType, NetworkPeer, PodVolume, Probe, ScalingMetric, SecretStoreKind } from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, findAll, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/shop/order-events:1.2.0';

function render(props: Partial<GoWorkerProps> = {}, configure?: (w: GoWorker) => void): Manifest[] {
  const chart = shopChart();
  const worker = new GoWorker(chart, 'order-events', { image: IMAGE, ...props });
  configure?.(worker);
  return synth(chart);
}

describe('GoWorker', () => {
  const manifests = render();
  const deployment = find(manifests, 'Deployment', 'order-events');
  const container = deployment.spec.template.spec.containers[0];

  test('creates a Deployment, ServiceAccount, PodDisruptionBudget and NetworkPolicy, and no Service', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/order-events',
      'NetworkPolicy/order-events',
      'PodDisruptionBudget/order-events',
      'ServiceAccount/order-events',
    ]);
    expect(findAll(manifests, 'Service')).toEqual([]);
  });

  test('pins the documented defaults: 2 replicas, component worker, metrics port 8080 serving the probes', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.metadata.labels['app.kubernetes.io/component']).toBe('worker');
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'metrics', protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 8080, scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics',
    });
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(find(manifests, 'NetworkPolicy', 'order-events').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'order-events', 'app.kubernetes.io/name': 'order-events' } },
      policyTypes: ['Ingress'],
    });
  });

  test('is hardened like GoMicroservice and passes the gate', () => {
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(deployment.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('a health port takes the probes; allowFrom admits the metrics port by default', () => {
    const out = render({ metricsPort: 9102, healthPort: 8086 }, (w) => {
      w.allowFrom(NetworkPeer.pods({ app: 'prometheus' }, 'monitoring'));
      w.allowFromNamespace('monitoring', { ports: ['metrics', 'health'] });
    });
    const c = find(out, 'Deployment', 'order-events').spec.template.spec.containers[0];
    expect(c.ports.map((p: Manifest) => [p.name, p.containerPort])).toEqual([['metrics', 9102], ['health', 8086]]);
    expect(c.readinessProbe.httpGet.port).toBe(8086);
    const ingress = find(out, 'NetworkPolicy', 'order-events').spec.ingress;
    expect(ingress[0].ports).toEqual([{ port: 9102, protocol: 'TCP' }]);
    expect(ingress[1].ports).toEqual([{ port: 9102, protocol: 'TCP' }, { port: 8086, protocol: 'TCP' }]);
  });

  test('shares the pod props and scales on custom metrics', () => {
    const out = render({
      autoscaling: {
        minReplicas: 2,
        maxReplicas: 30,
        metrics: [
          ScalingMetric.external({ metric: 'kafka_consumergroup_lag', selector: { topic: 'orders' }, target: '100' }),
          ScalingMetric.pods('messages_in_flight', '500m'),
          ScalingMetric.object({ metric: 'queue_depth', describedObject: { apiVersion: 'v1', kind: 'Service', name: 'rabbitmq' }, target: '1k', targetType: MetricTargetType.VALUE }),
        ],
      },
      volumes: [PodVolume.emptyDir({ name: 'spool', mountPath: '/var/spool/events', sizeLimit: '2Gi' })],
    });
    const hpa = find(out, 'HorizontalPodAutoscaler', 'order-events');
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'External', external: { metric: { name: 'kafka_consumergroup_lag', selector: { matchLabels: { topic: 'orders' } } }, target: { type: 'AverageValue', averageValue: '100' } } },
      { type: 'Pods', pods: { metric: { name: 'messages_in_flight' }, target: { type: 'AverageValue', averageValue: '500m' } } },
      { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'rabbitmq' }, metric: { name: 'queue_depth' }, target: { type: 'Value', value: '1k' } } },
    ]);
    expect(find(out, 'Deployment', 'order-events').spec.replicas).toBeUndefined();
    expect(out).toPassPolicies();
  });

  test('a GoMicroservice scales on requests per second from the Prometheus Adapter', () => {
    const chart = shopChart();
    new GoMicroservice(chart, 'orders', { image: IMAGE, autoscaling: { metrics: [ScalingMetric.pods('http_requests_per_second', '50')] } });
    const hpa = find(synth(chart), 'HorizontalPodAutoscaler', 'orders');
    expect(hpa.spec.metrics[1]).toEqual({ type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } } });
  });

  test('one replica: no disruption budget, no spread', () => {
    const out = render({ replicas: 1 });
    expect(findAll(out, 'PodDisruptionBudget')).toEqual([]);
    expect(find(out, 'Deployment', 'order-events').spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('is a network peer', () => {
    const chart = shopChart();
    const worker = new GoWorker(chart, 'order-events', { image: IMAGE });
    const orders = new GoMicroservice(chart, 'orders', { image: IMAGE });
    orders.allowFrom(worker);
    expect(find(synth(chart), 'NetworkPolicy', 'orders').spec.ingress[0].from[0].podSelector.matchLabels).toEqual(worker.selectorLabels);
  });
});

test('GoWorker: every prop at once', () => {
  // GIVEN every prop (a new prop fails to compile here until covered)
  const chart = shopChart();
  const all: Required<Omit<GoWorkerProps, 'replicas' | 'keda'>> = {
    image: IMAGE,
    name: 'events',
    metricsPort: 9102,
    metricsPath: '/m',
    healthPort: 8086,
    probes: { readiness: Probe.http('/ready'), liveness: Probe.http('/live'), startup: Probe.http('/start') },
    resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    config: { LOG_LEVEL: 'warn' },
    secretEnv: { DATABASE_URL: { secretName: 'db', key: 'url' }, KAFKA_PASSWORD: ExternalSecretSource.vaultKv({ store: { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' }, path: 'shop/test/kafka', property: 'password' }) },
    secretEnvFrom: ['extra'],
    externalSecrets: { refreshInterval: Duration.minutes(30) },
    goRuntime: { setMemoryLimit: true, memoryLimitRatio: 0.8, setMaxProcs: true },
    shutdown: { delay: Duration.seconds(0), drainTimeout: Duration.seconds(40), terminationGracePeriod: Duration.seconds(45) },
    command: ['/orders', 'consume'],
    args: ['--batch=100'],
    namespace: 'commerce',
    instance: 'events-blue',
    component: 'consumer',
    partOf: 'shop',
    autoscaling: { minReplicas: 2, maxReplicas: 6, metrics: [ScalingMetric.external({ metric: 'lag', target: '10' })] },
    disruptionBudget: { maxUnavailable: 1 },
    topologySpread: false,
    prometheusScrape: false,
    serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'events-identity'),
    nodeSelector: { pool: 'workers' },
    tolerations: [],
    affinity: {},
    priorityClassName: 'batch',
    imagePullSecrets: ['registry'],
    configFiles: { mountPath: '/etc/events', files: { 'events.yaml': 'batch: 100\n' } },
    secretFiles: [{ secretName: 'kafka-tls', mountPath: '/var/run/secrets/kafka' }],
    volumes: [PodVolume.emptyDir({ name: 'spool', mountPath: '/spool' })],
    initContainers: [],
    sidecars: [],
    downwardApiEnv: false,
  };
  // WHEN
  new GoWorker(chart, 'order-events', all);
  const out = synth(chart);
  // THEN
  const d = find(out, 'Deployment', 'events');
  const c = d.spec.template.spec.containers[0];
  expect(d.metadata.namespace).toBe('commerce');
  expect(c.command).toEqual(['/orders', 'consume']);
  expect(c.args).toEqual(['--batch=100']);
  expect(c.ports.map((p: Manifest) => [p.name, p.containerPort])).toEqual([['metrics', 9102], ['health', 8086]]);
  expect(d.spec.template.metadata.annotations).toBeUndefined();
  expect(d.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  expect(d.spec.template.spec.serviceAccountName).toBe('events-identity');
  expect(c.env.map((e: Manifest) => e.name)).not.toContain('POD_NAME');
  expect(find(out, 'HorizontalPodAutoscaler', 'events').spec.metrics).toHaveLength(2);
  expect(find(out, 'ExternalSecret').spec).toMatchObject({ refreshInterval: '30m', data: [{ secretKey: 'KAFKA_PASSWORD', remoteRef: { key: 'shop/test/kafka', property: 'password' } }] });
  expect(out).toMatchSnapshot();
});

describe('GoWorker validation', () => {
  const P = '[test/order-events]';
  const build = (props: Partial<GoWorkerProps>) => () => new GoWorker(shopChart(), 'order-events', { image: IMAGE, ...props });
  test.each<[string, Partial<GoWorkerProps>, string]>([
    ['a gRPC port', { grpcPort: 9090 } as never, `${P} grpcPort (9090) has no use on a worker, which serves no API: remove it`],
    ['a bad metrics port', { metricsPort: 0 }, `${P} metricsPort (0) must be an integer from 1 to 65535`],
    ['a health port equal to the metrics port', { healthPort: 8080 }, `${P} healthPort (8080) collides with metricsPort: each container port must be distinct`],
    ['replicas with autoscaling', { replicas: 3, autoscaling: {} }, `${P} replicas (3) cannot be combined with autoscaling: set autoscaling.minReplicas and maxReplicas instead`],
    ['a budget with one replica', { replicas: 1, disruptionBudget: { maxUnavailable: 1 } }, `${P} disruptionBudget is set but the worker runs 1 pod: a budget needs at least 2 replicas (or autoscaling.minReplicas >= 2)`],
    ['a probe on an undeclared port', { probes: { readiness: Probe.http('/ready', { port: 9999 }) } }, `${P} probes.readiness.port (9999) is not a container port of this service: use one of 8080`],
    ['a custom metric with a bad name', { autoscaling: { metrics: [ScalingMetric.pods('1bad', '1')] } },
      `${P} autoscaling.metrics[0].metric ("1bad") must be a metric name: letters, digits, '_', ':', '.', '/' and '-', not starting with a digit`],
    ['a custom metric with a bad target', { autoscaling: { metrics: [ScalingMetric.pods('lag', 'lots')] } },
      `${P} autoscaling.metrics[0].target ("lots") must be a positive quantity such as '100' or '500m'`],
    ['a custom metric with a zero target', { autoscaling: { metrics: [ScalingMetric.external({ metric: 'lag', target: '0' })] } },
      `${P} autoscaling.metrics[0].target ("0") must be a positive quantity such as '100' or '500m'`],
    ['an object metric without a kind', { autoscaling: { metrics: [ScalingMetric.object({ metric: 'depth', target: '1', describedObject: { apiVersion: 'v1', kind: '', name: 'q' } })] } },
      `${P} autoscaling.metrics[0].describedObject ({"apiVersion":"v1","kind":"","name":"q"}) must name an object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: '<name>' }`],
    ['a metric selector with a bad key', { autoscaling: { metrics: [ScalingMetric.pods('lag', '1', { selector: { 'bad key': 'x' } })] } },
      `${P} autoscaling.metrics[0].selector ("bad key") must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`],
    ['the same metric twice', { autoscaling: { metrics: [ScalingMetric.pods('lag', '1'), ScalingMetric.pods('lag', '2')] } },
      `${P} autoscaling.metrics[1] ("Pods lag") collides with autoscaling.metrics[0]: each custom metric must be distinct`],
  ])('throws on %s', (_name, props, message) => {
    expectExactError(build(props), message);
  });

  test('throws when allowFrom names a port the worker lacks', () => {
    expectExactError(() => render({}, (w) => w.allowFrom(NetworkPeer.namespace('monitoring'), { ports: ['http'] })),
      `${P} allowFrom ports names "http", which this worker does not expose: use one of metrics`);
  });

  test('throws when allowFrom admits the worker itself', () => {
    expectExactError(() => render({}, (w) => w.allowFrom(w)),
      `${P} allowFrom peer ("test/order-events") is this worker itself: allowFrom admits other workloads, not the worker's own pods`);
  });

  test('throws when allowFrom gets no ports', () => {
    expectExactError(() => render({}, (w) => w.allowFrom(NetworkPeer.namespace('monitoring'), { ports: [] })),
      `${P} allowFrom ports ([]) is empty: name at least one of metrics, health`);
  });

  test('throws on a scale-down window out of range', () => {
    expectExactError(build({ autoscaling: { scaleDownStabilization: Duration.hours(2) } }),
      `${P} autoscaling.scaleDownStabilization (7200) must be an integer from 0 to 3600`);
  });
});
