import { PolicyContext, pointerToPath } from '../context';
import { KUBERNETES_VERSIONS } from '../../common/kubernetes-version';
import { checkKubernetesVersion } from '../schema/kubernetes-versions';

const NEWEST = KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1];
import { SchemaError, validateSchema } from '../schema/validators';

/** GP-SCHEMA-KIND, GP-SCHEMA-INVALID, GP-SCHEMA-UNKNOWN-FIELD. @internal */
export function checkSchema(ctx: PolicyContext): void {
  for (const entry of ctx.entries) {
    const m = entry.manifest;
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
      ctx.report(entry, 'GP-SCHEMA-KIND', '', 'apiVersion and kind are required');
      continue;
    }
    if (typeof m.metadata?.name !== 'string' || m.metadata.name === '') {
      ctx.report(entry, 'GP-SCHEMA-KIND', 'metadata.name', 'metadata.name is required');
    }
    const result = validateSchema(m);
    if (!result.known) {
      ctx.report(entry, 'GP-SCHEMA-KIND', 'apiVersion',
        `no schema for ${m.apiVersion} ${m.kind}: not a kind served by Kubernetes 1.27+ or a supported CRD`);
      continue;
    }
    const target = ctx.kubernetesVersion;
    const unknown = new Set(result.unknownFields);
    // A field no supported minor has is a typo (reported below as unknown) or
    // newer than the newest supported minor (the newest schema knows it).
    const newer = checkKubernetesVersion(m, target).filter((f) => f.since !== undefined || !unknown.has(f.pointer));
    if (newer.length === 1 && newer[0].pointer === '') {
      ctx.report(entry, 'GP-SCHEMA-VERSION', 'apiVersion', newer[0].since
        ? `${m.apiVersion} ${m.kind} is served from Kubernetes ${newer[0].since}, newer than the target ${target}`
        : `${m.apiVersion} ${m.kind} is not served by Kubernetes ${KUBERNETES_VERSIONS[0]}–${NEWEST}: newer than every supported target`);
      continue;
    }
    for (const f of newer) {
      ctx.report(entry, 'GP-SCHEMA-VERSION', pointerToPath(f.pointer), f.since
        ? `field added in Kubernetes ${f.since}, newer than the target ${target}`
        : `field newer than Kubernetes ${NEWEST}, the newest supported target`);
    }
    const seen = new Set<string>();
    for (const error of result.errors) {
      const path = pointerToPath(error.instancePath);
      const text = describeError(error);
      const key = `${path}\u0000${text}`;
      if (!seen.has(key)) {
        seen.add(key);
        ctx.report(entry, 'GP-SCHEMA-INVALID', path, text);
      }
    }
    const reported = new Set(newer.map((f) => f.pointer));
    for (const pointer of result.unknownFields.filter((p) => !reported.has(p))) {
      ctx.report(entry, 'GP-SCHEMA-UNKNOWN-FIELD', pointerToPath(pointer), `unknown field for ${m.apiVersion} ${m.kind}`);
    }
  }
}

function describeError(error: SchemaError): string {
  const p = error.params;
  switch (error.keyword) {
    case 'required': return `missing required field ${JSON.stringify(p.missingProperty)}`;
    case 'type': return `must be of type ${String(p.type)}`;
    case 'enum': return `must be one of ${JSON.stringify(p.allowedValues)}`;
    case 'pattern': return `must match pattern ${JSON.stringify(p.pattern)}`;
    case 'format': return `must be a valid ${String(p.format)}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minLength': return `must have at least ${String(p.limit)} characters`;
    case 'maxLength': return `must have at most ${String(p.limit)} characters`;
    case 'minItems': return `must have at least ${String(p.limit)} items`;
    case 'maxItems': return `must have at most ${String(p.limit)} items`;
    default: return error.message ?? `fails schema keyword ${error.keyword} ${JSON.stringify(p)}`;
  }
}
