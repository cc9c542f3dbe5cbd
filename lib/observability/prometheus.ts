import { Construct } from 'constructs';
import { PROMETHEUS_TRACK_LABEL, TRACK_LABEL_META } from '../common/labels';
import { requireDurationString } from '../common/duration-strings';
import { fail, show } from '../common/errors';
import { validateConfigKey, validateDnsLabel, validateDnsSubdomain } from '../common/names';
import { apiObjectOf, kplus } from '../common/plus';
import { SecretKeyReference } from '../go-microservice/go-service';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
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
  /**
   * Name of the cluster, written as the `cluster` external label on every
   * series and alert that leaves this Prometheus (remote write, Alertmanager).
   * @default - no `cluster` label
   */
  readonly cluster?: string;
  /**
   * Name of the environment (`staging`, `production`), written as the
   * `environment` external label.
   * @default - no `environment` label
   */
  readonly environment?: string;
  /**
   * More external labels. `cluster` and `environment` belong in their own
   * props; setting them here as well is rejected.
   * @default - only `cluster` and `environment`, when given
   */
  readonly externalLabels?: Record<string, string>;
  /**
   * Long-term stores to send every sample to, in order.
   * @default - none: samples stay in this Prometheus for `retention`
   */
  readonly remoteWrite?: RemoteWriteOptions[];
}

/** Credentials of a remote-write endpoint, read from a mounted Secret. */
export interface RemoteWriteAuth {
  /**
   * HTTP basic auth: the user name, written into the configuration.
   * @default - no basic auth
   */
  readonly username?: string;
  /**
   * HTTP basic auth: the Secret key holding the password (read through `password_file`). Needs `username`.
   * @default - no basic auth
   */
  readonly password?: SecretKeyReference;
  /**
   * A bearer token: the Secret key holding it (read through `authorization.credentials_file`).
   * Excludes basic auth.
   * @default - no bearer token
   */
  readonly bearerToken?: SecretKeyReference;
}

/** How samples are queued and sent to a remote-write endpoint. */
export interface RemoteWriteQueue {
  /**
   * Samples buffered per shard before reading from the WAL blocks.
   * @default 10000
   */
  readonly capacity?: number;
  /**
   * Fewest parallel senders.
   * @default 1
   */
  readonly minShards?: number;
  /**
   * Most parallel senders.
   * @default 50
   */
  readonly maxShards?: number;
  /**
   * Samples per request; at most `capacity`.
   * @default 2000
   */
  readonly maxSamplesPerSend?: number;
  /**
   * Longest a sample waits in a shard before it is sent, as a Prometheus duration.
   * @default '5s'
   */
  readonly batchSendDeadline?: string;
}

/** One remote-write endpoint. */
export interface RemoteWriteOptions {
  /** Endpoint URL, `https://` (or `http://` inside the cluster). */
  readonly url: string;
  /**
   * Name of the queue in Prometheus's metrics and logs: lower-case letters, digits and '-'.
   * @default - Prometheus derives one from a hash of the settings
   */
  readonly name?: string;
  /**
   * Credentials, by Secret reference only.
   * @default - no authentication
   */
  readonly auth?: RemoteWriteAuth;
  /**
   * Queue settings.
   * @default - see `RemoteWriteQueue`
   */
  readonly queue?: RemoteWriteQueue;
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
  remoteWriteQueue: { capacity: 10000, minShards: 1, maxShards: 50, maxSamplesPerSend: 2000, batchSendDeadline: '5s' },
} as const;

/** Props of `Prometheus`. @internal */
export interface PrometheusProps extends PrometheusOptions {
  readonly context: StackContext;
  readonly ruleGroups: RenderedRuleGroup[];
  /** The `alerting.alertmanagers` entry that reaches Alertmanager. */
  readonly alertmanager: Record<string, unknown>;
  /** `host:port` of kube-state-metrics. */
  readonly kubeStateMetrics: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const SECRETS_DIR = '/etc/prometheus/secrets';
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Port of the HTTP API. */
  public readonly port: number;
  /** Retention, as passed to `--storage.tsdb.retention.time`. */
  public readonly retention: string;
  /** Scrape interval of every job. */
  public readonly scrapeInterval: string;
  /** The parsed `prometheus.yml`. */
  public readonly config: Record<string, unknown>;
  /** External labels on every series and alert that leaves this Prometheus. */
  public readonly externalLabels: Record<string, string>;
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

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
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

    this.externalLabels = this.resolveExternalLabels(props);
    const secretFile = (ref: SecretKeyReference) => `${SECRETS_DIR}/${ref.secretName}/${ref.key}`;
    const remoteWrite = (props.remoteWrite ?? []).map((r, i) => this.renderRemoteWrite(r, `prometheus.remoteWrite[${i}]`, secretFile));
    const secretNames = [...new Set((props.remoteWrite ?? []).flatMap((r) => [r.auth?.password, r.auth?.bearerToken])
      .filter((ref): ref is SecretKeyReference => ref !== undefined).map((ref) => ref.secretName))].sort();

