import { Construct } from 'constructs';
import { prometheusScrapeAnnotations } from './annotations';
import {
  AdmitOptions, BackendPort, EnvValueLike, IMonitorableWorkload, INetworkPeer, IPlusWorkload, IRoutableBackend, MetricsEndpoint,
  NetworkPeerConfig, NetworkPeerSource,
} from './contracts';
import { fail, show } from './errors';
import { validateEnvName } from './names';
import { resolveNetworkPeer, selectsSamePods } from './network-peer';
import { kplus } from './plus';
import { validateHttpPath } from './validate';

/**
 * A cdk8s-plus workload of any major line, with what `PlainWorkload` needs
 * beyond its pod selector: its containers' environment and its pod metadata.
 */
export interface IPlainWorkloadTarget extends IPlusWorkload {
  /** The workload's containers; monitoring settings go into the first. */
  readonly containers: ReadonlyArray<{
    readonly name: string;
    readonly env: {
      readonly variables: Record<string, unknown>;
      addVariable(name: string, value: EnvValueLike): void;
    };
  }>;
  /** Metadata of the pod template. */
  readonly podMetadata: { addAnnotation(key: string, value: string): unknown };
}

/** A cdk8s-plus Service of any major line, seen structurally. */
export interface IPlainService {
  /** `metadata.name`. */
  readonly name: string;
  /** Metadata; `namespace` includes the chart's. */
  readonly metadata: { readonly namespace?: string; toJson(): unknown };
  /** The Service ports. */
  readonly ports: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly targetPort?: number }>;
}

/** Props of a `PlainWorkload`. */
export interface PlainWorkloadProps {
  /** The workload (a Deployment, StatefulSet...) of any cdk8s-plus major line. */
  readonly workload: IPlainWorkloadTarget;

  /**
   * The Service in front of it, in the same namespace. Name its ports: routes
   * use the ones named `http` and `grpc`, monitoring the metrics port.
   */
  readonly service: IPlainService;

  /**
   * Name of the Service port that serves Prometheus metrics.
   * @default 'metrics', when the Service has such a port; otherwise the workload cannot be monitored
   */
  readonly metricsPortName?: string;

  /**
   * HTTP path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * Add `prometheus.io/scrape|port|path` annotations to the pod template for
   * the metrics port, as GoMicroservice does, so the self-contained
   * ObservabilityStack finds the pods.
   * @default true (when there is a metrics port)
   */
  readonly prometheusScrape?: boolean;

  /**
   * Create a NetworkPolicy `<service>-admitted` for the workload's pods, on
   * the first `allowFrom`, that admits only the peers routes and monitoring
   * add. The pods are then isolated for ingress. Set `false` when the
   * workload's own NetworkPolicies admit the gateway and Prometheus: then
   * `allowFrom` records nothing.
   * @default true
   */
  readonly networkPolicy?: boolean;
}

/**
 * Presents a hand-written cdk8s-plus Deployment and Service (of any
 * cdk8s-plus major line) as a routable backend for SecureIngress, a
 * monitorable workload for `ObservabilityStack.monitor` and a network peer for
 * `allowFrom`. Nothing is created until a peer is admitted.
 *
 * @example
 * const web = new kplus.Deployment(chart, 'legacy', { containers: [{ image: 'registry.example.com/legacy:3.1.0', portNumber: 8080 }] });
 * const svc = new kplus.Service(chart, 'legacy-svc', { selector: web, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
 * const legacy = new PlainWorkload(chart, 'legacy-contracts', { workload: web, service: svc, metricsPortName: 'http' });
 * edge.addRoute({ host: 'legacy.example.com', service: legacy });
 * stack.monitor(legacy);
 * orders.allowFrom(legacy);
 */
