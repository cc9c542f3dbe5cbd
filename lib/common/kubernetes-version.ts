import { IConstruct } from 'constructs';
import { fail, show } from './errors';

/**
 * The Kubernetes minor versions the library can target. The target decides
 * what the constructs may emit and which schema the policy gate checks
 * against.
 *
 * @see https://kubernetes.io/releases/
 */
export enum KubernetesVersion {
  /** Kubernetes 1.27, the API of cdk8s-plus-27. The default target. */
  V1_27 = '1.27',
  /** Kubernetes 1.28. */
  V1_28 = '1.28',
  /** Kubernetes 1.29: native sidecar containers on by default. */
  V1_29 = '1.29',
  /** Kubernetes 1.30: the `sleep` lifecycle action on by default. */
  V1_30 = '1.30',
  /** Kubernetes 1.31: Service `trafficDistribution` on by default. */
  V1_31 = '1.31',
  /** Kubernetes 1.32. */
  V1_32 = '1.32',
  /** Kubernetes 1.33. */
  V1_33 = '1.33',
  /** Kubernetes 1.34. */
  V1_34 = '1.34',
}

/** Every supported target, oldest first. */
export const KUBERNETES_VERSIONS: readonly KubernetesVersion[] = Object.values(KubernetesVersion);

/**
 * The target when none is set: 1.27, the API of the `cdk8s-plus-27` peer the
 * constructs are built on.
 */
export const DEFAULT_KUBERNETES_VERSION = KubernetesVersion.V1_27;

/**
 * The construct context key that holds the target version. Set it with
 * `setKubernetesVersion(app, ...)` (or on one chart), or in `cdk8s.yaml`-less
 * setups with `app.node.setContext(KUBERNETES_VERSION_CONTEXT, '1.34')`.
 */
export const KUBERNETES_VERSION_CONTEXT = 'cdk8s-go-platform/kubernetesVersion';

/**
 * Features whose availability depends on the Kubernetes version. Each is
 * usable from the minor where it is enabled by default (beta or GA), never
 * behind a feature gate the cluster operator would have to switch on.
 */
export enum KubernetesFeature {
  /** PodDisruptionBudget `unhealthyPodEvictionPolicy` (KEP-3017). */
  PDB_UNHEALTHY_POD_EVICTION_POLICY = 'PDB_UNHEALTHY_POD_EVICTION_POLICY',
  /** Topology spread constraint `matchLabelKeys` (KEP-3243). */
  TOPOLOGY_SPREAD_MATCH_LABEL_KEYS = 'TOPOLOGY_SPREAD_MATCH_LABEL_KEYS',
  /** Native sidecars: init containers with `restartPolicy: Always` (KEP-753). */
  NATIVE_SIDECARS = 'NATIVE_SIDECARS',
  /** The `sleep` lifecycle hook action (KEP-3960). */
  LIFECYCLE_SLEEP_ACTION = 'LIFECYCLE_SLEEP_ACTION',
  /** Service `trafficDistribution` (KEP-4444). */
  SERVICE_TRAFFIC_DISTRIBUTION = 'SERVICE_TRAFFIC_DISTRIBUTION',
}

/** When a feature became usable, and what it is. */
export interface KubernetesFeatureInfo {
  readonly feature: KubernetesFeature;
  /** The first minor where the feature is on by default. */
  readonly since: KubernetesVersion;
  /** The field that carries it. */
  readonly field: string;
  /** The Kubernetes feature gate, with its beta and GA minors. */
  readonly gate: string;
}

/** The version table of the features above; docs/kubernetes-versions.md shows the same. */
export const KUBERNETES_FEATURES: readonly KubernetesFeatureInfo[] = [
  {
    feature: KubernetesFeature.PDB_UNHEALTHY_POD_EVICTION_POLICY, since: KubernetesVersion.V1_27,
    field: 'PodDisruptionBudget spec.unhealthyPodEvictionPolicy', gate: 'PDBUnhealthyPodEvictionPolicy (beta 1.27, GA 1.31)',
  },
  {
    feature: KubernetesFeature.TOPOLOGY_SPREAD_MATCH_LABEL_KEYS, since: KubernetesVersion.V1_27,
    field: 'pod spec.topologySpreadConstraints[].matchLabelKeys', gate: 'MatchLabelKeysInPodTopologySpread (beta 1.27)',
  },
  {
    feature: KubernetesFeature.NATIVE_SIDECARS, since: KubernetesVersion.V1_29,
    field: 'pod spec.initContainers[].restartPolicy: Always', gate: 'SidecarContainers (beta 1.29, GA 1.33)',
  },
  {
    feature: KubernetesFeature.LIFECYCLE_SLEEP_ACTION, since: KubernetesVersion.V1_30,
    field: 'container lifecycle.preStop.sleep', gate: 'PodLifecycleSleepAction (beta 1.30, GA 1.34)',
  },
  {
    feature: KubernetesFeature.SERVICE_TRAFFIC_DISTRIBUTION, since: KubernetesVersion.V1_31,
    field: 'Service spec.trafficDistribution', gate: 'ServiceTrafficDistribution (beta 1.31, GA 1.33)',
  },
];

