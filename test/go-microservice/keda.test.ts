import { Duration } from 'cdk8s';
import { GoMicroservice, GoWorker, GoWorkerProps, KedaTrigger } from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, findAll, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/shop/order-events:1.2.0';
const KAFKA = KedaTrigger.kafkaConsumerLag({
  bootstrapServers: ['kafka-0.kafka.streaming.svc:9092', 'kafka-1.kafka.streaming.svc:9092'],
  consumerGroup: 'order-events',
  topic: 'orders.v1',
  lagThreshold: 100,
  authentication: { name: 'kafka-sasl' },
});

function render(props: Partial<GoWorkerProps>): Manifest[] {
  const chart = shopChart();
  new GoWorker(chart, 'order-events', { image: IMAGE, ...props });
  return synth(chart);
}

describe('KEDA scaling', () => {
  test('a worker scales on Kafka consumer lag and a Prometheus query with a ScaledObject and no HPA', () => {
    const manifests = render({
      keda: {
        minReplicas: 0,
        maxReplicas: 24,
        triggers: [
          KAFKA,
          KedaTrigger.prometheus({ serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(orders_events_failed_total[2m]))', threshold: 5, activationThreshold: 1 }),
        ],
      },
    });
    const so = find(manifests, 'ScaledObject', 'order-events');
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-events' },
      minReplicaCount: 0,
      maxReplicaCount: 24,
      pollingInterval: 30,
      cooldownPeriod: 300,
      triggers: [
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: 'kafka-0.kafka.streaming.svc:9092,kafka-1.kafka.streaming.svc:9092',
            consumerGroup: 'order-events', topic: 'orders.v1', lagThreshold: '100', activationLagThreshold: '0',
          },
          authenticationRef: { name: 'kafka-sasl', kind: 'TriggerAuthentication' },
        },
        {
          type: 'prometheus',
          metadata: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(orders_events_failed_total[2m]))', threshold: '5', activationThreshold: '1' },
        },
      ],
    });
    expect(findAll(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(findAll(manifests, 'PodDisruptionBudget')).toEqual([]);
    expect(find(manifests, 'Deployment', 'order-events').spec.replicas).toBeUndefined();
    expect(manifests).toPassPolicies();
  });

  test('pins the documented defaults; a floor of two gets a disruption budget', () => {
    const manifests = render({ keda: { triggers: [KAFKA], minReplicas: 2, pollingInterval: Duration.seconds(15), cooldownPeriod: Duration.minutes(10) } });
    expect(find(manifests, 'ScaledObject').spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 10, pollingInterval: 15, cooldownPeriod: 600 });
    expect(find(manifests, 'PodDisruptionBudget', 'order-events').spec.maxUnavailable).toBe(1);
    const defaults = render({ keda: { triggers: [KAFKA] } });
    expect(find(defaults, 'ScaledObject').spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 10, pollingInterval: 30, cooldownPeriod: 300 });
  });

  test('a GoMicroservice takes KEDA too, with a ClusterTriggerAuthentication', () => {
    const chart = shopChart();
    new GoMicroservice(chart, 'orders', {
      image: IMAGE,
      keda: { triggers: [KedaTrigger.prometheus({ serverAddress: 'https://prometheus.example.com', query: 'sum(rate(http_requests_total{service="orders"}[1m]))', threshold: 50, authentication: { name: 'prom', cluster: true } })] },
    });
    const so = find(synth(chart), 'ScaledObject', 'orders');
    expect(so.spec.triggers[0].authenticationRef).toEqual({ name: 'prom', kind: 'ClusterTriggerAuthentication' });
  });
});

