import { Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { seconds } from '../common/durations';
import { fail, show } from '../common/errors';
import { validateDnsSubdomain } from '../common/names';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { parseQuantity } from '../common/quantities';
import { validateDistinct, validateIntegerInRange } from '../common/validate';
import { validateLabelKey, validateLabelValue } from './pod-props';
import { ChildMetadata } from './pod-template';

/** How a custom metric's target is compared. */
export enum MetricTargetType {
  /** The metric's value divided by the number of pods. */
  AVERAGE_VALUE = 'AverageValue',
  /** The metric's value as reported. */
  VALUE = 'Value',
}

/** The object an Object metric describes, e.g. an Ingress or a queue custom resource. */
export interface DescribedObject {
  /** API version of the object, e.g. `networking.k8s.io/v1`. */
  readonly apiVersion: string;
  /** Kind of the object, e.g. `Ingress`. */
  readonly kind: string;
  /** Name of the object, in the workload's namespace. */
  readonly name: string;
}

/** Options shared by the custom metric factories. */
export interface ScalingMetricOptions {
  /**
   * Label selector narrowing the metric's series (for the Prometheus
   * Adapter, its labels).
   * @default - every series of the metric
   */
  readonly selector?: Record<string, string>;
}

/** Options of `ScalingMetric.object` and `ScalingMetric.external`. */
export interface ValueMetricOptions extends ScalingMetricOptions {
  /** Metric name as the metrics API serves it. */
  readonly metric: string;
  /** Quantity to hold, e.g. `'100'` or `'500m'`. */
  readonly target: string;
  /**
   * Whether `target` is per pod (`AverageValue`) or the metric's own value (`Value`).
   * @default MetricTargetType.AVERAGE_VALUE
   */
  readonly targetType?: MetricTargetType;
}

/** Options of `ScalingMetric.object`. */
export interface ObjectMetricOptions extends ValueMetricOptions {
  /** The object the metric describes. */
  readonly describedObject: DescribedObject;
}

/** The kinds of custom metric. */
export enum ScalingMetricKind {
  /** A metric of each pod, averaged (`Pods`). */
  PODS = 'Pods',
  /** A metric of another object in the namespace (`Object`). */
  OBJECT = 'Object',
  /** A metric from outside the cluster (`External`). */
  EXTERNAL = 'External',
}

/**
 * A custom metric of the HorizontalPodAutoscaler (`autoscaling/v2`), served by
 * the custom or external metrics API (Prometheus Adapter, KEDA's adapter,
 * a cloud provider's).
 *
 * @example
 * ScalingMetric.pods('http_requests_per_second', '50')
 * ScalingMetric.external({ metric: 'queue_messages_ready', selector: { queue: 'orders' }, target: '30' })
 */
export class ScalingMetric {
  /** A per-pod metric, averaged over the pods: hold `averageValue` per pod. */
  public static pods(metric: string, averageValue: string, options: ScalingMetricOptions = {}): ScalingMetric {
    return new ScalingMetric(ScalingMetricKind.PODS, metric, averageValue, MetricTargetType.AVERAGE_VALUE, options.selector);
  }

  /** A metric describing another object of the namespace. */
  public static object(options: ObjectMetricOptions): ScalingMetric {
    return new ScalingMetric(ScalingMetricKind.OBJECT, options.metric, options.target, options.targetType ?? MetricTargetType.AVERAGE_VALUE, options.selector, options.describedObject);
  }

  /** A metric from outside the cluster. */
  public static external(options: ValueMetricOptions): ScalingMetric {
    return new ScalingMetric(ScalingMetricKind.EXTERNAL, options.metric, options.target, options.targetType ?? MetricTargetType.AVERAGE_VALUE, options.selector);
  }

  private constructor(
    /** Pods, Object or External. */
    public readonly kind: ScalingMetricKind,
    /** Metric name. */
    public readonly metric: string,
    /** Target quantity. */
    public readonly target: string,
    /** How the target is compared. */
    public readonly targetType: MetricTargetType,
    /** Series selector. */
    public readonly selector?: Record<string, string>,
    /** Described object (Object metrics). */
    public readonly describedObject?: DescribedObject,
  ) {}

  /** Checks the metric; errors name `prop`. @internal */
  public _validate(scope: Construct, prop: string): void {
    if (typeof this.metric !== 'string' || !/^[A-Za-z_:][A-Za-z0-9_:./-]*$/.test(this.metric)) {
      fail(scope, `${prop}.metric (${show(this.metric)}) must be a metric name: letters, digits, '_', ':', '.', '/' and '-', not starting with a digit`);
    }
    const parsed = typeof this.target === 'string' ? parseQuantity(this.target) : undefined;
    if (parsed === undefined || parsed <= 0) {
      fail(scope, `${prop}.target (${show(this.target)}) must be a positive quantity such as '100' or '500m'`);
    }
    if (this.kind === ScalingMetricKind.OBJECT) {
      const o = this.describedObject;
      if (o === undefined || typeof o.apiVersion !== 'string' || o.apiVersion === '' || typeof o.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(o.kind)) {
        fail(scope, `${prop}.describedObject (${show(o)}) must name an object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: '<name>' }`);
      }
      validateDnsSubdomain(scope, `${prop}.describedObject.name`, o.name);
    }
    for (const [key, value] of Object.entries(this.selector ?? {})) {
      validateLabelKey(scope, `${prop}.selector`, key);
      validateLabelValue(scope, `${prop}.selector.${key}`, value);
    }
  }

  /** Identity for duplicate detection. @internal */
  public _key(): string {
    const selector = Object.entries(this.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const object = this.describedObject ? ` of ${this.describedObject.kind}/${this.describedObject.name}` : '';
    return `${this.kind} ${this.metric}${selector ? `{${selector}}` : ''}${object}`;
  }

  /** The `autoscaling/v2` MetricSpec. @internal */
  public _toKube(): k8s.MetricSpecV2 {
    const metric = { name: this.metric, selector: this.selector !== undefined ? { matchLabels: this.selector } : undefined };
    const target: k8s.MetricTargetV2 = this.targetType === MetricTargetType.VALUE
      ? { type: 'Value', value: k8s.Quantity.fromString(this.target) }
      : { type: 'AverageValue', averageValue: k8s.Quantity.fromString(this.target) };
    switch (this.kind) {
      case ScalingMetricKind.PODS:
        return { type: 'Pods', pods: { metric, target } };
      case ScalingMetricKind.OBJECT:
        return { type: 'Object', object: { describedObject: { ...this.describedObject! }, metric, target } };
      default:
        return { type: 'External', external: { metric, target } };
    }
  }
}

/** Horizontal pod autoscaling (`autoscaling/v2`). */
export interface AutoscalingOptions {
  /**
   * Fewest pods; also the floor the PodDisruptionBudget is sized against.
   * @default 2
   */
  readonly minReplicas?: number;

  /**
   * Most pods.
   * @default 10
   */
  readonly maxReplicas?: number;

  /**
   * Average CPU utilization, as a percentage of the request, to hold.
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;

  /**
   * Average memory utilization, as a percentage of the request, to hold.
   * @default - no memory target
   */
  readonly targetMemoryUtilizationPercent?: number;

  /**
   * How long recommendations must stay lower before the autoscaler scales
   * down, so brief dips do not flap the pod count.
   * @default Duration.minutes(5)
   */
  readonly scaleDownStabilization?: Duration;

  /**
   * Custom metrics to scale on besides CPU (and memory): per-pod metrics,
   * a metric of another object, or an external metric, such as requests per
   * second from the Prometheus Adapter. The HPA scales to the highest count
   * any metric asks for.
   * @default - CPU (and memory) only
   */
  readonly metrics?: ScalingMetric[];
}

/**
 * PodDisruptionBudget (`policy/v1`), created when the replica floor is two or
 * more. It never blocks node drains: `maxUnavailable` is at least one and
 * unhealthy pods may always be evicted.
 */
export interface DisruptionBudgetOptions {
  /**
   * Pods that may be down at once during voluntary disruptions.
   * @default 1
   */
  readonly maxUnavailable?: number;
}


/** Default of `AutoscalingOptions`. @internal */
export const AUTOSCALING_DEFAULTS = {
  minReplicas: 2,
  maxReplicas: 10,
  targetCpuUtilizationPercent: 70,
  scaleDownStabilizationSeconds: 300,
} as const;


/** Resolved autoscaling settings. */
export interface ResolvedAutoscaling {
  /** Fewest pods. */
  readonly minReplicas: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /** CPU utilization target, percent. */
  readonly targetCpuUtilizationPercent: number;
  /** Memory utilization target, percent, if any. */
  readonly targetMemoryUtilizationPercent?: number;
  /** Scale-down stabilization window, seconds. */
  readonly scaleDownStabilizationSeconds: number;
  /** Custom metrics, in the caller's order. */
  readonly metrics: ScalingMetric[];
}


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

/**
 * The HorizontalPodAutoscaler of a Deployment: CPU (and memory) utilization
 * plus custom metrics, fast scale-up, damped scale-down.
 *
 * @internal
 */
export function createAutoscaler(scope: Construct, target: kplus.Deployment, metadata: ChildMetadata, a: ResolvedAutoscaling): kplus.HorizontalPodAutoscaler {
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

/** Default of `DisruptionBudgetOptions`. @internal */
export const DISRUPTION_BUDGET_DEFAULTS = { maxUnavailable: 1 } as const;

/**
 * The PodDisruptionBudget of a workload that runs `floor` pods: created from
 * two pods on; a budget asked for below that is an error.
 *
 * @internal
 */
export function createDisruptionBudget(scope: Construct, what: string, floor: number, options: DisruptionBudgetOptions | undefined, metadata: ChildMetadata, selectorLabels: Record<string, string>): k8s.KubePodDisruptionBudget | undefined {
  const maxUnavailable = options?.maxUnavailable ?? DISRUPTION_BUDGET_DEFAULTS.maxUnavailable;
  validateIntegerInRange(scope, 'disruptionBudget.maxUnavailable', maxUnavailable, 1, 10000);
  if (floor < 2) {
    if (options !== undefined) {
      fail(scope, `disruptionBudget is set but the ${what} runs ${floor} pod: a budget needs at least 2 replicas (or autoscaling.minReplicas >= 2)`);
    }
    return undefined;
  }
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
