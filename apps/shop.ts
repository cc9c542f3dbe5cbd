import { Chart, Duration } from 'cdk8s';
import {
  ExternalSecretSource, GoCronJob, GoMicroservice, GoWorker, KedaTrigger, KubernetesFeature, Probe, Release, SecretStoreKind,
  supportsKubernetesFeature, TrafficDistribution,
} from '../lib';
import { Environment } from './environments';

/** The shop services of one environment. */
export interface ShopServices {
  readonly users: GoMicroservice;
  readonly orders: GoMicroservice;
  readonly payments: GoMicroservice;
  /** Consumes order events from Kafka; KEDA scales it on consumer lag. */
  readonly orderEvents: GoWorker;
  /** The nightly orders report. */
  readonly ordersReport: GoCronJob;
}

/** The ClusterSecretStore through which the External Secrets Operator reads Vault (see docs/secrets.md). */
const VAULT = { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' };

/**
 * The shop: users over HTTP, orders over HTTP and gRPC, payments over gRPC.
 * Users calls orders, orders calls payments.
 */
export function buildShop(chart: Chart, env: Environment): ShopServices {
  const common = { partOf: 'shop', resources: env.resources };

  const users = new GoMicroservice(chart, 'users', {
    ...common,
    image: `registry.example.com/shop/users:${env.release.users}`,
    replicas: env.replicas,
    config: { LOG_LEVEL: env.logLevel, SESSION_TTL: '30m' },
    secretEnv: { SESSION_SIGNING_KEY: { secretName: 'users-session', key: 'signing-key' } },
  });

  const orders = new GoMicroservice(chart, 'orders', {
    ...common,
    image: `registry.example.com/shop/orders:${env.release.orders}`,
    grpcPort: 9090,
    autoscaling: { ...env.ordersScaling, targetCpuUtilizationPercent: 65, targetMemoryUtilizationPercent: 80 },
    // Orders serves REST for the storefront and gRPC for internal callers;
    // its HTTP health endpoints cover both servers.
    probes: { readiness: Probe.http('/readyz'), liveness: Probe.http('/healthz') },
    config: { LOG_LEVEL: env.logLevel, PAYMENTS_ADDR: 'payments:9090' },
    // The database URL lives in Vault (KV v2, one path per environment and
    // service), read through the ClusterSecretStore the platform team installs.
    secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: `shop/${env.name}/orders/database`, property: 'url' }) },
    // Keep calls to orders in the caller's zone where the cluster supports it.
    ...(supportsKubernetesFeature(chart, KubernetesFeature.SERVICE_TRAFFIC_DISTRIBUTION)
      ? { trafficDistribution: TrafficDistribution.PREFER_CLOSE } : {}),
    // Schema migrations run as a Job before each rollout; new pods wait for it.
    migrations: { command: ['/orders', 'migrate', 'up'] },
    // The next release takes a share of the traffic before it is promoted.
    ...(env.tracks.ordersCanary ? {
      release: Release.canary({
        image: `registry.example.com/shop/orders:${env.tracks.ordersCanary.release}`,
        weight: env.tracks.ordersCanary.weight,
        header: { name: 'x-canary' },
      }),
    } : {}),
  });

  const payments = new GoMicroservice(chart, 'payments', {
    ...common,
    image: `registry.example.com/shop/payments:${env.release.payments}`,
    grpcPort: 9090,
    metricsPort: 9102,
    replicas: env.replicas,
    config: { LOG_LEVEL: env.logLevel },
    secretEnvFrom: ['payments-provider'],
    shutdown: { delay: Duration.seconds(10), drainTimeout: Duration.seconds(30), terminationGracePeriod: Duration.seconds(45) },
    // Blue runs `image`, green the next release; switching is the one `active` prop.
    ...(env.tracks.paymentsBlueGreen ? {
      release: Release.blueGreen({
        green: { image: `registry.example.com/shop/payments:${env.tracks.paymentsBlueGreen.green}` },
        active: env.tracks.paymentsBlueGreen.active,
        preview: { header: { name: 'x-preview' } },
      }),
    } : {}),
  });

  const orderEvents = new GoWorker(chart, 'order-events', {
    ...common,
    image: `registry.example.com/shop/orders:${env.release.orders}`,
    command: ['/orders', 'consume-events'],
    config: { LOG_LEVEL: env.logLevel, KAFKA_BROKERS: env.orderEvents.bootstrapServers.join(','), KAFKA_TOPIC: 'shop.orders.v1', KAFKA_GROUP: 'order-events' },
    secretEnv: {
      DATABASE_URL: { secretName: 'orders-db', key: 'url' },
      KAFKA_PASSWORD: { secretName: 'order-events-kafka', key: 'password' },
    },
    keda: {
      minReplicas: 1,
      maxReplicas: env.orderEvents.maxReplicas,
      triggers: [KedaTrigger.kafkaConsumerLag({
        bootstrapServers: env.orderEvents.bootstrapServers,
        consumerGroup: 'order-events',
        topic: 'shop.orders.v1',
        lagThreshold: 50,
        authentication: { name: 'order-events-kafka' },
      })],
    },
  });

  const ordersReport = new GoCronJob(chart, 'orders-report', {
    ...common,
    image: `registry.example.com/shop/orders:${env.release.orders}`,
    command: ['/orders', 'report', '--yesterday'],
    schedule: '30 2 * * *',
    timeZone: 'Europe/Berlin',
    config: { LOG_LEVEL: env.logLevel, REPORT_BUCKET: `shop-${env.name}-reports` },
    secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
  });

  orders.allowFrom(users);
  payments.allowFrom(orders, { ports: ['grpc'] });

  return { users, orders, payments, orderEvents, ordersReport };
}
