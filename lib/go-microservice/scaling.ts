import { Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { seconds } from '../common/durations';
import { fail } from '../common/errors';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { validateDistinct, validateIntegerInRange } from '../common/validate';
import { AUTOSCALING_DEFAULTS } from './go-microservice-defaults';
import { AutoscalingOptions, ResolvedAutoscaling } from './go-microservice-props';
import { KedaScalingOptions, ResolvedKedaScaling, resolveKedaScaling } from './keda';

/** Metadata of one object of a Go workload. @internal */
export interface ObjectMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
}

/** Validates autoscaling options and fills in the defaults. @internal */
export function resolveAutoscaling(scope: Construct, o: AutoscalingOptions): ResolvedAutoscaling {
  const r: ResolvedAutoscaling = {
    minReplicas: o.minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas,
    maxReplicas: o.maxReplicas ?? AUTOSCALING_DEFAULTS.maxReplicas,
    targetCpuUtilizationPercent: o.targetCpuUtilizationPercent ?? AUTOSCALING_DEFAULTS.targetCpuUtilizationPercent,
    targetMemoryUtilizationPercent: o.targetMemoryUtilizationPercent,
    scaleDownStabilizationSeconds: seconds(scope, 'autoscaling.scaleDownStabilization', o.scaleDownStabilization, AUTOSCALING_DEFAULTS.scaleDownStabilizationSeconds),
    metrics: [...(o.metrics ?? [])],
  };
  validateIntegerInRange(scope, 'autoscaling.minReplicas', r.minReplicas, 1, 10000);
  validateIntegerInRange(scope, 'autoscaling.maxReplicas', r.maxReplicas, 1, 10000);
  if (r.minReplicas > r.maxReplicas) {
    fail(scope, `autoscaling.minReplicas (${r.minReplicas}) must be <= autoscaling.maxReplicas (${r.maxReplicas})`);
  }
  validateIntegerInRange(scope, 'autoscaling.targetCpuUtilizationPercent', r.targetCpuUtilizationPercent, 1, 100);
  if (r.targetMemoryUtilizationPercent !== undefined) {
    validateIntegerInRange(scope, 'autoscaling.targetMemoryUtilizationPercent', r.targetMemoryUtilizationPercent, 1, 100);
  }
  validateIntegerInRange(scope, 'autoscaling.scaleDownStabilization', r.scaleDownStabilizationSeconds, 0, 3600);
  r.metrics.forEach((m, i) => m._validate(scope, `autoscaling.metrics[${i}]`));
  validateDistinct(scope, 'custom metric', r.metrics.map((m, i) => [`autoscaling.metrics[${i}]`, m._key()]));
  return r;
}

/** How many pods a Deployment shape runs, resolved once. @internal */
export interface ResolvedReplicas {
  /** The HPA settings, when `autoscaling` is set. */
  readonly autoscaling?: ResolvedAutoscaling;
  /** The KEDA settings, when `keda` is set. */
  readonly keda?: ResolvedKedaScaling;
  /** `spec.replicas`; undefined when an autoscaler owns the count. */
  readonly replicas?: number;
  /**
   * Fewest pods that run: `autoscaling.minReplicas`, `keda.minReplicas`, or
   * `replicas`. The disruption budget and the topology spread are sized on it.
   */
  readonly floor: number;
}

/**
 * Resolves `replicas`, `autoscaling` and `keda` of a Deployment shape (they
 * exclude each other) and the replica floor they give.
 *
 * @internal
 */
export function resolveReplicas(
  scope: Construct,
  props: { readonly replicas?: number; readonly autoscaling?: AutoscalingOptions; readonly keda?: KedaScalingOptions },
  defaultReplicas: number,
): ResolvedReplicas {
  const autoscaling = props.autoscaling ? resolveAutoscaling(scope, props.autoscaling) : undefined;
  if (autoscaling && props.replicas !== undefined) {
    fail(scope, `replicas (${props.replicas}) cannot be combined with autoscaling: set autoscaling.minReplicas and maxReplicas instead`);
  }
  const keda = props.keda ? resolveKedaScaling(scope, props.keda, { autoscaling: props.autoscaling !== undefined, replicas: props.replicas }) : undefined;
  const replicas = autoscaling || keda ? undefined : props.replicas ?? defaultReplicas;
  if (replicas !== undefined) {
    validateIntegerInRange(scope, 'replicas', replicas, 1, 10000);
  }
  const floor = autoscaling?.minReplicas ?? keda?.minReplicas ?? replicas!;
  return { autoscaling, keda, replicas, floor };
}

/**
 * The HorizontalPodAutoscaler of a Go workload's Deployment: CPU (and memory)
 * utilization plus custom metrics; scales up fast (double, or four pods,
 * every 15 s), down slowly (half every minute after the stabilization window).
 *
 * @internal
 */
export function createAutoscaler(scope: Construct, metadata: ObjectMetadata, target: kplus.Deployment, a: ResolvedAutoscaling): kplus.HorizontalPodAutoscaler {
  const hpa = new kplus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata,
    target,
    minReplicas: a.minReplicas,
    maxReplicas: a.maxReplicas,
    metrics: [
      kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(a.targetCpuUtilizationPercent)),
      ...(a.targetMemoryUtilizationPercent !== undefined
        ? [kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(a.targetMemoryUtilizationPercent))]
        : []),
    ],
    scaleUp: {
      stabilizationWindow: Duration.seconds(0),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [
        { replicas: kplus.Replicas.percent(100), duration: Duration.seconds(15) },
        { replicas: kplus.Replicas.absolute(4), duration: Duration.seconds(15) },
      ],
    },
    scaleDown: {
      stabilizationWindow: Duration.seconds(a.scaleDownStabilizationSeconds),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [{ replicas: kplus.Replicas.percent(50), duration: Duration.seconds(60) }],
    },
  });
  for (const m of a.metrics) {
    // cdk8s-plus-27 targets only whole numbers; custom metric targets are quantities.
    apiObjectOf(hpa).addJsonPatch(JsonPatch.add('/spec/metrics/-', m._toKube()));
  }
  return hpa;
}

/**
 * The PodDisruptionBudget of a Go workload's pods. It never blocks a node
 * drain on unhealthy pods (`unhealthyPodEvictionPolicy: AlwaysAllow`).
 *
 * @internal
 */
export function createDisruptionBudget(scope: Construct, metadata: ObjectMetadata, selectorLabels: Record<string, string>, maxUnavailable: number): k8s.KubePodDisruptionBudget {
  // cdk8s-plus-27 has no PodDisruptionBudget construct.
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata,
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
      selector: { matchLabels: selectorLabels },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
