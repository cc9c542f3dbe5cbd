import { Construct } from 'constructs';
import { fail, show } from '../common/errors';
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
  /**
   * Node directory (hostPath) where the agent keeps its read offsets, so a
   * restarted or upgraded agent resumes each file where it stopped instead of
   * losing or repeating lines. A sub-directory named after the agent's
   * namespace is used, so two stacks on one cluster do not share offsets.
   * @default '/var/lib/otelcol-log-agent'
   */
  readonly offsetsHostPath?: string;
}

/** Defaults of `LogAgentOptions`. */
export const LOG_AGENT_DEFAULTS = {
  image: OTEL_COLLECTOR_DEFAULTS.image,
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  healthPort: 13133,
  logDir: '/var/log/pods',
  offsetsHostPath: '/var/lib/otelcol-log-agent',
  /** Where the offsets directory is mounted in the container. */
  storageDir: '/var/lib/otelcol/file_storage',
} as const;

/** Props of `LogAgent`. @internal */
export interface LogAgentProps extends LogAgentOptions {
  readonly context: StackContext;
  /** Loki's OTLP endpoint, e.g. `http://loki.observability.svc:3100/otlp`. */
  readonly lokiOtlpEndpoint: string;
}

/**
 * The node log agent: an OpenTelemetry Collector DaemonSet whose filelog
 * receiver tails `/var/log/pods`, parses the CRI (containerd, CRI-O) and
 * Docker line formats with the `container` operator, which also takes
 * `k8s.namespace.name`, `k8s.pod.name`, `k8s.pod.uid`, `k8s.container.name`
 * and `k8s.container.restart_count` from each file's path (kept in
 * `log.file.path` for it), parses JSON log lines into attributes (so fields
 * of Go services' structured logs stay structured), and ships to Loki over
 * OTLP. Read offsets persist in the `file_storage` extension on a node
 * directory; the DaemonSet tolerates every taint, so every node is covered.
 *
 * Pod Security exception: reading node log files and keeping offsets on the
 * node need hostPath volumes and user 0 (the files are root-owned, mode
 * 0640), which only the `privileged` profile admits. The agent therefore
 * runs alone in its own namespace; every capability is still dropped,
 * privilege escalation is off, the root file system is read-only, seccomp is
 * RuntimeDefault and no service account token is mounted.
 */
export class LogAgent extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Node directory (hostPath) of the read offsets. */
  public readonly offsetsPath: string;
  /** The parsed collector configuration. */
  public readonly config: Record<string, unknown>;
  /** The collector configuration file. */
  public readonly configMap: kplus.ConfigMap;
  /** The DaemonSet. */
  public readonly daemonSet: kplus.DaemonSet;
  /** Denies all ingress: the agent only sends. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: LogAgentProps) {
    super(scope, id);
    const d = LOG_AGENT_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'log-agent', 'logs', image, 'logAgent.image');
    const resources = componentResources(this, 'logAgent.resources', props.resources, d.resources);
    const offsetsRoot = props.offsetsHostPath ?? d.offsetsHostPath;
    if (typeof offsetsRoot !== 'string' || !/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(offsetsRoot) || offsetsRoot.split('/').includes('..')) {
      fail(this, `logAgent.offsetsHostPath (${show(offsetsRoot)}) must be an absolute node path without '..' or a trailing '/'`);
    }
    if (offsetsRoot === d.logDir || offsetsRoot.startsWith(`${d.logDir}/`) || d.logDir.startsWith(`${offsetsRoot}/`)) {
      fail(this, `logAgent.offsetsHostPath (${show(offsetsRoot)}) overlaps ${d.logDir}, which the agent mounts read-only: choose a directory of its own`);
    }
    this.offsetsPath = `${offsetsRoot}/${props.context.namespace}`;

    this.config = {
      extensions: {
        health_check: { endpoint: `0.0.0.0:${d.healthPort}` },
        // Read offsets of every file, kept on the node across agent restarts.
        file_storage: { directory: d.storageDir, create_directory: false, timeout: '10s' },
      },
      receivers: {
        filelog: {
          include: [`${d.logDir}/*/*/*.log`],
          // The agent's own lines would feed back into themselves.
          exclude: [`${d.logDir}/${props.context.namespace}_*/*/*.log`],
          // Only for files with no stored offset (the first start on a node);
          // afterwards each file resumes from the offset in file_storage.
          start_at: 'end',
          storage: 'file_storage',
          // The container operator reads namespace, pod, UID, container and
          // restart count from log.file.path: the path must be kept.
          include_file_path: true,
          include_file_name: false,
          operators: [
            // Detects the CRI (containerd, CRI-O) and Docker formats, recombines
            // CRI partial lines, and sets k8s.namespace.name, k8s.pod.name,
            // k8s.pod.uid, k8s.container.name and k8s.container.restart_count.
            { type: 'container', id: 'container-parser', add_metadata_from_filepath: true },
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
        'otlphttp/loki': {
          endpoint: props.lokiOtlpEndpoint,
          // Lines already read (their offsets stored) wait on the node while Loki is
          // unreachable or the agent restarts, instead of in memory.
          sending_queue: { enabled: true, storage: 'file_storage' },
        },
      },
      service: {
        extensions: ['health_check', 'file_storage'],
        pipelines: {
          logs: { receivers: ['filelog'], processors: ['memory_limiter', 'resource/node', 'batch'], exporters: ['otlphttp/loki'] },
        },
      },
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'config.yaml': this.config });
    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const logs = kplus.Volume.fromHostPath(this, 'PodLogsVolume', 'pod-logs', { path: d.logDir, type: kplus.HostPathVolumeType.DIRECTORY });
    const offsets = kplus.Volume.fromHostPath(this, 'OffsetsVolume', 'offsets', { path: this.offsetsPath, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE });
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
        { path: d.storageDir, volume: offsets },
      ],
    }], [configVolume, logs, offsets]) as kplus.DaemonSet;
    // Logs of every node, including tainted ones (control plane, dedicated pools).
    this.daemonSet.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.any()));
    this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: meta(this.identity),
      selector: this.daemonSet,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }
}
