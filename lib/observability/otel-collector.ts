import { Construct } from 'constructs';
import type { NetworkPeerSource } from '../common/contracts';
import { admitPeer } from '../common/network-peer';
import { kplus } from '../common/plus';
import {
  ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, meta, StackContext,
} from './component';

/** Options of the OpenTelemetry Collector that receives traces. */
export type OtelCollectorOptions = ComponentOptions;

/** Defaults of `OtelCollectorOptions` (and of the log agent's image). */
export const OTEL_COLLECTOR_DEFAULTS = {
  image: 'otel/opentelemetry-collector-contrib:0.132.0',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
  healthPort: 13133,
  user: 10001,
} as const;

/** Props of `OtelCollector`. @internal */
export interface OtelCollectorProps extends OtelCollectorOptions {
  readonly context: StackContext;
  /** `host:port` of the trace backend's OTLP gRPC receiver. */
  readonly traceBackend: string;
}

/**
 * The OpenTelemetry Collector the services send traces to: OTLP over gRPC
 * (4317) and HTTP (4318) in, batched OTLP to the trace backend out. Its
 * NetworkPolicy admits each service the stack monitors.
 */
export class OtelCollector extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** The parsed collector configuration. */
  public readonly config: Record<string, unknown>;
  /** The collector configuration file. */
  public readonly configMap: kplus.ConfigMap;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service with ports `otlp-grpc` and `otlp-http`. */
  public readonly service: kplus.Service;
  /** Admits the monitored services on the OTLP ports. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const d = OTEL_COLLECTOR_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'otel-collector', 'traces', image, 'collector.image');
    const resources = componentResources(this, 'collector.resources', props.resources, d.resources);

    this.config = {
      extensions: { health_check: { endpoint: `0.0.0.0:${d.healthPort}` } },
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `0.0.0.0:${d.otlpGrpcPort}` },
            http: { endpoint: `0.0.0.0:${d.otlpHttpPort}` },
          },
        },
      },
      processors: {
        memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
        batch: {},
      },
      exporters: {
        'otlp/traces': { endpoint: props.traceBackend, tls: { insecure: true } },
      },
      service: {
        extensions: ['health_check'],
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp/traces'] },
        },
      },
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'config.yaml': this.config });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    const probe = kplus.Probe.fromHttpGet('/', { port: d.healthPort });
    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount, automountToken: false,
    }, [{
      name: 'otel-collector',
      image,
      args: ['--config=/etc/otelcol/config.yaml'],
      ports: [
        { name: 'otlp-grpc', number: d.otlpGrpcPort, protocol: kplus.Protocol.TCP },
        { name: 'otlp-http', number: d.otlpHttpPort, protocol: kplus.Protocol.TCP },
        { name: 'health', number: d.healthPort, protocol: kplus.Protocol.TCP },
      ],
      readiness: probe,
      liveness: probe,
      resources,
      volumeMounts: [{ path: '/etc/otelcol', volume: configVolume, readOnly: true }],
    }], [configVolume]) as kplus.Deployment;
    this.service = componentService(this, this.identity, this.deployment, [
      { name: 'otlp-grpc', port: d.otlpGrpcPort },
      { name: 'otlp-http', port: d.otlpHttpPort },
    ]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** The OTLP gRPC endpoint services export to, as a URL. */
  public get otlpEndpoint(): string {
    return `http://${this.identity.name}.${this.identity.namespace}.svc:${OTEL_COLLECTOR_DEFAULTS.otlpGrpcPort}`;
  }

  /** Admits `peer` to the OTLP ports; its pods are selected in their own namespace, which must be known. */
  public allowFrom(peer: NetworkPeerSource): void {
    admitPeer(this, 'allowFrom peer', this.networkPolicy, peer, [OTEL_COLLECTOR_DEFAULTS.otlpGrpcPort, OTEL_COLLECTOR_DEFAULTS.otlpHttpPort]);
  }
}
