import { Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ScaledObject } from '../../imports/keda.sh';
import { seconds } from '../common/durations';
import { fail, show } from '../common/errors';
import { validateDnsSubdomain } from '../common/names';
import { apiObjectOf, kplus } from '../common/plus';
import { validateIntegerInRange } from '../common/validate';
import { ChildMetadata } from './pod-template';

/** A TriggerAuthentication (or ClusterTriggerAuthentication) a trigger reads credentials from. */
export interface KedaAuthenticationReference {
  /** Name of the TriggerAuthentication. */
  readonly name: string;
  /**
   * Refer to a ClusterTriggerAuthentication instead.
   * @default false
   */
  readonly cluster?: boolean;
}

/** Options of `KedaTrigger.kafkaConsumerLag`. */
export interface KafkaConsumerLagOptions {
  /** Kafka bootstrap servers, e.g. `['kafka-0.kafka:9092']`. */
  readonly bootstrapServers: string[];
  /** Consumer group whose lag is measured. */
  readonly consumerGroup: string;
  /** Topic the group consumes. */
  readonly topic: string;
  /** Lag per replica to hold, in messages. */
  readonly lagThreshold: number;
  /**
   * Lag below which the workload counts as idle (scale to `minReplicas`).
   * @default 0
   */
  readonly activationLagThreshold?: number;
  /**
   * Credentials (SASL/TLS) for the brokers.
   * @default - no authentication
   */
  readonly authentication?: KedaAuthenticationReference;
}

/** Options of `KedaTrigger.prometheus`. */
export interface PrometheusTriggerOptions {
  /** Prometheus base URL, e.g. `http://prometheus.monitoring.svc:9090`. */
  readonly serverAddress: string;
  /** PromQL query that returns one value. */
  readonly query: string;
  /** Value per replica to hold. */
  readonly threshold: number;
  /**
   * Value below which the workload counts as idle.
   * @default 0
   */
  readonly activationThreshold?: number;
  /**
   * Credentials for Prometheus.
   * @default - no authentication
   */
  readonly authentication?: KedaAuthenticationReference;
}

/** A KEDA scaler trigger. */
export class KedaTrigger {
  /** Scale on a Kafka consumer group's lag on a topic (the `kafka` scaler). */
  public static kafkaConsumerLag(options: KafkaConsumerLagOptions): KedaTrigger {
    return new KedaTrigger('kafka', {
      bootstrapServers: options.bootstrapServers?.join(','),
      consumerGroup: options.consumerGroup,
      topic: options.topic,
      lagThreshold: num(options.lagThreshold),
      activationLagThreshold: num(options.activationLagThreshold ?? 0),
    }, options.authentication, () => [
      ['bootstrapServers', options.bootstrapServers, Array.isArray(options.bootstrapServers) && options.bootstrapServers.length > 0 && options.bootstrapServers.every((s) => /^[^\s,]+:\d+$/.test(s)), 'a non-empty list of host:port'],
      ['consumerGroup', options.consumerGroup, nonEmpty(options.consumerGroup), 'a consumer group name'],
      ['topic', options.topic, typeof options.topic === 'string' && /^[A-Za-z0-9._-]{1,249}$/.test(options.topic), 'a Kafka topic name: letters, digits, \'.\', \'_\' and \'-\''],
      ['lagThreshold', options.lagThreshold, positive(options.lagThreshold), 'a positive number'],
      ['activationLagThreshold', options.activationLagThreshold, options.activationLagThreshold === undefined || nonNegative(options.activationLagThreshold), 'zero or more'],
    ]);
  }

  /** Scale on the value of a Prometheus query (the `prometheus` scaler). */
  public static prometheus(options: PrometheusTriggerOptions): KedaTrigger {
    return new KedaTrigger('prometheus', {
      serverAddress: options.serverAddress,
      query: options.query,
      threshold: num(options.threshold),
      activationThreshold: num(options.activationThreshold ?? 0),
    }, options.authentication, () => [
      ['serverAddress', options.serverAddress, typeof options.serverAddress === 'string' && /^https?:\/\/[^\s/]+(\/\S*)?$/.test(options.serverAddress), 'an http(s) URL'],
      ['query', options.query, nonEmpty(options.query), 'a PromQL query'],
      ['threshold', options.threshold, positive(options.threshold), 'a positive number'],
      ['activationThreshold', options.activationThreshold, options.activationThreshold === undefined || nonNegative(options.activationThreshold), 'zero or more'],
    ]);
  }

  private constructor(
    /** KEDA scaler type. */
    public readonly type: string,
    private readonly metadata: Record<string, string | undefined>,
    private readonly authentication: KedaAuthenticationReference | undefined,
    private readonly checks: () => Array<[string, unknown, boolean, string]>,
  ) {}

