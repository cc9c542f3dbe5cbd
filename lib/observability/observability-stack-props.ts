import type { AlertRule, AlertThresholds } from './alert-rules';
import type { AlertmanagerOptions } from './alertmanager';
import type { GoServiceDashboardOptions } from './dashboard';
import type { GrafanaOptions } from './grafana';
import type { KubeStateMetricsOptions } from './kube-state-metrics';
import type { LogAgentOptions } from './log-agent';
import type { LokiOptions } from './loki';
import type { OtelCollectorOptions } from './otel-collector';
import type { PrometheusOptions } from './prometheus';
import type { TempoOptions } from './tempo';

/** How the stack is deployed. */
export enum ObservabilityMode {
  /** Prometheus, Alertmanager, Grafana, Loki, the log agent, the collector and Tempo, all deployed by the stack. */
  SELF_CONTAINED = 'self-contained',
  /** ServiceMonitors, a PrometheusRule and a dashboard ConfigMap for a cluster running kube-prometheus-stack. */
  PROMETHEUS_OPERATOR = 'prometheus-operator',
}

/** Options of operator mode, for a cluster that runs kube-prometheus-stack. */
export interface PrometheusOperatorOptions {
  /**
   * Value of the `release` label on ServiceMonitors and the PrometheusRule.
   * kube-prometheus-stack's default `serviceMonitorSelector` and
   * `ruleSelector` match `release: <helm release name>`.
   * @default 'kube-prometheus-stack'
   */
  readonly releaseLabel?: string;
  /**
   * Namespace the operator's Prometheus pods run in; admitted to each
   * service's metrics port.
   * @default - the stack's namespace
   */
  readonly prometheusNamespace?: string;
  /**
   * Scrape interval of every ServiceMonitor endpoint.
   * @default '30s'
   */
  readonly scrapeInterval?: string;
  /**
   * OTLP endpoint of an existing collector the services export traces to.
   * @default - no OTLP endpoint: services get `OTEL_TRACES_EXPORTER=none`
   */
  readonly otlpEndpoint?: string;
}

/** Props of an `ObservabilityStack`. */
export interface ObservabilityStackProps {
  /**
   * Namespace of the stack. Self-contained: created with the restricted Pod
   * Security profile enforced. Operator mode: the namespace of
   * kube-prometheus-stack, which must exist.
   * @default 'observability'
   */
  readonly namespace?: string;
  /**
   * Switches to operator mode. Only `alertThresholds`, `alertRules` and
   * `dashboard` combine with it; every component option is rejected.
   * @default - self-contained mode
   */
  readonly operator?: PrometheusOperatorOptions;
  /**
   * Thresholds of the default alerts.
   * @default - see `AlertThresholds`
   */
  readonly alertThresholds?: AlertThresholds;
  /**
   * Alert rules of your own, validated as PromQL at synth time.
   * @default - none
   */
  readonly alertRules?: AlertRule[];
  /**
   * The Go service dashboard.
   * @default - uid `go-services`, title `Go services`
   */
  readonly dashboard?: GoServiceDashboardOptions;
  /** Prometheus (self-contained only). @default - see `PrometheusOptions` */
  readonly prometheus?: PrometheusOptions;
  /** Alertmanager (self-contained only). @default - see `AlertmanagerOptions` */
  readonly alertmanager?: AlertmanagerOptions;
  /** Grafana (self-contained only). @default - see `GrafanaOptions` */
  readonly grafana?: GrafanaOptions;
  /** Loki (self-contained only). @default - see `LokiOptions` */
  readonly loki?: LokiOptions;
  /** The node log agent (self-contained only). @default - see `LogAgentOptions` */
  readonly logAgent?: LogAgentOptions;
  /** The trace collector (self-contained only). @default - see `OtelCollectorOptions` */
  readonly collector?: OtelCollectorOptions;
  /** The Tempo trace backend (self-contained only). @default - see `TempoOptions` */
  readonly tempo?: TempoOptions;
  /** kube-state-metrics (self-contained only). @default - see `KubeStateMetricsOptions` */
  readonly kubeStateMetrics?: KubeStateMetricsOptions;
}
