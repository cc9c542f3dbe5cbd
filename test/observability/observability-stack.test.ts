import { Testing } from 'cdk8s';
import { AlertReceiver, AlertSeverity, ObservabilityMode, Storage } from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { find, findAll, Manifest, SERVICE_MONITOR_TRACK_RELABELINGS } from '../util';
import { configFile, fixture, synthAll } from './helpers';

expect.extend(policyMatchers);

function env(container: Manifest): Record<string, Manifest> {
  return Object.fromEntries((container.env ?? []).map((e: Manifest) => [e.name, e]));
}

describe('ObservabilityStack, self-contained (the default)', () => {
  // GIVEN a shop with orders (HTTP + gRPC) and payments (separate metrics port)
  const f = fixture({
    alertRules: [{ alert: 'OrdersBacklog', expr: 'sum(orders_queue_depth) > 100', severity: AlertSeverity.CRITICAL, summary: 'backlog' }],
    alertmanager: {
      receivers: [AlertReceiver.none('null'), AlertReceiver.slack('team', { channel: '#alerts', apiUrl: { secretName: 'slack', key: 'url' } })],
      route: { receiver: 'null', routes: [{ receiver: 'team', matchers: ['severity="critical"'] }] },
    },
  });
  // WHEN both are monitored
  f.stack.monitor(f.orders);
  f.stack.monitor(f.payments);
  const { shop, obs } = synthAll(f);

  test('is self-contained', () => {
    expect(f.stack.mode).toBe(ObservabilityMode.SELF_CONTAINED);
    expect(f.stack.monitoredServices).toEqual(['shop/orders', 'shop/payments']);
  });

  test('creates a restricted namespace and a separate, labelled namespace for the log agent', () => {
    const ns = find(obs, 'Namespace', 'observability');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const logs = find(obs, 'Namespace', 'observability-logs');
    expect(logs.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(logs.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(logs.metadata.annotations['observability.cdk8s-go-platform.io/pod-security-exception']).toContain('/var/log/pods');
    // Namespaces are applied first.
    expect(obs[0].kind).toBe('Namespace');
    const agent = find(obs, 'DaemonSet', 'log-agent');
    expect(agent.metadata.namespace).toBe('observability-logs');
    expect(agent.spec.template.spec.volumes.find((v: Manifest) => v.hostPath)).toEqual({ name: 'pod-logs', hostPath: { path: '/var/log/pods', type: 'Directory' } });
  });

  test('gives Prometheus least-privilege RBAC for discovery', () => {
    const role = find(obs, 'ClusterRole', 'observability-prometheus');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([
      { apiGroups: [''], resourceNames: [], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resourceNames: [], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resourceNames: [], resources: ['nodes/metrics'], verbs: ['get'] },
    ]);
    const binding = find(obs, 'ClusterRoleBinding', 'observability-prometheus');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'observability-prometheus' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'prometheus', namespace: 'observability' }]);
    expect(find(obs, 'ClusterRole', 'observability-kube-state-metrics').rules).toEqual([
      { apiGroups: [''], resourceNames: [], resources: ['pods'], verbs: ['list', 'watch'] },
    ]);
  });

  test('scrapes pods by the prometheus.io annotations GoMicroservice writes', () => {
    const config = configFile(obs, 'prometheus-config-', 'prometheus.yml');
    expect(config.global).toEqual({ scrape_interval: '30s', evaluation_interval: '30s' });
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yaml']);
    expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager.observability.svc:9093']);
    const pods = config.scrape_configs.find((j: Manifest) => j.job_name === 'kubernetes-pods');
    expect(pods.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(pods.relabel_configs).toEqual(expect.arrayContaining([
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
        action: 'replace', regex: '(.+?)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__',
      },
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'replace', target_label: 'service' },
      // the release track of a service with a canary or blue-green release, as `track`
      { source_labels: ['__meta_kubernetes_pod_label_release_cdk8s_go_platform_io_track'], action: 'replace', target_label: 'track' },
    ]));
    expect(config.scrape_configs.map((j: Manifest) => j.job_name)).toEqual(['prometheus', 'kubernetes-pods', 'kubernetes-cadvisor', 'kube-state-metrics']);
    const ksm = config.scrape_configs.find((j: Manifest) => j.job_name === 'kube-state-metrics');
    expect(ksm).toEqual({ job_name: 'kube-state-metrics', honor_labels: true, static_configs: [{ targets: ['kube-state-metrics.observability.svc:8080'] }] });
    // The annotations the job reads are on the service pods.
    const orders = find(shop, 'Deployment', 'orders');
    expect(orders.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
  });

  test('loads the default and user alert rules from a ConfigMap', () => {
    const rules = configFile(obs, 'prometheus-rules-', 'alerts.yaml');
    expect(rules.groups.map((g: Manifest) => g.name)).toEqual(['go-platform.rules', 'custom.rules']);
    expect(rules.groups[0].rules.map((r: Manifest) => r.alert)).toEqual([
      'GoServiceHighErrorRate', 'GoServiceHighLatency', 'PodRestarting', 'PodCrashLooping', 'ContainerMemoryNearLimit', 'TargetDown',
    ]);
    expect(rules.groups[1].rules).toEqual([{
      alert: 'OrdersBacklog', expr: 'sum(orders_queue_depth) > 100', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'backlog' },
    }]);
    const prometheus = find(obs, 'Deployment', 'prometheus');
    const c = prometheus.spec.template.spec.containers[0];
    expect(c.image).toBe('prom/prometheus:v3.5.0');
    expect(c.args).toContain('--storage.tsdb.retention.time=15d');
    expect(c.volumeMounts.map((m: Manifest) => m.mountPath)).toEqual(['/etc/prometheus', '/etc/prometheus/rules', '/prometheus']);
    expect(find(obs, 'PersistentVolumeClaim', 'prometheus-data').spec.resources.requests.storage).toBe('20Gi');
  });

  test('configures Alertmanager routes and receivers with credentials read from a mounted Secret', () => {
    const config = configFile(obs, 'alertmanager-config-', 'alertmanager.yml');
    expect(config.route).toEqual({
      receiver: 'null', group_by: ['alertname', 'namespace', 'service'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h',
      routes: [{ receiver: 'team', matchers: ['severity="critical"'] }],
    });
    expect(config.receivers).toEqual([
      { name: 'null' },
      { name: 'team', slack_configs: [{ channel: '#alerts', api_url_file: '/etc/alertmanager/secrets/slack/url', send_resolved: true }] },
    ]);
    const am = find(obs, 'Deployment', 'alertmanager');
    expect(am.spec.template.spec.volumes).toContainEqual({ name: 'secret-0', secret: { secretName: 'slack' } });
    expect(am.spec.template.spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/etc/alertmanager/secrets/slack', name: 'secret-0', readOnly: true });
  });

  test('provisions Grafana data sources, the dashboard and admin credentials from a Secret', () => {
    const ds = configFile(obs, 'grafana-provisioning-', 'datasources.yaml');
    expect(ds.datasources.map((d: Manifest) => [d.name, d.type, d.uid, d.url])).toEqual([
      ['Prometheus', 'prometheus', 'prometheus', 'http://prometheus.observability.svc:9090'],
      ['Loki', 'loki', 'loki', 'http://loki.observability.svc:3100'],
      ['Tempo', 'tempo', 'tempo', 'http://tempo.observability.svc:3200'],
    ]);
    const providers = configFile(obs, 'grafana-provisioning-', 'dashboards.yaml');
    expect(providers.providers[0].options).toEqual({ path: '/var/lib/grafana-dashboards' });
    const dashboards = findAll(obs, 'ConfigMap').find((m) => m.metadata.name.startsWith('grafana-dashboards-'))!;
    const dashboard = JSON.parse(dashboards.data['go-services.json']);
    expect(dashboard.panels.filter((p: Manifest) => p.type === 'timeseries').map((p: Manifest) => p.title)).toEqual([
      'Request rate', 'Error ratio (5xx)', 'Latency percentiles', 'Goroutines', 'GC pause duration', 'Heap in use', 'CPU against limit', 'Memory against limit',
    ]);
    const grafana = find(obs, 'Deployment', 'grafana').spec.template.spec.containers[0];
    expect(env(grafana).GF_SECURITY_ADMIN_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'grafana-admin', key: 'admin-password' } });
    expect(env(grafana).GF_SECURITY_ADMIN_USER.valueFrom).toEqual({ secretKeyRef: { name: 'grafana-admin', key: 'admin-user' } });
  });

  test('ships logs with the filelog receiver to Loki over OTLP and keeps JSON lines structured', () => {
    const agent = configFile(obs, 'log-agent-config-', 'config.yaml');
    expect(agent.receivers.filelog.include).toEqual(['/var/log/pods/*/*/*.log']);
    expect(agent.receivers.filelog.operators.map((o: Manifest) => o.type)).toEqual(['container', 'json_parser']);
    expect(agent.receivers.filelog.operators[1]).toMatchObject({ parse_from: 'body', parse_to: 'attributes' });
    expect(agent.exporters['otlphttp/loki']).toMatchObject({ endpoint: 'http://loki.observability.svc:3100/otlp' });
    const loki = configFile(obs, 'loki-config-', 'loki.yaml');
    expect(loki.limits_config).toEqual({ retention_period: '168h', allow_structured_metadata: true });
    expect(loki.schema_config.configs[0]).toMatchObject({ store: 'tsdb', schema: 'v13' });
  });

  test('receives OTLP over gRPC and HTTP and exports to Tempo', () => {
    const collector = configFile(obs, 'otel-collector-config-', 'config.yaml');
    expect(collector.receivers.otlp.protocols).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
    expect(collector.exporters['otlp/traces']).toEqual({ endpoint: 'tempo.observability.svc:4317', tls: { insecure: true } });
    expect(collector.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp/traces'] });
    expect(find(obs, 'Service', 'otel-collector').spec.ports.map((p: Manifest) => [p.name, p.port])).toEqual([['otlp-grpc', 4317], ['otlp-http', 4318]]);
  });

  test('limits the collector\'s memory: memory_limiter first in the pipeline, relative to a container memory limit', () => {
    const collector = configFile(obs, 'otel-collector-config-', 'config.yaml');
    // Checked every second; refuses data above 80% of the container limit and
    // forces a GC above 60% (80% minus the 20% spike allowance).
    expect(collector.processors.memory_limiter).toEqual({ check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 });
    expect(collector.processors.memory_limiter.spike_limit_percentage).toBeLessThan(collector.processors.memory_limiter.limit_percentage);
    expect(collector.service.pipelines.traces.processors[0]).toBe('memory_limiter');
    // Percentages are of the cgroup limit: without one they would be of the node's memory.
    const container = find(obs, 'Deployment', 'otel-collector').spec.template.spec.containers[0];
    expect(container.resources.limits.memory).toMatch(/^\d+Mi$/);
  });

  test('wires each monitored service: OTEL environment, Prometheus admitted on the metrics port, collector admits the service', () => {
    const orders = find(shop, 'Deployment', 'orders').spec.template.spec.containers[0];
    const e = env(orders);
    expect(e.OTEL_SERVICE_NAME.value).toBe('orders');
    expect(e.OTEL_EXPORTER_OTLP_ENDPOINT.value).toBe('http://otel-collector.observability.svc:4317');
    expect(e.K8S_POD_NAME.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(e.K8S_NAMESPACE_NAME.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    // The stack's attributes first; GoMicroservice completes the ones it left open.
    expect(e.OTEL_RESOURCE_ATTRIBUTES.value).toBe('k8s.pod.name=$(K8S_POD_NAME),k8s.namespace.name=$(K8S_NAMESPACE_NAME),service.namespace=shop,'
      + 'k8s.node.name=$(NODE_NAME),k8s.deployment.name=orders,k8s.container.name=orders,service.version=1.4.2');
    // Dependent variables come after the ones they reference.
    const names = orders.env.map((v: Manifest) => v.name);
    expect(names.indexOf('K8S_POD_NAME')).toBeLessThan(names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));

    const paymentsPolicy = find(shop, 'NetworkPolicy', 'payments');
    expect(paymentsPolicy.spec.ingress).toContainEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'observability', 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9102, protocol: 'TCP' }],
    });
    const collectorPolicy = find(obs, 'NetworkPolicy', 'otel-collector');
    expect(collectorPolicy.spec.ingress).toHaveLength(2);
    expect(collectorPolicy.spec.ingress[0].ports).toEqual([{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }]);
    expect(collectorPolicy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'orders' });
  });

  test('admits the stack components to each other only', () => {
    const am = find(obs, 'NetworkPolicy', 'alertmanager').spec.ingress;
    expect(am).toHaveLength(1);
    expect(am[0].from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('prometheus');
    expect(find(obs, 'NetworkPolicy', 'grafana').spec.ingress ?? []).toEqual([]);
    expect(find(obs, 'NetworkPolicy', 'loki').spec.ingress.map((r: Manifest) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['log-agent', 'grafana']);
  });

  test('pins every image and passes the policy gate (restricted everywhere but the log agent namespace)', () => {
    for (const m of obs.filter((o) => o.spec?.template?.spec)) {
      for (const c of m.spec.template.spec.containers) {
        expect(c.image).toMatch(/:[vV]?\d+\.\d+\.\d+$/);
        expect(c.resources.limits.memory).toBeDefined();
        expect(c.readinessProbe).toBeDefined();
        expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'] });
      }
    }
    expect([...shop, ...obs]).toPassPolicies();
  });

  test('matches the snapshot', () => {
    expect(obs).toMatchSnapshot();
  });
});

