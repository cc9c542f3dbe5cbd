import { asRecord, asString, Entry, labelSelectorMatches, PodTemplate, PolicyContext } from '../context';

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** GP-HPA-TARGET, GP-HPA-RANGE, GP-PDB-MISSING, GP-PDB-BLOCKS-DRAIN. @internal */
export function checkAvailability(ctx: PolicyContext): void {
  // The smallest replica count of each workload: the HPA minimum when an autoscaler targets it.
  const floors = new Map<Entry, number>();
  for (const hpa of ctx.ofKind('HorizontalPodAutoscaler')) {
    const spec = asRecord(hpa.manifest.spec);
    const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
    const max = spec.maxReplicas;
    if (typeof max === 'number' && min > max) {
      ctx.report(hpa, 'GP-HPA-RANGE', 'spec.minReplicas', `minReplicas (${min}) must be <= maxReplicas (${max})`);
    }
    const ref = asRecord(spec.scaleTargetRef);
    const kind = asString(ref.kind) ?? '';
    const name = asString(ref.name) ?? '';
    const target = ctx.get(kind, hpa.namespace, name);
    if (!target || !SCALABLE.has(kind) || (ref.apiVersion !== undefined && ref.apiVersion !== target.ref.apiVersion)) {
      ctx.report(hpa, 'GP-HPA-TARGET', 'spec.scaleTargetRef',
        `scale target ${String(ref.apiVersion ?? '')} ${kind}/${name} is not a Deployment, StatefulSet or ReplicaSet in namespace ${JSON.stringify(hpa.namespace)}`);
      continue;
    }
    floors.set(target, min);
  }

  const templates = ctx.podTemplates().filter((t) => SCALABLE.has(t.entry.ref.kind));
  const floor = (t: PodTemplate): number => {
    const fromHpa = floors.get(t.entry);
    if (fromHpa !== undefined) {
      return fromHpa;
    }
    const replicas = asRecord(t.entry.manifest.spec).replicas;
    return typeof replicas === 'number' ? replicas : 1;
  };

  const covered = new Set<Entry>();
  for (const pdb of ctx.ofKind('PodDisruptionBudget')) {
    const spec = asRecord(pdb.manifest.spec);
    const selected = templates.filter((t) => t.entry.namespace === pdb.namespace && labelSelectorMatches(spec.selector, t.labels));
    selected.forEach((t) => covered.add(t.entry));
    const { maxUnavailable, minAvailable } = spec;
    if (maxUnavailable === 0 || maxUnavailable === '0%') {
      ctx.report(pdb, 'GP-PDB-BLOCKS-DRAIN', 'spec.maxUnavailable', `maxUnavailable ${JSON.stringify(maxUnavailable)} forbids every eviction`);
    }
    if (minAvailable === '100%') {
      ctx.report(pdb, 'GP-PDB-BLOCKS-DRAIN', 'spec.minAvailable', 'minAvailable "100%" forbids every eviction');
    } else if (typeof minAvailable === 'number') {
      for (const t of selected) {
        if (minAvailable >= floor(t)) {
          ctx.report(pdb, 'GP-PDB-BLOCKS-DRAIN', 'spec.minAvailable',
            `minAvailable (${minAvailable}) is not below the ${floor(t)} replica(s) of ${t.entry.ref.kind}/${t.entry.ref.name}: no pod can be evicted`);
        }
      }
    }
  }

  for (const t of templates) {
    const n = floor(t);
    if (n > 1 && !covered.has(t.entry)) {
      ctx.report(t.entry, 'GP-PDB-MISSING', '', `${n} replicas and no PodDisruptionBudget selects its pods`);
    }
  }
}
