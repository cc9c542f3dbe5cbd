import { Construct } from 'constructs';
import { requireDurationString } from '../common/duration-strings';
import { kplus } from '../common/plus';
import { RenderedRuleGroup } from './alert-rules';
import {
  clusterMeta, clusterScoped, ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, dataVolume, meta, StackContext, STARTUP_BUDGET, statefulProbes, Storage, validateStorage,
} from './component';

/** Options of the self-contained Prometheus. */
export interface PrometheusOptions extends ComponentOptions {
  /**
   * How long samples are kept, as a Prometheus duration.
   * @default '15d'
   */
  readonly retention?: string;
  /**
   * Where the time series database lives.
   * @default Storage.persistentVolumeClaim({ size: '20Gi' })
   */
  readonly storage?: Storage;
  /**
   * How often every target is scraped.
   * @default '30s'
   */
  readonly scrapeInterval?: string;
  /**
   * How often the alert rules are evaluated.
   * @default '30s'
   */
  readonly evaluationInterval?: string;
}

/** Defaults of `PrometheusOptions`. */
export const PROMETHEUS_DEFAULTS = {
  image: 'prom/prometheus:v3.5.0',
  retention: '15d',
  storageSize: '20Gi',
  scrapeInterval: '30s',
  evaluationInterval: '30s',
  resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  port: 9090,
  user: 65534,
} as const;