describe('ObservabilityStack, operator mode', () => {
  // GIVEN a stack for kube-prometheus-stack in namespace monitoring
  const f = fixture({ namespace: 'monitoring', operator: { releaseLabel: 'prom', otlpEndpoint: 'http://otel.monitoring.svc:4317' } });
  // WHEN both services are monitored
  f.stack.monitor(f.orders);
  f.stack.monitor(f.payments);
  const { shop, obs } = synthAll(f);

  test('deploys no Prometheus, Grafana or other workloads', () => {
    expect(f.stack.mode).toBe(ObservabilityMode.PROMETHEUS_OPERATOR);
    expect(obs.filter((m) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Namespace'].includes(m.kind))).toEqual([]);
    expect(obs.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'PrometheusRule', 'ServiceMonitor', 'ServiceMonitor']);
  });

  test('emits a ServiceMonitor per service, labelled for the release selector', () => {
    const orders = find(obs, 'ServiceMonitor', 'orders');
    expect(orders.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(orders.metadata.namespace).toBe('shop');
    expect(orders.metadata.labels.release).toBe('prom');
    expect(orders.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/name': 'orders' } },
      namespaceSelector: { matchNames: ['shop'] },
      endpoints: [{
        port: 'http',
        path: '/metrics',
        interval: '30s',
        // a release track's pods: the track as a label, the app's name as service
        relabelings: SERVICE_MONITOR_TRACK_RELABELINGS,
      }],
    });
    expect(find(obs, 'ServiceMonitor', 'payments').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', relabelings: expect.any(Array) }]);
    // The ports the monitors name exist on the Services.
    expect(find(shop, 'Service', 'payments').spec.ports.map((p: Manifest) => p.name)).toContain('metrics');
    expect(f.stack.serviceMonitor(f.orders)).toBeDefined();
  });

  test('carries the same alert rules in a PrometheusRule', () => {
    const rule = find(obs, 'PrometheusRule', 'go-platform-alerts');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.labels.release).toBe('prom');
    expect(rule.spec.groups).toEqual(f.stack.ruleGroups);
  });

  test('ships the dashboard as a ConfigMap for the Grafana sidecar', () => {
    const cm = find(obs, 'ConfigMap', 'go-services-dashboard');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(cm.data['go-services.json']).uid).toBe('go-services');
  });

  test('admits the operator namespace on the metrics port and sets the OTLP endpoint', () => {
    const policy = find(shop, 'NetworkPolicy', 'payments');
    expect(policy.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
      ports: [{ port: 9102, protocol: 'TCP' }],
    });
    expect(env(find(shop, 'Deployment', 'orders').spec.template.spec.containers[0]).OTEL_EXPORTER_OTLP_ENDPOINT.value).toBe('http://otel.monitoring.svc:4317');
  });

  test('passes the policy gate, including the CRD schemas', () => {
    expect([...shop, ...obs]).toPassPolicies();
  });

  test('matches the snapshot', () => {
    expect(obs).toMatchSnapshot();
  });

  test('without an OTLP endpoint turns the trace exporter off and defaults the release label', () => {
    const g = fixture({ namespace: 'monitoring', operator: {} });
    g.stack.monitor(g.orders);
    const manifests = Testing.synth(g.shop);
    const e = env(find(manifests, 'Deployment', 'orders').spec.template.spec.containers[0]);
    expect(e.OTEL_TRACES_EXPORTER.value).toBe('none');
    expect(e.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(find(Testing.synth(g.obs), 'ServiceMonitor', 'orders').metadata.labels.release).toBe('kube-prometheus-stack');
  });
});

