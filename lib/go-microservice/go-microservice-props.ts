import { Duration } from 'cdk8s';
import { kplus } from '../common/plus';
import { GoServicePortName, GoServiceProps } from './go-service';
import { MigrationOptions } from './go-migration-job';
import { KedaScalingOptions } from './keda';
import { Release } from './release';
import { GoPodProps } from './pod-props';
import { ScalingMetric } from './scaling-metric';

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

/** How the Service's traffic is spread over its endpoints (`spec.trafficDistribution`). */
export enum TrafficDistribution {
  /**
   * Prefer endpoints in the client's zone, falling back to others when the
   * zone has none: less cross-zone traffic and latency. Needs Kubernetes 1.31+.
   */
  PREFER_CLOSE = 'PreferClose',
}

/** Options for `allowFrom`. */
export interface AllowFromOptions {
  /**
   * Named ports of this service the peer may reach.
   * @default - the API ports: `http`, and `grpc` when the service has one
   */
  readonly ports?: GoServicePortName[];
}

/** Props of a `GoMicroservice`. */
export interface GoMicroserviceProps extends GoServiceProps, GoPodProps {
  /**
   * Namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * `app.kubernetes.io/instance`, which tells apart several installs of one
   * application. Part of the selector, so it must never change.
   * @default - the name
   */
  readonly instance?: string;

  /**
   * `app.kubernetes.io/component`.
   * @default 'backend'
   */
  readonly component?: string;

  /**
   * `app.kubernetes.io/part-of`: the larger application this service belongs to.
   * @default - no part-of label
   */
  readonly partOf?: string;

  /**
   * Pods to run when autoscaling is off.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * Horizontal pod autoscaling; when set, `spec.replicas` is left to the HPA.
   * @default - no autoscaler; the Deployment runs `replicas` pods
   */
  readonly autoscaling?: AutoscalingOptions;

  /**
   * PodDisruptionBudget sizing, used when the replica floor is two or more.
   * @default - `maxUnavailable: 1`
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;

  /**
   * Spread pods across zones and nodes with topology spread constraints
   * (`ScheduleAnyway`, so small clusters still schedule) when the service runs
   * two or more pods.
   * @default true
   */
  readonly topologySpread?: boolean;

  /**
   * Port of the Service in front of the HTTP container port.
   * @default 80
   */
  readonly servicePort?: number;

  /**
   * Service `spec.trafficDistribution`. Needs a Kubernetes 1.31+ target
   * (`setKubernetesVersion`); rejected below.
   * @default - not set: the proxy spreads traffic over every ready endpoint
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#traffic-distribution
   */
  readonly trafficDistribution?: TrafficDistribution;

  /**
   * Add `prometheus.io/scrape|port|path` pod annotations for the metrics endpoint.
   * @default true
   */
  readonly prometheusScrape?: boolean;

  /**
   * The identity of the pods. Its token is never mounted.
   * @default - a new ServiceAccount named after the service
   */
  readonly serviceAccount?: kplus.IServiceAccount;

  /**
   * Event-driven autoscaling with a KEDA ScaledObject (Kafka consumer lag, a
   * Prometheus query, ...) instead of `autoscaling`; needs KEDA in the cluster.
   * @default - no ScaledObject
   */
  readonly keda?: KedaScalingOptions;

  /**
   * Database migrations: a Job with the service's image, config, secrets and
   * pod props (sidecars and init containers excepted) that runs before each
   * rollout and whose failure stops it.
   * @default - no migrations
   * @see docs/workloads.md#migrations
   */
  readonly migrations?: MigrationOptions;

  /**
   * A release with two tracks: `Release.canary(...)` (a canary Deployment and
   * Service beside the stable ones, receiving a share of the routed
   * requests) or `Release.blueGreen(...)` (two full-size colors, one
   * active). Routes of a `SecureIngress` split traffic accordingly.
   * @default - one track: every pod runs `image`
   * @see docs/releases.md
   */
  readonly release?: Release;
}

/** Resolved autoscaling settings. */
export interface ResolvedAutoscaling {
  /** Fewest pods. */
  readonly minReplicas: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /** CPU utilization target, percent. */
  readonly targetCpuUtilizationPercent: number;
  /**
   * Memory utilization target, percent, if any.
   * @default - no memory target
   */
  readonly targetMemoryUtilizationPercent?: number;
  /** Scale-down stabilization window, seconds. */
  readonly scaleDownStabilizationSeconds: number;
  /** Custom metrics, in the caller's order. */
  readonly metrics: ScalingMetric[];
}
