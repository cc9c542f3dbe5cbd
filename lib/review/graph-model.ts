import { parse as parseYaml } from 'yaml';
import { byString } from '../common/files';
import { LABEL_INSTANCE, LABEL_NAME } from '../common/labels';
import { EXTERNAL_ANNOTATION } from '../policy/context';
import {
  annotationsOf, arr, kindOf, labelsOf, Manifest, nameOf, namespaceOf, rec, str, strMap,
} from './manifests';
import {
  formatSelector, isEmptySelector, LabelSelector, mapSelector, matchesSelector, NAMESPACE_NAME_LABEL,
  pinnedNamespaces, readSelector, shortSelector,
} from './selectors';

/** What a node of the platform graph stands for. */
export type NodeKind =
  | 'entry' // a Gateway listener or an Ingress host
  | 'route' // a route rule or an Ingress path
  | 'service' // a Service
  | 'workload' // a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod
  | 'peer' // traffic sources a NetworkPolicy admits that are not one workload (a namespace, a CIDR, anyone)
  | 'monitor' // a Prometheus outside the manifests (operator), scrape targets outside the set
  | 'external' // an address outside the set (telemetry endpoint, node log files)
  | 'secret' // a Secret that something references
  | 'secret-source'; // where a Secret comes from: ExternalSecret, SealedSecret, Certificate

/** What an edge of the platform graph stands for. */
export type EdgeKind =
  | 'route' // entry point → route rule
  | 'backend' // route rule → Service
  | 'selects' // Service → workload
  | 'traffic' // ingress traffic a NetworkPolicy (or the lack of one) admits: source → workload
  | 'scrape' // Prometheus → target
  | 'alerts' // Prometheus → Alertmanager
  | 'telemetry' // OTLP, log and datasource flows
  | 'secret' // Secret → the object that reads it
  | 'source'; // secret source → Secret

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly details: string[];
  /** Namespace the node is drawn in; undefined for nodes outside any namespace of the set. */
  readonly namespace?: string;
  /** The service group (`<namespace>/<app name>`) the node belongs to. */
  readonly group?: string;
  /** A source that admits more than one namespace can see: every namespace, any address, no policy. */
  readonly wide?: boolean;
  /** Referenced but not found in the manifests and not declared external. */
  readonly missing?: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label: string;
  readonly wide?: boolean;
}

export interface GraphGroup {
  readonly id: string;
  readonly label: string;
  readonly namespace: string;
}

/** The platform as a graph: what one folder of manifests implies, computed from the objects alone. */
export interface PlatformGraph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly groups: GraphGroup[];
  /** Things a reviewer should know that are not an edge: unattached routes, policies that admit nobody. */
  readonly notes: string[];
}

/** The source node for traffic to pods no ingress policy selects. */
export const ANYONE = 'peer:anyone';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
const OTLP_ENV = /^OTEL_EXPORTER_OTLP_(?:(TRACES|METRICS|LOGS)_)?ENDPOINT$/;

interface ContainerPort { readonly name?: string; readonly port: number; readonly protocol: string }

interface Workload {
  readonly id: string;
  readonly m: Manifest;
  readonly kind: string;
  readonly name: string;
  readonly ns: string;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly podSpec: Record<string, unknown>;
  readonly ports: ContainerPort[];
  readonly group: string;
}

interface PortSpec { readonly port?: string | number; readonly endPort?: number; readonly protocol: string }
interface PeerSpec { readonly podSelector?: LabelSelector; readonly namespaceSelector?: LabelSelector; readonly ipBlock?: { cidr: string; except: string[] } }
interface PolicyRule { readonly peers: PeerSpec[] | 'all'; readonly ports: PortSpec[] }
interface Policy {
  readonly m: Manifest;
  readonly ns: string;
  readonly selector: LabelSelector;
  readonly ingress?: PolicyRule[];
  readonly egress?: PolicyRule[];
}
interface Source { readonly id: string; readonly workload?: Workload }

/** Builds the platform graph of one cluster's manifests. Pure: same objects, same graph. */
export function buildGraph(manifests: readonly Manifest[]): PlatformGraph {
  return new GraphBuilder(manifests).build();
}

