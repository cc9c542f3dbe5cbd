import microdiff from 'microdiff';
import * as semver from 'semver';
import { byString } from '../common/files';
import { parseImage } from '../common/images';
import { buildGraph, GraphEdge, PlatformGraph, serviceNameOf } from './graph-model';
import {
  arr, describe, kindOf, Manifest, nameOf, namespaceOf, objectKey, rec, str,
} from './manifests';

/** The risks `diff` flags; `--fail-on` takes these ids. */
export enum RiskId {
  /** A field the API server will not update changed: the object is deleted and recreated. */
  IMMUTABLE_FIELD = 'immutable-field',
  /** An object is gone. */
  REMOVED = 'removed',
  /** A PersistentVolumeClaim or a StatefulSet's volume claim templates changed. */
  STORAGE = 'storage',
  /** A workload admits traffic (source, port) it did not admit before. */
  NETWORK_WIDENED = 'network-widened',
  /** A PodDisruptionBudget or HorizontalPodAutoscaler floor went down (or away). */
  FLOOR_LOWERED = 'floor-lowered',
  /** An image lost its pin (no tag or digest, `latest`) or went to a lower version. */
  IMAGE = 'image',
  /** Something reads a Secret it did not read before. */
  SECRET_ADDED = 'secret-added',
}

export const RISK_IDS: readonly RiskId[] = Object.values(RiskId);

export interface Risk {
  readonly id: RiskId;
  /** `Kind namespace/name` of the object concerned. */
  readonly object: string;
  readonly message: string;
}

export interface FieldChange {
  /** Dotted path with `[i]` for array items: `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly type: 'added' | 'removed' | 'changed';
  readonly old?: unknown;
  readonly new?: unknown;
}

export interface ObjectChange {
  /** `apiVersion Kind namespace/name`; for a renamed (content-hashed) object, the new one. */
  readonly key: string;
  readonly status: 'added' | 'removed' | 'changed' | 'renamed';
  readonly renamedFrom?: string;
  /** `namespace/app name` the object belongs to. */
  readonly service: string;
  readonly fields: FieldChange[];
}

export interface ServiceSummary {
  readonly service: string;
  readonly changes: string[];
}

export interface ManifestDiff {
  readonly objects: ObjectChange[];
  readonly services: ServiceSummary[];
  readonly risks: Risk[];
  readonly unchanged: number;
}

/** ConfigMaps and Secrets named with a content hash (`orders-config-2f910ed52b`): a new name per content. */
const HASHED_NAME = /^(.*)-[0-9a-f]{10}$/;

