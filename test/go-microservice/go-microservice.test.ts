import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ExternalSecretSource,
  GoMicroservice,
  GoMicroserviceProps,
  KubernetesVersion,
  NetworkPeer,
  PodVolume,
  PreStop,
  Release,
  Probe,
  SecretStoreKind,
  setKubernetesVersion,
  TaintEffect,
  TrafficDistribution,
} from '../../lib';
import { kplus } from '../../lib/common/plus';
import { find, findAll, Manifest, shopChart, synth } from '../util';

const IMAGE = 'registry.example.com/orders:1.4.2';

function render(props: Partial<GoMicroserviceProps> = {}, configure?: (svc: GoMicroservice, chart: Construct) => void): Manifest[] {
  const chart = shopChart();
  const svc = new GoMicroservice(chart, 'orders', { image: IMAGE, ...props });
  configure?.(svc, chart);
  return synth(chart);
}

function podSpec(manifests: Manifest[]): Manifest {
  return find(manifests, 'Deployment', 'orders').spec.template.spec;
}

function container(manifests: Manifest[]): Manifest {
  return podSpec(manifests).containers[0];
}

function env(manifests: Manifest[]): Record<string, Manifest> {
  return Object.fromEntries((container(manifests).env ?? []).map((e: Manifest) => [e.name, e]));
}

