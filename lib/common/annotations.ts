/**
 * Annotation and label names the constructs write and the policy gate reads.
 * They live here, below both, so constructs never import from `lib/policy`.
 */

/** Annotation that suppresses policy rules on one object: `"GP-ID: reason; GP-OTHER: reason"`. */
export const DISABLE_ANNOTATION = 'policy.cdk8s-go-platform.io/disable';

/** Annotation that declares referenced objects as existing outside the set: `"Secret/db, ConfigMap/flags"`. */
export const EXTERNAL_ANNOTATION = 'policy.cdk8s-go-platform.io/external';

/** Namespace label of the Pod Security admission controller that enforces a profile. */
export const PSS_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** Prefix of the Pod Security admission controller's namespace labels (`/enforce`, `/audit`, `/warn`). @internal */
export const PSS_LABEL_PREFIX = 'pod-security.kubernetes.io';

/** Namespace annotation that documents why a namespace is a Pod Security exception. @internal */
export const POD_SECURITY_EXCEPTION_ANNOTATION = 'observability.cdk8s-go-platform.io/pod-security-exception';

/** Pod annotation that asks annotation-driven Prometheus discovery to scrape the pod. @internal */
export const PROMETHEUS_SCRAPE_ANNOTATION = 'prometheus.io/scrape';

/** Pod annotation naming the container port Prometheus scrapes. @internal */
export const PROMETHEUS_PORT_ANNOTATION = 'prometheus.io/port';

/** Pod annotation naming the HTTP path Prometheus scrapes. @internal */
export const PROMETHEUS_PATH_ANNOTATION = 'prometheus.io/path';

/**
 * The `prometheus.io/*` pod annotations for a metrics endpoint, in the order
 * they are written.
 *
 * @internal
 */
export function prometheusScrapeAnnotations(port: number, path: string): Record<string, string> {
  return {
    [PROMETHEUS_SCRAPE_ANNOTATION]: 'true',
    [PROMETHEUS_PORT_ANNOTATION]: String(port),
    [PROMETHEUS_PATH_ANNOTATION]: path,
  };
}

/** Argo CD: the sync wave of an object, an integer as a string; lower waves sync (and become healthy) first. */
export const ARGO_CD_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Argo CD: marks an object as a hook (`PreSync`, `PostSync`, ...) rather than a synced resource. @internal */
export const ARGO_CD_HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

/** Argo CD: when a hook object is deleted (`BeforeHookCreation`, `HookSucceeded`, `HookFailed`). @internal */
export const ARGO_CD_HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