/** Paths (prefix match) the API server refuses to change, per kind. */
const IMMUTABLE: Record<string, string[]> = {
  Deployment: ['spec.selector'],
  ReplicaSet: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  StatefulSet: ['spec.selector', 'spec.volumeClaimTemplates', 'spec.serviceName', 'spec.podManagementPolicy'],
  Job: ['spec.selector', 'spec.template', 'spec.completionMode'],
  Service: ['spec.clusterIP', 'spec.clusterIPs'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeName', 'spec.selector', 'spec.volumeMode', 'spec.dataSource'],
  RoleBinding: ['roleRef'],
  ClusterRoleBinding: ['roleRef'],
};

/**
 * A semantic diff of two sets of manifests (two folders of one cluster),
 * keyed by apiVersion, kind, namespace and name, with a per-service summary
 * and risk flags. Traffic, routes and Secret references are compared on the
 * platform graph, not on the YAML text.
 */
export function diffManifests(before: readonly Manifest[], after: readonly Manifest[]): ManifestDiff {
  const oldByKey = keyed(before);
  const newByKey = keyed(after);
  const objects: ObjectChange[] = [];
  const risks: Risk[] = [];
  const phrases = new Map<string, string[]>();
  const say = (service: string, text: string): void => {
    const list = phrases.get(service) ?? [];
    if (!list.includes(text)) {
      list.push(text);
    }
    phrases.set(service, list);
  };
  let unchanged = 0;

  const removedKeys = [...oldByKey.keys()].filter((k) => !newByKey.has(k));
  const addedKeys = [...newByKey.keys()].filter((k) => !oldByKey.has(k));
  const renamed = pairRenamed(removedKeys, addedKeys, oldByKey, newByKey);

  for (const key of [...new Set([...oldByKey.keys(), ...newByKey.keys()])].sort(byString)) {
    const o = oldByKey.get(key);
    const n = newByKey.get(key);
    if (o && n) {
      const fields = fieldChanges(o, n);
      if (fields.length === 0) {
        unchanged++;
        continue;
      }
      const service = serviceKey(n);
      objects.push({ key, status: 'changed', service, fields });
      summarize(o, n, fields, (t) => say(service, t));
      risks.push(...changeRisks(o, n, fields));
    } else if (n) {
      const from = [...renamed.entries()].find(([, to]) => to === key)?.[0];
      const service = serviceKey(n);
      if (from !== undefined) {
        const previous = oldByKey.get(from)!;
        const fields = fieldChanges(withName(previous, nameOf(n)), n);
        objects.push({ key, status: 'renamed', renamedFrom: from, service, fields });
        summarize(previous, n, fields, (t) => say(service, t));
      } else {
        objects.push({ key, status: 'added', service, fields: [] });
        say(service, `${kindOf(n)} ${nameOf(n)} added`);
        if (kindOf(n) === 'PersistentVolumeClaim') {
          risks.push({ id: RiskId.STORAGE, object: describe(n), message: 'new PersistentVolumeClaim' });
        }
        risks.push(...imageRisks(undefined, n));
      }
    } else if (o && !renamed.has(key)) {
      const service = serviceKey(o);
      objects.push({ key, status: 'removed', service, fields: [] });
      say(service, `${kindOf(o)} ${nameOf(o)} removed`);
      risks.push({ id: RiskId.REMOVED, object: describe(o), message: 'removed' });
      if (kindOf(o) === 'PersistentVolumeClaim') {
        risks.push({ id: RiskId.STORAGE, object: describe(o), message: 'PersistentVolumeClaim removed: its volume may be deleted' });
      }
      if (kindOf(o) === 'PodDisruptionBudget' || kindOf(o) === 'HorizontalPodAutoscaler') {
        risks.push({ id: RiskId.FLOOR_LOWERED, object: describe(o), message: `${kindOf(o)} removed: no floor any more` });
      }
    }
  }

  const graphRisks = compareGraphs(buildGraph(before), buildGraph(after), say);
  risks.push(...graphRisks);

  return {
    objects,
    services: [...phrases.entries()].sort(([a], [b]) => byString(a, b)).map(([service, changes]) => ({ service, changes })),
    risks: dedupe(risks).sort((a, b) => byString(a.id, b.id) || byString(a.object, b.object) || byString(a.message, b.message)),
    unchanged,
  };
}

function keyed(list: readonly Manifest[]): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  for (const m of list) {
    out.set(objectKey(m), m);
  }
  return out;
}

function serviceKey(m: Manifest): string {
  const ns = namespaceOf(m);
  return `${ns === undefined ? '' : `${ns}/`}${serviceNameOf(m)}`;
}

function withName(m: Manifest, name: string): Manifest {
  return { ...m, metadata: { ...rec(m.metadata), name } };
}

/** Pairs a removed and an added ConfigMap/Secret whose names differ only by the content hash. */
function pairRenamed(removed: string[], added: string[], oldByKey: Map<string, Manifest>, newByKey: Map<string, Manifest>): Map<string, string> {
  const out = new Map<string, string>();
  const stem = (m: Manifest): string | undefined => {
    const match = HASHED_NAME.exec(nameOf(m));
    return match && (kindOf(m) === 'ConfigMap' || kindOf(m) === 'Secret') ? `${kindOf(m)} ${namespaceOf(m)}/${match[1]}` : undefined;
  };
  for (const r of removed.sort(byString)) {
    const s = stem(oldByKey.get(r)!);
    const match = s === undefined ? undefined : added.sort(byString).find((a) => stem(newByKey.get(a)!) === s && ![...out.values()].includes(a));
    if (match !== undefined) {
      out.set(r, match);
    }
  }
  return out;
}