describe('GoMicroservice defaults', () => {
  // GIVEN only an image
  const manifests = render();
  const deployment = find(manifests, 'Deployment', 'orders');

  test('creates exactly the documented objects', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/orders',
      'NetworkPolicy/orders',
      'PodDisruptionBudget/orders',
      'Service/orders',
      'ServiceAccount/orders',
    ]);
  });

  test('deployment: 3 replicas, surge 1, never unavailable, 5 revisions', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.revisionHistoryLimit).toBe(5);
    expect(deployment.metadata.namespace).toBe('shop');
  });

  test('container: named http port 8080 and documented resources', () => {
    const c = container(manifests);
    expect(c.name).toBe('orders');
    expect(c.image).toBe(IMAGE);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
  });

  test('probes: readiness /readyz, liveness /healthz with a generous budget, startup instead of an initial delay', () => {
    const c = container(manifests);
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/readyz', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1,
    });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6, successThreshold: 1,
    });
    expect(c.startupProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60, successThreshold: 1,
    });
  });

  test('Go runtime: GOMEMLIMIT at 90% of the memory limit, GOMAXPROCS from the CPU limit', () => {
    const e = env(manifests);
    expect(e.GOMEMLIMIT.value).toBe('460MiB'); // floor(512Mi * 0.9)
    expect(e.GOMAXPROCS.value).toBe('1'); // ceil(0.5 cores)
  });

  test('graceful shutdown: app-side drain timing in env, grace period covers it, no exec hook', () => {
    const e = env(manifests);
    expect(e.SHUTDOWN_DELAY.value).toBe('5s');
    expect(e.SHUTDOWN_DRAIN_TIMEOUT.value).toBe('20s');
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(30);
    expect(container(manifests).lifecycle).toBeUndefined();
  });

  test('security: restricted pod and container security context, own service account without token', () => {
    const spec = podSpec(manifests);
    expect(spec.serviceAccountName).toBe('orders');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(manifests).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 65532,
      runAsNonRoot: true,
      runAsUser: 65532,
    });
    expect(container(manifests).volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    const sa = find(manifests, 'ServiceAccount', 'orders');
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  test('service: ClusterIP port 80 to the named http port with appProtocol', () => {
    const service = find(manifests, 'Service', 'orders');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' });
  });

  test('disruption budget: maxUnavailable 1 and unhealthy pods always evictable', () => {
    const pdb = find(manifests, 'PodDisruptionBudget', 'orders');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('spreading: zones and nodes, ScheduleAnyway, per rollout revision', () => {
    const constraints = podSpec(manifests).topologySpreadConstraints;
    expect(constraints.map((c: Manifest) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const c of constraints) {
      expect(c).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', matchLabelKeys: ['pod-template-hash'] });
      expect(c.labelSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } });
    }
  });

  test('network policy: deny all ingress until peers are allowed, egress open', () => {
    const np = find(manifests, 'NetworkPolicy', 'orders');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress ?? []).toEqual([]);
  });

  test('prometheus: scrape annotations point at the metrics port and path', () => {
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
  });

  test('labels: recommended labels everywhere, selectors only name and instance', () => {
    const expected = {
      'app.kubernetes.io/name': 'orders',
      'app.kubernetes.io/instance': 'orders',
      'app.kubernetes.io/version': '1.4.2',
      'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
    };
    for (const m of manifests) {
      expect(m.metadata.labels).toEqual(expected);
    }
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject(expected);
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('GoMicroservice options', () => {
  test('autoscaling leaves replicas to the HPA and sizes the PDB on minReplicas', () => {
    // GIVEN autoscaling with a memory target
    const manifests = render({ autoscaling: { minReplicas: 3, maxReplicas: 12, targetMemoryUtilizationPercent: 80, scaleDownStabilization: Duration.minutes(10) } });
    // THEN
    expect(find(manifests, 'Deployment').spec.replicas).toBeUndefined();
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'orders');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(12);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(find(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('autoscaling defaults: 2 to 10 pods at 70% CPU, 5 minute scale-down stabilization', () => {
    const hpa = find(render({ autoscaling: {} }), 'HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(10);
    expect(hpa.spec.metrics).toHaveLength(1);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(70);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  test('a single replica gets no PDB and no spread constraints', () => {
    const manifests = render({ replicas: 1 });
    expect(findAll(manifests, 'PodDisruptionBudget')).toHaveLength(0);
    expect(podSpec(manifests).topologySpreadConstraints).toBeUndefined();
    expect(find(manifests, 'Deployment').spec.replicas).toBe(1);
  });

  test('autoscaling from one pod gets no PDB', () => {
    expect(findAll(render({ autoscaling: { minReplicas: 1, maxReplicas: 3 } }), 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('topologySpread false removes the constraints', () => {
    expect(podSpec(render({ topologySpread: false })).topologySpreadConstraints).toBeUndefined();
  });

  test('gRPC services get native gRPC probes and an h2c Service port', () => {
    const manifests = render({ grpcPort: 9090 });
    const c = container(manifests);
    expect(c.ports).toEqual([
      { containerPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 9090, name: 'grpc', protocol: 'TCP' },
    ]);
    expect(c.readinessProbe).toEqual({ grpc: { port: 9090 }, initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 });
    expect(c.livenessProbe.grpc).toEqual({ port: 9090 });
    expect(c.startupProbe).toEqual({ grpc: { port: 9090 }, initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60, successThreshold: 1 });
    expect(find(manifests, 'Service').spec.ports[1]).toEqual({ name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' });
  });

  test('probe paths, ports, services and timings are props; a dedicated health port is allowed', () => {
    const manifests = render({
      grpcPort: 9090,
      healthPort: 8086,
      probes: {
        readiness: Probe.grpc({ service: 'orders.v1.Orders', period: Duration.seconds(3) }),
        liveness: Probe.http('/livez', { failureThreshold: 10, timeout: Duration.seconds(5) }),
        startup: Probe.http('/startz', { port: 8080, failureThreshold: 30, period: Duration.seconds(5) }),
      },
    });
    const c = container(manifests);
    expect(c.readinessProbe.grpc).toEqual({ port: 8086, service: 'orders.v1.Orders' });
    expect(c.readinessProbe.periodSeconds).toBe(3);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 8086, scheme: 'HTTP' });
    expect(c.livenessProbe.failureThreshold).toBe(10);
    expect(c.livenessProbe.timeoutSeconds).toBe(5);
    expect(c.startupProbe.httpGet).toEqual({ path: '/startz', port: 8080, scheme: 'HTTP' });
    expect(c.startupProbe.failureThreshold).toBe(30);
    expect(c.ports).toContainEqual({ containerPort: 8086, name: 'health', protocol: 'TCP' });
  });

  test('a separate metrics port is named, annotated and exposed on the Service', () => {
    const manifests = render({ metricsPort: 9102, metricsPath: '/internal/metrics' });
    expect(container(manifests).ports).toContainEqual({ containerPort: 9102, name: 'metrics', protocol: 'TCP' });
    expect(find(manifests, 'Deployment').spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102', 'prometheus.io/path': '/internal/metrics',
    });
    expect(find(manifests, 'Service').spec.ports).toContainEqual({ name: 'metrics', port: 9102, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' });
  });

  test('prometheusScrape false drops the annotations', () => {
    expect(find(render({ prometheusScrape: false }), 'Deployment').spec.template.metadata.annotations).toBeUndefined();
  });

  test('Go runtime tuning follows the limits and can be switched off', () => {
    const tuned = env(render({ resources: { limits: { cpu: '1500m', memory: '1Gi' } }, goRuntime: { memoryLimitRatio: 0.8 } }));
    expect(tuned.GOMEMLIMIT.value).toBe('819MiB');
    expect(tuned.GOMAXPROCS.value).toBe('2');
    const off = env(render({ goRuntime: { setMemoryLimit: false, setMaxProcs: false } }));
    expect(off.GOMEMLIMIT).toBeUndefined();
    expect(off.GOMAXPROCS).toBeUndefined();
  });

  test('config becomes an immutable, content-hashed ConfigMap injected with envFrom', () => {
    const a = render({ config: { LOG_LEVEL: 'info', FEATURE_X: 'on' } });
    const b = render({ config: { LOG_LEVEL: 'debug', FEATURE_X: 'on' } });
    const reordered = render({ config: { FEATURE_X: 'on', LOG_LEVEL: 'info' } });
    const cm = find(a, 'ConfigMap');
    expect(cm.metadata.name).toMatch(/^orders-config-[0-9a-f]{10}$/);
    expect(cm.data).toEqual({ LOG_LEVEL: 'info', FEATURE_X: 'on' });
    expect(cm.immutable).toBe(true);
    expect(container(a).envFrom).toEqual([{ configMapRef: { name: cm.metadata.name } }]);
    // a change of content rolls the pods: the pod template references a new name
    expect(find(b, 'ConfigMap').metadata.name).not.toBe(cm.metadata.name);
    expect(find(reordered, 'ConfigMap').metadata.name).toBe(cm.metadata.name);
  });

  test('secrets are only referenced, never written', () => {
    const manifests = render({
      secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' }, API_TOKEN: { secretName: 'orders-api', key: 'token', optional: true } },
      secretEnvFrom: ['orders-extra'],
    });
    expect(findAll(manifests, 'Secret')).toHaveLength(0);
    const e = env(manifests);
    expect(e.DATABASE_URL).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'url', optional: false } } });
    expect(e.API_TOKEN.valueFrom.secretKeyRef).toEqual({ name: 'orders-api', key: 'token', optional: true });
    expect(container(manifests).envFrom).toEqual([{ secretRef: { name: 'orders-extra' } }]);
    // referenced, not created: declared external for the policy gate
    expect(find(manifests, 'Deployment').metadata.annotations).toEqual({
      'policy.cdk8s-go-platform.io/external': 'Secret/orders-api Secret/orders-db Secret/orders-extra',
    });
  });

  test('shutdown: an HTTP pre-stop hook does the waiting instead of the app', () => {
    const http = render({ shutdown: { preStop: PreStop.httpGet('/drain'), terminationGracePeriod: Duration.seconds(60), drainTimeout: Duration.seconds(50) } });
    expect(container(http).lifecycle).toEqual({ preStop: { httpGet: { path: '/drain', port: 8080, scheme: 'HTTP' } } });
    expect(podSpec(http).terminationGracePeriodSeconds).toBe(60);
    expect(env(http).SHUTDOWN_DRAIN_TIMEOUT.value).toBe('50s');
    // the hook handler waits SHUTDOWN_DELAY
    expect(env(http).SHUTDOWN_DELAY.value).toBe('5s');
  });

  test('allowFrom admits another service on the API ports, across namespaces by name', () => {
    // GIVEN users in another chart namespace
    const manifests = render({ grpcPort: 9090 }, (orders, chart) => {
      const users = new GoMicroservice(chart, 'users', { image: 'registry.example.com/users:2.0.1', namespace: 'storefront' });
      orders.allowFrom(users);
      orders.allowFrom(users, { ports: ['metrics'] });
    });
    const np = find(manifests, 'NetworkPolicy', 'orders');
    expect(np.spec.ingress).toEqual([
      {
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'users', 'app.kubernetes.io/instance': 'users' } },
        }],
        ports: [{ port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }],
      },
      {
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'users', 'app.kubernetes.io/instance': 'users' } },
        }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  test('allowFrom admits cdk8s-plus workloads, labelled pods and IP blocks, each in its namespace', () => {
    // GIVEN a hand-written cdk8s-plus Deployment in the chart's namespace, pods in another, and an IP block
    let batch: kplus.Deployment | undefined;
    const manifests = render({}, (orders, chart) => {
      batch = new kplus.Deployment(chart, 'batch', { containers: [{ image: 'registry.example.com/batch:1.0.0' }] });
      orders.allowFrom(batch);
      orders.allowFrom(NetworkPeer.pods({ app: 'reports' }, 'analytics'));
      orders.allowFrom(NetworkPeer.ipBlock('10.20.0.0/16', ['10.20.1.0/24']));
    });
    const rules = find(manifests, 'NetworkPolicy', 'orders').spec.ingress;
    const batchAddress = find(manifests, 'Deployment', batch!.name).spec.selector.matchLabels;
    expect(batchAddress).toEqual(batch!.matchLabels);
    expect(rules).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: batchAddress } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'analytics' } }, podSelector: { matchLabels: { app: 'reports' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      { from: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.1.0/24'] } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('allowFromNamespace admits a whole namespace on chosen ports', () => {
    const manifests = render({ metricsPort: 9102 }, (orders) => {
      orders.allowFromNamespace('monitoring', { ports: ['metrics'] });
      orders.allowFromNamespace('monitoring', { ports: ['http'] });
    });
    const np = find(manifests, 'NetworkPolicy', 'orders');
    expect(np.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 9102, protocol: 'TCP' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('addEnvironment adds wiring variables', () => {
    const manifests = render({}, (orders) => {
      orders.addEnvironment('OTEL_SERVICE_NAME', kplus.EnvValue.fromValue('orders'));
    });
    expect(env(manifests).OTEL_SERVICE_NAME.value).toBe('orders');
  });

  test('escape hatches: typed fields and the Deployment as default child', () => {
    const chart = shopChart();
    const orders = new GoMicroservice(chart, 'orders', { image: IMAGE, config: { A: 'b' }, autoscaling: {} });
    expect(orders.deployment).toBeInstanceOf(kplus.Deployment);
    expect(orders.service).toBeInstanceOf(kplus.Service);
    expect(orders.configMap).toBeInstanceOf(kplus.ConfigMap);
    expect(orders.autoscaler).toBeInstanceOf(kplus.HorizontalPodAutoscaler);
    expect(orders.disruptionBudget).toBeDefined();
    expect(orders.networkPolicy).toBeInstanceOf(kplus.NetworkPolicy);
    ApiObject.of(orders).addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'critical'));
    expect(find(synth(chart), 'Deployment').spec.template.spec.priorityClassName).toBe('critical');
  });

  test('an existing service account can be brought', () => {
    const manifests = render({}, () => undefined);
    expect(findAll(manifests, 'ServiceAccount')).toHaveLength(1);
    const chart = shopChart();
    new GoMicroservice(chart, 'orders', { image: IMAGE, serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'Existing', 'shared-identity') });
    const out = synth(chart);
    expect(findAll(out, 'ServiceAccount')).toHaveLength(0);
    expect(podSpec(out).serviceAccountName).toBe('shared-identity');
  });

  test('every prop at once', () => {
    // GIVEN every prop (the type makes a new prop fail to compile here until covered), on a target that has them all
    const chart = shopChart();
    setKubernetesVersion(chart, KubernetesVersion.V1_34);
    const all: Required<Omit<GoMicroserviceProps, 'replicas' | 'keda'>> = {
      image: 'registry.example.com/orders@sha256:' + 'a'.repeat(64),
      name: 'orders-api',
      namespace: 'commerce',
      instance: 'orders-blue',
      component: 'api',
      partOf: 'shop',
      httpPort: 8081,
      grpcPort: 9091,
      metricsPort: 9102,
      metricsPath: '/m',
      healthPort: 8086,
      probes: { readiness: Probe.http('/ready'), liveness: Probe.http('/live'), startup: Probe.http('/start') },
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '2', memory: '2Gi' } },
      config: { LOG_LEVEL: 'warn' },
      secretEnv: { DATABASE_URL: { secretName: 'db', key: 'url' }, CACHE_PASSWORD: ExternalSecretSource.vaultKv({ store: { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' }, path: 'shop/test/cache', property: 'password' }) },
      secretEnvFrom: ['extra'],
      externalSecrets: { refreshInterval: Duration.minutes(15) },
      goRuntime: { setMemoryLimit: true, memoryLimitRatio: 0.75, setMaxProcs: true },
      shutdown: { preStop: PreStop.app(), delay: Duration.seconds(3), drainTimeout: Duration.seconds(10), terminationGracePeriod: Duration.seconds(20) },
      autoscaling: { minReplicas: 4, maxReplicas: 8, targetCpuUtilizationPercent: 60, targetMemoryUtilizationPercent: 75, scaleDownStabilization: Duration.minutes(2) },
      disruptionBudget: { maxUnavailable: 2 },
      topologySpread: true,
      servicePort: 8000,
      prometheusScrape: true,
      trafficDistribution: TrafficDistribution.PREFER_CLOSE,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'orders-identity'),
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'dedicated', value: 'shop', effect: TaintEffect.NO_SCHEDULE }],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['fast'] }] } }] } },
      priorityClassName: 'shop-critical',
      imagePullSecrets: ['registry-credentials'],
      configFiles: { mountPath: '/etc/orders', files: { 'config.yaml': 'level: warn\n' } },
      secretFiles: [{ secretName: 'orders-tls', mountPath: '/var/run/secrets/tls' }],
      volumes: [PodVolume.emptyDir({ name: 'cache', mountPath: '/var/cache/orders' })],
      initContainers: [{ name: 'wait', image: 'registry.example.com/wait:1.0.0', args: ['db:5432'] }],
      sidecars: [{ name: 'proxy', image: 'registry.example.com/proxy:2.0.0', ports: [{ name: 'proxy-health', number: 9801 }], probes: { readiness: Probe.http('/ready', { port: 9801 }), liveness: Probe.http('/live', { port: 9801 }) } }],
      downwardApiEnv: true,
      migrations: { command: ['/orders', 'migrate', 'up'] },
      release: Release.canary({ image: 'registry.example.com/orders:1.5.0', weight: 25, header: { name: 'x-canary' } }),
    };
    // WHEN
    new GoMicroservice(chart, 'orders', all);
    const manifests = synth(chart);
    // THEN
    const d = find(manifests, 'Deployment', 'orders-api');
    expect(d.metadata.namespace).toBe('commerce');
    expect(d.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'orders-api',
      'app.kubernetes.io/instance': 'orders-blue',
      'app.kubernetes.io/version': 'aaaaaaaaaaaa',
      'app.kubernetes.io/component': 'api',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
    });
    const c = d.spec.template.spec.containers[0];
    expect(c.ports.map((p: Manifest) => p.containerPort)).toEqual([8081, 9091, 9102, 8086]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 8086, scheme: 'HTTP' });
    expect(Object.fromEntries(c.env.filter((e: Manifest) => e.value).map((e: Manifest) => [e.name, e.value]))).toEqual({
      GOMEMLIMIT: '1536MiB', GOMAXPROCS: '2', SHUTDOWN_DELAY: '3s', SHUTDOWN_DRAIN_TIMEOUT: '10s',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8s.node.name=$(NODE_NAME),'
        + 'k8s.deployment.name=orders-api,k8s.container.name=orders-api,service.version=aaaaaaaaaaaa',
    });
    // 1.34 target: the sidecar is native, between the migration wait and the user's init container
    expect(d.spec.template.spec.containers.map((x: Manifest) => x.name)).toEqual(['orders-api']);
    expect(d.spec.template.spec.initContainers.map((x: Manifest) => [x.name, x.restartPolicy])).toEqual([
      ['wait-for-migration', undefined], ['proxy', 'Always'], ['wait', undefined],
    ]);
    expect(d.spec.template.spec.priorityClassName).toBe('shop-critical');
    expect(find(manifests, 'Service', 'orders-api').spec.ports.map((p: Manifest) => p.port)).toEqual([8000, 9091, 9102]);
    expect(find(manifests, 'Service', 'orders-api').spec.trafficDistribution).toBe('PreferClose');
    expect(find(manifests, 'PodDisruptionBudget', 'orders-api').spec.maxUnavailable).toBe(2);
    expect(find(manifests, 'HorizontalPodAutoscaler', 'orders-api').spec.minReplicas).toBe(4);
    expect(d.spec.template.spec.serviceAccountName).toBe('orders-identity');
    expect(findAll(manifests, 'ExternalSecret').map((e) => [e.metadata.name.replace(/-[0-9a-f]{10}$/, ''), e.spec.refreshInterval])).toEqual([
      ['orders-api-external', '15m'], ['orders-api-migrate-external', '15m'],
    ]);
    expect(manifests).toMatchSnapshot();
  });

  test('synthesis is deterministic', () => {
    const once = () => Testing.synth(((): ReturnType<typeof shopChart> => {
      const chart = shopChart();
      new GoMicroservice(chart, 'orders', { image: IMAGE, grpcPort: 9090, config: { B: '2', A: '1' }, autoscaling: {} });
      return chart;
    })());
    expect(JSON.stringify(once())).toBe(JSON.stringify(once()));
  });
});