describe('KEDA validation', () => {
  const P = '[test/order-events]';
  const build = (props: Partial<GoWorkerProps>) => () => new GoWorker(shopChart(), 'order-events', { image: IMAGE, ...props });
  const kafka = (o: Partial<Parameters<typeof KedaTrigger.kafkaConsumerLag>[0]>) => KedaTrigger.kafkaConsumerLag({ bootstrapServers: ['kafka:9092'], consumerGroup: 'g', topic: 't', lagThreshold: 10, ...o });
  const prom = (o: Partial<Parameters<typeof KedaTrigger.prometheus>[0]>) => KedaTrigger.prometheus({ serverAddress: 'http://prometheus:9090', query: 'up', threshold: 1, ...o });
  test.each<[string, Partial<GoWorkerProps>, string]>([
    ['KEDA and the HPA on one workload', { autoscaling: {}, keda: { triggers: [KAFKA] } },
      `${P} keda cannot be combined with autoscaling: KEDA runs its own HorizontalPodAutoscaler for the Deployment; choose one`],
    ['KEDA and replicas', { replicas: 3, keda: { triggers: [KAFKA] } }, `${P} replicas (3) cannot be combined with keda: set keda.minReplicas and maxReplicas instead`],
    ['no triggers', { keda: { triggers: [] } }, `${P} keda.triggers ([]) is empty: add at least one trigger, e.g. KedaTrigger.kafkaConsumerLag(...)`],
    ['min above max', { keda: { triggers: [KAFKA], minReplicas: 5, maxReplicas: 2 } }, `${P} keda.minReplicas (5) must be <= keda.maxReplicas (2)`],
    ['a zero polling interval', { keda: { triggers: [KAFKA], pollingInterval: Duration.seconds(0) } }, `${P} keda.pollingInterval (0) must be an integer from 1 to 3600`],
    ['no bootstrap servers', { keda: { triggers: [kafka({ bootstrapServers: [] })] } }, `${P} keda.triggers[0].bootstrapServers ([]) must be a non-empty list of host:port`],
    ['a server without a port', { keda: { triggers: [kafka({ bootstrapServers: ['kafka'] })] } }, `${P} keda.triggers[0].bootstrapServers (["kafka"]) must be a non-empty list of host:port`],
    ['an empty consumer group', { keda: { triggers: [kafka({ consumerGroup: ' ' })] } }, `${P} keda.triggers[0].consumerGroup (" ") must be a consumer group name`],
    ['a bad topic', { keda: { triggers: [kafka({ topic: 'orders v1' })] } }, `${P} keda.triggers[0].topic ("orders v1") must be a Kafka topic name: letters, digits, '.', '_' and '-'`],
    ['a zero lag threshold', { keda: { triggers: [kafka({ lagThreshold: 0 })] } }, `${P} keda.triggers[0].lagThreshold (0) must be a positive number`],
    ['a negative activation lag', { keda: { triggers: [kafka({ activationLagThreshold: -1 })] } }, `${P} keda.triggers[0].activationLagThreshold (-1) must be zero or more`],
    ['a bad Prometheus address', { keda: { triggers: [prom({ serverAddress: 'prometheus:9090' })] } }, `${P} keda.triggers[0].serverAddress ("prometheus:9090") must be an http(s) URL`],
    ['an empty query', { keda: { triggers: [prom({ query: '' })] } }, `${P} keda.triggers[0].query ("") must be a PromQL query`],
    ['a negative threshold', { keda: { triggers: [prom({ threshold: -5 })] } }, `${P} keda.triggers[0].threshold (-5) must be a positive number`],
    ['a bad authentication name', { keda: { triggers: [prom({ authentication: { name: 'Prom' } })] } },
      `${P} keda.triggers[0].authentication.name ("Prom") must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`],
  ])('throws on %s', (_name, props, message) => {
    expectExactError(build(props), message);
  });

  test('a GoMicroservice rejects KEDA beside the HPA', () => {
    expectExactError(() => new GoMicroservice(shopChart(), 'orders', { image: IMAGE, autoscaling: {}, keda: { triggers: [KAFKA] } }),
      '[test/orders] keda cannot be combined with autoscaling: KEDA runs its own HorizontalPodAutoscaler for the Deployment; choose one');
  });
});
