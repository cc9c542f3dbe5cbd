import { IConstruct } from 'constructs';
import { requireDurationString } from '../common/duration-strings';
import { fail, show } from '../common/errors';
import { validatePromQL } from './promql';

/**
 * The metrics the default alerts and the dashboard read. A Go service meets
 * the contract by exporting OpenTelemetry HTTP server metrics through the
 * Prometheus exporter (`otelhttp` + `go.opentelemetry.io/otel/exporters/prometheus`)
 * and the client_golang Go and process collectors; the Kubernetes metrics come
 * from kube-state-metrics and the kubelet's cAdvisor.
 */
export const METRIC_CONTRACT = {
  /** Histogram of server request durations in seconds (OpenTelemetry `http.server.request.duration`). */
  requestDuration: 'http_server_request_duration_seconds',
  /** Label of `requestDuration` with the numeric HTTP status code. */
  statusCodeLabel: 'http_response_status_code',
  /** Goroutines (client_golang Go collector). */
  goroutines: 'go_goroutines',
  /** Summary of GC stop-the-world pauses (client_golang Go collector). */
  gcPauses: 'go_gc_duration_seconds',
  /** Bytes of allocated heap objects (client_golang Go collector). */
  heapAlloc: 'go_memstats_heap_alloc_bytes',
  /** Container restarts (kube-state-metrics). */
  restarts: 'kube_pod_container_status_restarts_total',
  /** Containers waiting, by reason (kube-state-metrics). */
  waitingReason: 'kube_pod_container_status_waiting_reason',
  /** Container limits, by resource (kube-state-metrics). */
  resourceLimits: 'kube_pod_container_resource_limits',
  /** Container working-set memory (cAdvisor). */
  memoryWorkingSet: 'container_memory_working_set_bytes',
  /** Container CPU time (cAdvisor). */
  cpuUsage: 'container_cpu_usage_seconds_total',
} as const;

/** How urgent an alert is; Alertmanager routes on the `severity` label. */
export enum AlertSeverity {
  /** Someone must act now. */
  CRITICAL = 'critical',
  /** Needs attention during working hours. */
  WARNING = 'warning',
  /** For dashboards and context only. */
  INFO = 'info',
}

/** An alerting rule of your own, added next to the default ones. */
export interface AlertRule {
  /** Alert name, e.g. `OrdersQueueBacklog`: letters, digits and `_`. */
  readonly alert: string;
  /** PromQL expression; validated with the PromQL grammar at synth time. */
  readonly expr: string;
  /**
   * How long the expression must hold before the alert fires, as a Prometheus duration.
   * @default '5m'
   */
  readonly for?: string;
  /**
   * `severity` label.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /**
   * One-line `summary` annotation.
   * @default - the alert name
   */
  readonly summary?: string;
  /**
   * `description` annotation.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Extra labels.
   * @default - only `severity`
   */
  readonly labels?: Record<string, string>;
}

/** Thresholds of the default alerts. Durations are Prometheus durations (`'5m'`). */
export interface AlertThresholds {
  /**
   * Share of HTTP requests answered with a 5xx status above which
   * `GoServiceHighErrorRate` fires; a ratio from 0 to 1.
   * @default 0.05
   */
  readonly errorRatio?: number;
  /**
   * 99th percentile request latency, in seconds, above which `GoServiceHighLatency` fires.
   * @default 0.5
   */
  readonly latencyP99Seconds?: number;
  /**
   * Restarts of one container within `restartWindow` that fire `PodRestarting`.
   * @default 3
   */
  readonly restarts?: number;
  /**
   * Window over which restarts are counted.
   * @default '15m'
   */
  readonly restartWindow?: string;
  /**
   * Share of the memory limit above which `ContainerMemoryNearLimit` fires; a ratio from 0 to 1.
   * @default 0.85
   */
  readonly memoryLimitRatio?: number;
  /**
   * Rate window of the HTTP alerts.
   * @default '5m'
   */
  readonly rateWindow?: string;
  /**
   * How long each default condition must hold before its alert fires.
   * @default '5m'
   */
  readonly for?: string;
}

