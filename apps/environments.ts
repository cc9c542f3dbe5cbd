import { BlueGreenColor, IngressMode, KubernetesVersion, ResourceOptions } from '../lib';

/** What differs between the environments of the example platform. */
export interface Environment {
  /** Environment name; also the output folder under `dist/`. */
  readonly name: string;
  /**
   * The Kubernetes minor the environment's cluster runs: what the constructs
   * may emit and what the policy gate checks against.
   */
  readonly kubernetesVersion: KubernetesVersion;
  /** Namespace of the shop services. */
  readonly namespace: string;
  /** Public DNS zone the environment is served under. */
  readonly domain: string;
  /** Release of every shop service image. */
  readonly release: { readonly users: string; readonly orders: string; readonly payments: string };
  /**
   * Releases on a second track (see docs/releases.md): an orders canary that
   * receives `weight` percent of the storefront's requests (and every request
   * with `x-canary: always`), and payments as two colors of which `active`
   * serves traffic (`x-preview: always` reaches the other through routes).
   */
  readonly tracks: {
    readonly ordersCanary?: { readonly release: string; readonly weight: number };
    readonly paymentsBlueGreen?: { readonly green: string; readonly active: BlueGreenColor };
  };
  /** Replicas of the services that do not autoscale. */
  readonly replicas: number;
  /** Autoscaling bounds of the orders service. */
  readonly ordersScaling: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Kafka bootstrap servers and the most consumers of the order-events worker (KEDA scales on lag). */
  readonly orderEvents: { readonly bootstrapServers: string[]; readonly maxReplicas: number };
  /** Container resources of every service. */
  readonly resources: ResourceOptions;
  /** Log level passed to every service. */
  readonly logLevel: string;
  /**
   * Clusters Argo CD deploys the environment to, by the names they are
   * registered under in Argo CD (one ApplicationSet over all of them). When
   * unset, Flux in the environment's own cluster applies its folder.
   */
  readonly argoCdClusters?: string[];
  /**
   * How the storefront is exposed: Gateway API routes on a Gateway of class
   * `className`, or Ingress objects for the IngressClass `className`; TLS from
   * cert-manager's `clusterIssuer`.
   */
  readonly edge: { readonly mode: IngressMode; readonly className: string; readonly clusterIssuer: string };
  /**
   * Metrics, logs and traces (see `apps/observability.ts`). With
   * `operatorRelease` set the environment relies on that kube-prometheus-stack
   * release (operator mode); otherwise the stack is self-contained.
   */
  readonly observability: {
    /** Namespace of the stack (operator mode: kube-prometheus-stack's). */
    readonly namespace: string;
    /** Helm release name of kube-prometheus-stack; switches to operator mode. */
    readonly operatorRelease?: string;
    /** Operator mode: OTLP endpoint of the cluster's collector. */
    readonly otlpEndpoint?: string;
    /** Self-contained: Prometheus retention. */
    readonly retention?: string;
    /** Self-contained: Prometheus PersistentVolumeClaim size; an emptyDir when unset. */
    readonly storageSize?: string;
  };
}

/**
 * A small, cheap environment for integration testing. Its cluster is upgraded
 * first, so it already runs Kubernetes 1.34 (the kubelet's sleep pre-stop
 * hook, Service traffic distribution) while production is still on 1.27.
 */
export const STAGING: Environment = {
  name: 'staging',
  kubernetesVersion: KubernetesVersion.V1_34,
  namespace: 'shop',
  domain: 'staging.shop.example.com',
  release: { users: '2.1.0-rc.1', orders: '1.5.0-rc.2', payments: '3.0.0-rc.1' },
  tracks: { ordersCanary: { release: '1.5.0-rc.3', weight: 10 } },
  replicas: 2,
  ordersScaling: { minReplicas: 2, maxReplicas: 4 },
  orderEvents: { bootstrapServers: ['kafka-0.kafka.streaming.svc:9092'], maxReplicas: 3 },
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
  logLevel: 'debug',
  edge: { mode: IngressMode.INGRESS, className: 'nginx', clusterIssuer: 'letsencrypt-staging' },
  observability: { namespace: 'observability', retention: '3d' },
};

/** Production: more replicas, more headroom, wider autoscaling. */
export const PRODUCTION: Environment = {
  name: 'production',
  kubernetesVersion: KubernetesVersion.V1_27,
  namespace: 'shop',
  domain: 'shop.example.com',
  release: { users: '2.0.3', orders: '1.4.2', payments: '2.9.7' },
  tracks: { paymentsBlueGreen: { green: '3.0.0', active: BlueGreenColor.BLUE } },
  replicas: 3,
  ordersScaling: { minReplicas: 3, maxReplicas: 20 },
  orderEvents: { bootstrapServers: ['kafka-0.kafka.streaming.svc:9092', 'kafka-1.kafka.streaming.svc:9092', 'kafka-2.kafka.streaming.svc:9092'], maxReplicas: 12 },
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  logLevel: 'info',
  argoCdClusters: ['prod-eu-west', 'prod-us-east'],
  edge: { mode: IngressMode.GATEWAY_API, className: 'eg', clusterIssuer: 'letsencrypt' },
  observability: { namespace: 'monitoring', operatorRelease: 'kube-prometheus-stack', otlpEndpoint: 'http://otel-collector.monitoring.svc:4317' },
};

/** Every environment `npm run synth` writes to `dist/`. */
export const ENVIRONMENTS: Environment[] = [STAGING, PRODUCTION];
