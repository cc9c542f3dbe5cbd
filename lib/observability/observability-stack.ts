import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { POD_SECURITY_EXCEPTION_ANNOTATION, PSS_LABEL_PREFIX } from '../common/annotations';
import { IMonitorableWorkload, NetworkPeer } from '../common/contracts';
import { requireDurationString } from '../common/duration-strings';
import { fail, show } from '../common/errors';
import { recommendedLabels } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { kplus } from '../common/plus';
import { defaultAlertRules, RenderedRuleGroup, renderUserRules, ResolvedThresholds, resolveThresholds, ruleGroups } from './alert-rules';
import { Alertmanager } from './alertmanager';
import { clusterScoped, componentPeer, rejectInMode, StackContext } from './component';
import { goServiceDashboard } from './dashboard';
import { Grafana, GrafanaExposeOptions, IGrafanaIngress } from './grafana';
import { KubeStateMetrics } from './kube-state-metrics';
import { LogAgent } from './log-agent';
import { Loki } from './loki';
import { ObservabilityMode, ObservabilityStackProps } from './observability-stack-props';
import { prometheusRuleOf, serviceMonitorFor } from './operator-resources';
import { OtelCollector } from './otel-collector';
import { Prometheus } from './prometheus';
import { Tempo } from './tempo';

/** Label keys of the Pod Security admission controller. */
const PSS = PSS_LABEL_PREFIX;

/** Defaults of `ObservabilityStackProps` and `PrometheusOperatorOptions`. */
export const OBSERVABILITY_DEFAULTS = {
  namespace: 'observability',
  releaseLabel: 'kube-prometheus-stack',
  scrapeInterval: '30s',
  dashboardFile: 'go-services.json',
} as const;

const SELF_CONTAINED_ONLY = ['prometheus', 'alertmanager', 'grafana', 'loki', 'logAgent', 'collector', 'tempo', 'kubeStateMetrics'] as const;

/**
 * Metrics, alerts, dashboards, logs and traces for every GoMicroservice (or
 * other monitorable workload), wired with one call per service:
 * `stack.monitor(service)`.
 *
 * Self-contained mode (the default) creates a restricted namespace with
 * Prometheus (pod discovery through the `prometheus.io/*` annotations,
 * least-privilege RBAC, alert rules from a ConfigMap), Alertmanager, Grafana
 * (provisioned data sources and the Go service dashboard), kube-state-metrics,
 * Loki, an OpenTelemetry Collector for traces and Tempo as the trace backend,
 * plus the node log agent alone in a second, privileged namespace.
 *
 * Operator mode creates, for a cluster running kube-prometheus-stack, a
 * ServiceMonitor per monitored service, a PrometheusRule with the same alerts
 * and the dashboard as a ConfigMap for Grafana's dashboard sidecar.
 *
 * @example
 * const stack = new ObservabilityStack(chart, 'observability', {
 *   prometheus: { retention: '30d', storage: Storage.persistentVolumeClaim({ size: '100Gi', storageClassName: 'gp3' }) },
 *   alertmanager: { receivers: [AlertReceiver.slack('team', { channel: '#alerts', apiUrl: { secretName: 'slack', key: 'url' } })] },
 * });
 * stack.monitor(orders);
 */
export class ObservabilityStack extends Construct {
  /** Self-contained or operator mode. */
  public readonly mode: ObservabilityMode;
  /** Namespace of the stack. */
  public readonly namespace: string;
  /** The effective alert thresholds. */
  public readonly thresholds: ResolvedThresholds;
  /** The alert rule groups, as written to Prometheus. */
  public readonly ruleGroups: RenderedRuleGroup[];
  /** The Go service dashboard model. */
  public readonly dashboard: Record<string, unknown>;
  /** Where monitored services export OTLP, when known. */
  public readonly otlpEndpoint?: string;

  /** The stack's Namespace (self-contained). */
  public readonly namespaceObject?: kplus.Namespace;
  /** The log agent's Namespace, the documented Pod Security exception (self-contained). */
  public readonly logAgentNamespaceObject?: kplus.Namespace;
  /** Prometheus (self-contained). */
  public readonly prometheus?: Prometheus;
  /** Alertmanager (self-contained). */
  public readonly alertmanager?: Alertmanager;
  /** Grafana (self-contained). */
  public readonly grafana?: Grafana;
  /** kube-state-metrics (self-contained). */
  public readonly kubeStateMetrics?: KubeStateMetrics;
  /** Loki (self-contained). */
  public readonly loki?: Loki;
  /** The node log agent (self-contained). */
  public readonly logAgent?: LogAgent;
  /** The trace collector (self-contained). */
  public readonly collector?: OtelCollector;
  /** Tempo (self-contained). */
  public readonly tempo?: Tempo;