/** An alerting rule as written to Prometheus rule files and PrometheusRule objects. */
export interface RenderedAlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A named group of rules. */
export interface RenderedRuleGroup {
  readonly name: string;
  readonly rules: RenderedAlertRule[];
}

/** The alert thresholds in effect, with every default filled in (`ObservabilityStack.thresholds`). */
export interface ResolvedThresholds {
  readonly errorRatio: number;
  readonly latencyP99Seconds: number;
  readonly restarts: number;
  readonly restartWindow: string;
  readonly memoryLimitRatio: number;
  readonly rateWindow: string;
  readonly for: string;
}

/** Defaults of `AlertThresholds`. */
export const ALERT_THRESHOLD_DEFAULTS: ResolvedThresholds = {
  errorRatio: 0.05,
  latencyP99Seconds: 0.5,
  restarts: 3,
  restartWindow: '15m',
  memoryLimitRatio: 0.85,
  rateWindow: '5m',
  for: '5m',
};

const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates thresholds and fills defaults. @internal */
export function resolveThresholds(scope: IConstruct, t: AlertThresholds = {}): ResolvedThresholds {
  const r: ResolvedThresholds = { ...ALERT_THRESHOLD_DEFAULTS, ...definedOnly(t) };
  ratio(scope, 'alertThresholds.errorRatio', r.errorRatio);
  ratio(scope, 'alertThresholds.memoryLimitRatio', r.memoryLimitRatio);
  if (typeof r.latencyP99Seconds !== 'number' || !Number.isFinite(r.latencyP99Seconds) || r.latencyP99Seconds <= 0) {
    fail(scope, `alertThresholds.latencyP99Seconds (${show(r.latencyP99Seconds)}) must be a number of seconds greater than 0`);
  }
  if (!Number.isInteger(r.restarts) || r.restarts < 1) {
    fail(scope, `alertThresholds.restarts (${show(r.restarts)}) must be a whole number of at least 1`);
  }
  requireDurationString(scope, 'alertThresholds.restartWindow', r.restartWindow);
  requireDurationString(scope, 'alertThresholds.rateWindow', r.rateWindow);
  requireDurationString(scope, 'alertThresholds.for', r.for, { allowZero: true });
  return r;
}

/**
 * The default alerting rules for Go services and their pods, from the
 * metric contract in `METRIC_CONTRACT`.
 *
 * Every HTTP rule groups by `namespace`, `service` and `track`, so the
 * canary (or a blue-green color) of a service with a release fires on its
 * own; `track` is absent for services without one. The self-contained
 * Prometheus sets `service` from `app.kubernetes.io/name`, and the Prometheus
 * Operator sets it from the Service a ServiceMonitor selected, which
 * GoMicroservice names the same.
 */
