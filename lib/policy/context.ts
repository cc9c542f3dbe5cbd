import { DISABLE_ANNOTATION, EXTERNAL_ANNOTATION, PSS_ENFORCE_LABEL } from '../common/annotations';
import { KUBERNETES_VERSIONS, KubernetesVersion } from '../common/kubernetes-version';
import { policyRule } from './rules';
import { Finding, Manifest, ManifestSource, ObjectRef, PodSecurityLevel, PolicyOptions, Severity } from './types';

/** Shared helpers of the policy rules: one place for object walking and reporting. */

// The annotation and label names live in lib/common, which the constructs share.
export { DISABLE_ANNOTATION, EXTERNAL_ANNOTATION, PSS_ENFORCE_LABEL };

/** Kinds that have no namespace. @internal */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'PriorityClass', 'StorageClass', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'VolumeAttributesClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding', 'APIService', 'FlowSchema', 'PriorityLevelConfiguration',
  'CertificateSigningRequest', 'ComponentStatus', 'IPAddress', 'ServiceCIDR', 'DeviceClass', 'ResourceSlice',
  'SelfSubjectReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'TokenReview',
  'GatewayClass', 'ClusterIssuer',
]);

/** Kinds whose spec carries a pod template, and where. @internal */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
};

/** An object of the set with what every rule needs. @internal */
export interface Entry {
  readonly manifest: Manifest;
  readonly ref: ObjectRef;
  /** Namespace for lookups: the object's own, or the default; `undefined` when cluster-scoped. */
  readonly namespace?: string;
  readonly source?: ManifestSource;
}

/** A pod spec found in an object. @internal */
export interface PodTemplate {
  readonly entry: Entry;
  /** Labels of the pods (template metadata, or the Pod's own). */
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Record<string, unknown>;
  /** Path of the pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** Path of the pod metadata, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
}

/** A container of a pod spec. @internal */
export interface ContainerRef {
  readonly container: Record<string, unknown>;
  /** `spec.template.spec.containers[0]` */
  readonly path: string;
  readonly group: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** Narrowing helpers for untyped manifest data. @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @internal */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** @internal */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** @internal */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** @internal */
export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) {
    if (typeof v === 'string') {
      out[k] = v;
    }
  }
  return out;
}

/** Reads a nested field. @internal */
export function dig(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (!isRecord(cur)) {
      return undefined;
    }
    cur = cur[key];
  }
  return cur;
}

