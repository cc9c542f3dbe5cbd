import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { seconds } from '../common/durations';
import { fail } from '../common/errors';
import { kubernetesVersionOf, nativeSidecarsAvailable } from '../common/kubernetes-version';
import { recommendedLabels, selectorLabels } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { kplus } from '../common/plus';
import { validateIntegerInRange } from '../common/validate';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import { GO_POD_SECURITY_CONTEXT } from './go-deployment';
import { GoServiceProps, GoServiceSettings, resolveGoService } from './go-service';
import { GoPodProps, ResolvedPod, resolvePod } from './pod-props';
import { ChildMetadata, GoPodTemplate } from './pod-template';

/** Props of a run-to-completion Go pod, shared by `GoCronJob` and `GoMigrationJob`. */
export interface GoJobProps extends Pick<GoServiceProps, 'image' | 'name' | 'resources' | 'config' | 'secretEnv' | 'secretEnvFrom' | 'goRuntime'>, GoPodProps {
  /**
   * Entrypoint of the container.
   * @default - the image's
   */
  readonly command?: string[];

  /**
   * Arguments of the container.
   * @default - the image's
   */
  readonly args?: string[];

  /**
   * Namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * `app.kubernetes.io/instance`.
   * @default - the name
   */
  readonly instance?: string;

  /**
   * `app.kubernetes.io/component`.
   * @default - 'job' for a GoCronJob, 'migration' for a GoMigrationJob
   */
  readonly component?: string;

  /**
   * `app.kubernetes.io/part-of`.
   * @default - no part-of label
   */
  readonly partOf?: string;

  /**
   * The identity of the pods. Its token is never mounted.
   * @default - a new ServiceAccount named after the job
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * Retries before a run counts as failed.
   * @default 2
   */
  readonly backoffLimit?: number;

  /**
   * Longest a run may take, retries included, before it is stopped and fails.
   * @default Duration.hours(1)
   */
  readonly activeDeadline?: Duration;

  /**
   * Grace period between SIGTERM and SIGKILL when a run is stopped.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}

/** Defaults of `GoJobProps`. @internal */
export const JOB_DEFAULTS = {
  backoffLimit: 2,
  activeDeadlineSeconds: 3600,
  terminationGracePeriodSeconds: 30,
} as const;

/** A validated job description. @internal */
export interface ResolvedJob {
  readonly settings: GoServiceSettings;
  readonly pod: ResolvedPod;
  readonly namespace?: string;
  readonly selectorLabels: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly metadata: (name: string) => ChildMetadata;
}

/** Validates the props every Go job shares. @internal */
export function resolveJob(scope: Construct, id: string, props: GoJobProps, defaultComponent: string): ResolvedJob {
  const settings = resolveGoService(scope, props, id, 'job');
  if ((props.sidecars ?? []).length > 0 && !nativeSidecarsAvailable(scope)) {
    // A regular sidecar container never exits, so the Job would never complete.
    fail(scope, `sidecars (${props.sidecars!.map((c) => c.name).join(', ')}) in a job need native sidecars, Kubernetes 1.29 or newer; the target is ${kubernetesVersionOf(scope)}: raise it with setKubernetesVersion or run the helper in the main container`);
  }
  if (props.namespace !== undefined) {
    validateDnsLabel(scope, 'namespace', props.namespace);
  }
  const instance = props.instance ?? settings.name;
  validateDnsLabel(scope, 'instance', instance);
  const labels = recommendedLabels({
    name: settings.name,
    instance,
    version: settings.version,
    component: props.component ?? defaultComponent,
    partOf: props.partOf,
  });
  const backoffLimit = props.backoffLimit ?? JOB_DEFAULTS.backoffLimit;
  validateIntegerInRange(scope, 'backoffLimit', backoffLimit, 0, 100);
  const activeDeadlineSeconds = seconds(scope, 'activeDeadline', props.activeDeadline, JOB_DEFAULTS.activeDeadlineSeconds);
  validateIntegerInRange(scope, 'activeDeadline', activeDeadlineSeconds, 1, 7 * 24 * 3600);
  const terminationGracePeriodSeconds = seconds(scope, 'terminationGracePeriod', props.terminationGracePeriod, JOB_DEFAULTS.terminationGracePeriodSeconds);
  validateIntegerInRange(scope, 'terminationGracePeriod', terminationGracePeriodSeconds, 0, 3600);
  return {
    settings,
    pod: resolvePod(scope, props, settings.name),
    namespace: props.namespace ?? Chart.of(scope).namespace,
    selectorLabels: selectorLabels({ name: settings.name, instance }),
    labels,
    backoffLimit,
    activeDeadlineSeconds,
    terminationGracePeriodSeconds,
    metadata: (name: string) => ({ name, namespace: props.namespace, labels }),
  };
}

/** The kplus props every Go job workload shares. @internal */
export function jobWorkloadProps(j: ResolvedJob, serviceAccount: kplus.IServiceAccount): kplus.JobProps {
  return {
    select: false,
    podMetadata: { labels: j.labels },
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: GO_POD_SECURITY_CONTEXT,
    restartPolicy: kplus.RestartPolicy.NEVER,
    backoffLimit: j.backoffLimit,
    activeDeadline: Duration.seconds(j.activeDeadlineSeconds),
    terminationGracePeriod: Duration.seconds(j.terminationGracePeriodSeconds),
  };
}

/** Declares the referenced Secrets external for the gate. @internal */
export function declareExternalSecrets(workload: kplus.Job | kplus.CronJob, template: GoPodTemplate, extra: string[] = []): void {
  const refs = [...template.secretNames.map((n) => `Secret/${n}`), ...extra];
  if (refs.length > 0) {
    workload.metadata.addAnnotation(EXTERNAL_ANNOTATION, refs.join(' '));
  }
}

/**
 * A NetworkPolicy that denies all ingress to a job's pods: nothing calls a
 * run-to-completion pod. Egress stays open.
 *
 * @internal
 */
export function createJobNetworkPolicy(scope: Construct, j: ResolvedJob, name: string): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: j.metadata(name),
    selector: kplus.Pods.select(scope, 'Pods', { labels: j.selectorLabels }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}
