/**
 * What constructs need from each other, as small interfaces. GoMicroservice
 * implements all of them; `PlainWorkload` presents a hand-written cdk8s-plus
 * Deployment and Service (of any cdk8s-plus major line) as them; other shapes
 * (workers, release tracks) can implement them too.
 */
import { IConstruct } from 'constructs';
import type { kplus } from './plus';

/** One requirement of a label selector, as written in `matchExpressions`. */
export interface LabelRequirement {
  /** The label key. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  readonly operator: string;
  /**
   * Values for `In` and `NotIn`.
   * @default - none (`Exists`, `DoesNotExist`)
   */
  readonly values?: string[];
}

/** Pods selected by labels in one namespace. */
export interface PodPeerConfig {
  /** Labels the pods carry (`matchLabels`). */
  readonly labels: Record<string, string>;
  /**
   * Further requirements on the pods' labels (`matchExpressions`).
   * @default - none
   */
  readonly expressions?: LabelRequirement[];
  /**
   * Namespace the pods run in. Rules select the pods in this namespace only
   * (`namespaceSelector` on `kubernetes.io/metadata.name`).
   * @default - unknown: `allowFrom` rejects the peer and says how to name it
   */
  readonly namespace?: string;
}

/** An IP range, in CIDR notation, minus some sub-ranges. */
export interface IpBlockPeerConfig {
  /** The range, e.g. `10.0.0.0/16` or `fd00::/64`. */
  readonly cidr: string;
  /**
   * Ranges inside `cidr` that are not admitted.
   * @default - none
   */
  readonly except?: string[];
}

/**
 * Whom a NetworkPolicy rule admits. Exactly one of `pods`, `namespace` and
 * `ipBlock` is set.
 */
export interface NetworkPeerConfig {
  /**
   * Pods selected by labels in their namespace.
   * @default - not a pod peer
   */
  readonly pods?: PodPeerConfig;
  /**
   * Every pod of the namespace with this name.
   * @default - not a namespace peer
   */
  readonly namespace?: string;
  /**
   * Addresses outside the cluster's pod network.
   * @default - not an IP block peer
   */
  readonly ipBlock?: IpBlockPeerConfig;
}

/**
 * A network peer: something a workload's NetworkPolicy can admit traffic from
 * (pods by selector labels and namespace, a whole namespace, or an IP block).
 */
export interface INetworkPeer {
  /** What the admitting rule selects. */
  toNetworkPeerConfig(): NetworkPeerConfig;
}

/**
 * A cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job) of any
 * cdk8s-plus major line, seen structurally: its pod selector and namespace.
 * A plus-27 or plus-33 Deployment satisfies it as it is.
 */
export interface IPlusWorkload extends IConstruct {
  /** Metadata of the workload; `namespace` includes the chart's. */
  readonly metadata: { readonly namespace?: string };
  /** Labels that select the workload's pods. */
  readonly matchLabels: Record<string, string>;
  /** Label requirements that select the workload's pods. */
  readonly matchExpressions: LabelRequirement[];
}

/**
 * What `allowFrom` accepts: a network peer (a GoMicroservice, a
 * `PlainWorkload`, `NetworkPeer.*`), a workload of any cdk8s-plus major line,
 * or a cdk8s-plus-27 network policy peer (`Pods.select`, `Namespaces.select`,
 * `NetworkPolicyIpBlock`). A peer whose pods' namespace cannot be known is
 * rejected at synth time.
 */
export type NetworkPeerSource = INetworkPeer | IPlusWorkload | kplus.INetworkPolicyPeer;

/** Options for admitting a peer to a workload. */
export interface AdmitOptions {
  /**
   * Named ports of the workload the peer may reach.
   * @default - the workload's API ports
   */
  readonly ports?: string[];
}

/** A workload whose own NetworkPolicy can admit peers. */
export interface IAdmitsTraffic {
  /** Admits `peer` to the named `ports` (or the API ports). */
  allowFrom(peer: NetworkPeerSource, options?: AdmitOptions): void;
}

/** A named port of a routable backend's Service. */
export interface BackendPort {
  /** Service port name: routes use `http` and `grpc`, monitoring uses `metrics`. */
  readonly name: string;
  /** Service port (`spec.ports[].port`), the port routes send to. */
  readonly port: number;
  /** Container port behind it, the port NetworkPolicies admit. */
  readonly targetPort: number;
  /**
   * `spec.ports[].appProtocol` (`http`, `kubernetes.io/h2c` for gRPC).
   * @default - not declared
   */
  readonly appProtocol?: string;
}

/** A request header whose value sends a request to one release track. */
export interface TrackHeaderMatch {
  /** Header name, as HTTP writes it (`x-canary`); matched case-insensitively. */
  readonly name: string;
  /** Exact header value. */
  readonly value: string;
}

/**
 * A release track of a routable backend other than the one its own Service
 * (`name`) serves: a canary, or the preview color of a blue-green release.
 * Its Service has the same named ports as the backend's.
 */
export interface BackendTrack {
  /** Track name (`canary`, `blue`, `green`), for object names and messages. */
  readonly track: string;
  /** `metadata.name` of the track's Service. */
  readonly serviceName: string;
  /**
   * Percent (0 to 100) of the requests without the header that routes send
   * to this track; the backend's own Service receives the rest.
   */
  readonly weight: number;
  /**
   * Requests carrying this header always go to this track.
   * @default - only `weight` decides
   */
  readonly header?: TrackHeaderMatch;
}