class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge & { labels: Set<string> }>();
  private readonly groups = new Map<string, GraphGroup>();
  private readonly notes = new Set<string>();
  private readonly workloads: Workload[] = [];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly byKind = new Map<string, Manifest[]>();
  private readonly annotationScraped = new Set<string>();

  constructor(private readonly manifests: readonly Manifest[]) {
    for (const m of manifests) {
      const list = this.byKind.get(kindOf(m)) ?? [];
      list.push(m);
      this.byKind.set(kindOf(m), list);
      const ns = namespaceOf(m);
      if (ns !== undefined && !this.namespaceLabels.has(ns)) {
        this.namespaceLabels.set(ns, { [NAMESPACE_NAME_LABEL]: ns });
      }
    }
    for (const m of this.of('Namespace')) {
      this.namespaceLabels.set(nameOf(m), { ...labelsOf(m), [NAMESPACE_NAME_LABEL]: nameOf(m) });
    }
  }

  public build(): PlatformGraph {
    this.addWorkloads();
    this.addServices();
    this.addGateways();
    this.addIngresses();
    this.addTraffic();
    this.addPrometheusConfigs();
    this.addMonitors();
    this.markUnreadScrapeAnnotations();
    this.addTelemetry();
    this.addSecrets();
    this.markMissingSecrets();
    const edges = [...this.edges.values()].map(({ labels, ...e }) => ({ ...e, label: [...labels].sort(byString).join(', ') }));
    return {
      nodes: [...this.nodes.values()].map((n) => ({ ...n, details: [...n.details] })).sort((a, b) => byString(a.id, b.id)),
      edges: edges.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to) || byString(a.kind, b.kind)),
      groups: [...this.groups.values()].sort((a, b) => byString(a.id, b.id)),
      notes: [...this.notes].sort(byString),
    };
  }

  // ---- primitives

  private of(kind: string): Manifest[] {
    return this.byKind.get(kind) ?? [];
  }

  private node(n: GraphNode): GraphNode {
    const existing = this.nodes.get(n.id);
    if (existing) {
      for (const d of n.details) {
        if (!existing.details.includes(d)) {
          existing.details.push(d);
        }
      }
      return existing;
    }
    this.nodes.set(n.id, { ...n, details: [...n.details] });
    return this.nodes.get(n.id)!;
  }

  private edge(from: string, to: string, kind: EdgeKind, label: string, wide = false): void {
    const key = `${from}\u0000${to}\u0000${kind}`;
    const existing = this.edges.get(key);
    if (existing) {
      if (label !== '') {
        existing.labels.add(label);
      }
      return;
    }
    this.edges.set(key, { from, to, kind, label: '', labels: new Set(label === '' ? [] : [label]), ...(wide ? { wide } : {}) });
  }

  private group(ns: string, name: string): string {
    const id = `${ns}/${name}`;
    if (!this.groups.has(id)) {
      this.groups.set(id, { id, label: name, namespace: ns });
    }
    return id;
  }

  private isKnownNamespace(ns: string): boolean {
    return this.namespaceLabels.has(ns);
  }

  // ---- workloads

  private addWorkloads(): void {
    for (const m of this.manifests) {
      const kind = kindOf(m);
      if (!WORKLOAD_KINDS.has(kind)) {
        continue;
      }
      const template = kind === 'Pod' ? m : kind === 'CronJob'
        ? rec(rec(rec(rec(m.spec).jobTemplate).spec).template)
        : rec(rec(m.spec).template);
      const podLabels = strMap(rec(template.metadata).labels);
      const podSpec = rec(template.spec);
      const ns = namespaceOf(m)!;
      const name = nameOf(m);
      const appName = labelsOf(m)[LABEL_NAME] ?? podLabels[LABEL_NAME] ?? name;
      const ports: ContainerPort[] = [];
      for (const c of containersOf(podSpec)) {
        for (const p of arr(c.ports)) {
          const port = rec(p).containerPort;
          if (typeof port === 'number') {
            ports.push({ name: str(rec(p).name), port, protocol: str(rec(p).protocol) ?? 'TCP' });
          }
        }
      }
      const w: Workload = {
        id: `workload:${ns}/${kind}/${name}`, m, kind, name, ns, podLabels, podSpec, ports,
        podAnnotations: strMap(rec(template.metadata).annotations), group: this.group(ns, appName),
      };
      this.workloads.push(w);
      const details = [...imageDetails(podSpec), ...this.scaleDetails(w)];
      this.node({ id: w.id, kind: 'workload', label: `${kind} ${name}`, details, namespace: ns, group: w.group });
    }
  }

  private scaleDetails(w: Workload): string[] {
    const out: string[] = [];
    const hpa = this.of('HorizontalPodAutoscaler').find((h) => namespaceOf(h) === w.ns
      && str(rec(rec(h.spec).scaleTargetRef).kind) === w.kind && str(rec(rec(h.spec).scaleTargetRef).name) === w.name);
    const spec = rec(w.m.spec);
    if (hpa) {
      const min = rec(hpa.spec).minReplicas ?? 1;
      out.push(`HPA ${min}–${rec(hpa.spec).maxReplicas}`);
    } else if (typeof spec.replicas === 'number') {
      out.push(`replicas ${spec.replicas}`);
    }
    if (w.kind === 'CronJob' && typeof spec.schedule === 'string') {
      out.push(`schedule ${spec.schedule}`);
    }
    for (const pdb of this.of('PodDisruptionBudget')) {
      const sel = rec(pdb.spec).selector;
      if (namespaceOf(pdb) === w.ns && sel !== undefined && matchesSelector(readSelector(sel), w.podLabels)) {
        const s = rec(pdb.spec);
        out.push(s.minAvailable !== undefined ? `PDB minAvailable ${s.minAvailable}` : `PDB maxUnavailable ${s.maxUnavailable}`);
      }
    }
    return out;
  }

  private workloadsIn(ns: string, selector: LabelSelector): Workload[] {
    return this.workloads.filter((w) => w.ns === ns && matchesSelector(selector, w.podLabels));
  }

  // ---- services

  private addServices(): void {
    for (const svc of this.of('Service')) {
      const ns = namespaceOf(svc)!;
      const spec = rec(svc.spec);
      const selector = strMap(spec.selector);
      const targets = Object.keys(selector).length === 0 ? [] : this.workloadsIn(ns, mapSelector(selector));
      const group = targets[0]?.group ?? this.group(ns, labelsOf(svc)[LABEL_NAME] ?? nameOf(svc));
      const ports = arr(spec.ports).map((p) => {
        const r = rec(p);
        const target = r.targetPort === undefined || r.targetPort === r.port ? '' : `→${r.targetPort}`;
        return `${r.name ?? ''}${r.name ? ' ' : ''}${r.port}${target}`;
      });
      const details = [ports.join(', ')];
      if (spec.type !== undefined && spec.type !== 'ClusterIP') {
        details.push(`type ${spec.type}`);
      }
      if (spec.type === 'ExternalName') {
        details.push(`→ ${spec.externalName}`);
      }
      const id = serviceId(ns, nameOf(svc));
      this.node({ id, kind: 'service', label: `Service ${nameOf(svc)}`, details: details.filter((d) => d !== ''), namespace: ns, group });
      for (const w of targets) {
        this.edge(id, w.id, 'selects', '');
      }
      if (Object.keys(selector).length > 0 && targets.length === 0) {
        this.notes.add(`Service ${ns}/${nameOf(svc)} selects no workload in these manifests`);
      }
    }
  }

  /** The node of a Service a route or address names; a missing one is drawn and marked. */
  private serviceNode(ns: string, name: string, routed = true): string {
    const id = serviceId(ns, name);
    if (!this.nodes.has(id)) {
      // A route to a Service that does not exist is an error; an address may point at one managed elsewhere.
      this.node({ id, kind: 'service', label: `Service ${name}`, details: ['not in these manifests'], namespace: ns, ...(routed ? { missing: true } : {}) });
      this.notes.add(`Service ${ns}/${name} is referenced${routed ? ' by a route' : ''} but not in these manifests`);
    }
    return id;
  }

  /** Resolves `http://name.ns.svc:port/x` or `name:port` to a Service node, or an external node. */
  private address(value: string, ns: string): { id: string; port?: string } {
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/:]+)(?::(\d+))?/i.exec(value.trim());
    const host = m?.[1] ?? value;
    const port = m?.[2];
    const parts = host.split('.');
    const clusterSuffix = parts.length === 2 || (parts.length >= 3 && parts[2] === 'svc');
    const svcNs = parts.length === 1 ? ns : parts[1];
    // A cluster-local name in a namespace of the set is a Service (drawn as missing when absent).
    if ((parts.length === 1 || clusterSuffix) && host !== 'localhost' && this.isKnownNamespace(svcNs)) {
      return { id: this.serviceNode(svcNs, parts[0], false), port };
    }
    const id = `external:${host}${port ? `:${port}` : ''}`;
    this.node({ id, kind: 'external', label: `${host}${port ? `:${port}` : ''}`, details: ['outside these manifests'] });
    return { id, port };
  }

  // ---- entry points

  private addGateways(): void {
    for (const gw of this.of('Gateway')) {
      const ns = namespaceOf(gw)!;
      const group = this.group(ns, `gateway ${nameOf(gw)}`);
      for (const l of arr(rec(gw.spec).listeners).map(rec)) {
        const id = listenerId(ns, nameOf(gw), str(l.name) ?? '');
        const tls = rec(l.tls);
        const details = [str(l.hostname) ?? 'any host'];
        if (l.tls !== undefined) {
          details.push(`TLS ${str(tls.mode) ?? 'Terminate'}`);
        }
        this.node({ id, kind: 'entry', label: `${l.name} ${l.protocol} :${l.port}`, details, namespace: ns, group });
        for (const ref of arr(tls.certificateRefs).map(rec)) {
          if ((str(ref.kind) ?? 'Secret') === 'Secret') {
            this.secretRef(str(ref.namespace) ?? ns, str(ref.name) ?? '', id, 'TLS certificate', gw);
          }
        }
      }
    }
    for (const kind of [...ROUTE_KINDS].sort()) {
      for (const route of this.of(kind)) {
        this.addRoute(route);
      }
    }
  }

  private addRoute(route: Manifest): void {
    const ns = namespaceOf(route)!;
    const kind = kindOf(route);
    const spec = rec(route.spec);
    const hostnames = arr(spec.hostnames).filter((h): h is string => typeof h === 'string');
    const rules = arr(spec.rules).map(rec);
    const ruleIds = rules.map((rule, i) => {
      const id = `route:${ns}/${kind}/${nameOf(route)}#${i}`;
      const details = [`${kind} ${nameOf(route)}`, ...filterDetails(rule)];
      this.node({ id, kind: 'route', label: matchLabel(kind, rule), details, namespace: ns });
      for (const b of arr(rule.backendRefs).map(rec)) {
        if ((str(b.kind) ?? 'Service') !== 'Service') {
          continue;
        }
        const svc = this.serviceNode(str(b.namespace) ?? ns, str(b.name) ?? '');
        const weight = b.weight !== undefined && rules.length > 0 && arr(rule.backendRefs).length > 1 ? ` weight ${b.weight}` : '';
        this.edge(id, svc, 'backend', `${b.port ?? ''}${weight}`.trim());
      }
      return id;
    });
    for (const parent of arr(spec.parentRefs).map(rec)) {
      if ((str(parent.kind) ?? 'Gateway') !== 'Gateway') {
        continue;
      }
      const gwNs = str(parent.namespace) ?? ns;
      const gwName = str(parent.name) ?? '';
      const gw = this.of('Gateway').find((g) => namespaceOf(g) === gwNs && nameOf(g) === gwName);
      if (!gw) {
        const id = `entry:${gwNs}/${gwName}`;
        this.node({ id, kind: 'entry', label: `Gateway ${gwName}`, details: ['not in these manifests'], namespace: gwNs, missing: true });
        ruleIds.forEach((r) => this.edge(id, r, 'route', hostnames.join(', ')));
        continue;
      }
      const listeners = arr(rec(gw.spec).listeners).map(rec)
        .filter((l) => parent.sectionName === undefined || l.name === parent.sectionName)
        .filter((l) => parent.port === undefined || l.port === parent.port);
      for (const l of listeners) {
        const why = this.rejects(l, gwNs, kind, ns, hostnames);
        if (why !== undefined) {
          this.notes.add(`${kind} ${ns}/${nameOf(route)} is not accepted by listener ${gwNs}/${gwName}/${l.name}: ${why}`);
          continue;
        }
        const listener = listenerId(gwNs, gwName, str(l.name) ?? '');
        ruleIds.forEach((r) => this.edge(listener, r, 'route', hostnames.join(', ')));
      }
    }
  }

  /** Why a listener does not accept a route (allowedRoutes and hostnames), or undefined when it does. */
  private rejects(listener: Record<string, unknown>, gwNs: string, kind: string, routeNs: string, hostnames: string[]): string | undefined {
    const allowed = rec(listener.allowedRoutes);
    const from = str(rec(allowed.namespaces).from) ?? 'Same';
    const kinds = arr(allowed.kinds).map((k) => str(rec(k).kind));
    const protocol = str(listener.protocol) ?? '';
    const defaultKinds = protocol === 'HTTP' || protocol === 'HTTPS' ? ['HTTPRoute', 'GRPCRoute']
      : protocol === 'TLS' ? ['TLSRoute'] : protocol === 'TCP' ? ['TCPRoute'] : protocol === 'UDP' ? ['UDPRoute'] : [];
    if (!(kinds.length > 0 ? kinds : defaultKinds).includes(kind)) {
      return `kind ${kind} not allowed`;
    }
    if (from === 'Selector') {
      const sel = readSelector(rec(allowed.namespaces).selector);
      if (!matchesSelector(sel, this.namespaceLabels.get(routeNs) ?? { [NAMESPACE_NAME_LABEL]: routeNs })) {
        return `namespace ${routeNs} does not match ${formatSelector(sel)}`;
      }
    }
    if (from === 'Same' && gwNs !== routeNs) {
      return `routes only from namespace ${gwNs}`;
    }
    const hostname = str(listener.hostname);
    if (hostname !== undefined && hostnames.length > 0 && !hostnames.some((h) => hostMatches(hostname, h))) {
      return `no hostname of ${hostnames.join(', ')} matches ${hostname}`;
    }
    return undefined;
  }

  private addIngresses(): void {
    for (const ing of this.of('Ingress')) {
      const ns = namespaceOf(ing)!;
      const spec = rec(ing.spec);
      const cls = str(spec.ingressClassName) ?? annotationsOf(ing)['kubernetes.io/ingress.class'] ?? 'default class';
      const group = this.group(ns, `ingress ${nameOf(ing)}`);
      const tls = arr(spec.tls).map(rec);
      const tlsHosts = new Set(tls.flatMap((t) => arr(t.hosts).filter((h): h is string => typeof h === 'string')));
      const entryIds = new Map<string, string>();
      const entry = (host: string): string => {
        const id = `entry:${ns}/Ingress/${nameOf(ing)}/${host}`;
        this.node({ id, kind: 'entry', label: `${host}`, details: [`Ingress ${nameOf(ing)} (${cls})`, tlsHosts.has(host) ? 'TLS' : 'plain HTTP'], namespace: ns, group });
        entryIds.set(host, id);
        return id;
      };
      const backend = (b: Record<string, unknown>, routeId: string): void => {
        const s = rec(b.service);
        if (s.name !== undefined) {
          const port = rec(s.port);
          this.edge(routeId, this.serviceNode(ns, str(s.name) ?? ''), 'backend', String(port.number ?? port.name ?? ''));
        }
      };
      if (spec.defaultBackend !== undefined) {
        const id = `route:${ns}/Ingress/${nameOf(ing)}#default`;
        this.node({ id, kind: 'route', label: '(default backend)', details: [`Ingress ${nameOf(ing)}`], namespace: ns });
        this.edge(entry('*'), id, 'route', '');
        backend(rec(spec.defaultBackend), id);
      }
      arr(spec.rules).map(rec).forEach((rule, r) => {
        const host = str(rule.host) ?? '*';
        const e = entry(host);
        arr(rec(rule.http).paths).map(rec).forEach((p, i) => {
          const id = `route:${ns}/Ingress/${nameOf(ing)}#${r}.${i}`;
          const type = str(p.pathType) ?? 'ImplementationSpecific';
          const path = str(p.path) ?? '/';
          this.node({ id, kind: 'route', label: type === 'Exact' ? `= ${path}` : path, details: [`Ingress ${nameOf(ing)}`, type], namespace: ns });
          this.edge(e, id, 'route', '');
          backend(rec(p.backend), id);
        });
      });
      const issuer = annotationsOf(ing)['cert-manager.io/cluster-issuer'] ?? annotationsOf(ing)['cert-manager.io/issuer'];
      for (const t of tls) {
        const secret = str(t.secretName);
        if (secret !== undefined && issuer !== undefined) {
          // cert-manager's ingress-shim issues every TLS entry of an annotated Ingress, served by a rule or not.
          this.secretNode(ns, secret);
          const src = `source:${ns}/ingress-shim/${secret}`;
          this.node({ id: src, kind: 'secret-source', label: 'cert-manager', details: [`issuer ${issuer}`, `Ingress ${nameOf(ing)}`], namespace: ns });
          this.edge(src, `secret:${ns}/${secret}`, 'source', '');
        }
        const hosts = arr(t.hosts).filter((h): h is string => typeof h === 'string');
        const consumers = hosts.length === 0 ? [...entryIds.values()] : hosts.map((h) => entryIds.get(h)).filter((x): x is string => x !== undefined);
        if (secret === undefined) {
          continue;
        }
        if (consumers.length === 0) {
          this.notes.add(`Ingress ${ns}/${nameOf(ing)}: TLS secret ${secret} covers ${hosts.join(', ')}, which no rule of this Ingress serves`);
        }
        for (const consumer of consumers) {
          this.secretRef(ns, secret, consumer, 'TLS certificate', ing);
        }
      }
    }
  }

  // ---- network policies

  private policies(): Policy[] {
    return this.of('NetworkPolicy').map((m) => {
      const spec = rec(m.spec);
      const types = arr(spec.policyTypes).filter((t): t is string => typeof t === 'string');
      const ingressOn = types.length === 0 ? true : types.includes('Ingress');
      const egressOn = types.length === 0 ? spec.egress !== undefined : types.includes('Egress');
      return {
        m, ns: namespaceOf(m)!, selector: readSelector(spec.podSelector),
        ...(ingressOn ? { ingress: readRules(spec.ingress, 'from') } : {}),
        ...(egressOn ? { egress: readRules(spec.egress, 'to') } : {}),
      };
    }).sort((a, b) => byString(`${a.ns}/${nameOf(a.m)}`, `${b.ns}/${nameOf(b.m)}`));
  }

  private addTraffic(): void {
    const policies = this.policies();
    for (const w of this.workloads) {
      const selecting = policies.filter((p) => p.ingress !== undefined && p.ns === w.ns && matchesSelector(p.selector, w.podLabels));
      if (selecting.length === 0) {
        this.node({ id: ANYONE, kind: 'peer', label: 'anyone', details: ['any pod or address'], wide: true });
        this.edge(ANYONE, w.id, 'traffic', 'all ports (no ingress policy)', true);
        continue;
      }
      let admitted = 0;
      for (const p of selecting) {
        for (const rule of p.ingress ?? []) {
          const sources: (Source & { wide: boolean })[] = rule.peers === 'all'
            ? [{ id: this.anyone(), wide: true }]
            : rule.peers.flatMap((peer) => this.resolvePeer(peer, p.ns, nameOf(p.m)));
          for (const s of sources) {
            for (const port of rule.ports.length === 0 ? [undefined] : rule.ports) {
              if (s.workload && !this.egressAdmits(policies, s.workload, w, port)) {
                this.notes.add(`${w.ns}/${w.name} admits ${s.workload.ns}/${s.workload.name} on ${portLabel(port, w)}, but an egress policy of ${s.workload.name} blocks it`);
                continue;
              }
              this.edge(s.id, w.id, 'traffic', portLabel(port, w), s.wide);
              admitted++;
            }
          }
        }
      }
      if (admitted === 0) {
        this.node({ id: w.id, kind: 'workload', label: '', details: ['admits no ingress traffic'] });
      }
    }
  }

  private anyone(): string {
    const id = 'peer:any-source';
    this.node({ id, kind: 'peer', label: 'any source', details: ['every pod and address'], wide: true });
    return id;
  }

  /** The sources one NetworkPolicy peer admits: known workloads, or a node standing for pods outside the set. */
  private resolvePeer(peer: PeerSpec, policyNs: string, policyName: string): (Source & { wide: boolean })[] {
    if (peer.ipBlock) {
      const { cidr, except } = peer.ipBlock;
      const wide = /\/0$/.test(cidr);
      const id = `peer:cidr/${cidr}${except.length > 0 ? ` except ${except.join(',')}` : ''}`;
      this.node({ id, kind: 'peer', label: `CIDR ${cidr}`, details: except.length > 0 ? [`except ${except.join(', ')}`] : [], wide });
      return [{ id, wide }];
    }
    const pods = peer.podSelector ?? readSelector({});
    const everyPod = isEmptySelector(pods);
    const inNamespace = (ns: string, outside: boolean): (Source & { wide: boolean })[] => {
      if (everyPod || outside) {
        const id = `peer:${ns}/${formatSelector(pods)}`;
        this.node({
          id, kind: 'peer', label: everyPod ? `every pod in ${ns}` : `${shortSelector(pods)} in ${ns}`,
          details: outside ? ['namespace not in these manifests'] : [], ...(outside ? {} : { namespace: ns }),
        });
        return [{ id, wide: false }];
      }
      const found = this.workloadsIn(ns, pods);
      if (found.length === 0) {
        this.notes.add(`NetworkPolicy ${policyNs}/${policyName}: peer ${formatSelector(pods)} in ${ns} matches no workload, so it admits nobody`);
      }
      return found.map((w) => ({ id: w.id, workload: w, wide: false }));
    };
    if (!peer.namespaceSelector) {
      return inNamespace(policyNs, false);
    }
    const nsSel = peer.namespaceSelector;
    const pinned = pinnedNamespaces(nsSel);
    if (pinned !== undefined) {
      return pinned.flatMap((ns) => {
        if (!this.isKnownNamespace(ns)) {
          return inNamespace(ns, true);
        }
        return matchesSelector(nsSel, this.namespaceLabels.get(ns)!) ? inNamespace(ns, false) : [];
      });
    }
    // Selected by labels (or all namespaces): any namespace carrying them, now or later. Drawn as wide.
    const scope = isEmptySelector(nsSel) ? 'every namespace' : `namespaces ${shortSelector(nsSel)}`;
    const id = `peer:${formatSelector(nsSel)}/${formatSelector(pods)}`;
    this.node({ id, kind: 'peer', label: everyPod ? `every pod in ${scope}` : `${shortSelector(pods)} in ${scope}`, details: ['wide namespace selector'], wide: true });
    return [{ id, wide: true }];
  }

  /** True when no egress policy selects the source, or one admits the destination on that port. */
  private egressAdmits(policies: Policy[], src: Workload, dst: Workload, port: PortSpec | undefined): boolean {
    const selecting = policies.filter((p) => p.egress !== undefined && p.ns === src.ns && matchesSelector(p.selector, src.podLabels));
    if (selecting.length === 0) {
      return true;
    }
    return selecting.some((p) => (p.egress ?? []).some((rule) => {
      const peerOk = rule.peers === 'all' || rule.peers.some((peer) => {
        if (peer.ipBlock) {
          return false;
        }
        const nsOk = peer.namespaceSelector
          ? matchesSelector(peer.namespaceSelector, this.namespaceLabels.get(dst.ns) ?? {})
          : dst.ns === p.ns;
        return nsOk && matchesSelector(peer.podSelector ?? readSelector({}), dst.podLabels);
      });
      const portOk = rule.ports.length === 0 || port === undefined
        ? rule.ports.length === 0
        : rule.ports.some((rp) => samePort(rp, port, dst));
      return peerOk && portOk;
    }));
  }

  // ---- Prometheus

  private addPrometheusConfigs(): void {
    for (const cm of this.of('ConfigMap')) {
      for (const [key, text] of Object.entries(strMap(cm.data)).sort(([a], [b]) => byString(a, b))) {
        if (!/prometheus\.ya?ml$/.test(key)) {
          continue;
        }
        const config = rec(safeYaml(text));
        const prom = this.mountingWorkloads(cm);
        for (const p of prom) {
          for (const job of arr(config.scrape_configs).map(rec)) {
            this.addScrapeJob(p, job);
          }
          for (const am of arr(rec(config.alerting).alertmanagers).map(rec)) {
            for (const sc of arr(am.static_configs).map(rec)) {
              for (const t of arr(sc.targets).filter((x): x is string => typeof x === 'string')) {
                this.edge(p.id, this.address(t, p.ns).id, 'alerts', 'alerts');
              }
            }
          }
        }
      }
    }
  }

  private addScrapeJob(prom: Workload, job: Record<string, unknown>): void {
    const name = str(job.job_name) ?? '?';
    for (const sc of arr(job.static_configs).map(rec)) {
      for (const t of arr(sc.targets).filter((x): x is string => typeof x === 'string')) {
        if (/^(localhost|127\.0\.0\.1)(:|$)/.test(t)) {
          this.node({ id: prom.id, kind: 'workload', label: '', details: [`scrapes itself (${name})`] });
          continue;
        }
        this.edge(prom.id, this.address(t, prom.ns).id, 'scrape', name);
      }
    }
    const relabels = arr(job.relabel_configs).map(rec);
    for (const sd of arr(job.kubernetes_sd_configs).map(rec)) {
      const role = str(sd.role) ?? '';
      const names = arr(rec(sd.namespaces).names).filter((x): x is string => typeof x === 'string');
      const inScope = (ns: string): boolean => names.length === 0 || names.includes(ns);
      if (role === 'pod') {
        const keep = keepRegex(relabels, '__meta_kubernetes_pod_annotation_prometheus_io_scrape');
        if (keep === undefined) {
          this.edge(prom.id, this.everything('every pod'), 'scrape', name, true);
          continue;
        }
        for (const w of this.workloads.filter((x) => inScope(x.ns) && keep.test(x.podAnnotations['prometheus.io/scrape'] ?? ''))) {
          const a = w.podAnnotations;
          this.edge(prom.id, w.id, 'scrape', `${name} :${a['prometheus.io/port'] ?? '*'}${a['prometheus.io/path'] ?? '/metrics'}`);
          this.annotationScraped.add(w.id);
        }
      } else if (role === 'endpoints' || role === 'service' || role === 'endpointslice') {
        const keep = keepRegex(relabels, '__meta_kubernetes_service_annotation_prometheus_io_scrape');
        if (keep === undefined) {
          this.edge(prom.id, this.everything(`every ${role}`), 'scrape', name, true);
          continue;
        }
        for (const svc of this.of('Service').filter((s) => inScope(namespaceOf(s)!) && keep.test(annotationsOf(s)['prometheus.io/scrape'] ?? ''))) {
          this.edge(prom.id, serviceId(namespaceOf(svc)!, nameOf(svc)), 'scrape', name);
        }
      } else {
        this.edge(prom.id, this.everything(role === 'node' ? 'every node (kubelet)' : `every ${role}`), 'scrape', name);
      }
    }
  }

  /** Scrape annotations no Prometheus of the set reads: said on the workload, not drawn as an edge. */
  private markUnreadScrapeAnnotations(): void {
    for (const w of this.workloads) {
      const a = w.podAnnotations;
      if (a['prometheus.io/scrape'] === 'true' && !this.annotationScraped.has(w.id)) {
        this.node({ id: w.id, kind: 'workload', label: '', details: [`scrape annotation :${a['prometheus.io/port'] ?? '*'}${a['prometheus.io/path'] ?? '/metrics'} (no Prometheus here reads it)`] });
      }
    }
  }

  private everything(label: string): string {
    const id = `external:${label}`;
    this.node({ id, kind: 'external', label, details: ['discovered from the Kubernetes API'] });
    return id;
  }

  private mountingWorkloads(cm: Manifest): Workload[] {
    const ns = namespaceOf(cm);
    return this.workloads.filter((w) => w.ns === ns && arr(w.podSpec.volumes).map(rec).some((v) =>
      str(rec(v.configMap).name) === nameOf(cm)
      || arr(rec(v.projected).sources).some((s) => str(rec(rec(s).configMap).name) === nameOf(cm))));
  }

  private addMonitors(): void {
    const monitors = [...this.of('ServiceMonitor'), ...this.of('PodMonitor')];
    if (monitors.length === 0) {
      return;
    }
    const proms = this.of('Prometheus');
    for (const mon of monitors) {
      const ns = namespaceOf(mon)!;
      const spec = rec(mon.spec);
      const nsSel = rec(spec.namespaceSelector);
      const names = arr(nsSel.matchNames).filter((x): x is string => typeof x === 'string');
      const inScope = (x: string): boolean => nsSel.any === true || (names.length > 0 ? names.includes(x) : x === ns);
      const selector = readSelector(spec.selector);
      const scrapers = this.scrapersOf(mon, proms);
      if (kindOf(mon) === 'ServiceMonitor') {
        const services = this.of('Service').filter((s) => inScope(namespaceOf(s)!) && matchesSelector(selector, labelsOf(s)));
        if (services.length === 0) {
          this.notes.add(`ServiceMonitor ${ns}/${nameOf(mon)} selects no Service in these manifests`);
        }
        const eps = arr(spec.endpoints).map(rec).map((e) => `${str(e.port) ?? e.targetPort ?? '?'} ${str(e.path) ?? '/metrics'}`);
        for (const s of services) {
          for (const p of scrapers) {
            eps.forEach((ep) => this.edge(p, serviceId(namespaceOf(s)!, nameOf(s)), 'scrape', `ServiceMonitor ${nameOf(mon)}: ${ep}`));
          }
        }
      } else {
        const targets = this.workloads.filter((w) => inScope(w.ns) && matchesSelector(selector, w.podLabels));
        if (targets.length === 0) {
          this.notes.add(`PodMonitor ${ns}/${nameOf(mon)} selects no workload in these manifests`);
        }
        const eps = arr(spec.podMetricsEndpoints).map(rec).map((e) => `${str(e.port) ?? '?'} ${str(e.path) ?? '/metrics'}`);
        for (const w of targets) {
          for (const p of scrapers) {
            eps.forEach((ep) => this.edge(p, w.id, 'scrape', `PodMonitor ${nameOf(mon)}: ${ep}`));
          }
        }
      }
    }
  }

  /** The Prometheus objects whose monitor selectors pick a monitor, or one node for a Prometheus outside the set. */
  private scrapersOf(mon: Manifest, proms: Manifest[]): string[] {
    const field = kindOf(mon) === 'ServiceMonitor' ? 'serviceMonitor' : 'podMonitor';
    const picked = proms.filter((p) => {
      const spec = rec(p.spec);
      // The operator reads a missing selector as "none" and an empty one as "all".
      if (spec[`${field}Selector`] === undefined || !matchesSelector(readSelector(spec[`${field}Selector`]), labelsOf(mon))) {
        return false;
      }
      const nsSel = spec[`${field}NamespaceSelector`];
      return nsSel === undefined ? namespaceOf(p) === namespaceOf(mon)
        : matchesSelector(readSelector(nsSel), this.namespaceLabels.get(namespaceOf(mon)!) ?? {});
    });
    if (picked.length > 0) {
      return picked.map((p) => {
        const id = `monitor:${namespaceOf(p)}/${nameOf(p)}`;
        this.node({ id, kind: 'monitor', label: `Prometheus ${nameOf(p)}`, details: ['Prometheus Operator'], namespace: namespaceOf(p) });
        return id;
      });
    }
    const id = 'monitor:operator';
    this.node({ id, kind: 'monitor', label: 'Prometheus (operator)', details: ['outside these manifests'] });
    return [id];
  }

  // ---- OTel, logs, datasources

  private addTelemetry(): void {
    for (const w of this.workloads) {
      for (const c of containersOf(w.podSpec)) {
        for (const e of arr(c.env).map(rec)) {
          const m = OTLP_ENV.exec(str(e.name) ?? '');
          if (m && typeof e.value === 'string') {
            this.edge(w.id, this.address(e.value, w.ns).id, 'telemetry', `OTLP${m[1] ? ` ${m[1].toLowerCase()}` : ''}`);
          }
        }
      }
    }
    for (const cm of this.of('ConfigMap')) {
      for (const [, text] of Object.entries(strMap(cm.data)).sort(([a], [b]) => byString(a, b))) {
        const config = rec(safeYaml(text));
        const pipelines = rec(rec(config.service).pipelines);
        const exporters = rec(config.exporters);
        const receivers = rec(config.receivers);
        const datasources = arr(config.datasources).map(rec);
        if (Object.keys(pipelines).length === 0 && datasources.length === 0) {
          continue;
        }
        for (const w of this.mountingWorkloads(cm)) {
          for (const [pname, pdef] of Object.entries(pipelines).sort(([a], [b]) => byString(a, b))) {
            const kind = pname.split('/')[0];
            for (const r of arr(rec(pdef).receivers).filter((x): x is string => typeof x === 'string')) {
              if (r.split('/')[0] === 'filelog') {
                const include = arr(rec(receivers[r]).include).filter((x): x is string => typeof x === 'string');
                const id = 'external:node-log-files';
                this.node({ id, kind: 'external', label: 'container log files', details: ['every node', ...include] });
                this.edge(id, w.id, 'telemetry', `${pname}: ${r}`);
              }
            }
            for (const x of arr(rec(pdef).exporters).filter((v): v is string => typeof v === 'string')) {
              const endpoint = str(rec(exporters[x]).endpoint);
              if (endpoint !== undefined) {
                this.edge(w.id, this.address(endpoint, w.ns).id, 'telemetry', `${kind}: ${x}`);
              }
            }
          }
          for (const ds of datasources) {
            const url = str(ds.url);
            if (url !== undefined) {
              this.edge(w.id, this.address(url, w.ns).id, 'telemetry', `datasource ${str(ds.type) ?? str(ds.name) ?? ''}`.trim());
            }
          }
        }
      }
    }
  }

  // ---- Secrets

  private addSecrets(): void {
    for (const w of this.workloads) {
      const spec = w.podSpec;
      for (const c of containersOf(spec)) {
        for (const e of arr(c.env).map(rec)) {
          const ref = rec(rec(e.valueFrom).secretKeyRef);
          if (ref.name !== undefined) {
            this.secretRef(w.ns, str(ref.name) ?? '', w.id, `env ${e.name}`, w.m);
          }
        }
        for (const e of arr(c.envFrom).map(rec)) {
          const ref = rec(e.secretRef);
          if (ref.name !== undefined) {
            this.secretRef(w.ns, str(ref.name) ?? '', w.id, 'envFrom', w.m);
          }
        }
      }
      for (const v of arr(spec.volumes).map(rec)) {
        const s = rec(v.secret);
        if (s.secretName !== undefined) {
          this.secretRef(w.ns, str(s.secretName) ?? '', w.id, `volume ${v.name}`, w.m);
        }
        for (const src of arr(rec(v.projected).sources).map(rec)) {
          if (rec(src.secret).name !== undefined) {
            this.secretRef(w.ns, str(rec(src.secret).name) ?? '', w.id, `volume ${v.name}`, w.m);
          }
        }
      }
      for (const ps of arr(spec.imagePullSecrets).map(rec)) {
        this.secretRef(w.ns, str(ps.name) ?? '', w.id, 'image pull', w.m);
      }
    }
  }

  private secretNode(ns: string, name: string): string {
    const id = `secret:${ns}/${name}`;
    if (!this.nodes.has(id)) {
      this.node({ id, kind: 'secret', label: `Secret ${name}`, details: [], namespace: ns });
      this.secretSources(ns, name, id);
    }
    return id;
  }

  private secretRef(ns: string, name: string, consumer: string, how: string, from: Manifest): void {
    const id = this.secretNode(ns, name);
    const declared = (annotationsOf(from)[EXTERNAL_ANNOTATION] ?? '').split(/[,\s]+/);
    if (declared.includes(`Secret/${name}`) || declared.includes(`Secret/${ns}/${name}`)) {
      this.node({ id, kind: 'secret', label: '', details: ['external (declared)'] });
    }
    this.edge(id, consumer, 'secret', how);
  }

  private secretSources(ns: string, name: string, id: string): void {
    const secret = this.of('Secret').find((s) => namespaceOf(s) === ns && nameOf(s) === name);
    if (secret) {
      this.node({ id, kind: 'secret', label: '', details: [`in these manifests (${str(secret.type) ?? 'Opaque'})`] });
    }
    const add = (m: Manifest, detail: string): void => {
      const src = `source:${ns}/${kindOf(m)}/${nameOf(m)}`;
      this.node({ id: src, kind: 'secret-source', label: `${kindOf(m)} ${nameOf(m)}`, details: detail === '' ? [] : [detail], namespace: ns });
      this.edge(src, id, 'source', '');
    };
    for (const es of this.of('ExternalSecret').filter((x) => namespaceOf(x) === ns)) {
      const target = str(rec(rec(es.spec).target).name) ?? nameOf(es);
      if (target === name) {
        const store = rec(rec(es.spec).secretStoreRef);
        add(es, `store ${str(store.kind) ?? 'SecretStore'}/${str(store.name) ?? '?'}`);
        // The stores it reads through: the default one and any a data entry names.
        const stores = [store, ...arr(rec(es.spec).data).map((d) => rec(rec(rec(d).sourceRef).storeRef)).filter((r) => str(r.name) !== undefined)];
        for (const ref of stores) {
          this.secretStore(ns, str(ref.kind) ?? 'SecretStore', str(ref.name) ?? '?', `source:${ns}/${kindOf(es)}/${nameOf(es)}`);
        }
      }
    }
    for (const ss of this.of('SealedSecret').filter((x) => namespaceOf(x) === ns)) {
      if ((str(rec(rec(rec(ss.spec).template).metadata).name) ?? nameOf(ss)) === name) {
        add(ss, 'sealed');
      }
    }
    for (const cert of this.of('Certificate').filter((x) => namespaceOf(x) === ns)) {
      if (str(rec(cert.spec).secretName) === name) {
        const issuer = rec(rec(cert.spec).issuerRef);
        add(cert, `issuer ${str(issuer.kind) ?? 'Issuer'}/${str(issuer.name) ?? '?'}`);
      }
    }
  }

  /**
   * A SecretStore (in `ns`) or ClusterSecretStore an ExternalSecret reads
   * through, and the edge to it. Stores are usually installed by the
   * platform team, outside the service manifests.
   */
  private secretStore(ns: string, kind: string, name: string, externalSecretId: string): void {
    const cluster = kind === 'ClusterSecretStore';
    const inSet = this.of(kind).some((x) => nameOf(x) === name && (cluster || namespaceOf(x) === ns));
    const id = cluster ? `store:${kind}/${name}` : `store:${ns}/${kind}/${name}`;
    this.node({
      id, kind: 'secret-source', label: `${kind} ${name}`, details: inSet ? [] : ['outside these manifests'], ...(cluster ? {} : { namespace: ns }),
    });
    this.edge(id, externalSecretId, 'source', '');
  }

  /** Marks Secrets with neither a source in the set nor an external declaration. */
  private markMissingSecrets(): void {
    for (const n of this.nodes.values()) {
      const sourced = [...this.edges.values()].some((e) => e.kind === 'source' && e.to === n.id);
      if (n.kind === 'secret' && !sourced && n.details.length === 0) {
        this.nodes.set(n.id, { ...n, details: ['missing: no Secret, ExternalSecret, SealedSecret or Certificate'], missing: true });
        this.notes.add(`${n.label} (${n.namespace}) is referenced but has no source in these manifests and is not declared external`);
      }
    }
  }
}

