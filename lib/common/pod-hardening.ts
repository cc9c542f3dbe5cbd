import { JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { fail, show } from './errors';
import { apiObjectOf, k8s } from './plus';
import { requireQuantity } from './quantities';

/** CPU and memory of one container, as written in YAML. @internal */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Partial requests and limits a user may pass; what is left out keeps its default. @internal */
export interface PartialContainerResources {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/**
 * Fills `given` from `defaults`, checks every quantity parses and that limits
 * are at least the requests.
 *
 * @internal
 */
export function resolveResources(scope: IConstruct | string, prop: string, given: PartialContainerResources | undefined, defaults: ContainerResources): ContainerResources {
  const r: ContainerResources = {
    requests: { cpu: given?.requests?.cpu ?? defaults.requests.cpu, memory: given?.requests?.memory ?? defaults.requests.memory },
    limits: { cpu: given?.limits?.cpu ?? defaults.limits.cpu, memory: given?.limits?.memory ?? defaults.limits.memory },
  };
  for (const kind of ['cpu', 'memory'] as const) {
    const request = requireQuantity(scope, `${prop}.requests.${kind}`, r.requests[kind], kind);
    const limit = requireQuantity(scope, `${prop}.limits.${kind}`, r.limits[kind], kind);
    if (limit < request) {
      fail(scope, `${prop}.limits.${kind} (${show(r.limits[kind])}) is below ${prop}.requests.${kind} (${show(r.requests[kind])}): a limit must be at least the request`);
    }
  }
  return r;
}

/**
 * Completes the pod template of a cdk8s-plus workload for the restricted Pod
 * Security Standard and sets each container's resources verbatim.
 *
 * cdk8s-plus-27 has no seccomp profile, cannot drop the `ALL` capability and
 * renders memory only in whole MiB, so these are JSON patches. `templatePath`
 * points at the pod template (`/spec/jobTemplate/spec/template` for a
 * CronJob). Patch values
 * pass through the typed `k8s.*` converters, so quantities are `k8s.Quantity`.
 *
 * @internal
 */
export function hardenPodTemplate(workload: IConstruct, containers: readonly ContainerResources[], templatePath = '/spec/template'): void {
  const api = apiObjectOf(workload);
  api.addJsonPatch(JsonPatch.add(`${templatePath}/spec/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  containers.forEach((resources, i) => {
    const path = `${templatePath}/spec/containers/${i}`;
    api.addJsonPatch(
      JsonPatch.add(`${path}/securityContext/capabilities`, { drop: ['ALL'] }),
      JsonPatch.add(`${path}/resources`, {
        requests: { cpu: q(resources.requests.cpu), memory: q(resources.requests.memory) },
        limits: { cpu: q(resources.limits.cpu), memory: q(resources.limits.memory) },
      }),
    );
  });
}

function q(value: string): k8s.Quantity {
  return k8s.Quantity.fromString(value);
}

/**
 * The Pod Security *restricted* security context of a container written as a
 * raw (L1) object, outside cdk8s-plus: a migration's wait container, an init
 * container or a sidecar. Runs as `user` (and its group), no privilege
 * escalation, every capability dropped, a read-only root file system.
 */
export function restrictedContainerSecurityContext(user: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
  };
}