describe('ObservabilityStack defaults and options', () => {
  test('pins the documented defaults', () => {
    const f = fixture();
    expect(f.stack.namespace).toBe('observability');
    expect(f.stack.prometheus!.retention).toBe('15d');
    expect(f.stack.prometheus!.scrapeInterval).toBe('30s');
    expect(f.stack.loki!.retention).toBe('168h');
    expect(f.stack.otlpEndpoint).toBe('http://otel-collector.observability.svc:4317');
    const obs = Testing.synth(f.obs);
    const images = obs.filter((m) => m.spec?.template).map((m) => [m.metadata.name, m.spec.template.spec.containers[0].image]);
    expect(images).toEqual(expect.arrayContaining([
      ['prometheus', 'prom/prometheus:v3.5.0'],
      ['alertmanager', 'prom/alertmanager:v0.28.1'],
      ['grafana', 'grafana/grafana:12.1.1'],
      ['loki', 'grafana/loki:3.5.3'],
      ['log-agent', 'otel/opentelemetry-collector-contrib:0.132.0'],
      ['otel-collector', 'otel/opentelemetry-collector-contrib:0.132.0'],
      ['tempo', 'grafana/tempo:2.8.2'],
      ['kube-state-metrics', 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0'],
    ]));
    expect(find(obs, 'PersistentVolumeClaim', 'loki-data').spec.resources.requests.storage).toBe('20Gi');
    expect(find(obs, 'PersistentVolumeClaim', 'tempo-data').spec.resources.requests.storage).toBe('10Gi');
    expect(configFile(obs, 'alertmanager-config-', 'alertmanager.yml').receivers).toEqual([{ name: 'null' }]);
  });

  test('takes storage, retention, images and resources as props', () => {
    const f = fixture({
      prometheus: {
        retention: '30d', scrapeInterval: '15s', image: 'prom/prometheus:v3.5.1',
        storage: Storage.persistentVolumeClaim({ size: '100Gi', storageClassName: 'fast' }),
        resources: { limits: { memory: '4Gi' } },
      },
      loki: { storage: Storage.emptyDir({ sizeLimit: '5Gi' }) },
    });
    const obs = Testing.synth(f.obs);
    const pvc = find(obs, 'PersistentVolumeClaim', 'prometheus-data');
    expect(pvc.spec.storageClassName).toBe('fast');
    expect(pvc.spec.resources.requests.storage).toBe('100Gi');
    const c = find(obs, 'Deployment', 'prometheus').spec.template.spec.containers[0];
    expect(c.image).toBe('prom/prometheus:v3.5.1');
    expect(c.args).toContain('--storage.tsdb.retention.time=30d');
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '4Gi' } });
    expect(find(obs, 'Deployment', 'loki').spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '5Gi' } });
    expect(findAll(obs, 'PersistentVolumeClaim').map((p) => p.metadata.name)).not.toContain('loki-data');
  });

  test('synthesizes byte-identical output twice', () => {
    const a = Testing.synth(fixture().obs);
    const b = Testing.synth(fixture().obs);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