// ---- helpers

function serviceId(ns: string, name: string): string {
  return `service:${ns}/${name}`;
}

function listenerId(ns: string, gw: string, listener: string): string {
  return `entry:${ns}/${gw}/${listener}`;
}

function containersOf(podSpec: Record<string, unknown>): Record<string, unknown>[] {
  return [...arr(podSpec.initContainers), ...arr(podSpec.containers)].map(rec);
}

function imageDetails(podSpec: Record<string, unknown>): string[] {
  return arr(podSpec.containers).map(rec).map((c) => {
    const image = str(c.image) ?? '';
    return image.slice(image.lastIndexOf('/') + 1);
  });
}

function readRules(value: unknown, field: 'from' | 'to'): PolicyRule[] {
  return arr(value).map(rec).map((r) => {
    const peers = arr(r[field]).map(rec);
    return {
      peers: peers.length === 0 ? 'all' as const : peers.map((p) => ({
        ...(p.podSelector !== undefined ? { podSelector: readSelector(p.podSelector) } : {}),
        ...(p.namespaceSelector !== undefined ? { namespaceSelector: readSelector(p.namespaceSelector) } : {}),
        ...(p.ipBlock !== undefined ? {
          ipBlock: { cidr: str(rec(p.ipBlock).cidr) ?? '', except: arr(rec(p.ipBlock).except).filter((x): x is string => typeof x === 'string') },
        } : {}),
      })),
      ports: arr(r.ports).map(rec).map((p) => ({
        ...(typeof p.port === 'number' || typeof p.port === 'string' ? { port: p.port } : {}),
        ...(typeof p.endPort === 'number' ? { endPort: p.endPort } : {}),
        protocol: str(p.protocol) ?? 'TCP',
      })),
    };
  });
}