  /** Checks the trigger's options. @internal */
  public _validate(scope: Construct, prop: string): void {
    for (const [field, value, ok, rule] of this.checks()) {
      if (!ok) {
        fail(scope, `${prop}.${field} (${show(value)}) must be ${rule}`);
      }
    }
    if (this.authentication !== undefined) {
      validateDnsSubdomain(scope, `${prop}.authentication.name`, this.authentication.name);
    }
  }

  /** The ScaledObject trigger. @internal */
  public _toKube(): { type: string; metadata: Record<string, string>; authenticationRef?: { name: string; kind?: string } } {
    const metadata = Object.fromEntries(Object.entries(this.metadata).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const auth = this.authentication;
    return {
      type: this.type,
      metadata,
      authenticationRef: auth ? { name: auth.name, kind: auth.cluster ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication' } : undefined,
    };
  }
}

/** Event-driven autoscaling with a KEDA `ScaledObject`, instead of the HPA. */
export interface KedaScalingOptions {
  /** What to scale on; at least one trigger. */
  readonly triggers: KedaTrigger[];
  /**
   * Fewest pods; 0 lets KEDA scale an idle workload to zero.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most pods.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * How often KEDA checks the triggers.
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;
  /**
   * How long after the last active trigger KEDA waits before scaling to `minReplicas` (when 0).
   * @default Duration.minutes(5)
   */
  readonly cooldownPeriod?: Duration;
}

/** Resolved KEDA settings. */
export interface ResolvedKedaScaling {
  /** Triggers, in the caller's order. */
  readonly triggers: KedaTrigger[];
  /** Fewest pods. */
  readonly minReplicas: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /** Polling interval, seconds. */
  readonly pollingIntervalSeconds: number;
  /** Cooldown period, seconds. */
  readonly cooldownPeriodSeconds: number;
}

/** Defaults of `KedaScalingOptions`. @internal */
export const KEDA_DEFAULTS = {
  minReplicas: 1,
  maxReplicas: 10,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
} as const;

/** Validates KEDA scaling; `autoscaling` and `replicas` exclude it. @internal */
export function resolveKedaScaling(scope: Construct, o: KedaScalingOptions, others: { autoscaling: boolean; replicas?: number }): ResolvedKedaScaling {
  if (others.autoscaling) {
    fail(scope, 'keda cannot be combined with autoscaling: KEDA runs its own HorizontalPodAutoscaler for the Deployment; choose one');
  }
  if (others.replicas !== undefined) {
    fail(scope, `replicas (${others.replicas}) cannot be combined with keda: set keda.minReplicas and maxReplicas instead`);
  }
  const r: ResolvedKedaScaling = {
    triggers: [...(o.triggers ?? [])],
    minReplicas: o.minReplicas ?? KEDA_DEFAULTS.minReplicas,
    maxReplicas: o.maxReplicas ?? KEDA_DEFAULTS.maxReplicas,
    pollingIntervalSeconds: seconds(scope, 'keda.pollingInterval', o.pollingInterval, KEDA_DEFAULTS.pollingIntervalSeconds),
    cooldownPeriodSeconds: seconds(scope, 'keda.cooldownPeriod', o.cooldownPeriod, KEDA_DEFAULTS.cooldownPeriodSeconds),
  };
  if (r.triggers.length === 0) {
    fail(scope, 'keda.triggers ([]) is empty: add at least one trigger, e.g. KedaTrigger.kafkaConsumerLag(...)');
  }
  validateIntegerInRange(scope, 'keda.minReplicas', r.minReplicas, 0, 10000);
  validateIntegerInRange(scope, 'keda.maxReplicas', r.maxReplicas, 1, 10000);
  if (r.minReplicas > r.maxReplicas) {
    fail(scope, `keda.minReplicas (${r.minReplicas}) must be <= keda.maxReplicas (${r.maxReplicas})`);
  }
  validateIntegerInRange(scope, 'keda.pollingInterval', r.pollingIntervalSeconds, 1, 3600);
  validateIntegerInRange(scope, 'keda.cooldownPeriod', r.cooldownPeriodSeconds, 0, 86400);
  r.triggers.forEach((t, i) => t._validate(scope, `keda.triggers[${i}]`));
  return r;
}

/** The KEDA ScaledObject of a Deployment. @internal */
export function createScaledObject(scope: Construct, deployment: kplus.Deployment, metadata: ChildMetadata, k: ResolvedKedaScaling): ScaledObject {
  // KEDA's HPA owns the replica count; cdk8s-plus writes 2 when no plus HPA targets the Deployment.
  apiObjectOf(deployment).addJsonPatch(JsonPatch.remove('/spec/replicas'));
  return new ScaledObject(scope, 'ScaledObject', {
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
      minReplicaCount: k.minReplicas,
      maxReplicaCount: k.maxReplicas,
      pollingInterval: k.pollingIntervalSeconds,
      cooldownPeriod: k.cooldownPeriodSeconds,
      triggers: k.triggers.map((t) => t._toKube()),
    },
  });
}

function num(value: number | undefined): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function positive(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function nonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
