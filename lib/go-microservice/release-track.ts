import { Construct } from 'constructs';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { createGoDeployment } from './go-deployment';
import { ResolvedAutoscaling } from './go-microservice-props';
import { GoServiceSettings } from './go-service';
import { ResolvedPod } from './pod-props';
import { ChildMetadata, GoPodTemplate } from './pod-template';
import { createAutoscaler, createDisruptionBudget } from './scaling';

/**
 * The objects of a GoMicroservice's second release track (the canary, or the
 * green color): `GoMicroservice.releaseTrack`.
 */
export interface ReleaseTrackResources {
  /** Track name: `canary` or `green`. */
  readonly track: string;
  /** `metadata.name` of the track's Deployment. */
  readonly name: string;
  /** Labels that select the track's pods (`app.kubernetes.io/instance` is `<instance>-<track>`). */
  readonly selectorLabels: Record<string, string>;
  /** Image of the track's pods. */
  readonly image: string;
  /**
   * Replicas when autoscaling is off; `undefined` when the HPA decides.
   * @default - none: the HPA decides
   */
  readonly replicas?: number;
  /**
   * Autoscaling bounds of the track, when autoscaling.
   * @default - none: the track runs `replicas` pods
   */
  readonly autoscaling?: ResolvedAutoscaling;
  /** The track's Deployment. */
  readonly deployment: kplus.Deployment;
  /** The track's main container. */
  readonly container: kplus.Container;
  /**
   * The track's HorizontalPodAutoscaler, when autoscaling.
   * @default - none: the track runs `replicas` pods
   */
  readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /**
   * The track's PodDisruptionBudget, when two or more of its pods run.
   * @default - none: fewer than two pods of the track run
   */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy of the track's pods; `allowFrom` adds every rule to it too. */
  readonly networkPolicy: kplus.NetworkPolicy;
}

/** Inputs of a release track, all resolved by its GoMicroservice. @internal */
export interface ReleaseTrackProps {
  readonly track: string;
  readonly settings: GoServiceSettings;
  readonly pod: ResolvedPod;
  readonly metadata: (name: string) => ChildMetadata;
  /** Labels of the track's objects (with the track label). */
  readonly labels: Record<string, string>;
  /** Labels of its pods: `labels` with the track's instance. */
  readonly podLabels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
  readonly replicas?: number;
  readonly autoscaling?: ResolvedAutoscaling;
  readonly maxUnavailable: number;
  readonly serviceAccount: kplus.IServiceAccount;
  readonly prometheusScrape: boolean;
  readonly topologySpread: boolean;
  readonly shareConfigMapsOf: GoPodTemplate;
  readonly extraInitContainers?: k8s.Container[];
  readonly extraVolumes?: k8s.Volume[];
  readonly external: string[];
}

/**
 * The second Deployment of a release (canary or green) with the same resolved
 * settings, pod template and hardening as the service's own, its own
 * autoscaler and disruption budget sized to its share, and a NetworkPolicy of
 * its own that receives every rule of the service's.
 *
 * @internal
 */
export class ReleaseTrack extends Construct implements ReleaseTrackResources {
  public readonly track: string;
  public readonly name: string;
  public readonly selectorLabels: Record<string, string>;
  public readonly image: string;
  public readonly replicas?: number;
  public readonly autoscaling?: ResolvedAutoscaling;
  public readonly deployment: kplus.Deployment;
  public readonly container: kplus.Container;
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The track's pod template. */
  public readonly template: GoPodTemplate;
  /** The track's pods, for Service selectors. */
  public readonly pods: kplus.Pods;

  public constructor(scope: Construct, id: string, p: ReleaseTrackProps) {
    super(scope, id);
    this.track = p.track;
    this.name = `${p.settings.name}-${p.track}`;
    this.selectorLabels = p.selectorLabels;
    this.image = p.settings.image;
    this.replicas = p.replicas;
    this.autoscaling = p.autoscaling;
    const metadata = (name: string) => ({ ...p.metadata(name), labels: p.labels });
    const floor = p.autoscaling?.minReplicas ?? p.replicas!;

    this.pods = kplus.Pods.select(this, 'Pods', { labels: p.selectorLabels });
    const { deployment, template } = createGoDeployment(this, p.settings, p.pod, {
      metadata,
      deploymentName: this.name,
      labels: p.labels,
      podLabels: p.podLabels,
      selectorLabels: p.selectorLabels,
      replicas: p.replicas,
      floor,
      serviceAccount: p.serviceAccount,
      prometheusScrape: p.prometheusScrape,
      topologySpread: p.topologySpread,
      shareConfigMapsOf: p.shareConfigMapsOf,
      extraInitContainers: p.extraInitContainers,
      extraVolumes: p.extraVolumes,
    });
    this.deployment = deployment;
    this.template = template;
    this.container = deployment.containers[0];
    if (p.external.length > 0) {
      this.deployment.metadata.addAnnotation(EXTERNAL_ANNOTATION, p.external.join(' '));
    }
    this.node.defaultChild = apiObjectOf(deployment);

    if (p.autoscaling) {
      this.autoscaler = createAutoscaler(this, metadata(this.name), deployment, p.autoscaling);
    }
    if (floor >= 2) {
      this.disruptionBudget = createDisruptionBudget(this, metadata(this.name), p.selectorLabels, p.maxUnavailable);
    }
    this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: metadata(this.name),
      selector: this.pods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }
}