function pathText(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `${out === '' ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`;
  }
  return out;
}

function fieldChanges(o: Manifest, n: Manifest): FieldChange[] {
  return microdiff(o, n).map((d) => {
    const path = pathText(d.path);
    switch (d.type) {
      case 'CREATE': return { path, type: 'added' as const, new: d.value };
      case 'REMOVE': return { path, type: 'removed' as const, old: d.oldValue };
      default: return { path, type: 'changed' as const, old: d.oldValue, new: d.value };
    }
  }).sort((a, b) => byString(a.path, b.path));
}

function short(value: unknown): string {
  if (value === undefined) {
    return '(none)';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function podSpecOf(m: Manifest): Record<string, unknown> {
  const spec = rec(m.spec);
  return kindOf(m) === 'CronJob' ? rec(rec(rec(rec(spec.jobTemplate).spec).template).spec)
    : kindOf(m) === 'Pod' ? spec : rec(rec(spec.template).spec);
}

function containers(m: Manifest): Record<string, unknown>[] {
  return [...arr(podSpecOf(m).initContainers), ...arr(podSpecOf(m).containers)].map(rec);
}

function imageText(before: string, after: string): string {
  const a = parseImage(before);
  const b = parseImage(after);
  if (a.repository === b.repository && a.digest === undefined && b.digest === undefined) {
    return `${a.tag ?? '(no tag)'} → ${b.tag ?? '(no tag)'}`;
  }
  return `${before} → ${after}`;
}

/** Per-service phrases for one changed object: images, scale, floors, config keys; the rest counted. */
function summarize(o: Manifest, n: Manifest, fields: FieldChange[], say: (text: string) => void): void {
  const kind = kindOf(n);
  let explained = 0;
  const counted = (pred: (f: FieldChange) => boolean): FieldChange[] => {
    const hit = fields.filter(pred);
    explained += hit.length;
    return hit;
  };
  counted((f) => /^metadata\.labels\["app\.kubernetes\.io\/version"\]$|\.metadata\.labels\["app\.kubernetes\.io\/version"\]$/.test(f.path));
  const oldContainers = new Map(containers(o).map((c) => [str(c.name) ?? '', c]));
  const newContainers = containers(n);
  const imageFields = counted((f) => /containers\[\d+\]\.image$/.test(f.path));
  if (imageFields.length > 0) {
    for (const c of newContainers) {
      const before = str(oldContainers.get(str(c.name) ?? '')?.image);
      const after = str(c.image);
      if (before !== undefined && after !== undefined && before !== after) {
        say(`image${newContainers.length > 1 ? ` (${c.name})` : ''} ${imageText(before, after)}`);
      }
    }
  }
  for (const f of counted((x) => /\.resources\.(limits|requests)\.(cpu|memory)$/.test(x.path))) {
    const m = /containers\[(\d+)\]\.resources\.(limits|requests)\.(cpu|memory)$/.exec(f.path);
    if (m) {
      say(`${m[3]} ${m[2] === 'limits' ? 'limit' : 'request'} ${short(f.old)} → ${short(f.new)}`);
    }
  }
  for (const f of counted((x) => x.path === 'spec.replicas' || x.path === 'spec.minReplicas' || x.path === 'spec.maxReplicas'
    || x.path === 'spec.minAvailable' || x.path === 'spec.maxUnavailable' || x.path === 'spec.schedule')) {
    const field = f.path.slice('spec.'.length);
    say(`${kind === 'PodDisruptionBudget' ? 'PDB ' : ''}${field} ${short(f.old)} → ${short(f.new)}`);
  }
  if (kind === 'ConfigMap' || kind === 'Secret') {
    for (const f of counted((x) => /^(data|stringData|binaryData)(\.|\[)/.test(x.path))) {
      const key = f.path.replace(/^(data|stringData|binaryData)\.?/, '').replace(/^\["(.*)"\]$/, '$1');
      const secret = kind === 'Secret';
      say(f.type === 'added' ? `config ${key} added` : f.type === 'removed' ? `config ${key} removed`
        : secret ? `secret data ${key} changed` : `config ${key} ${short(f.old)} → ${short(f.new)}`);
    }
  }
  const envFields = counted((x) => /containers\[\d+\]\.env(\[\d+\]|$)/.test(x.path));
  if (envFields.length > 0) {
    const env = (m: Manifest): Map<string, string> => new Map(containers(m).flatMap((c) => arr(c.env).map((e) => {
      const { name, ...valueOf } = rec(e);
      return [`${str(name) ?? ''}`, JSON.stringify(valueOf)] as const;
    })));
    const before = env(o);
    const after = env(n);
    const added = [...after.keys()].filter((x) => !before.has(x)).sort(byString);
    const removed = [...before.keys()].filter((x) => !after.has(x)).sort(byString);
    const changed = [...after.keys()].filter((x) => before.has(x) && before.get(x) !== after.get(x)).sort(byString);
    if (added.length > 0) {
      say(`env ${added.join(', ')} added`);
    }
    if (removed.length > 0) {
      say(`env ${removed.join(', ')} removed`);
    }
    if (changed.length > 0) {
      say(`env ${changed.join(', ')} changed`);
    }
  }
  // Routes and NetworkPolicies are summarised from the graph (what they route and admit), not field by field.
  if (['HTTPRoute', 'GRPCRoute', 'Ingress', 'NetworkPolicy', 'TLSRoute', 'TCPRoute'].includes(kind)) {
    return;
  }
  const rest = fields.length - explained;
  if (rest > 0) {
    say(`${kind} ${nameOf(n)}: ${rest} other field change${rest === 1 ? '' : 's'}`);
  }
}

function changeRisks(o: Manifest, n: Manifest, fields: FieldChange[]): Risk[] {
  const kind = kindOf(n);
  const object = describe(n);
  const out: Risk[] = [];
  for (const prefix of IMMUTABLE[kind] ?? []) {
    const hit = fields.filter((f) => f.path === prefix || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[`));
    // A Service's clusterIP may go from unset to set by the server; only a change of a set value is a recreation.
    const real = kind === 'Service' ? hit.filter((f) => f.type === 'changed' || f.type === 'removed') : hit;
    if (real.length > 0) {
      out.push({ id: RiskId.IMMUTABLE_FIELD, object, message: `${prefix} changed (immutable): the object must be deleted and recreated` });
    }
  }
  if ((kind === 'ConfigMap' || kind === 'Secret') && rec(o).immutable === true
    && fields.some((f) => /^(data|stringData|binaryData)/.test(f.path))) {
    out.push({ id: RiskId.IMMUTABLE_FIELD, object, message: 'data of an immutable object changed under the same name: the update is rejected' });
  }
  if (kind === 'PersistentVolumeClaim') {
    out.push({ id: RiskId.STORAGE, object, message: `PersistentVolumeClaim changed: ${fields.map((f) => f.path).join(', ')}` });
  }
  if (kind === 'StatefulSet' && fields.some((f) => f.path.startsWith('spec.volumeClaimTemplates'))) {
    out.push({ id: RiskId.STORAGE, object, message: 'volumeClaimTemplates changed' });
  }
  if (fields.some((f) => /\.volumes\[\d+\]\.persistentVolumeClaim/.test(f.path))) {
    out.push({ id: RiskId.STORAGE, object, message: 'mounted PersistentVolumeClaims changed' });
  }
  if (kind === 'PodDisruptionBudget') {
    const a = rec(o.spec);
    const b = rec(n.spec);
    if (lower(b.minAvailable, a.minAvailable)) {
      out.push({ id: RiskId.FLOOR_LOWERED, object, message: `minAvailable ${a.minAvailable} → ${b.minAvailable}` });
    }
    if (lower(a.maxUnavailable, b.maxUnavailable)) {
      out.push({ id: RiskId.FLOOR_LOWERED, object, message: `maxUnavailable ${a.maxUnavailable} → ${b.maxUnavailable}` });
    }
    if (a.minAvailable !== undefined && b.minAvailable === undefined && b.maxUnavailable !== undefined) {
      out.push({ id: RiskId.FLOOR_LOWERED, object, message: `minAvailable ${a.minAvailable} replaced by maxUnavailable ${b.maxUnavailable}` });
    }
  }
  if (kind === 'HorizontalPodAutoscaler') {
    const a = rec(o.spec).minReplicas ?? 1;
    const b = rec(n.spec).minReplicas ?? 1;
    if (lower(b, a)) {
      out.push({ id: RiskId.FLOOR_LOWERED, object, message: `minReplicas ${a} → ${b}` });
    }
  }
  out.push(...imageRisks(o, n));
  return out;
}

/** True when `a` is a lower floor than `b` (numbers, or percentages on both sides). */
function lower(a: unknown, b: unknown): boolean {
  const num = (v: unknown): { n: number; pct: boolean } | undefined =>
    typeof v === 'number' ? { n: v, pct: false } : typeof v === 'string' && /^\d+%$/.test(v) ? { n: parseInt(v, 10), pct: true } : undefined;
  const x = num(a);
  const y = num(b);
  return x !== undefined && y !== undefined && x.pct === y.pct && x.n < y.n;
}

function imageRisks(o: Manifest | undefined, n: Manifest): Risk[] {
  const out: Risk[] = [];
  const before = new Map((o ? containers(o) : []).map((c) => [str(c.name) ?? '', str(c.image) ?? '']));
  for (const c of containers(n)) {
    const image = str(c.image);
    if (image === undefined) {
      continue;
    }
    const ref = parseImage(image);
    const prev = before.get(str(c.name) ?? '');
    if (prev === image) {
      continue;
    }
    const prevRef = prev === undefined ? undefined : parseImage(prev);
    if (ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest')) {
      out.push({ id: RiskId.IMAGE, object: describe(n), message: `image ${image} is not pinned (no version tag or digest)` });
    } else if (prevRef?.digest !== undefined && ref.digest === undefined) {
      out.push({ id: RiskId.IMAGE, object: describe(n), message: `image ${image} dropped the digest pin of ${prev}` });
    }
    if (prevRef && prevRef.repository === ref.repository && prevRef.tag && ref.tag) {
      const a = semver.parse(prevRef.tag.replace(/^v/, ''), { loose: true });
      const b = semver.parse(ref.tag.replace(/^v/, ''), { loose: true });
      if (a && b && semver.lt(b, a)) {
        out.push({ id: RiskId.IMAGE, object: describe(n), message: `image ${ref.repository} downgraded ${prevRef.tag} → ${ref.tag}` });
      }
    }
  }
  return out;
}

function splitLabels(e: GraphEdge): string[] {
  return e.label === '' ? [''] : e.label.split(', ');
}

/** Routes, admitted traffic and Secret references compared on the two platform graphs. */
function compareGraphs(a: PlatformGraph, b: PlatformGraph, say: (service: string, text: string) => void): Risk[] {
  const risks: Risk[] = [];
  const nodeA = new Map(a.nodes.map((n) => [n.id, n]));
  const nodeB = new Map(b.nodes.map((n) => [n.id, n]));
  const label = (id: string): string => {
    const n = nodeB.get(id) ?? nodeA.get(id);
    if (!n) {
      return id;
    }
    return n.kind === 'workload' || n.kind === 'service' ? n.label.replace(/^\S+ /, '') : n.label;
  };
  const groupOf = (id: string): string => (nodeB.get(id) ?? nodeA.get(id))?.group ?? (nodeB.get(id) ?? nodeA.get(id))?.namespace ?? '';

  // Traffic: (source, target, port) triples.
  const triples = (g: PlatformGraph): Map<string, { e: GraphEdge; port: string }> => new Map(g.edges.filter((e) => e.kind === 'traffic')
    .flatMap((e) => splitLabels(e).map((port) => [`${e.from}|${e.to}|${port}`, { e, port }] as const)));
  const ta = triples(a);
  const tb = triples(b);
  const grouped = (src: Map<string, { e: GraphEdge; port: string }>, other: Map<string, unknown>): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const [k, { e, port }] of [...src.entries()].sort(([x], [y]) => byString(x, y))) {
      if (!other.has(k)) {
        const key = `${e.from}|${e.to}`;
        out.set(key, [...(out.get(key) ?? []), port]);
      }
    }
    return out;
  };
  for (const [key, ports] of grouped(tb, ta)) {
    const [from, to] = key.split('|');
    const target = nodeB.get(to)!;
    say(groupOf(to), `now admits traffic from ${label(from)} on ${ports.join(', ')}`);
    if (nodeA.has(to)) {
      const wide = nodeB.get(from)?.wide === true;
      risks.push({
        id: RiskId.NETWORK_WIDENED, object: `${target.label.split(' ')[0]} ${target.namespace}/${label(to)}`,
        message: `now admits ${label(from)}${wide ? ' (wide)' : ''} on ${ports.join(', ')}`,
      });
    }
  }
  for (const [key, ports] of grouped(ta, tb)) {
    const [from, to] = key.split('|');
    if (nodeB.has(to)) {
      say(groupOf(to), `no longer admits traffic from ${label(from)} on ${ports.join(', ')}`);
    }
  }

  // Routes: entry → route rule → Service, as text per Service.
  const routes = (g: PlatformGraph): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    const nodes = new Map(g.nodes.map((n) => [n.id, n]));
    for (const back of g.edges.filter((e) => e.kind === 'backend')) {
      const rule = nodes.get(back.from);
      const hosts = [...new Set(g.edges.filter((e) => e.kind === 'route' && e.to === back.from)
        .map((e) => e.label !== '' ? e.label : hostOfEntry(nodes.get(e.from))))].sort(byString);
      const path = rule?.label ?? '';
      const text = hosts.length === 0 ? path : `${hosts.join(', ')}${path.startsWith('/') ? '' : ' '}${path}`;
      const set = out.get(back.to) ?? new Set<string>();
      set.add(text);
      out.set(back.to, set);
    }
    return out;
  };
  const ra = routes(a);
  const rb = routes(b);
  for (const svc of [...new Set([...ra.keys(), ...rb.keys()])].sort(byString)) {
    const before = ra.get(svc) ?? new Set<string>();
    const after = rb.get(svc) ?? new Set<string>();
    [...after].filter((r) => !before.has(r)).sort(byString).forEach((r) => say(groupOf(svc), `route ${r} added`));
    [...before].filter((r) => !after.has(r)).sort(byString).forEach((r) => say(groupOf(svc), `route ${r} removed`));
  }

  // Secret references: (secret, consumer).
  const refs = (g: PlatformGraph): Set<string> => new Set(g.edges.filter((e) => e.kind === 'secret').map((e) => `${e.from}|${e.to}`));
  const sa = refs(a);
  for (const key of [...refs(b)].sort(byString)) {
    if (!sa.has(key)) {
      const [secret, consumer] = key.split('|');
      const c = nodeB.get(consumer)!;
      say(groupOf(consumer), `now reads ${label(secret)}`);
      risks.push({ id: RiskId.SECRET_ADDED, object: `${c.label.split(' ')[0]} ${c.namespace ?? ''}/${label(consumer)}`, message: `now reads ${label(secret)} (${secret.replace(/^secret:/, '')})` });
    }
  }
  return risks;
}

/** The host an entry node serves: an Ingress host entry is labelled with it, a listener names it first in its details. */
function hostOfEntry(entry: { id: string; label: string; details: string[] } | undefined): string {
  if (!entry) {
    return '';
  }
  return entry.id.includes('/Ingress/') ? entry.label : entry.details[0] ?? '';
}

function dedupe(risks: Risk[]): Risk[] {
  const seen = new Set<string>();
  return risks.filter((r) => {
    const k = `${r.id}|${r.object}|${r.message}`;
    if (seen.has(k)) {
      return false;
    }
    seen.add(k);
    return true;
  });
}
