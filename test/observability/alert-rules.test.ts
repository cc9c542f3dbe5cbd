import { defaultAlertRules, goServiceDashboard, METRIC_CONTRACT } from '../../lib';
import { ALERT_THRESHOLD_DEFAULTS } from '../../lib/observability/alert-rules';
import { GO_DASHBOARD_PANELS } from '../../lib/observability/dashboard';
import { promqlSyntaxError } from '../../lib/observability/promql';

describe('default alert rules', () => {
  const rules = defaultAlertRules(ALERT_THRESHOLD_DEFAULTS);

  test('every expression parses with the PromQL grammar', () => {
    // GIVEN the default rules  WHEN each expression is parsed  THEN none has a syntax error
    expect(rules.length).toBe(6);
    for (const r of rules) {
      expect([r.alert, promqlSyntaxError(r.expr)]).toEqual([r.alert, undefined]);
    }
  });

  test('the parser rejects broken PromQL', () => {
    expect(promqlSyntaxError('sum(rate(x[5m])')).toBeDefined();
    expect(promqlSyntaxError('rate(x[5m]) >')).toBeDefined();
    expect(promqlSyntaxError('')).toBe('the expression is empty');
  });

  test('cover 5xx ratio, p99 latency, restarts, crash loops, memory against limit and targets down', () => {
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(Object.keys(byName)).toEqual([
      'GoServiceHighErrorRate', 'GoServiceHighLatency', 'PodRestarting', 'PodCrashLooping', 'ContainerMemoryNearLimit', 'TargetDown',
    ]);
    expect(byName.GoServiceHighErrorRate.expr).toBe(
      'sum by (namespace, service, track) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m]))\n'
      + '  / sum by (namespace, service, track) (rate(http_server_request_duration_seconds_count[5m]))\n  > 0.05');
    expect(byName.GoServiceHighErrorRate.for).toBe('5m');
    expect(byName.GoServiceHighErrorRate.labels).toEqual({ severity: 'critical' });
    expect(byName.GoServiceHighLatency.expr).toBe(
      'histogram_quantile(0.99, sum by (namespace, service, track, le) (rate(http_server_request_duration_seconds_bucket[5m])))\n  > 0.5');
    expect(byName.PodRestarting.expr).toBe('increase(kube_pod_container_status_restarts_total[15m]) >= 3');
    expect(byName.PodCrashLooping.expr).toBe('max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1');
    expect(byName.ContainerMemoryNearLimit.expr).toContain('container_memory_working_set_bytes');
    expect(byName.ContainerMemoryNearLimit.expr).toContain('kube_pod_container_resource_limits{resource="memory"}');
    expect(byName.ContainerMemoryNearLimit.expr).toMatch(/> 0\.85$/);
    expect(byName.TargetDown.expr).toBe('up == 0');
    for (const r of rules) {
      expect(r.annotations.summary).toBeTruthy();
      expect(r.annotations.description).toBeTruthy();
    }
  });

  test('thresholds flow into the expressions', () => {
    const custom = defaultAlertRules({ ...ALERT_THRESHOLD_DEFAULTS, errorRatio: 0.01, latencyP99Seconds: 0.25, memoryLimitRatio: 0.9, rateWindow: '2m', for: '10m' });
    expect(custom[0].expr).toContain('[2m]');
    expect(custom[0].expr).toMatch(/> 0\.01$/);
    expect(custom[0].for).toBe('10m');
    expect(custom[1].expr).toMatch(/> 0\.25$/);
    expect(custom[4].expr).toMatch(/> 0\.9$/);
  });

  test('pin the documented defaults', () => {
    expect(ALERT_THRESHOLD_DEFAULTS).toEqual({
      errorRatio: 0.05, latencyP99Seconds: 0.5, restarts: 3, restartWindow: '15m', memoryLimitRatio: 0.85, rateWindow: '5m', for: '5m',
    });
  });

  test('name the metric contract', () => {
    expect(METRIC_CONTRACT.requestDuration).toBe('http_server_request_duration_seconds');
    expect(METRIC_CONTRACT.statusCodeLabel).toBe('http_response_status_code');
  });
});

describe('Go service dashboard', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const dashboard = goServiceDashboard() as any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const panels = dashboard.panels.filter((p: any) => p.type === 'timeseries');

  test('has the request, error, latency, runtime and resource panels', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(panels.map((p: any) => p.title)).toEqual([...GO_DASHBOARD_PANELS]);
    expect(dashboard.uid).toBe('go-services');
    expect(dashboard.title).toBe('Go services');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(dashboard.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'namespace', 'service']);
  });

  test('every panel query is valid PromQL once Grafana variables are substituted', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const exprs: string[] = panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    expect(exprs.length).toBe(13);
    for (const e of exprs) {
      const substituted = e.replace(/\$__rate_interval/g, '5m').replace(/\$namespace/g, 'shop').replace(/\$service/g, 'orders');
      expect([e, promqlSyntaxError(substituted)]).toEqual([e, undefined]);
    }
  });

  test('reads goroutines, GC pauses, heap and limits from the contract', () => {
    const text = JSON.stringify(dashboard);
    for (const metric of ['go_goroutines', 'go_gc_duration_seconds', 'go_memstats_heap_alloc_bytes', 'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes', 'kube_pod_container_resource_limits', 'http_server_request_duration_seconds_bucket']) {
      expect(text).toContain(metric);
    }
    expect(panels.find((p: { title: string }) => p.title === 'Latency percentiles').targets.map((t: { legendFormat: string }) => t.legendFormat))
      .toEqual(['{{service}} p50', '{{service}} p90', '{{service}} p99']);
  });
});