/** `http`, `grpc` for ports the workload names; `TCP 8080` otherwise; `all ports` for none. */
function portLabel(port: PortSpec | undefined, w: Workload): string {
  if (port === undefined || port.port === undefined) {
    return port === undefined ? 'all ports' : `all ${port.protocol} ports`;
  }
  if (typeof port.port === 'string') {
    return port.port;
  }
  if (port.endPort !== undefined) {
    return `${port.protocol} ${port.port}-${port.endPort}`;
  }
  const named = w.ports.find((p) => p.port === port.port && p.protocol === port.protocol && p.name !== undefined);
  return named ? named.name! : `${port.protocol} ${port.port}`;
}

function samePort(rule: PortSpec, port: PortSpec, dst: Workload): boolean {
  if (rule.protocol !== port.protocol) {
    return false;
  }
  if (rule.port === undefined) {
    return true;
  }
  const num = (p: PortSpec): number | undefined => typeof p.port === 'number' ? p.port : dst.ports.find((x) => x.name === p.port)?.port;
  const a = num(rule);
  const b = num(port);
  if (a === undefined || b === undefined) {
    return rule.port === port.port;
  }
  return rule.endPort !== undefined ? b >= a && b <= rule.endPort : a === b;
}

function matchLabel(kind: string, rule: Record<string, unknown>): string {
  const matches = arr(rule.matches).map(rec);
  if (kind === 'GRPCRoute') {
    const parts = matches.map((m) => {
      const method = rec(m.method);
      return `${str(method.service) ?? '*'}/${str(method.method) ?? '*'}`;
    });
    return parts.length > 0 ? parts.join(' | ') : 'all gRPC methods';
  }
  if (kind !== 'HTTPRoute') {
    return kind;
  }
  const parts = matches.map((m) => {
    const p = rec(m.path);
    const type = str(p.type) ?? 'PathPrefix';
    const value = str(p.value) ?? '/';
    const method = str(m.method) !== undefined ? `${m.method} ` : '';
    return `${method}${type === 'Exact' ? '= ' : type === 'RegularExpression' ? '~ ' : ''}${value}`;
  });
  return parts.length > 0 ? parts.join(' | ') : '/';
}

