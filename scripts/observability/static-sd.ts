// Debian's promtool and prometheus are built without Kubernetes service
// discovery. To check (and run) the stack's own scrape jobs with them, each
// `kubernetes_sd_configs` block is replaced by a static target that carries
// the same `__meta_kubernetes_*` labels discovery would set, so the job's
// relabeling is exercised unchanged.
import { Manifest } from './manifests';

/** Discovery labels of one pod, as the `pod` role sets them. */
export interface PodTarget {
  /** `__address__` before relabeling: pod IP and declared container port. */
  readonly address: string;
  readonly namespace: string;
  readonly name: string;
  readonly phase?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Discovery labels of one node, as the `node` role sets them. */
export interface NodeTarget {
  readonly address: string;
  readonly name: string;
}

/** The replacement of one role's discovery. */
export interface StaticTargets {
  readonly pods: PodTarget[];
  readonly nodes: NodeTarget[];
}

/** Kubernetes label or annotation name as Prometheus sanitizes it into a meta label. */
export function metaName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The `__meta_kubernetes_pod_*` labels of `pod`. */
export function podMetaLabels(pod: PodTarget): Record<string, string> {
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_phase: pod.phase ?? 'Running',
  };
  for (const [k, v] of Object.entries(pod.labels ?? {})) {
    labels[`__meta_kubernetes_pod_label_${metaName(k)}`] = v;
    labels[`__meta_kubernetes_pod_labelpresent_${metaName(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(pod.annotations ?? {})) {
    labels[`__meta_kubernetes_pod_annotation_${metaName(k)}`] = v;
    labels[`__meta_kubernetes_pod_annotationpresent_${metaName(k)}`] = 'true';
  }
  return labels;
}

/**
 * A copy of `config` in which each job's `kubernetes_sd_configs` is replaced
 * by `static_configs` for the targets of its role. Roles other than `pod`
 * and `node` are refused, so a new kind of discovery cannot slip through
 * unchecked.
 */
export function withStaticTargets(config: Manifest, targets: StaticTargets): Manifest {
  const copy: Manifest = JSON.parse(JSON.stringify(config));
  for (const job of copy.scrape_configs ?? []) {
    const sd: Manifest[] | undefined = job.kubernetes_sd_configs;
    if (sd === undefined) {
      continue;
    }
    delete job.kubernetes_sd_configs;
    const statics: Manifest[] = [];
    for (const block of sd) {
      if (block.role === 'pod') {
        statics.push(...targets.pods.map((p) => ({ targets: [p.address], labels: podMetaLabels(p) })));
      } else if (block.role === 'node') {
        statics.push(...targets.nodes.map((n) => ({ targets: [n.address], labels: { __meta_kubernetes_node_name: n.name } })));
      } else {
        throw new Error(`job ${job.job_name}: no static equivalent for kubernetes_sd_configs role ${block.role}`);
      }
    }
    job.static_configs = [...(job.static_configs ?? []), ...statics];
  }
  return copy;
}
