import { Construct } from 'constructs';
import { requireDurationString } from '../common/duration-strings';
import { kplus } from '../common/plus';
import {
  ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, dataVolume, emptyDir, meta, StackContext, STARTUP_BUDGET, statefulProbes, Storage, validateStorage,
} from './component';

/** Options of the Tempo trace backend. */
export interface TempoOptions extends ComponentOptions {
  /**
   * How long traces are kept, as a duration.
   * @default '72h'
   */
  readonly retention?: string;
  /**
   * Where blocks and the write-ahead log live.
   * @default Storage.persistentVolumeClaim({ size: '10Gi' })
   */
  readonly storage?: Storage;
}

/** Defaults of `TempoOptions`. */
export const TEMPO_DEFAULTS = {
  image: 'grafana/tempo:2.8.2',
  retention: '72h',
  storageSize: '10Gi',
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  port: 3200,
  otlpGrpcPort: 4317,
  user: 10001,
} as const;

/** Props of `Tempo`. @internal */
export interface TempoProps extends TempoOptions {
  readonly context: StackContext;
}

/**
 * Grafana Tempo as a single binary with local storage: the trace backend.
 * Receives OTLP over gRPC from the collector and serves Grafana's queries.
 */
export class Tempo extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Port of the query API. */
  public readonly port: number;
  /** Port of the OTLP gRPC receiver. */
  public readonly otlpPort: number;
  /** The parsed `tempo.yaml`. */
  public readonly config: Record<string, unknown>;
  /** `tempo.yaml`. */
  public readonly configMap: kplus.ConfigMap;
  /** The claim of the data volume, when storage is a PersistentVolumeClaim. */
  public readonly storageClaim?: kplus.PersistentVolumeClaim;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Admits the collector and Grafana. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: TempoProps) {
    super(scope, id);
    const d = TEMPO_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'tempo', 'traces', image, 'tempo.image');
    const resources = componentResources(this, 'tempo.resources', props.resources, d.resources);
    const retention = props.retention ?? d.retention;
    requireDurationString(this, 'tempo.retention', retention);
    const storage = props.storage ?? Storage.persistentVolumeClaim({ size: d.storageSize });
    validateStorage(this, 'tempo.storage', storage);
    this.port = d.port;
    this.otlpPort = d.otlpGrpcPort;

    this.config = {
      stream_over_http_enabled: true,
      server: { http_listen_port: d.port, log_level: 'info' },
      distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${d.otlpGrpcPort}` } } } } },
      compactor: { compaction: { block_retention: retention } },
      storage: { trace: { backend: 'local', local: { path: '/var/tempo/blocks' }, wal: { path: '/var/tempo/wal' } } },
      usage_report: { reporting_enabled: false },
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'tempo.yaml': this.config });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const data = dataVolume(this, this.identity, storage);
    this.storageClaim = data.claim;
    const tmp = emptyDir(this, 'TmpVolume', 'tmp', '64Mi');
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount, automountToken: false, recreate: true,
    }, [{
      name: 'tempo',
      image,
      args: ['-config.file=/etc/tempo/tempo.yaml'],
      ports: [
        { name: 'http', number: d.port, protocol: kplus.Protocol.TCP },
        { name: 'otlp-grpc', number: d.otlpGrpcPort, protocol: kplus.Protocol.TCP },
      ],
      // /ready fails until the WAL is replayed; the echo endpoint answers
      // whenever the HTTP server runs.
      ...statefulProbes(d.port, { ready: '/ready', alive: '/api/echo' }, STARTUP_BUDGET.walReplay),
      resources,
      volumeMounts: [
        { path: '/etc/tempo', volume: configVolume, readOnly: true },
        { path: '/var/tempo', volume: data.volume },
        { path: '/tmp', volume: tmp },
      ],
    }], [configVolume, data.volume, tmp]) as kplus.Deployment;
    this.service = componentService(this, this.identity, this.deployment, [
      { name: 'http', port: d.port },
      { name: 'otlp-grpc', port: d.otlpGrpcPort },
    ]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** Base URL of the query API inside the cluster. */
  public get url(): string {
    return `http://${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }

  /** `host:port` of the OTLP gRPC receiver inside the cluster. */
  public get otlpAddress(): string {
    return `${this.identity.name}.${this.identity.namespace}.svc:${this.otlpPort}`;
  }
}