/** Props of `Prometheus`. @internal */
export interface PrometheusProps extends PrometheusOptions {
  readonly context: StackContext;
  readonly ruleGroups: RenderedRuleGroup[];
  /** `host:port` of Alertmanager. */
  readonly alertmanager: string;
  /** `host:port` of kube-state-metrics. */
  readonly kubeStateMetrics: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Prometheus for the self-contained stack.
 *
 * Creates a ServiceAccount bound to a ClusterRole that may only read pods
 * and nodes and get `nodes/metrics` (for pod discovery and the kubelet's
 * cAdvisor), a ConfigMap with `prometheus.yml`, a ConfigMap with the alert
 * rules, a one-replica Deployment with its data on a PersistentVolumeClaim or
 * an emptyDir, a Service and a NetworkPolicy.
 *
 * The `kubernetes-pods` job scrapes every pod annotated
 * `prometheus.io/scrape: "true"` on `prometheus.io/port` and
 * `prometheus.io/path`, the annotations GoMicroservice writes, so a new
 * service needs no change here.
 */
export class Prometheus extends Construct {
  /** Name, labels and namespace of the objects. */
  public readonly identity: ComponentIdentity;
  /** Port of the HTTP API. */
  public readonly port: number;
  /** Retention, as passed to `--storage.tsdb.retention.time`. */
  public readonly retention: string;
  /** Scrape interval of every job. */
  public readonly scrapeInterval: string;
  /** The parsed `prometheus.yml`. */
  public readonly config: Record<string, unknown>;
  /** The identity of the pods. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** Read access for service discovery. */
  public readonly clusterRole: kplus.ClusterRole;
  /** Binds `clusterRole` to `serviceAccount`. */
  public readonly clusterRoleBinding: kplus.ClusterRoleBinding;
  /** `prometheus.yml`. */
  public readonly configMap: kplus.ConfigMap;
  /** The alert rule files. */
  public readonly rulesConfigMap: kplus.ConfigMap;
  /** The claim of the data volume, when storage is a PersistentVolumeClaim. */
  public readonly storageClaim?: kplus.PersistentVolumeClaim;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Admits Grafana (and whatever is added) to the API port. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const d = PROMETHEUS_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'prometheus', 'metrics', image, 'prometheus.image');
    const resources = componentResources(this, 'prometheus.resources', props.resources, d.resources);
    this.retention = props.retention ?? d.retention;
    requireDurationString(this, 'prometheus.retention', this.retention);
    const scrapeInterval = props.scrapeInterval ?? d.scrapeInterval;
    requireDurationString(this, 'prometheus.scrapeInterval', scrapeInterval);
    this.scrapeInterval = scrapeInterval;
    const evaluationInterval = props.evaluationInterval ?? d.evaluationInterval;
    requireDurationString(this, 'prometheus.evaluationInterval', evaluationInterval);
    const storage = props.storage ?? Storage.persistentVolumeClaim({ size: d.storageSize });
    validateStorage(this, 'prometheus.storage', storage);
    this.port = d.port;
    const ns = props.context.namespace;

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: true });
    this.clusterRole = new kplus.ClusterRole(this, 'ClusterRole', {
      metadata: clusterMeta(this.identity, `${ns}-prometheus`),
      rules: [
        // Pod discovery for the annotated services, node discovery for cAdvisor.
        { verbs: ['get', 'list', 'watch'], endpoints: [kplus.ApiResource.PODS, kplus.ApiResource.NODES] },
        // The kubelet authorizes /metrics/cadvisor as get on nodes/metrics.
        { verbs: ['get'], endpoints: [kplus.ApiResource.custom({ apiGroup: '', resourceType: 'nodes/metrics' })] },
      ],
    });
    this.clusterRoleBinding = new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: clusterMeta(this.identity, `${ns}-prometheus`),
      role: this.clusterRole,
    });
    this.clusterRoleBinding.addSubjects(this.serviceAccount);
    clusterScoped(this.clusterRole);
    clusterScoped(this.clusterRoleBinding);

    this.config = {
      global: { scrape_interval: scrapeInterval, evaluation_interval: evaluationInterval },
      rule_files: ['/etc/prometheus/rules/*.yaml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [props.alertmanager] }] }] },
      scrape_configs: [
        { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${this.port}`] }] },
        annotatedPodsJob(),
        cadvisorJob(),
        {
          // kube-state-metrics reports other objects' namespace, pod and
          // container labels: keep them instead of the target's.
          job_name: 'kube-state-metrics',
          honor_labels: true,
          static_configs: [{ targets: [props.kubeStateMetrics] }],
        },
      ],
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'prometheus.yml': this.config });
    this.rulesConfigMap = configFiles(this, 'Rules', this.identity, 'rules', { 'alerts.yaml': { groups: props.ruleGroups } });

    const data = dataVolume(this, this.identity, storage);
    this.storageClaim = data.claim;
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const rulesVolume = kplus.Volume.fromConfigMap(this, 'RulesVolume', this.rulesConfigMap, { name: 'rules' });

    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount: this.serviceAccount, automountToken: true, recreate: true,
    }, [{
      name: 'prometheus',
      image,
      args: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${this.retention}`,
        `--web.listen-address=:${this.port}`,
      ],
      ports: [{ name: 'http', number: this.port, protocol: kplus.Protocol.TCP }],
      // /-/ready fails until the TSDB head and WAL are loaded; /-/healthy
      // answers whenever the process serves HTTP.
      ...statefulProbes(this.port, { ready: '/-/ready', alive: '/-/healthy' }, STARTUP_BUDGET.walReplay),
      resources,
      volumeMounts: [
        { path: '/etc/prometheus', volume: configVolume, readOnly: true },
        { path: '/etc/prometheus/rules', volume: rulesVolume, readOnly: true },
        { path: '/prometheus', volume: data.volume },
      ],
    }], [configVolume, rulesVolume, data.volume]) as kplus.Deployment;
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: this.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** `host:port` of the HTTP API inside the cluster. */
  public get address(): string {
    return `${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }
}

/** The job that honours the `prometheus.io/*` pod annotations. */
function annotatedPodsJob(): Record<string, unknown> {
  return {
    job_name: 'kubernetes-pods',
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
      {
        source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
        action: 'replace',
        regex: '(.+?)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        target_label: '__address__',
      },
      { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
      // The same label the Prometheus Operator sets from the Service, so rules work in both modes.
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], action: 'replace', target_label: 'service' },
    ],
  };
}

/** Container CPU and memory from each kubelet's cAdvisor. */
function cadvisorJob(): Record<string, unknown> {
  return {
    job_name: 'kubernetes-cadvisor',
    scheme: 'https',
    metrics_path: '/metrics/cadvisor',
    kubernetes_sd_configs: [{ role: 'node' }],
    authorization: { credentials_file: `${SA_DIR}/token` },
    // Kubelet serving certificates are usually self-signed per node.
    tls_config: { ca_file: `${SA_DIR}/ca.crt`, insecure_skip_verify: true },
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_node_name'], action: 'replace', target_label: 'node' },
    ],
    metric_relabel_configs: [
      { source_labels: ['__name__'], action: 'keep', regex: 'container_cpu_usage_seconds_total|container_memory_working_set_bytes' },
    ],
  };
}