export function defaultAlertRules(t: ResolvedThresholds = ALERT_THRESHOLD_DEFAULTS): RenderedAlertRule[] {
  const m = METRIC_CONTRACT;
  const w = t.rateWindow;
  const rule = (alert: string, expr: string, severity: AlertSeverity, summary: string, description: string, forDuration = t.for): RenderedAlertRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description },
  });
  return [
    rule(
      'GoServiceHighErrorRate',
      `sum by (namespace, service, track) (rate(${m.requestDuration}_count{${m.statusCodeLabel}=~"5.."}[${w}]))\n`
      + `  / sum by (namespace, service, track) (rate(${m.requestDuration}_count[${w}]))\n  > ${t.errorRatio}`,
      AlertSeverity.CRITICAL,
      'More than {{ $value | humanizePercentage }} of requests to {{ $labels.namespace }}/{{ $labels.service }}{{ with $labels.track }} ({{ . }} track){{ end }} fail with 5xx',
      `The share of HTTP responses with a 5xx status has been above ${t.errorRatio * 100}% for ${t.for}. Metric: ${m.requestDuration} with ${m.statusCodeLabel}.`,
    ),
    rule(
      'GoServiceHighLatency',
      `histogram_quantile(0.99, sum by (namespace, service, track, le) (rate(${m.requestDuration}_bucket[${w}])))\n  > ${t.latencyP99Seconds}`,
      AlertSeverity.WARNING,
      'p99 latency of {{ $labels.namespace }}/{{ $labels.service }}{{ with $labels.track }} ({{ . }} track){{ end }} is {{ $value | humanizeDuration }}',
      `The 99th percentile of HTTP request duration has been above ${t.latencyP99Seconds}s for ${t.for}. Metric: ${m.requestDuration}_bucket.`,
    ),
    rule(
      'PodRestarting',
      `increase(${m.restarts}[${t.restartWindow}]) >= ${t.restarts}`,
      AlertSeverity.WARNING,
      'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value | humanize }} times',
      `A container restarted ${t.restarts} or more times within ${t.restartWindow}. Metric: ${m.restarts} (kube-state-metrics).`,
      '0s',
    ),
    rule(
      'PodCrashLooping',
      `max_over_time(${m.waitingReason}{reason="CrashLoopBackOff"}[${w}]) >= 1`,
      AlertSeverity.CRITICAL,
      'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is crash-looping',
      `A container has been waiting in CrashLoopBackOff for ${t.for}. Metric: ${m.waitingReason} (kube-state-metrics).`,
    ),
    rule(
      'ContainerMemoryNearLimit',
      `max by (namespace, pod, container) (${m.memoryWorkingSet}{container!="", container!="POD"})\n`
      + `  / max by (namespace, pod, container) (${m.resourceLimits}{resource="memory"})\n  > ${t.memoryLimitRatio}`,
      AlertSeverity.WARNING,
      'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit',
      `Working-set memory has been above ${t.memoryLimitRatio * 100}% of the limit for ${t.for}. Metrics: ${m.memoryWorkingSet} (cAdvisor), ${m.resourceLimits} (kube-state-metrics).`,
    ),
    rule(
      'TargetDown',
      'up == 0',
      AlertSeverity.WARNING,
      'Scrape target {{ $labels.job }} {{ $labels.instance }} is down',
      `Prometheus has failed to scrape the target for ${t.for}.`,
    ),
  ];
}

/** Validates user rules and renders them. @internal */
export function renderUserRules(scope: IConstruct, rules: readonly AlertRule[], taken: readonly string[]): RenderedAlertRule[] {
  const seen = new Set(taken);
  return rules.map((r, i) => {
    const prop = `alertRules[${i}]`;
    if (typeof r.alert !== 'string' || !ALERT_NAME.test(r.alert)) {
      fail(scope, `${prop}.alert (${show(r.alert)}) must be letters, digits and '_', not starting with a digit`);
    }
    if (seen.has(r.alert)) {
      fail(scope, `${prop}.alert (${show(r.alert)}) is already defined: each alert name must be unique`);
    }
    seen.add(r.alert);
    validatePromQL(scope, `${prop}.expr`, r.expr);
    const forDuration = r.for ?? '5m';
    requireDurationString(scope, `${prop}.for`, forDuration, { allowZero: true });
    for (const key of Object.keys(r.labels ?? {})) {
      if (!LABEL_NAME.test(key)) {
        fail(scope, `${prop}.labels (${show(key)}) is not a Prometheus label name: use letters, digits and '_', not starting with a digit`);
      }
    }
    const annotations: Record<string, string> = { summary: r.summary ?? r.alert };
    if (r.description !== undefined) {
      annotations.description = r.description;
    }
    return {
      alert: r.alert,
      expr: r.expr,
      for: forDuration,
      labels: { ...r.labels, severity: r.severity ?? AlertSeverity.WARNING },
      annotations,
    };
  });
}

/** The rule groups of a stack: the defaults, then the user's rules. @internal */
export function ruleGroups(defaults: RenderedAlertRule[], user: RenderedAlertRule[]): RenderedRuleGroup[] {
  const groups: RenderedRuleGroup[] = [{ name: 'go-platform.rules', rules: defaults }];
  if (user.length > 0) {
    groups.push({ name: 'custom.rules', rules: user });
  }
  return groups;
}

function ratio(scope: IConstruct, prop: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    fail(scope, `${prop} (${show(value)}) must be a ratio from 0 to 1`);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
