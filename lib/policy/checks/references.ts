import { asArray, asRecord, asString, containersOf, isRecord, PodTemplate, PolicyContext } from '../context';

/** A ConfigMap, Secret or ServiceAccount a pod needs. */
interface Reference {
  readonly kind: 'ConfigMap' | 'Secret' | 'ServiceAccount';
  readonly name: string;
  readonly path: string;
}

/** GP-REF-MISSING, GP-SECRET-LITERAL. @internal */
export function checkReferences(ctx: PolicyContext): void {
  for (const t of ctx.podTemplates()) {
    for (const ref of referencesOf(t)) {
      if (!ctx.exists(ref.kind, t.entry.namespace, ref.name, t.entry)) {
        ctx.report(t.entry, 'GP-REF-MISSING', ref.path,
          `${ref.kind} ${JSON.stringify(ref.name)} is not in namespace ${JSON.stringify(t.entry.namespace)} of the set and not declared external`);
      }
    }
  }
  for (const secret of ctx.ofKind('Secret')) {
    for (const field of ['data', 'stringData']) {
      const values = secret.manifest[field];
      if (!isRecord(values)) {
        continue;
      }
      const keys = Object.keys(values).filter((k) => values[k] !== '' && values[k] !== null);
      if (keys.length > 0) {
        ctx.report(secret, 'GP-SECRET-LITERAL', field, `holds literal values for ${keys.map((k) => JSON.stringify(k)).join(', ')}`);
      }
    }
  }
}

function referencesOf(t: PodTemplate): Reference[] {
  const out: Reference[] = [];
  const add = (kind: Reference['kind'], source: unknown, nameField: string, path: string): void => {
    const r = asRecord(source);
    const name = asString(r[nameField]);
    if (name !== undefined && r.optional !== true) {
      out.push({ kind, name, path: `${path}.${nameField}` });
    }
  };
  const sa = asString(t.spec.serviceAccountName);
  if (sa !== undefined && sa !== 'default') {
    out.push({ kind: 'ServiceAccount', name: sa, path: `${t.specPath}.serviceAccountName` });
  }
  asArray(t.spec.volumes).forEach((v, i) => {
    const volume = asRecord(v);
    const path = `${t.specPath}.volumes[${i}]`;
    add('ConfigMap', volume.configMap, 'name', `${path}.configMap`);
    add('Secret', volume.secret, 'secretName', `${path}.secret`);
    asArray(asRecord(volume.projected).sources).forEach((s, j) => {
      const source = asRecord(s);
      add('ConfigMap', source.configMap, 'name', `${path}.projected.sources[${j}].configMap`);
      add('Secret', source.secret, 'name', `${path}.projected.sources[${j}].secret`);
    });
  });
  for (const c of containersOf(t)) {
    asArray(c.container.envFrom).forEach((e, i) => {
      const source = asRecord(e);
      add('ConfigMap', source.configMapRef, 'name', `${c.path}.envFrom[${i}].configMapRef`);
      add('Secret', source.secretRef, 'name', `${c.path}.envFrom[${i}].secretRef`);
    });
    asArray(c.container.env).forEach((e, i) => {
      const from = asRecord(asRecord(e).valueFrom);
      add('ConfigMap', from.configMapKeyRef, 'name', `${c.path}.env[${i}].valueFrom.configMapKeyRef`);
      add('Secret', from.secretKeyRef, 'name', `${c.path}.env[${i}].valueFrom.secretKeyRef`);
    });
  }
  return out;
}
