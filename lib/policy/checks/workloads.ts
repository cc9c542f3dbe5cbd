import { imageReferenceProblem, parseImage } from '../../common/images';
import { parseQuantity } from '../../common/quantities';
import { asRecord, asString, ContainerRef, containerPorts, containersOf, PolicyContext } from '../context';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** GP-PROBES, GP-PROBE-PORT, GP-RESOURCES, GP-RESOURCES-LIMITS, GP-IMAGE-TAG. @internal */
export function checkWorkloads(ctx: PolicyContext): void {
  for (const t of ctx.podTemplates()) {
    for (const c of containersOf(t)) {
      if (c.group === 'ephemeralContainers') {
        continue;
      }
      checkImage(ctx, t.entry, c);
      checkResources(ctx, t.entry, c);
      checkProbes(ctx, t.entry, c, t.entry.ref.kind === 'Job' || t.entry.ref.kind === 'CronJob');
    }
  }
}

function checkImage(ctx: PolicyContext, entry: Parameters<PolicyContext['report']>[0], c: ContainerRef): void {
  const image = asString(c.container.image);
  if (image === undefined) {
    return; // required field: reported by the schema check
  }
  const problem = imageReferenceProblem(image);
  if (problem !== undefined) {
    ctx.report(entry, 'GP-IMAGE-REFERENCE', `${c.path}.image`, `image ${JSON.stringify(image)} ${problem}`);
    return;
  }
  const ref = parseImage(image);
  if (ref.digest !== undefined) {
    return;
  }
  if (ref.tag === undefined) {
    ctx.report(entry, 'GP-IMAGE-TAG', `${c.path}.image`, `image ${JSON.stringify(image)} has no tag: pin a version tag or a digest`);
  } else if (ref.tag === 'latest') {
    ctx.report(entry, 'GP-IMAGE-TAG', `${c.path}.image`, `image ${JSON.stringify(image)} uses the mutable tag "latest": pin a version tag or a digest`);
  }
}

function checkResources(ctx: PolicyContext, entry: Parameters<PolicyContext['report']>[0], c: ContainerRef): void {
  const resources = asRecord(c.container.resources);
  const requests = asRecord(resources.requests);
  const limits = asRecord(resources.limits);
  const missing: string[] = [];
  for (const res of ['cpu', 'memory']) {
    if (requests[res] === undefined && limits[res] === undefined) {
      // Kubernetes defaults a missing request to the limit, so a limit alone is enough for requests.
      missing.push(`requests.${res}`);
    }
    if (limits[res] === undefined) {
      missing.push(`limits.${res}`);
    }
    const req = quantity(requests[res]);
    const lim = quantity(limits[res]);
    if (req !== undefined && lim !== undefined && req > lim) {
      ctx.report(entry, 'GP-RESOURCES-LIMITS', `${c.path}.resources.limits.${res}`,
        `${res} limit ${String(limits[res])} is below the request ${String(requests[res])}`);
    }
  }
  if (missing.length > 0) {
    ctx.report(entry, 'GP-RESOURCES', `${c.path}.resources`, `container ${JSON.stringify(c.container.name)} sets no ${missing.join(', ')}`);
  }
}

function checkProbes(ctx: PolicyContext, entry: Parameters<PolicyContext['report']>[0], c: ContainerRef, batch: boolean): void {
  // Init containers and batch pods run to completion: probes do not apply to them.
  if (c.group === 'containers' && !batch) {
    const missing = ['livenessProbe', 'readinessProbe'].filter((p) => c.container[p] === undefined);
    if (missing.length > 0) {
      ctx.report(entry, 'GP-PROBES', c.path, `container ${JSON.stringify(c.container.name)} has no ${missing.join(' or ')}`);
    }
  }
  const ports = containerPorts(c.container);
  for (const probe of PROBES) {
    const p = asRecord(c.container[probe]);
    for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
      const h = p[handler];
      if (h === undefined) {
        continue;
      }
      const port = asRecord(h).port;
      const path = `${c.path}.${probe}.${handler}.port`;
      if (typeof port === 'string' && !/^\d+$/.test(port)) {
        if (!ports.some((d) => d.name === port)) {
          ctx.report(entry, 'GP-PROBE-PORT', path, `${probe} uses port name ${JSON.stringify(port)}, which container ${JSON.stringify(c.container.name)} does not declare`);
        }
      } else if (port !== undefined) {
        const n = Number(port);
        if (!ports.some((d) => d.port === n)) {
          ctx.report(entry, 'GP-PROBE-PORT', path, `${probe} uses port ${n}, which container ${JSON.stringify(c.container.name)} does not declare`);
        }
      }
    }
  }
}

function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  return typeof value === 'string' ? parseQuantity(value) : undefined;
}