  /** The alert rules (operator mode). */
  public readonly prometheusRule?: ApiObject;
  /** The dashboard for Grafana's sidecar (operator mode). */
  public readonly dashboardConfigMap?: kplus.ConfigMap;

  private readonly operator?: { releaseLabel: string; prometheusNamespace: string; scrapeInterval: string };
  private readonly monitored = new Map<string, ApiObject | undefined>();
  private readonly prometheusPods?: kplus.Pods;

  public constructor(scope: Construct, id: string, props: ObservabilityStackProps = {}) {
    super(scope, id);

    // 1. validate and resolve
    this.namespace = props.namespace ?? OBSERVABILITY_DEFAULTS.namespace;
    validateDnsLabel(this, 'namespace', this.namespace);
    this.mode = props.operator ? ObservabilityMode.PROMETHEUS_OPERATOR : ObservabilityMode.SELF_CONTAINED;
    this.thresholds = resolveThresholds(this, props.alertThresholds);
    const defaults = defaultAlertRules(this.thresholds);
    const user = renderUserRules(this, props.alertRules ?? [], defaults.map((r) => r.alert));
    this.ruleGroups = ruleGroups(defaults, user);
    this.dashboard = goServiceDashboard(props.dashboard);
    const context: StackContext = { namespace: this.namespace, instance: id };
    const labels = (name: string, component: string) => recommendedLabels({ name, instance: id, component, partOf: 'observability' });

    if (props.operator) {
      for (const key of SELF_CONTAINED_ONLY) {
        rejectInMode(this, key, props[key], 'only applies to the self-contained stack: remove it, or remove operator to deploy the stack');
      }
      const o = props.operator;
      const releaseLabel = o.releaseLabel ?? OBSERVABILITY_DEFAULTS.releaseLabel;
      if (typeof releaseLabel !== 'string' || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(releaseLabel) || releaseLabel.length > 63 || releaseLabel === '') {
        fail(this, `operator.releaseLabel (${show(releaseLabel)}) must be a label value: letters, digits, '-', '_' and '.', at most 63 characters`);
      }
      const prometheusNamespace = o.prometheusNamespace ?? this.namespace;
      validateDnsLabel(this, 'operator.prometheusNamespace', prometheusNamespace);
      const scrapeInterval = o.scrapeInterval ?? OBSERVABILITY_DEFAULTS.scrapeInterval;
      requireDurationString(this, 'operator.scrapeInterval', scrapeInterval);
      if (o.otlpEndpoint !== undefined) {
        validateUrl(this, 'operator.otlpEndpoint', o.otlpEndpoint);
      }
      this.operator = { releaseLabel, prometheusNamespace, scrapeInterval };
      this.otlpEndpoint = o.otlpEndpoint;

      this.prometheusRule = prometheusRuleOf(this, 'PrometheusRule', {
        name: 'go-platform-alerts',
        namespace: this.namespace,
        labels: { ...labels('go-platform-alerts', 'alerting'), release: releaseLabel },
      }, this.ruleGroups);
      this.dashboardConfigMap = new kplus.ConfigMap(this, 'Dashboard', {
        metadata: {
          name: 'go-services-dashboard',
          namespace: this.namespace,
          // Picked up by kube-prometheus-stack's Grafana dashboard sidecar.
          labels: { ...labels('go-services-dashboard', 'dashboards'), grafana_dashboard: '1' },
        },
        data: { [OBSERVABILITY_DEFAULTS.dashboardFile]: JSON.stringify(this.dashboard, undefined, 2) },
      });
      return;
    }

    // 2. self-contained children
    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...labels(this.namespace, 'namespace'),
          [`${PSS}/enforce`]: 'restricted',
          [`${PSS}/audit`]: 'restricted',
          [`${PSS}/warn`]: 'restricted',
        },
      },
    });
    clusterScoped(this.namespaceObject);
    const logNamespace = props.logAgent?.namespace ?? `${this.namespace}-logs`;
    validateDnsLabel(this, 'logAgent.namespace', logNamespace);
    if (logNamespace === this.namespace) {
      fail(this, `logAgent.namespace (${show(logNamespace)}) is the stack's namespace: the log agent needs a namespace of its own, because it is the one Pod Security exception`);
    }
    this.logAgentNamespaceObject = new kplus.Namespace(this, 'LogAgentNamespace', {
      metadata: {
        name: logNamespace,
        labels: {
          ...labels(logNamespace, 'namespace'),
          // The log agent reads node log files and keeps its offsets through hostPath volumes as user 0,
          // which only the privileged profile admits; audit reports it against restricted.
          [`${PSS}/enforce`]: 'privileged',
          [`${PSS}/audit`]: 'restricted',
        },
        annotations: {
          [POD_SECURITY_EXCEPTION_ANNOTATION]:
            'Only the node log agent runs here: it mounts /var/log/pods read-only and its offsets directory (hostPath) as user 0 with all capabilities dropped.',
        },
      },
    });

    clusterScoped(this.logAgentNamespaceObject);

    this.kubeStateMetrics = new KubeStateMetrics(this, 'KubeStateMetrics', { ...props.kubeStateMetrics, context });
    this.alertmanager = new Alertmanager(this, 'Alertmanager', { ...props.alertmanager, context });
    this.prometheus = new Prometheus(this, 'Prometheus', {
      ...props.prometheus,
      context,
      ruleGroups: this.ruleGroups,
      alertmanager: this.alertmanager.prometheusTarget,
      kubeStateMetrics: this.kubeStateMetrics.address,
    });
    this.tempo = new Tempo(this, 'Tempo', { ...props.tempo, context });
    this.collector = new OtelCollector(this, 'Collector', { ...props.collector, context, traceBackend: this.tempo.otlpAddress });
    this.loki = new Loki(this, 'Loki', { ...props.loki, context });
    this.logAgent = new LogAgent(this, 'LogAgent', {
      ...props.logAgent,
      context: { namespace: logNamespace, instance: id },
      lokiOtlpEndpoint: `${this.loki.url}/otlp`,
    });
    this.grafana = new Grafana(this, 'Grafana', {
      ...props.grafana,
      context,
      datasources: [
        { name: 'Prometheus', type: 'prometheus', uid: 'prometheus', url: `http://${this.prometheus.address}`, isDefault: true, jsonData: { timeInterval: this.prometheus.scrapeInterval } },
        { name: 'Loki', type: 'loki', uid: 'loki', url: this.loki.url },
        {
          name: 'Tempo', type: 'tempo', uid: 'tempo', url: this.tempo.url,
          jsonData: {
            tracesToLogsV2: { datasourceUid: 'loki', filterByTraceID: true },
            tracesToMetrics: { datasourceUid: 'prometheus' },
            serviceMap: { datasourceUid: 'prometheus' },
            nodeGraph: { enabled: true },
          },
        },
      ],
      dashboards: { [OBSERVABILITY_DEFAULTS.dashboardFile]: this.dashboard },
    });
    this.otlpEndpoint = this.collector.otlpEndpoint;

    // 3. wiring between the components
    const prometheusPods = componentPeer(this, 'PrometheusPods', this.prometheus.identity);
    const grafanaPods = componentPeer(this, 'GrafanaPods', this.grafana.identity);
    const tcp = (port: number) => [kplus.NetworkPolicyPort.tcp(port)];
    this.alertmanager.networkPolicy.addIngressRule(prometheusPods, tcp(this.alertmanager.port));
    this.kubeStateMetrics.networkPolicy.addIngressRule(prometheusPods, tcp(this.kubeStateMetrics.port));
    this.prometheus.networkPolicy.addIngressRule(grafanaPods, tcp(this.prometheus.port));
    this.loki.networkPolicy.addIngressRule(componentPeer(this, 'LogAgentPods', this.logAgent.identity), tcp(this.loki.port));
    this.loki.networkPolicy.addIngressRule(grafanaPods, tcp(this.loki.port));
    this.tempo.networkPolicy.addIngressRule(componentPeer(this, 'CollectorPods', this.collector.identity), tcp(this.tempo.otlpPort));
    this.tempo.networkPolicy.addIngressRule(grafanaPods, tcp(this.tempo.port));
    this.prometheusPods = prometheusPods;

    // Namespaces first.
    const components: IConstruct[] = [this.kubeStateMetrics, this.alertmanager, this.prometheus, this.tempo, this.collector, this.loki, this.grafana];
    for (const c of components) {
      c.node.addDependency(this.namespaceObject);
    }
    this.logAgent.node.addDependency(this.logAgentNamespaceObject);
  }

  /**
   * Connects a service to the stack: OpenTelemetry environment
   * (`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_RESOURCE_ATTRIBUTES`
   * with the pod and namespace from the downward API), a rule on the
   * service's NetworkPolicy that admits Prometheus to its metrics port,
   * admission of the service to the collector, and, in operator mode, a
   * ServiceMonitor. Each service is monitored once. Takes any monitorable
   * workload: a GoMicroservice, a `PlainWorkload` around a cdk8s-plus
   * Deployment and Service, or your own `IMonitorableWorkload`.
   */
  public monitor(service: IMonitorableWorkload): void {
    const namespace = service.namespace;
    if (namespace === undefined) {
      fail(this, `monitor (${show(service.name)}) has no namespace: set the service's namespace or its chart's`);
    }
    const key = `${namespace}/${service.name}`;
    if (this.monitored.has(key)) {
      fail(this, `monitor (${show(key)}) is already monitored by this stack: call monitor once per service`);
    }
    // A workload without a metrics endpoint fails here, before anything is wired.
    const metrics = service.metricsEndpoint;

    service.addEnvironment('OTEL_SERVICE_NAME', kplus.EnvValue.fromValue(service.name));
    service.addEnvironment('K8S_POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME));
    service.addEnvironment('K8S_NAMESPACE_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE));
    service.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue(
      `k8s.pod.name=$(K8S_POD_NAME),k8s.namespace.name=$(K8S_NAMESPACE_NAME),service.namespace=${namespace}`,
    ));
    if (this.otlpEndpoint !== undefined) {
      service.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', kplus.EnvValue.fromValue(this.otlpEndpoint));
      service.addEnvironment('OTEL_EXPORTER_OTLP_PROTOCOL', kplus.EnvValue.fromValue('grpc'));
    } else {
      service.addEnvironment('OTEL_TRACES_EXPORTER', kplus.EnvValue.fromValue('none'));
    }

    let serviceMonitor: ApiObject | undefined;
    if (this.operator) {
      service.allowFrom(NetworkPeer.namespace(this.operator.prometheusNamespace), { ports: ['metrics'] });
      serviceMonitor = serviceMonitorFor(this, `ServiceMonitor-${namespace}-${service.name}`, service, metrics, {
        namespace,
        labels: { ...service.labels, release: this.operator.releaseLabel },
        interval: this.operator.scrapeInterval,
      });
    } else {
      service.allowFrom(this.prometheusPods!, { ports: ['metrics'] });
      this.collector!.allowFrom(service);
    }
    this.monitored.set(key, serviceMonitor);
  }

  /**
   * Serves the stack's Grafana at `https://<host>/` through `ingress` (a
   * `SecureIngress` in the stack's namespace) with basic or OIDC sign-in,
   * credentials read from Secrets. Self-contained mode only: in operator
   * mode Grafana belongs to kube-prometheus-stack.
   */
  public exposeGrafana(ingress: IGrafanaIngress, options: GrafanaExposeOptions): void {
    if (this.grafana === undefined) {
      fail(this, `exposeGrafana (${show(options.host)}) only applies to the self-contained stack: in operator mode Grafana belongs to kube-prometheus-stack`);
    }
    this.grafana.expose(ingress, options);
  }

  /** The ServiceMonitor of a monitored service (operator mode), by `namespace/name`. */
  public serviceMonitor(service: IMonitorableWorkload): ApiObject | undefined {
    return this.monitored.get(`${service.namespace}/${service.name}`);
  }

  /** `namespace/name` of every monitored service, in the order `monitor` was called. */
  public get monitoredServices(): string[] {
    return [...this.monitored.keys()];
  }
}

function validateUrl(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(value)) {
    fail(scope, `${prop} (${show(value)}) must be an http:// or https:// URL`);
  }
}
