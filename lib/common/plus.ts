/**
 * The one place the library imports cdk8s-plus. Moving to a newer Kubernetes
 * line (cdk8s-plus-28, ...) is a change of this file and package.json.
 */
import { ApiObject } from 'cdk8s';
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