/**
 * A routable backend: a Service that SecureIngress routes may send traffic to,
 * and whose pods admit the gateway's or controller's namespace on the routed
 * port. HTTP routes use the Service port named `http`, gRPC routes the one
 * named `grpc`.
 */
export interface IRoutableBackend extends IConstruct, IAdmitsTraffic {
  /** `metadata.name` of the Service. */
  readonly name: string;
  /**
   * Namespace of the Service and its pods, when known.
   * @default - not known; a route needs it to equal the ingress's namespace
   */
  readonly namespace?: string;
  /** Labels that select the backend's pods. */
  readonly selectorLabels: Record<string, string>;
  /** The Service's named ports. */
  readonly servicePorts: BackendPort[];
  /** Container port number of a named port; throws when there is none. */
  portNumber(name: string): number;
  /**
   * Release tracks beside the backend's own Service that routes split
   * traffic to (by weight, and by header). Routes that cannot express them
   * fail at synth time rather than ignore them.
   * @default - none: every request goes to `name`
   */
  readonly releaseTracks?: BackendTrack[];
}

/** The HTTP endpoint Prometheus scrapes. */
export interface MetricsEndpoint {
  /** Name of the Service port that leads to it (a ServiceMonitor endpoint's `port`). */
  readonly servicePortName: string;
  /** Container port. */
  readonly port: number;
  /** HTTP path, e.g. `/metrics`. */
  readonly path: string;
}

/**
 * An environment variable value as every cdk8s-plus line's `EnvValue` holds
 * it: a literal `value` or a `valueFrom` source.
 */
export interface EnvValueLike {
  /**
   * Literal value.
   * @default - no literal value; `valueFrom` is used
   */
  readonly value?: unknown;
  /**
   * `valueFrom` source (field, ConfigMap or Secret reference).
   * @default - no source; `value` is used
   */
  readonly valueFrom?: unknown;
}

/**
 * A monitorable workload: what `ObservabilityStack.monitor` wires. Its pods
 * are scraped on `metricsEndpoint` (the named port `metrics` of
 * `allowFrom`/`portNumber`), get OpenTelemetry settings through
 * `addEnvironment`, and export to the collector as a network peer.
 */
export interface IMonitorableWorkload extends IConstruct, INetworkPeer, IAdmitsTraffic {
  /** `metadata.name` of the workload and its Service. */
  readonly name: string;
  /**
   * Namespace of the workload, when known.
   * @default - not known: the workload cannot be admitted by namespace, so monitoring it is an error
   */
  readonly namespace?: string;
  /** Labels copied onto the objects monitoring creates for it (a ServiceMonitor). */
  readonly labels: Record<string, string>;
  /** Labels that select the workload's Service (a ServiceMonitor's selector). */
  readonly serviceSelectorLabels: Record<string, string>;
  /** Where its metrics are scraped. */
  readonly metricsEndpoint: MetricsEndpoint;
  /** Adds an environment variable to the workload's main container; a name set twice throws. */
  addEnvironment(name: string, value: EnvValueLike): void;
}

/**
 * Network peers that are not workloads: pods by labels, a namespace, an IP
 * block.
 *
 * @example
 * orders.allowFrom(NetworkPeer.namespace('monitoring'), { ports: ['metrics'] });
 * orders.allowFrom(NetworkPeer.pods({ 'app.kubernetes.io/name': 'batch' }, 'jobs'));
 */
export class NetworkPeer implements INetworkPeer {
  /** Pods carrying `labels` in `namespace`. */
  public static pods(labels: Record<string, string>, namespace: string): NetworkPeer {
    return new NetworkPeer({ pods: { labels, namespace } });
  }

  /** Every pod of `namespace`. */
  public static namespace(namespace: string): NetworkPeer {
    return new NetworkPeer({ namespace });
  }

  /** Addresses in `cidr`, minus `except`. */
  public static ipBlock(cidr: string, except?: string[]): NetworkPeer {
    return new NetworkPeer({ ipBlock: { cidr, except } });
  }

  private constructor(private readonly config: NetworkPeerConfig) {}

  /** @see INetworkPeer.toNetworkPeerConfig() */
  public toNetworkPeerConfig(): NetworkPeerConfig {
    return this.config;
  }
}

/** True when `value` implements `INetworkPeer`. @internal */
export function isNetworkPeer(value: unknown): value is INetworkPeer {
  return typeof (value as INetworkPeer | undefined)?.toNetworkPeerConfig === 'function';
}

/** True when `value` looks like a cdk8s-plus workload of any line. @internal */
export function isPlusWorkload(value: unknown): value is IPlusWorkload {
  const w = value as Partial<IPlusWorkload> | undefined;
  return typeof w?.matchLabels === 'object' && w.matchLabels !== null && Array.isArray(w.matchExpressions)
    && typeof w.metadata === 'object' && typeof w.node === 'object';
}

/** True when `value` implements `IRoutableBackend`. @internal */
export function isRoutableBackend(value: unknown): value is IRoutableBackend {
  const b = value as Partial<IRoutableBackend> | undefined;
  return typeof b?.name === 'string' && Array.isArray(b.servicePorts) && typeof b.allowFrom === 'function'
    && typeof b.portNumber === 'function' && typeof b.node === 'object';
}