function filterDetails(rule: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of arr(rule.filters).map(rec)) {
    if (f.type === 'RequestRedirect') {
      const r = rec(f.requestRedirect);
      out.push(`redirect${r.scheme ? ` to ${r.scheme}` : ''}${r.hostname ? ` ${r.hostname}` : ''} ${r.statusCode ?? 302}`);
    } else if (f.type === 'URLRewrite') {
      out.push('rewrite');
    }
  }
  return out;
}

function hostMatches(listener: string, route: string): boolean {
  const wild = (a: string, b: string): boolean => a.startsWith('*.') && b.endsWith(a.slice(1)) && b.length > a.length - 1;
  return listener === route || wild(listener, route) || wild(route, listener);
}

function keepRegex(relabels: Record<string, unknown>[], label: string): RegExp | undefined {
  const rule = relabels.find((r) => r.action === 'keep' && arr(r.source_labels).length === 1 && arr(r.source_labels)[0] === label);
  if (!rule) {
    return undefined;
  }
  try {
    return new RegExp(`^(?:${str(rule.regex) ?? '(.*)'})$`);
  } catch {
    return undefined;
  }
}

function safeYaml(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return undefined;
  }
}

/** The service group an object belongs to: its `app.kubernetes.io/name`, else instance, else its name. */
export function serviceNameOf(m: Manifest): string {
  const labels = labelsOf(m);
  return labels[LABEL_NAME] ?? labels[LABEL_INSTANCE] ?? nameOf(m);
}
