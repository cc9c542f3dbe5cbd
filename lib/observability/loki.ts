import { Construct } from 'constructs';
import { requireDurationString } from '../common/duration-strings';
import { kplus } from '../common/plus';
import {
  ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, dataVolume, emptyDir, meta, StackContext, STARTUP_BUDGET, statefulProbes, Storage, validateStorage,
} from './component';

/** Options of Loki. */
export interface LokiOptions extends ComponentOptions {
  /**
   * How long log lines are kept, as a duration.
   * @default '168h'
   */
  readonly retention?: string;
  /**
   * Where chunks and the index live.
   * @default Storage.persistentVolumeClaim({ size: '20Gi' })
   */
  readonly storage?: Storage;
}

/** Defaults of `LokiOptions`. */
export const LOKI_DEFAULTS = {
  image: 'grafana/loki:3.5.3',
  retention: '168h',
  storageSize: '20Gi',
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  port: 3100,
  grpcPort: 9095,
  user: 10001,
} as const;

/** Props of `Loki`. @internal */
export interface LokiProps extends LokiOptions {
  readonly context: StackContext;
}

/**
 * Loki as a single binary with filesystem storage and compactor retention.
 * It takes OpenTelemetry logs on `/otlp`, so the log agent's resource
 * attributes become labels and the fields of JSON log lines stay structured
 * metadata.
 */
export class Loki extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Port of the HTTP API. */
  public readonly port: number;
  /** Retention period. */
  public readonly retention: string;
  /** The parsed `loki.yaml`. */
  public readonly config: Record<string, unknown>;
  /** `loki.yaml`. */
  public readonly configMap: kplus.ConfigMap;
  /** The claim of the data volume, when storage is a PersistentVolumeClaim. */
  public readonly storageClaim?: kplus.PersistentVolumeClaim;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Admits the log agent and Grafana. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const d = LOKI_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'loki', 'logs', image, 'loki.image');
    const resources = componentResources(this, 'loki.resources', props.resources, d.resources);
    this.retention = props.retention ?? d.retention;
    requireDurationString(this, 'loki.retention', this.retention);
    const storage = props.storage ?? Storage.persistentVolumeClaim({ size: d.storageSize });
    validateStorage(this, 'loki.storage', storage);
    this.port = d.port;

    this.config = {
      auth_enabled: false,
      server: { http_listen_port: d.port, grpc_listen_port: d.grpcPort, log_level: 'info' },
      common: {
        path_prefix: '/loki',
        replication_factor: 1,
        ring: { instance_addr: '127.0.0.1', kvstore: { store: 'inmemory' } },
        storage: { filesystem: { chunks_directory: '/loki/chunks', rules_directory: '/loki/rules' } },
      },
      schema_config: {
        configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }],
      },
      limits_config: { retention_period: this.retention, allow_structured_metadata: true },
      compactor: { working_directory: '/loki/compactor', retention_enabled: true, delete_request_store: 'filesystem' },
      analytics: { reporting_enabled: false },
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'loki.yaml': this.config });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const data = dataVolume(this, this.identity, storage);
    this.storageClaim = data.claim;
    const tmp = emptyDir(this, 'TmpVolume', 'tmp', '64Mi');
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount, automountToken: false, recreate: true,
    }, [{
      name: 'loki',
      image,
      args: ['-config.file=/etc/loki/loki.yaml', '-target=all'],
      ports: [
        { name: 'http', number: d.port, protocol: kplus.Protocol.TCP },
        { name: 'grpc', number: d.grpcPort, protocol: kplus.Protocol.TCP },
      ],
      // /ready fails until the WAL is replayed and the ring is joined; the
      // build-info endpoint answers whenever the HTTP server runs.
      ...statefulProbes(d.port, { ready: '/ready', alive: '/loki/api/v1/status/buildinfo' }, STARTUP_BUDGET.walReplay),
      resources,
      volumeMounts: [
        { path: '/etc/loki', volume: configVolume, readOnly: true },
        { path: '/loki', volume: data.volume },
        { path: '/tmp', volume: tmp },
      ],
    }], [configVolume, data.volume, tmp]) as kplus.Deployment;
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: d.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** Base URL of the HTTP API inside the cluster. */
  public get url(): string {
    return `http://${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }
}
