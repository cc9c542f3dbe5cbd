import { Construct } from 'constructs';
import { kplus } from '../common/plus';
import {
  ComponentIdentity, componentIdentity, ComponentOptions, componentResources, componentWorkload, configFiles, meta, StackContext,
} from './component';
import { OTEL_COLLECTOR_DEFAULTS } from './otel-collector';

/** Options of the node log agent. */
export interface LogAgentOptions extends ComponentOptions {
  /**
   * Namespace of the agent: the one Pod Security exception of the stack,
   * labelled `privileged` because the agent reads node files through a
   * hostPath volume.
   * @default - the stack's namespace with `-logs` appended
   */
  readonly namespace?: string;
}

/** Defaults of `LogAgentOptions`. */
export const LOG_AGENT_DEFAULTS = {
  image: OTEL_COLLECTOR_DEFAULTS.image,
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  healthPort: 13133,
  logDir: '/var/log/pods',
} as const;

/** Props of `LogAgent`. @internal */
export interface LogAgentProps extends LogAgentOptions {
  readonly context: StackContext;
  /** Loki's OTLP endpoint, e.g. `http://loki.observability.svc:3100/otlp`. */
  readonly lokiOtlpEndpoint: string;
}

/**
 * The node log agent: an OpenTelemetry Collector DaemonSet whose filelog
 * receiver tails `/var/log/pods`, takes namespace, pod, container and pod UID
 * from each file's path, parses JSON log lines into attributes (so fields of
 * Go services' structured logs stay structured), and ships to Loki over OTLP.
 *
 * Pod Security exception: reading node log files needs a read-only hostPath
 * volume and user 0 (the files are root-owned, mode 0640), which only the
 * `privileged` profile admits. The agent therefore runs alone in its own
 * namespace; every capability is still dropped, privilege escalation is off,
 * the root file system is read-only, seccomp is RuntimeDefault and no
 * service account token is mounted.
 */
export class LogAgent extends Construct {
  /** Name, labels and namespace of the objects. */
  public readonly identity: ComponentIdentity;
  /** The parsed collector configuration. */
  public readonly config: Record<string, unknown>;
  /** The collector configuration file. */
  public readonly configMap: kplus.ConfigMap;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** Denies all ingress: the agent only sends. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: LogAgentProps) {
    super(scope, id);
    const d = LOG_AGENT_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'log-agent', 'logs', image, 'logAgent.image');
    const resources = componentResources(this, 'logAgent.resources', props.resources, d.resources);

    this.config = {
      extensions: { health_check: { endpoint: `0.0.0.0:${d.healthPort}` } },
      receivers: {
        filelog: {
          include: [`${d.logDir}/*/*/*.log`],
          // The agent's own lines would feed back into themselves.
          exclude: [`${d.logDir}/${props.context.namespace}_*/*/*.log`],
          start_at: 'end',
          include_file_path: false,
          include_file_name: false,
          operators: [
            // Parses the CRI/containerd and Docker formats and sets k8s.namespace.name,
            // k8s.pod.name, k8s.pod.uid and k8s.container.name from the file path.
            { type: 'container', id: 'container-parser' },
            {
              type: 'json_parser',
              id: 'json-body',
              if: 'body matches "^\\\\s*\\\\{"',
              parse_from: 'body',
              parse_to: 'attributes',
              on_error: 'send_quiet',
            },
          ],
        },
      },
      processors: {
        memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
        'resource/node': { attributes: [{ key: 'k8s.node.name', value: '${env:K8S_NODE_NAME}', action: 'upsert' }] },
        batch: {},
      },
      exporters: {
        'otlphttp/loki': { endpoint: props.lokiOtlpEndpoint },
      },
      service: {
        extensions: ['health_check'],
        pipelines: {
          logs: { receivers: ['filelog'], processors: ['memory_limiter', 'resource/node', 'batch'], exporters: ['otlphttp/loki'] },
        },
      },
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'config.yaml': this.config });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const logs = kplus.Volume.fromHostPath(this, 'PodLogsVolume', 'pod-logs', { path: d.logDir, type: kplus.HostPathVolumeType.DIRECTORY });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    const probe = kplus.Probe.fromHttpGet('/', { port: d.healthPort });
    this.daemonSet = componentWorkload(this, this.identity, {
      kind: 'DaemonSet', user: 0, serviceAccount, automountToken: false,
    }, [{
      name: 'log-agent',
      image,
      args: ['--config=/etc/otelcol/config.yaml'],
      ports: [{ name: 'health', number: d.healthPort, protocol: kplus.Protocol.TCP }],
      envVariables: { K8S_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME) },
      readiness: probe,
      liveness: probe,
      resources,
      volumeMounts: [
        { path: '/etc/otelcol', volume: configVolume, readOnly: true },
        { path: d.logDir, volume: logs, readOnly: true },
      ],
    }], [configVolume, logs]) as kplus.DaemonSet;
    this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(this.identity),
      selector: this.daemonSet,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }
}
