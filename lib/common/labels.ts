/** The `app.kubernetes.io/*` recommended label keys. @internal */
export const LABEL_NAME = 'app.kubernetes.io/name';
/** @internal */
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
/** @internal */
export const LABEL_VERSION = 'app.kubernetes.io/version';
/** @internal */
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
/** @internal */
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
/** @internal */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/** The value of `app.kubernetes.io/managed-by` on every object the library creates. */
export const MANAGED_BY = 'cdk8s-go-platform';

/** Inputs for the recommended labels. @internal */
export interface RecommendedLabelsInput {
  readonly name: string;
  readonly instance: string;
  readonly version?: string;
  readonly component?: string;
  readonly partOf?: string;
}

/**
 * The labels that never change between releases of one workload: the only ones
 * selectors may use.
 *
 * @internal
 */
export function selectorLabels(input: Pick<RecommendedLabelsInput, 'name' | 'instance'>): Record<string, string> {
  // Sorted keys, as cdk8s writes them elsewhere.
  return { [LABEL_INSTANCE]: input.instance, [LABEL_NAME]: input.name };
}

/**
 * The full `app.kubernetes.io/*` label set for an object.
 *
 * @internal
 */
export function recommendedLabels(input: RecommendedLabelsInput): Record<string, string> {
  const labels: Record<string, string> = selectorLabels(input);
  if (input.version !== undefined) {
    labels[LABEL_VERSION] = input.version;
  }
  if (input.component !== undefined) {
    labels[LABEL_COMPONENT] = input.component;
  }
  if (input.partOf !== undefined) {
    labels[LABEL_PART_OF] = input.partOf;
  }
  labels[LABEL_MANAGED_BY] = MANAGED_BY;
  return labels;
}

/**
 * Label of the pods (and objects) of a release track: `stable` and `canary`,
 * or `blue` and `green`. Only set on services that have a release; selectors
 * never use it (they tell tracks apart by `app.kubernetes.io/instance`).
 */
export const TRACK_LABEL = 'release.cdk8s-go-platform.io/track';

/** The Prometheus label the track label becomes through scrape relabeling. */
export const PROMETHEUS_TRACK_LABEL = 'track';

/** `__meta_kubernetes_pod_label_*` name of `TRACK_LABEL` in Prometheus discovery. @internal */
export const TRACK_LABEL_META = `__meta_kubernetes_pod_label_${TRACK_LABEL.replace(/[^A-Za-z0-9_]/g, '_')}`;