export class PlainWorkload extends Construct implements IRoutableBackend, IMonitorableWorkload, INetworkPeer {
  /** `metadata.name` of the Service. */
  public readonly name: string;
  /** Namespace of the Service and the workload, when known. */
  public readonly namespace?: string;
  /** The workload's pod selector labels. */
  public readonly selectorLabels: Record<string, string>;
  /** The Service's labels when this construct was created, copied onto monitoring objects. */
  public readonly labels: Record<string, string>;
  /** The Service's named ports. */
  public readonly servicePorts: BackendPort[];
  private readonly workload: IPlainWorkloadTarget;
  private readonly metrics?: MetricsEndpoint;
  private readonly metricsPortName: string;
  private readonly createPolicy: boolean;
  private policy?: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: PlainWorkloadProps) {
    super(scope, id);
    const { workload, service } = props;
    this.workload = workload;
    this.name = service.name;
    const serviceNamespace = service.metadata.namespace;
    if (serviceNamespace !== workload.metadata.namespace) {
      fail(this, `service namespace (${show(serviceNamespace)}) differs from the workload's (${show(workload.metadata.namespace)}): put both in one namespace`);
    }
    this.namespace = serviceNamespace;
    this.selectorLabels = { ...workload.matchLabels };
    const meta = service.metadata.toJson() as { labels?: Record<string, string> } | undefined;
    this.labels = { ...meta?.labels ?? {} };
    this.servicePorts = service.ports.map((p, i) => {
      if (p.name === undefined || p.name === '') {
        fail(this, `service.ports[${i}] (${p.port}) has no name: name every Service port (http, grpc, metrics...) so routes and monitoring can find it`);
      }
      return { name: p.name, port: p.port, targetPort: p.targetPort ?? p.port };
    });
    this.createPolicy = props.networkPolicy ?? true;
    if (this.createPolicy && workload.matchExpressions.length > 0) {
      fail(this, `workload matchExpressions (${show(workload.matchExpressions)}) cannot select the pods of the NetworkPolicy this construct creates: select the workload by labels only, or set networkPolicy: false`);
    }

    this.metricsPortName = props.metricsPortName ?? 'metrics';
    const metricsPort = this.servicePorts.find((p) => p.name === this.metricsPortName);
    if (props.metricsPortName !== undefined && !metricsPort) {
      fail(this, `metricsPortName (${show(props.metricsPortName)}) is not a port of Service ${show(this.name)}: use one of ${this.servicePorts.map((p) => p.name).join(', ')}`);
    }
    const path = props.metricsPath ?? '/metrics';
    validateHttpPath(this, 'metricsPath', path);
    if (metricsPort) {
      this.metrics = { servicePortName: metricsPort.name, port: metricsPort.targetPort, path };
      if (props.prometheusScrape ?? true) {
        for (const [key, value] of Object.entries(prometheusScrapeAnnotations(metricsPort.targetPort, path))) {
          workload.podMetadata.addAnnotation(key, value);
        }
      }
    } else if (props.prometheusScrape === true) {
      fail(this, `prometheusScrape (true) needs a metrics port, which Service ${show(this.name)} does not have: name it metrics, or set metricsPortName`);
    }
  }

  /** The NetworkPolicy that admits peers, once one was admitted (with `networkPolicy`); `undefined` before. */
  public get networkPolicy(): kplus.NetworkPolicy | undefined {
    return this.policy;
  }

  /** The labels that select the Service: its own labels. */
  public get serviceSelectorLabels(): Record<string, string> {
    if (Object.keys(this.labels).length === 0) {
      fail(this, `service labels ({}) are empty: label the Service so a ServiceMonitor can select it`);
    }
    return { ...this.labels };
  }

  /** Where Prometheus scrapes the pods. Throws when the Service has no metrics port. */
  public get metricsEndpoint(): MetricsEndpoint {
    if (!this.metrics) {
      fail(this, `metricsPortName (${show(this.metricsPortName)}) is not a port of Service ${show(this.name)}: name the metrics port metrics, or set metricsPortName`);
    }
    return this.metrics;
  }

  /**
   * Container port of a named Service port; `metrics` also names the metrics
   * port. Throws when there is none.
   */
  public portNumber(name: string, prop = 'port'): number {
    if (name === 'metrics' && this.metrics) {
      return this.metrics.port;
    }
    const port = this.servicePorts.find((p) => p.name === name);
    if (!port) {
      fail(this, `${prop} names ${show(name)}, which Service ${show(this.name)} does not expose: use one of ${this.servicePorts.map((p) => p.name).join(', ')}`);
    }
    return port.targetPort;
  }

  /**
   * Admits `peer` to the named `ports` (default: `http` and `grpc`, those the
   * Service has) through the NetworkPolicy this construct owns; records
   * nothing with `networkPolicy: false`.
   */
  public allowFrom(peer: NetworkPeerSource, options: AdmitOptions = {}): void {
    const names = options.ports ?? this.servicePorts.map((p) => p.name).filter((n) => n === 'http' || n === 'grpc');
    if (names.length === 0) {
      fail(this, `allowFrom ports ([]) is empty: name at least one of ${this.servicePorts.map((p) => p.name).join(', ')}`);
    }
    const numbers = names.map((n) => this.portNumber(n, 'allowFrom ports'));
    if (peer === this || (peer as unknown) === this.workload) {
      fail(this, `allowFrom peer (${show(this.node.path)}) is this workload itself: allowFrom admits other workloads, not the workload's own pods`);
    }
    const resolved = resolveNetworkPeer(this, 'allowFrom peer', peer);
    if (selectsSamePods(resolved.config, this.selectorLabels, this.namespace)) {
      fail(this, `allowFrom peer (${show(this.node.path)}) is this workload itself: allowFrom admits other workloads, not the workload's own pods`);
    }
    if (!this.createPolicy) {
      return;
    }
    this.policy ??= new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: `${this.name}-admitted`, namespace: this.namespace },
      selector: kplus.Pods.select(this, 'Pods', { labels: this.selectorLabels, expressions: [] }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    this.policy.addIngressRule(resolved.plus, [...new Set(numbers)].map((n) => kplus.NetworkPolicyPort.tcp(n)));
  }

  /** Adds an environment variable to the workload's first container; a name set twice throws. */
  public addEnvironment(name: string, value: EnvValueLike): void {
    validateEnvName(this, 'addEnvironment', name);
    const container = this.workload.containers[0];
    if (!container) {
      fail(this, `addEnvironment (${show(name)}) needs a container: add one to the workload first`);
    }
    if (name in container.env.variables) {
      fail(this, `addEnvironment sets ${show(name)}, which is already set: each environment variable must be set once`);
    }
    container.env.addVariable(name, value);
  }

  /** @see INetworkPeer.toNetworkPeerConfig() */
  public toNetworkPeerConfig(): NetworkPeerConfig {
    return { pods: { labels: { ...this.selectorLabels }, expressions: [...this.workload.matchExpressions], namespace: this.namespace } };
  }
}