/**
 * Reads a version written as `'1.34'` (a `KubernetesVersion` value). Throws
 * with `where` in the message when it is not a supported target.
 *
 * @internal
 */
export function parseKubernetesVersion(where: IConstruct | string, prop: string, value: unknown): KubernetesVersion {
  if (typeof value === 'string' && (KUBERNETES_VERSIONS as readonly string[]).includes(value)) {
    return value as KubernetesVersion;
  }
  return fail(where, `${prop} (${show(value)}) is not a supported Kubernetes version: use one of ${KUBERNETES_VERSIONS.join(', ')}`);
}

/**
 * Sets the Kubernetes version the constructs below `scope` target: call it on
 * the app (or on one chart) before adding children.
 *
 * @example
 * const app = new App();
 * setKubernetesVersion(app, KubernetesVersion.V1_34);
 * const chart = new Chart(app, 'shop');
 */
export function setKubernetesVersion(scope: IConstruct, version: KubernetesVersion): void {
  const parsed = parseKubernetesVersion(scope, 'setKubernetesVersion version', version);
  scope.node.setContext(KUBERNETES_VERSION_CONTEXT, parsed);
}

/**
 * The Kubernetes version targeted at `scope`: the nearest
 * `cdk8s-go-platform/kubernetesVersion` context value, else
 * `DEFAULT_KUBERNETES_VERSION`.
 */
export function kubernetesVersionOf(scope: IConstruct): KubernetesVersion {
  const value: unknown = scope.node.tryGetContext(KUBERNETES_VERSION_CONTEXT);
  return value === undefined ? DEFAULT_KUBERNETES_VERSION : parseKubernetesVersion(scope, `context ${KUBERNETES_VERSION_CONTEXT}`, value);
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareKubernetesVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return KUBERNETES_VERSIONS.indexOf(a) - KUBERNETES_VERSIONS.indexOf(b);
}

/** The first minor where `feature` is on by default. */
export function kubernetesFeatureSince(feature: KubernetesFeature): KubernetesVersion {
  return KUBERNETES_FEATURES.find((f) => f.feature === feature)!.since;
}

/** True when `feature` is on by default in the version targeted at `scope` (or in `version`). */
export function supportsKubernetesFeature(scopeOrVersion: IConstruct | KubernetesVersion, feature: KubernetesFeature): boolean {
  const version = typeof scopeOrVersion === 'string' ? scopeOrVersion : kubernetesVersionOf(scopeOrVersion);
  return compareKubernetesVersions(version, kubernetesFeatureSince(feature)) >= 0;
}

/**
 * True when the target at `scope` runs native sidecars (init containers with
 * `restartPolicy: Always`, on by default from 1.29). Below that, a sidecar
 * must be a regular container, which Kubernetes stops together with the main
 * one instead of after it.
 */
export function nativeSidecarsAvailable(scope: IConstruct): boolean {
  return supportsKubernetesFeature(scope, KubernetesFeature.NATIVE_SIDECARS);
}

/**
 * Throws unless the target at `scope` has `feature`:
 * `[path] prop (value) needs Kubernetes 1.30 or newer (...); the target is 1.27: ...`.
 *
 * @internal
 */
export function requireKubernetesFeature(scope: IConstruct, prop: string, value: string, feature: KubernetesFeature): void {
  const version = kubernetesVersionOf(scope);
  if (!supportsKubernetesFeature(version, feature)) {
    const info = KUBERNETES_FEATURES.find((f) => f.feature === feature)!;
    fail(scope, `${prop} (${value}) needs Kubernetes ${info.since} or newer (${info.gate}); the target is ${version}: `
      + `raise it with setKubernetesVersion if the cluster runs ${info.since}+, or leave ${prop} unset`);
  }
}
