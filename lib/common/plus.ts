/**
 * The one place the library imports cdk8s-plus. Moving to a newer Kubernetes
 * line (cdk8s-plus-28, ...) is a change of this file and package.json.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';

// `import * as` then `export { }` (not `export * as`): API Extractor follows this form.
import * as kplus from 'cdk8s-plus-27';
/** cdk8s-plus for the supported Kubernetes line (not re-exported by the package entry points). */
export { kplus };
/** The generated Kubernetes API objects of that line (not re-exported by the package entry points). */
export { k8s } from 'cdk8s-plus-27';

/**
 * The `ApiObject` behind a cdk8s-plus resource (its `Resource` child), for the
 * JSON patches that fill fields plus does not model.
 *
 * @internal
 */
export function apiObjectOf(resource: IConstruct): ApiObject {
  const child = resource.node.tryFindChild('Resource');
  if (!(child instanceof ApiObject)) {
    throw new Error(`[${resource.node.path}] has no ApiObject child named "Resource"`);
  }
  return child;
}

const LATE_PATCHES = Symbol.for('cdk8s-go-platform.latePatches');

/**
 * JSON patches for fields newer than the cdk8s-plus-27 API (Kubernetes 1.28+).
 * The `k8s.Kube*` objects re-serialize their JSON through the 1.27 types after
 * `addJsonPatch` ran, which drops any field 1.27 does not know; these patches
 * are applied after that step, and the result's keys are sorted as cdk8s
 * sorts them. Only for fields the caller has checked against the target
 * Kubernetes version.
 *
 * @internal
 */
export function addLateJsonPatch(resource: IConstruct, ...ops: JsonPatch[]): void {
  const api = resource instanceof ApiObject ? resource : apiObjectOf(resource);
  const holder = api as unknown as { [LATE_PATCHES]?: JsonPatch[] };
  if (!holder[LATE_PATCHES]) {
    const patches: JsonPatch[] = [];
    holder[LATE_PATCHES] = patches;
    const toJson = api.toJson.bind(api);
    api.toJson = (): unknown => sortKeys(JsonPatch.apply(toJson(), ...patches));
  }
  holder[LATE_PATCHES]!.push(...ops);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortKeys(obj[k])]));
  }
  return value;
}