    const global: Record<string, unknown> = { scrape_interval: scrapeInterval, evaluation_interval: evaluationInterval };
    if (Object.keys(this.externalLabels).length > 0) {
      global.external_labels = this.externalLabels;
    }
    this.config = {
      global,
      rule_files: ['/etc/prometheus/rules/*.yaml'],
      alerting: { alertmanagers: [props.alertmanager] },
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
      ...(remoteWrite.length > 0 ? { remote_write: remoteWrite } : {}),
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'prometheus.yml': this.config });
    this.rulesConfigMap = configFiles(this, 'Rules', this.identity, 'rules', { 'alerts.yaml': { groups: props.ruleGroups } });

    const data = dataVolume(this, this.identity, storage);
    this.storageClaim = data.claim;
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const rulesVolume = kplus.Volume.fromConfigMap(this, 'RulesVolume', this.rulesConfigMap, { name: 'rules' });
    const secretVolumes = secretNames.map((name, i) => ({
      name,
      volume: kplus.Volume.fromSecret(this, `SecretVolume${i}`, kplus.Secret.fromSecretName(this, `Secret${i}`, name), { name: `secret-${i}` }),
    }));

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
        ...secretVolumes.map((v) => ({ path: `${SECRETS_DIR}/${v.name}`, volume: v.volume, readOnly: true })),
      ],
    }], [configVolume, rulesVolume, data.volume, ...secretVolumes.map((v) => v.volume)]) as kplus.Deployment;
    if (secretNames.length > 0) {
      // The remote-write Secrets are created out of band; the policy gate is told so.
      apiObjectOf(this.deployment).metadata.addAnnotation(EXTERNAL_ANNOTATION, secretNames.map((n) => `Secret/${this.identity.namespace}/${n}`).join(','));
    }
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: this.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** `host:port` of the HTTP API inside the cluster. */
  public get address(): string {
    return `${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }

  private resolveExternalLabels(props: PrometheusOptions): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const key of ['cluster', 'environment'] as const) {
      const value = props[key];
      if (value !== undefined) {
        if (typeof value !== 'string' || value.trim() === '') {
          fail(this, `prometheus.${key} (${show(value)}) must be a non-empty string`);
        }
        labels[key] = value;
      }
    }
    for (const [key, value] of Object.entries(props.externalLabels ?? {})) {
      if (key === 'cluster' || key === 'environment') {
        fail(this, `prometheus.externalLabels (${show(key)}) is set by prometheus.${key}: use that prop instead`);
      }
      if (!LABEL_NAME.test(key) || key.startsWith('__')) {
        fail(this, `prometheus.externalLabels (${show(key)}) is not a Prometheus label name: use letters, digits and '_', not starting with a digit or '__'`);
      }
      if (typeof value !== 'string' || value === '') {
        fail(this, `prometheus.externalLabels.${key} (${show(value)}) must be a non-empty string`);
      }
      labels[key] = value;
    }
    return labels;
  }

  private renderRemoteWrite(r: RemoteWriteOptions, prop: string, secretFile: (ref: SecretKeyReference) => string): Record<string, unknown> {
    if (typeof r.url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(r.url)) {
      fail(this, `${prop}.url (${show(r.url)}) must be an http:// or https:// URL`);
    }
    const out: Record<string, unknown> = { url: r.url };
    if (r.name !== undefined) {
      validateDnsLabel(this, `${prop}.name`, r.name);
      out.name = r.name;
    }
    const auth = r.auth ?? {};
    const checkRef = (field: string, ref: SecretKeyReference) => {
      validateDnsSubdomain(this, `${prop}.auth.${field}.secretName`, ref.secretName);
      validateConfigKey(this, `${prop}.auth.${field}.key`, ref.key);
    };
    if (auth.bearerToken !== undefined && (auth.username !== undefined || auth.password !== undefined)) {
      fail(this, `${prop}.auth (${show('{bearerToken, basic auth}')}) sets a bearer token and basic auth: choose one`);
    }
    if ((auth.username === undefined) !== (auth.password === undefined)) {
      fail(this, `${prop}.auth (${show(auth.username === undefined ? '{password}' : '{username}')}) has half of basic auth: set both username and password`);
    }
    if (auth.username !== undefined && auth.password !== undefined) {
      if (typeof auth.username !== 'string' || auth.username === '') {
        fail(this, `${prop}.auth.username (${show(auth.username)}) must be a non-empty string`);
      }
      checkRef('password', auth.password);
      out.basic_auth = { username: auth.username, password_file: secretFile(auth.password) };
    }
    if (auth.bearerToken !== undefined) {
      checkRef('bearerToken', auth.bearerToken);
      out.authorization = { type: 'Bearer', credentials_file: secretFile(auth.bearerToken) };
    }
    const d = PROMETHEUS_DEFAULTS.remoteWriteQueue;
    const q = { ...d, ...Object.fromEntries(Object.entries(r.queue ?? {}).filter(([, v]) => v !== undefined)) } as Required<RemoteWriteQueue>;
    for (const key of ['capacity', 'minShards', 'maxShards', 'maxSamplesPerSend'] as const) {
      if (!Number.isInteger(q[key]) || q[key] < 1) {
        fail(this, `${prop}.queue.${key} (${show(q[key])}) must be a whole number of at least 1`);
      }
    }
    if (q.minShards > q.maxShards) {
      fail(this, `${prop}.queue.minShards (${q.minShards}) must be <= maxShards (${q.maxShards})`);
    }
    if (q.maxSamplesPerSend > q.capacity) {
      fail(this, `${prop}.queue.maxSamplesPerSend (${q.maxSamplesPerSend}) must be <= capacity (${q.capacity})`);
    }
    requireDurationString(this, `${prop}.queue.batchSendDeadline`, q.batchSendDeadline);
    out.queue_config = {
      capacity: q.capacity,
      min_shards: q.minShards,
      max_shards: q.maxShards,
      max_samples_per_send: q.maxSamplesPerSend,
      batch_send_deadline: q.batchSendDeadline,
    };
    return out;
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
      // The release track (stable, canary, blue, green) of a GoMicroservice with a release.
      { source_labels: [TRACK_LABEL_META], action: 'replace', target_label: PROMETHEUS_TRACK_LABEL },
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