/** True when every selector label is present with the same value. @internal */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * True when a metav1.LabelSelector (matchLabels + matchExpressions) selects
 * the labels. An empty selector selects everything.
 *
 * @internal
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asRecord(selector);
  if (!labelsMatch(asStringMap(sel.matchLabels), labels)) {
    return false;
  }
  return asArray(sel.matchExpressions).every((raw) => {
    const expr = asRecord(raw);
    const key = asString(expr.key) ?? '';
    const values = asArray(expr.values).filter((v): v is string => typeof v === 'string');
    switch (expr.operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
}

/** @internal */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** Builds the entry of one manifest. @internal */
export function toEntry(manifest: Manifest, defaultNamespace: string, source?: ManifestSource): Entry {
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '<no kind>';
  const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '<no apiVersion>';
  const meta = asRecord(manifest.metadata);
  const name = asString(meta.name) ?? '<no name>';
  const ownNamespace = asString(meta.namespace);
  const namespace = isClusterScoped(kind) ? undefined : ownNamespace ?? defaultNamespace;
  return {
    manifest,
    ref: { apiVersion, kind, name, ...(isClusterScoped(kind) || ownNamespace === undefined ? {} : { namespace: ownNamespace }) },
    namespace,
    source,
  };
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects and objects without a namespace. */
export function describeObject(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** Converts an ajv instance path (`/spec/containers/0/image`) to `spec.containers[0].image`. @internal */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) {
      out += `[${seg}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) {
      out += out === '' ? seg : `.${seg}`;
    } else {
      out += `[${JSON.stringify(seg)}]`;
    }
  }
  return out;
}

/** Joins a path and a key the same way `pointerToPath` writes them. @internal */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${base}[${key}]`;
  }
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) {
    return `${base}[${JSON.stringify(key)}]`;
  }
  return base === '' ? key : `${base}.${key}`;
}

/** Everything the rules read, indexed once per run. @internal */
export class PolicyContext {
  public readonly entries: readonly Entry[];
  public readonly options: PolicyOptions;
  /** The Kubernetes minor the objects are checked against. */
  public readonly kubernetesVersion: KubernetesVersion;
  private readonly found: Finding[] = [];
  private readonly byKey = new Map<string, Entry>();
  private readonly byKind = new Map<string, Entry[]>();
  private readonly external: ReadonlySet<string>;
  private readonly namespaceLevels = new Map<string, PodSecurityLevel>();
  private templates?: PodTemplate[];

  constructor(entries: readonly Entry[], options: PolicyOptions) {
    this.entries = entries;
    this.options = options;
    this.kubernetesVersion = policyKubernetesVersion(options.kubernetesVersion);
    for (const e of entries) {
      this.byKey.set(objectKey(e.ref.kind, e.namespace, e.ref.name), e);
      const list = this.byKind.get(e.ref.kind) ?? [];
      list.push(e);
      this.byKind.set(e.ref.kind, list);
      if (e.ref.kind === 'Namespace') {
        const level = asStringMap(asRecord(e.manifest.metadata).labels)[PSS_ENFORCE_LABEL];
        if (isLevel(level)) {
          this.namespaceLevels.set(e.ref.name, level);
        }
      }
    }
    this.external = new Set(options.external ?? []);
  }

  /** Objects of one kind. */
  public ofKind(kind: string): readonly Entry[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Looks an object up by kind, namespace and name. */
  public get(kind: string, namespace: string | undefined, name: string): Entry | undefined {
    return this.byKey.get(objectKey(kind, namespace, name));
  }

  /**
   * True when the object is in the set, or declared external by option or by
   * the referencing object's annotation.
   */
  public exists(kind: string, namespace: string | undefined, name: string, from: Entry): boolean {
    if (this.get(kind, namespace, name)) {
      return true;
    }
    const declared = (asStringMap(asRecord(from.manifest.metadata).annotations)[EXTERNAL_ANNOTATION] ?? '')
      .split(/[,\s]+/).filter((s) => s !== '');
    const candidates = [`${kind}/${name}`, `${kind}/${namespace}/${name}`];
    return candidates.some((c) => this.external.has(c) || declared.includes(c));
  }

  /** The Pod Security profile enforced in a namespace. */
  public podSecurityLevel(namespace: string | undefined): PodSecurityLevel {
    const fromOption = namespace === undefined ? undefined : this.options.podSecurityLevels?.[namespace];
    return fromOption
      ?? (namespace === undefined ? undefined : this.namespaceLevels.get(namespace))
      ?? this.options.defaultPodSecurityLevel
      ?? PodSecurityLevel.RESTRICTED;
  }

  /** Every pod spec in the set (workload templates and bare Pods). */
  public podTemplates(): readonly PodTemplate[] {
    if (this.templates) {
      return this.templates;
    }
    const out: PodTemplate[] = [];
    for (const entry of this.entries) {
      const kind = entry.ref.kind;
      if (kind === 'Pod') {
        const meta = asRecord(entry.manifest.metadata);
        out.push({
          entry, labels: asStringMap(meta.labels), annotations: asStringMap(meta.annotations),
          spec: asRecord(entry.manifest.spec), specPath: 'spec', metadataPath: 'metadata',
        });
        continue;
      }
      const path = POD_TEMPLATE_PATHS[kind];
      if (!path || !entry.ref.apiVersion.match(/^(apps|batch|v1$)/)) {
        continue;
      }
      const template = dig(entry.manifest, path);
      if (!isRecord(template)) {
        continue;
      }
      const meta = asRecord(template.metadata);
      out.push({
        entry, labels: asStringMap(meta.labels), annotations: asStringMap(meta.annotations),
        spec: asRecord(template.spec), specPath: `${path.join('.')}.spec`, metadataPath: `${path.join('.')}.metadata`,
      });
    }
    this.templates = out;
    return out;
  }

  /**
   * Records a finding; the severity comes from the rule's documentation
   * unless an option of the run sets it (`strictReferences`).
   */
  public report(entry: Entry, ruleId: string, path: string, text: string, severity?: Severity): void {
    const rule = policyRule(ruleId);
    if (!rule) {
      throw new Error(`unknown policy rule ${ruleId}`);
    }
    const where = path === '' ? '' : ` ${path}`;
    this.found.push({
      ruleId,
      severity: severity ?? rule.severity,
      object: entry.ref,
      path,
      message: `${describeObject(entry.ref)}${where}: ${text}`,
      ...(entry.source ? { source: entry.source } : {}),
    });
  }

  /** Findings recorded so far. */
  public findings(): readonly Finding[] {
    return this.found;
  }
}

/** Containers of a pod spec: init, regular and ephemeral, with their paths. @internal */
export function containersOf(template: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const group of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    asArray(template.spec[group]).forEach((c, i) => {
      if (isRecord(c)) {
        out.push({ container: c, path: `${template.specPath}.${group}[${i}]`, group });
      }
    });
  }
  return out;
}

/** Declared ports of a container: names and numbers. @internal */
export function containerPorts(container: Record<string, unknown>): Array<{ name?: string; port?: number }> {
  return asArray(container.ports).map((p) => {
    const r = asRecord(p);
    return { name: asString(r.name), port: typeof r.containerPort === 'number' ? r.containerPort : undefined };
  });
}

function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function isLevel(value: string | undefined): value is PodSecurityLevel {
  return value === PodSecurityLevel.PRIVILEGED || value === PodSecurityLevel.BASELINE || value === PodSecurityLevel.RESTRICTED;
}

/**
 * The `kubernetesVersion` option, checked: `'1.27'` when unset.
 *
 * @internal
 */
export function policyKubernetesVersion(value: string | undefined): KubernetesVersion {
  if (value === undefined) {
    return KubernetesVersion.V1_27;
  }
  if (!(KUBERNETES_VERSIONS as readonly string[]).includes(value)) {
    throw new Error(`policy gate: kubernetesVersion (${JSON.stringify(value)}) is not a supported Kubernetes version: use one of ${KUBERNETES_VERSIONS.join(', ')}`);
  }
  return value as KubernetesVersion;
}
