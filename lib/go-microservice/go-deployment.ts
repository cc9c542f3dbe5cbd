import { Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { prometheusScrapeAnnotations } from '../common/annotations';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { GO_SERVICE_DEFAULTS, GoServiceSettings } from './go-service';
import { ResolvedPod } from './pod-props';
import { ChildMetadata, GoPodTemplate } from './pod-template';

/** The pod security context of every Go workload (restricted Pod Security). @internal */
export const GO_POD_SECURITY_CONTEXT: kplus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: GO_SERVICE_DEFAULTS.user,
  group: GO_SERVICE_DEFAULTS.user,
  fsGroup: GO_SERVICE_DEFAULTS.user,
};

/** Defaults of the Deployment of a long-running Go workload. @internal */
export const DEPLOYMENT_DEFAULTS = {
  revisionHistoryLimit: 5,
} as const;

/** Inputs of `createGoDeployment`. @internal */
export interface GoDeploymentOptions {
  readonly metadata: (name: string) => ChildMetadata;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
  /** `undefined` when an autoscaler owns the replica count. */
  readonly replicas?: number;
  /** Fewest pods that run: spread constraints apply from two. */
  readonly floor: number;
  readonly serviceAccount: kplus.IServiceAccount;
  readonly prometheusScrape: boolean;
  readonly topologySpread: boolean;
  /** Main container entrypoint (a worker's subcommand). */
  readonly command?: string[];
  /** Main container arguments. */
  readonly args?: string[];
  /** Init containers the library adds before the user's. */
  readonly extraInitContainers?: k8s.Container[];
  /** Volumes those init containers need. */
  readonly extraVolumes?: k8s.Volume[];
  /** `metadata.name` of the Deployment; the service name by default (a release track's differs). */
  readonly deploymentName?: string;
  /** Labels of the pods; `labels` by default (a release track adds its track label). */
  readonly podLabels?: Record<string, string>;
  /** The template whose ConfigMaps a release track's pods mount. */
  readonly shareConfigMapsOf?: GoPodTemplate;
}

/**
 * The Deployment of a long-running Go workload (GoMicroservice, GoWorker):
 * rolling updates that never drop capacity, the shared hardened pod template,
 * Prometheus scrape annotations and topology spread.
 *
 * @internal
 */
export function createGoDeployment(scope: Construct, s: GoServiceSettings, pod: ResolvedPod, o: GoDeploymentOptions): { deployment: kplus.Deployment; template: GoPodTemplate } {
  const annotations: Record<string, string> = {};
  if (o.prometheusScrape) {
    Object.assign(annotations, prometheusScrapeAnnotations(s.metricsPort, s.metricsPath));
  }

  const deployment = new kplus.Deployment(scope, 'Deployment', {
    metadata: o.metadata(o.deploymentName ?? s.name),
    replicas: o.replicas,
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(0),
    progressDeadline: Duration.seconds(600),
    select: false,
    spread: false,
    isolate: false,
    podMetadata: { labels: o.podLabels ?? o.labels, annotations },
    serviceAccount: o.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: GO_POD_SECURITY_CONTEXT,
    terminationGracePeriod: Duration.seconds(s.shutdown.terminationGracePeriodSeconds),
  });
  deployment.select(kplus.LabelSelector.of({ labels: o.selectorLabels }));

  const template = new GoPodTemplate(scope, deployment, s, pod, {
    templatePath: '/spec/template',
    workloadKind: 'deployment',
    metadata: o.metadata,
    command: o.command,
    args: o.args,
    extraInitContainers: o.extraInitContainers,
    extraVolumes: o.extraVolumes,
    shareConfigMapsOf: o.shareConfigMapsOf,
    workloadName: o.deploymentName,
  });

  const api = apiObjectOf(deployment);
  // cdk8s-plus-27 has no revisionHistoryLimit.
  api.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', DEPLOYMENT_DEFAULTS.revisionHistoryLimit));
  if (o.topologySpread && o.floor >= 2) {
    // cdk8s-plus-27 has no topology spread constraints. matchLabelKeys keeps
    // a rollout's old and new pods from skewing each other's spread.
    api.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: o.selectorLabels },
      matchLabelKeys: ['pod-template-hash'],
    }))));
  }
  return { deployment, template };
}
