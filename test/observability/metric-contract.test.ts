import { readFileSync } from 'fs';
import { join } from 'path';
import { defaultAlertRules, goServiceDashboard } from '../../lib';
import {
  checkContract, dashboardUses, exportedFromExposition, exportedFromSeries, ruleUses, selectorUses, substituteVariables,
} from '../../scripts/observability/metric-contract';
import { podMetaLabels, withStaticTargets } from '../../scripts/observability/static-sd';

// What the example service (examples/orders) answers on /metrics, and the
// labels the stack's kubernetes-pods job adds when it scrapes it.
const EXPOSITION = readFileSync(join(__dirname, 'fixtures', 'orders-metrics.txt'), 'utf8');
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service'];
const VARS = { namespace: 'shop', service: '.+', __rate_interval: '1m' };
const elsewhere = (m: string) => (m.startsWith('kube_') ? 'kube-state-metrics' : m.startsWith('container_') ? 'cAdvisor' : undefined);

function uses(rules = defaultAlertRules()) {
  return [...ruleUses([{ name: 'go-platform.rules', rules: rules as unknown as Record<string, unknown>[] }]), ...dashboardUses(goServiceDashboard(), VARS)];
}

describe('metric contract check', () => {
  test('reads metric names and the labels each query matches on or groups by', () => {
    expect(selectorUses('sum by (namespace, service, le) (rate(x_bucket{code=~"5.."}[5m])) / on (namespace) max(up)', 'q')).toEqual([
      { query: 'q', metric: 'x_bucket', labels: ['code', 'le', 'namespace', 'service'] },
      { query: 'q', metric: 'up', labels: ['namespace'] },
    ]);
    expect(selectorUses('sum without (pod) ({__name__="y", a="b"})', 'q')).toEqual([{ query: 'q', metric: 'y', labels: ['a'] }]);
    expect(() => selectorUses('sum(', 'broken')).toThrow('broken: not valid PromQL');
  });

  test('substitutes Grafana variables and refuses unknown ones', () => {
    expect(substituteVariables('rate(x{ns="$namespace"}[$__rate_interval]) ${service}', VARS)).toBe('rate(x{ns="shop"}[1m]) .+');
    expect(() => substituteVariables('x{a="$nope"}', VARS)).toThrow('no value for the Grafana variable $nope');
  });

  test('the example service meets the contract of the built-in alerts and the dashboard', () => {
    // GIVEN what the service exports, WHEN checked against every built-in query
    const report = checkContract(uses(), exportedFromExposition(EXPOSITION, TARGET_LABELS), elsewhere);
    // THEN nothing is missing; the Kubernetes metrics are left to their sources
    expect(report.missing).toEqual([]);
    expect(report.checked).toEqual(expect.arrayContaining([
      'http_server_request_duration_seconds_count{http_response_status_code,namespace,service}',
      'http_server_request_duration_seconds_bucket{le,namespace,service}',
      'go_goroutines{namespace,pod,service}',
      'go_gc_duration_seconds{namespace,pod,quantile,service}',
      'go_memstats_heap_alloc_bytes{namespace,pod,service}',
      'up{}',
    ]));
    expect(report.elsewhere).toEqual([
      'container_cpu_usage_seconds_total (cAdvisor)',
      'container_memory_working_set_bytes (cAdvisor)',
      'kube_pod_container_resource_limits (kube-state-metrics)',
      'kube_pod_container_status_restarts_total (kube-state-metrics)',
      'kube_pod_container_status_waiting_reason (kube-state-metrics)',
    ]);
  });

  test('fails when the service renames a metric', () => {
    const renamed = EXPOSITION.replace(/http_server_request_duration_seconds/g, 'http_server_duration_seconds');
    const report = checkContract(uses(), exportedFromExposition(renamed, TARGET_LABELS), elsewhere);
    expect(report.missing).toEqual(expect.arrayContaining([
      'alert GoServiceHighErrorRate: metric http_server_request_duration_seconds_count is not exported',
      'alert GoServiceHighLatency: metric http_server_request_duration_seconds_bucket is not exported',
      'panel "Request rate" A: metric http_server_request_duration_seconds_count is not exported',
    ]));
  });

  test('fails when the service drops a label a rule groups by', () => {
    const dropped = EXPOSITION.replace(/,?http_response_status_code="\d+"/g, '');
    const report = checkContract(uses(), exportedFromExposition(dropped, TARGET_LABELS), elsewhere);
    expect(report.missing).toContain('alert GoServiceHighErrorRate: http_server_request_duration_seconds_count has no label http_response_status_code');
  });

  test('fails when a rule renames a metric', () => {
    const rules = defaultAlertRules().map((r) => (r.alert === 'GoServiceHighLatency' ? { ...r, expr: r.expr.replace('request_duration', 'latency') } : r));
    const report = checkContract(uses(rules), exportedFromExposition(EXPOSITION, TARGET_LABELS), elsewhere);
    expect(report.missing).toEqual(['alert GoServiceHighLatency: metric http_server_latency_seconds_bucket is not exported']);
  });

  test('reads the series answer of the Prometheus API', () => {
    const exported = exportedFromSeries([{ __name__: 'up', job: 'kubernetes-pods' }, { __name__: 'up', instance: 'a' }]);
    expect([...exported.get('up')!].sort()).toEqual(['instance', 'job']);
  });
});

describe('static targets in place of Kubernetes discovery', () => {
  const config = {
    scrape_configs: [
      { job_name: 'pods', kubernetes_sd_configs: [{ role: 'pod' }], relabel_configs: [{ action: 'keep' }] },
      { job_name: 'nodes', kubernetes_sd_configs: [{ role: 'node' }] },
      { job_name: 'static', static_configs: [{ targets: ['a:1'] }] },
    ],
  };
  const pod = { address: '10.0.0.10:8080', namespace: 'shop', name: 'orders-0', labels: { 'app.kubernetes.io/name': 'orders' }, annotations: { 'prometheus.io/port': '9090' } };

  test('sets the discovery meta labels of pods and nodes and keeps the relabeling', () => {
    const out = withStaticTargets(config, { pods: [pod], nodes: [{ address: '10.0.0.1:10250', name: 'node-1' }] });
    expect(out.scrape_configs[0]).toEqual({
      job_name: 'pods',
      relabel_configs: [{ action: 'keep' }],
      static_configs: [{ targets: ['10.0.0.10:8080'], labels: podMetaLabels(pod) }],
    });
    expect(podMetaLabels(pod)).toEqual({
      __meta_kubernetes_namespace: 'shop',
      __meta_kubernetes_pod_name: 'orders-0',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'orders',
      __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: 'true',
      __meta_kubernetes_pod_annotation_prometheus_io_port: '9090',
      __meta_kubernetes_pod_annotationpresent_prometheus_io_port: 'true',
    });
    expect(out.scrape_configs[1].static_configs).toEqual([{ targets: ['10.0.0.1:10250'], labels: { __meta_kubernetes_node_name: 'node-1' } }]);
    expect(out.scrape_configs[2]).toEqual(config.scrape_configs[2]);
    // The input is left as it was.
    expect(config.scrape_configs[0].kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
  });

  test('refuses a discovery role it has no static equivalent for', () => {
    expect(() => withStaticTargets({ scrape_configs: [{ job_name: 'svc', kubernetes_sd_configs: [{ role: 'endpoints' }] }] }, { pods: [], nodes: [] }))
      .toThrow('job svc: no static equivalent for kubernetes_sd_configs role endpoints');
  });
});
