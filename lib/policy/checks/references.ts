import { asArray, asRecord, asString, containersOf, isRecord, PodTemplate, PolicyContext } from '../context';
import { Severity } from '../types';

/** A ConfigMap, Secret or ServiceAccount a pod needs. */
interface Reference {
  readonly kind: 'ConfigMap' | 'Secret' | 'ServiceAccount';
  readonly name: string;
  readonly path: string;
}

/**
 * ESO `spec.target.creationPolicy` values under which the operator creates
 * the target Secret. The CRD allows `Owner`, `Orphan`, `Merge` and `None`;
 * `Merge` and `None` expect the Secret to exist already, and a value the CRD
 * does not allow creates nothing.
 */
const ESO_CREATING_POLICIES = new Set(['Owner', 'Orphan']);

/**
 * Secrets that an operator creates from objects in the set, by
 * `namespace/name`: the target of an External Secrets Operator
 * `ExternalSecret` (`spec.target.name`, default the ExternalSecret's own name,
 * when its creation policy creates one) and the Secret a Sealed Secrets
 * `SealedSecret` unseals into (always the SealedSecret's name and namespace).
 */
function producedSecrets(ctx: PolicyContext): Set<string> {
  const out = new Set<string>();
  for (const es of ctx.ofKind('ExternalSecret')) {
    if (!/^external-secrets\.io\/v1(beta1)?$/.test(es.ref.apiVersion)) {
      continue;
    }
    const target = asRecord(asRecord(es.manifest.spec).target);
    const policy = asString(target.creationPolicy) ?? 'Owner';
    if (ESO_CREATING_POLICIES.has(policy)) {
      out.add(`${es.namespace}/${asString(target.name) ?? es.ref.name}`);
    }
  }
  for (const sealed of ctx.ofKind('SealedSecret')) {
    if (sealed.ref.apiVersion === 'bitnami.com/v1alpha1') {
      out.add(`${sealed.namespace}/${sealed.ref.name}`);
    }
  }
  return out;
}

/** GP-REF-MISSING, GP-SECRET-MISSING, GP-SECRET-LITERAL. @internal */
export function checkReferences(ctx: PolicyContext): void {
  const produced = producedSecrets(ctx);
  const secretSeverity = ctx.options.strictReferences ? Severity.ERROR : Severity.WARNING;
  for (const t of ctx.podTemplates()) {
    for (const ref of referencesOf(t)) {
      if (ctx.exists(ref.kind, t.entry.namespace, ref.name, t.entry)) {
        continue;
      }
      if (ref.kind !== 'Secret') {
        ctx.report(t.entry, 'GP-REF-MISSING', ref.path,
          `${ref.kind} ${JSON.stringify(ref.name)} is not in namespace ${JSON.stringify(t.entry.namespace)} of the set and not declared external`);
      } else if (!produced.has(`${t.entry.namespace}/${ref.name}`)) {
        ctx.report(t.entry, 'GP-SECRET-MISSING', ref.path,
          `Secret ${JSON.stringify(ref.name)} is not in namespace ${JSON.stringify(t.entry.namespace)} of the set, no ExternalSecret or SealedSecret there creates it, and it is not declared external`,
          secretSeverity);
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
