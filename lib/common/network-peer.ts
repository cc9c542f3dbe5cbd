import { isIPv4, isIPv6 } from 'net';
import { Construct, IConstruct, IMixin, Node } from 'constructs';
import { INetworkPeer, isNetworkPeer, isPlusWorkload, LabelRequirement, NetworkPeerConfig, NetworkPeerSource } from './contracts';
import { fail, show } from './errors';
import { validateDnsLabel } from './names';
import { kplus } from './plus';

/** A peer checked and ready for a cdk8s-plus-27 NetworkPolicy rule. @internal */
export interface ResolvedNetworkPeer {
  /** What the rule selects, when the peer says it (not for plus-27 selectors). */
  readonly config?: NetworkPeerConfig;
  /** The peer as cdk8s-plus-27's `NetworkPolicy.addIngressRule` takes it. */
  readonly plus: kplus.INetworkPolicyPeer;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Checks a peer handed to `allowFrom` and turns it into a cdk8s-plus-27 peer.
 * Pods whose namespace cannot be known are rejected: a rule without a
 * namespaceSelector admits them only when they happen to share the policy's
 * namespace.
 *
 * @internal
 */
export function resolveNetworkPeer(scope: Construct, prop: string, peer: NetworkPeerSource): ResolvedNetworkPeer {
  if (isNetworkPeer(peer)) {
    const config = peer.toNetworkPeerConfig();
    return { config, plus: renderPeer(scope, prop, peer, config) };
  }
  if (isPlusWorkload(peer)) {
    const config: NetworkPeerConfig = {
      pods: { labels: peer.matchLabels, expressions: peer.matchExpressions, namespace: peer.metadata.namespace },
    };
    return { config, plus: renderPeer(scope, prop, peer, config) };
  }
  const plusPeer = peer as kplus.INetworkPolicyPeer | undefined;
  if (typeof plusPeer?.toNetworkPolicyPeerConfig !== 'function') {
    fail(scope, `${prop} (${show(describePeer(peer))}) must be a network peer: a GoMicroservice, a PlainWorkload, NetworkPeer.pods/namespace/ipBlock, or a cdk8s-plus workload`);
  }
  const c = plusPeer.toNetworkPolicyPeerConfig();
  const ns = c.podSelector?.namespaces;
  if (c.podSelector && (ns === undefined || ((ns.names ?? []).length === 0 && ns.labelSelector === undefined))) {
    failNoNamespace(scope, prop, peer);
  }
  return { plus: plusPeer };
}

/** Adds an ingress rule admitting `peer` on `ports` to `policy`. @internal */
export function admitPeer(scope: Construct, prop: string, policy: kplus.NetworkPolicy, peer: NetworkPeerSource, ports: number[]): ResolvedNetworkPeer {
  const resolved = resolveNetworkPeer(scope, prop, peer);
  policy.addIngressRule(resolved.plus, ports.map((p) => kplus.NetworkPolicyPort.tcp(p)));
  return resolved;
}

/** True when a resolved peer selects exactly the pods of `labels` in `namespace`. @internal */
export function selectsSamePods(config: NetworkPeerConfig | undefined, labels: Record<string, string>, namespace: string | undefined): boolean {
  const pods = config?.pods;
  if (!pods || (pods.expressions ?? []).length > 0 || pods.namespace !== namespace) {
    return false;
  }
  const a = Object.entries(pods.labels).sort();
  const b = Object.entries(labels).sort();
  return a.length === b.length && a.every(([k, v], i) => b[i][0] === k && b[i][1] === v);
}

/** A name for the peer in messages: its construct path, or its selector. @internal */
export function describePeer(peer: unknown): unknown {
  const node = (peer as IConstruct | undefined)?.node;
  if (node && typeof node.path === 'string') {
    return node.path;
  }
  if (isNetworkPeer(peer)) {
    const c = peer.toNetworkPeerConfig();
    return c.pods?.labels ?? c.namespace ?? c.ipBlock?.cidr;
  }
  return peer;
}

function failNoNamespace(scope: IConstruct, prop: string, peer: unknown): never {
  fail(scope, `${prop} (${show(describePeer(peer))}) has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart`);
}

function renderPeer(scope: Construct, prop: string, peer: INetworkPeer | IConstruct, config: NetworkPeerConfig): kplus.INetworkPolicyPeer {
  const kinds = [config.pods, config.namespace, config.ipBlock].filter((v) => v !== undefined).length;
  if (kinds !== 1) {
    fail(scope, `${prop} (${show(describePeer(peer))}) must select exactly one of pods, namespace or ipBlock`);
  }
  if (config.pods) {
    const pods = config.pods;
    const expressions = pods.expressions ?? [];
    if (Object.keys(pods.labels).length === 0 && expressions.length === 0) {
      fail(scope, `${prop} (${show(describePeer(peer))}) selects every pod (no labels): select the peer's pods by label, or admit its namespace with NetworkPeer.namespace`);
    }
    if (pods.namespace === undefined) {
      failNoNamespace(scope, prop, peer);
    }
    validateDnsLabel(scope, `${prop} namespace`, pods.namespace);
    const labelSelector = kplus.LabelSelector.of({
      labels: pods.labels,
      expressions: expressions.length > 0 ? expressions.map((e) => labelExpression(scope, prop, e)) : undefined,
    });
    return literalPeer(scope, { podSelector: { labelSelector, namespaces: { names: [pods.namespace] } } });
  }
  if (config.namespace !== undefined) {
    validateDnsLabel(scope, `${prop} namespace`, config.namespace);
    return literalPeer(scope, { podSelector: { labelSelector: kplus.LabelSelector.of({}), namespaces: { names: [config.namespace] } } });
  }
  const block = config.ipBlock!;
  const except = block.except ?? [];
  const v6 = cidrFamily(block.cidr) === 6;
  for (const cidr of [block.cidr, ...except]) {
    const family = cidrFamily(cidr);
    if (family === undefined || (family === 6) !== v6) {
      fail(scope, `${prop} ipBlock (${show(cidr)}) must be a CIDR range of one address family, such as 10.0.0.0/16 or fd00::/64`);
    }
  }
  const id = `AllowIpBlock-${block.cidr.replace(/[/:]/g, '_')}-${except.join('_').replace(/[/:]/g, '_')}`;
  const existing = scope.node.tryFindChild(id) as kplus.NetworkPolicyIpBlock | undefined;
  return existing ?? (v6
    ? kplus.NetworkPolicyIpBlock.ipv6(scope, id, block.cidr, except.length > 0 ? except : undefined)
    : kplus.NetworkPolicyIpBlock.ipv4(scope, id, block.cidr, except.length > 0 ? except : undefined));
}

function literalPeer(scope: IConstruct, config: kplus.NetworkPolicyPeerConfig): kplus.INetworkPolicyPeer {
  return new RenderedPeer(scope, config);
}

/** A peer as cdk8s-plus-27 reads it, standing in the tree for the construct that admits it. */
class RenderedPeer implements kplus.INetworkPolicyPeer {
  public constructor(private readonly scope: IConstruct, private readonly config: kplus.NetworkPolicyPeerConfig) {}

  public get node(): Node {
    return this.scope.node;
  }

  public with(...mixins: IMixin[]): IConstruct {
    return this.scope.with(...mixins);
  }

  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return this.config;
  }

  public toPodSelector(): undefined {
    return undefined;
  }
}

function labelExpression(scope: IConstruct, prop: string, e: LabelRequirement): kplus.LabelExpression {
  switch (e.operator) {
    case 'In': return kplus.LabelExpression.in(e.key, e.values ?? []);
    case 'NotIn': return kplus.LabelExpression.notIn(e.key, e.values ?? []);
    case 'Exists': return kplus.LabelExpression.exists(e.key);
    case 'DoesNotExist': return kplus.LabelExpression.doesNotExist(e.key);
    default:
      return fail(scope, `${prop} matchExpressions operator (${show(e.operator)}) must be one of ${OPERATORS.join(', ')}`);
  }
}

function cidrFamily(cidr: string): 4 | 6 | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) {
    return undefined;
  }
  const bits = Number(m[2]);
  if (isIPv4(m[1]) && bits <= 32) {
    return 4;
  }
  if (isIPv6(m[1]) && bits <= 128) {
    return 6;
  }
  return undefined;
}
