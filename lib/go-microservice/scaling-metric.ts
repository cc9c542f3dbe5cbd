import { Construct } from 'constructs';
import { fail, show } from '../common/errors';
import { validateDnsSubdomain } from '../common/names';
import { k8s } from '../common/plus';
import { parseQuantity } from '../common/quantities';
import { validateLabelKey, validateLabelValue } from './pod-props';

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
