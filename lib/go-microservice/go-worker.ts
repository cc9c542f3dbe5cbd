import { Chart } from 'cdk8s';
import { ExternalSecret } from '../../imports/external-secrets.io';
import { Construct } from 'constructs';
import { AdmitOptions, IMonitorableWorkload, INetworkPeer, MetricsEndpoint, NetworkPeer, NetworkPeerConfig, NetworkPeerSource } from '../common/contracts';
import { fail, show } from '../common/errors';
import { resolveNetworkPeer, selectsSamePods } from '../common/network-peer';
import { recommendedLabels, selectorLabels } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { validateIntegerInRange } from '../common/validate';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import { createGoDeployment } from './go-deployment';
import { GoServicePortName, GoServiceProps, GoServiceSettings, resolveGoService } from './go-service';
import { GoPodProps, resolvePod } from './pod-props';
import { GoPodTemplate } from './pod-template';
import { ScaledObject } from '../../imports/keda.sh';
import { createScaledObject, KedaScalingOptions, ResolvedKedaScaling } from './keda';
import { MICROSERVICE_DEFAULTS } from './go-microservice-defaults';
import { AutoscalingOptions, DisruptionBudgetOptions, ResolvedAutoscaling } from './go-microservice-props';
import { createAutoscaler, createDisruptionBudget, resolveReplicas } from './scaling';

/** Props of a `GoWorker`. */
export interface GoWorkerProps extends Omit<GoServiceProps, 'httpPort' | 'grpcPort'>, GoPodProps {
  /**
   * Container port of the worker's HTTP server for `/metrics` and the health
   * endpoints (named `metrics`); the probes use it unless `healthPort` is set.
   * @default 8080
   */
  readonly metricsPort?: number;

  /**
   * Entrypoint of the container, e.g. a consumer subcommand of the service's image.
   * @default - the image's
   */
  readonly command?: string[];

  /**
   * Arguments of the container.
   * @default - the image's
   */
  readonly args?: string[];

  /**
   * Namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * `app.kubernetes.io/instance`. Part of the selector, so it must never change.
   * @default - the name
   */
  readonly instance?: string;

  /**
   * `app.kubernetes.io/component`.
   * @default 'worker'
   */
  readonly component?: string;

  /**
   * `app.kubernetes.io/part-of`.
   * @default - no part-of label
   */
  readonly partOf?: string;

  /**
   * Pods to run when autoscaling is off.
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Horizontal pod autoscaling (CPU, memory, custom metrics such as queue depth).
   * @default - no autoscaler; the Deployment runs `replicas` pods
   */
  readonly autoscaling?: AutoscalingOptions;

  /**
   * Event-driven autoscaling with a KEDA ScaledObject (Kafka consumer lag, a
   * Prometheus query, ...) instead of `autoscaling`; needs KEDA in the cluster.
   * @default - no ScaledObject
   */
  readonly keda?: KedaScalingOptions;

  /**
   * PodDisruptionBudget sizing, used when the replica floor is two or more.
   * @default - `maxUnavailable: 1`
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;

  /**
   * Spread pods across zones and nodes when two or more run.
   * @default true
   */
  readonly topologySpread?: boolean;

  /**
   * Add `prometheus.io/scrape|port|path` pod annotations.
   * @default true
   */
  readonly prometheusScrape?: boolean;

  /**
   * The identity of the pods. Its token is never mounted.
   * @default - a new ServiceAccount named after the worker
   */
  readonly serviceAccount?: kplus.IServiceAccount;
}

/** Defaults of `GoWorkerProps`. @internal */
const WORKER_DEFAULTS = {
  replicas: 2,
  component: 'worker',
} as const;

/**
 * A Go background worker (a queue consumer, a stream processor) on Kubernetes:
 * the pod of a `GoMicroservice` without the API.
 *
 * Creates a Deployment (same rollout, probes, hardening, Go runtime tuning and
 * pod props as GoMicroservice), a ServiceAccount without a mounted token, the
 * content-hashed ConfigMaps, a HorizontalPodAutoscaler when autoscaling, a
 * PodDisruptionBudget when two or more pods run, and a NetworkPolicy that
 * denies all ingress except what `allowFrom` admits (by default to the
 * `metrics` port, e.g. for Prometheus). No Service and no route: nothing calls
 * a worker.
 *
 * @example
 * new GoWorker(chart, 'order-events', {
 *   image: 'registry.example.com/shop/order-events:1.2.0',
 *   secretEnv: { KAFKA_PASSWORD: { secretName: 'kafka-user', key: 'password' } },
 * });
 */
export class GoWorker extends Construct implements kplus.INetworkPolicyPeer, INetworkPeer, IMonitorableWorkload {
  /** The validated description with every default filled in (`httpPort` is the metrics port). */
  public readonly settings: GoServiceSettings;
  /** `metadata.name` of every object. */
  public readonly name: string;
  /** Namespace of the objects, when known. */
  public readonly namespace?: string;
  /** The labels selectors use. */
  public readonly selectorLabels: Record<string, string>;
  /** The full `app.kubernetes.io/*` label set. */
  public readonly labels: Record<string, string>;
  /** Replicas when autoscaling is off. */
  public readonly replicas?: number;
  /** Autoscaling settings, when on. */
  public readonly autoscaling?: ResolvedAutoscaling;

  /** The Deployment (also this construct's default child). */
  public readonly deployment: kplus.Deployment;
  /** The worker container. */
  public readonly container: kplus.Container;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The ConfigMap of plain settings, when `config` is set. */
  public readonly configMap?: kplus.ConfigMap;
  /** The ConfigMap of configuration files, when `configFiles` is set. */
  public readonly configFilesMap?: kplus.ConfigMap;
  /** The External Secrets Operator ExternalSecret behind the external sources of `secretEnv` and `secretFiles`, when there are any. */
  public readonly externalSecret?: ExternalSecret;
  /** The HorizontalPodAutoscaler, when autoscaling. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** KEDA settings, when `keda` is set. */
  public readonly keda?: ResolvedKedaScaling;
  /** The KEDA ScaledObject, when `keda` is set. */
  public readonly scaledObject?: ScaledObject;
  /** The PodDisruptionBudget, when two or more pods run. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy: all ingress denied but what `allowFrom` admits. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  private readonly pods: kplus.Pods;
  private readonly template: GoPodTemplate;

  public constructor(scope: Construct, id: string, props: GoWorkerProps) {
    super(scope, id);

    const settings = resolveGoService(this, props, id, 'worker');
    this.settings = settings;
    this.name = settings.name;
    if (props.namespace !== undefined) {
      validateDnsLabel(this, 'namespace', props.namespace);
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    const instance = props.instance ?? settings.name;
    validateDnsLabel(this, 'instance', instance);
    this.selectorLabels = selectorLabels({ name: settings.name, instance });
    this.labels = recommendedLabels({
      name: settings.name,
      instance,
      version: settings.version,
      component: props.component ?? WORKER_DEFAULTS.component,
      partOf: props.partOf,
    });

    const scaling = resolveReplicas(this, props, WORKER_DEFAULTS.replicas);
    this.autoscaling = scaling.autoscaling;
    this.keda = scaling.keda;
    this.replicas = scaling.replicas;
    const floor = scaling.floor;
    const pod = resolvePod(this, props, settings.name);

    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: this.labels });
    this.serviceAccount = props.serviceAccount ?? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(settings.name),
      automountToken: false,
    });
    this.pods = kplus.Pods.select(this, 'Pods', { labels: this.selectorLabels });
    const { deployment, template } = createGoDeployment(this, settings, pod, {
      metadata,
      labels: this.labels,
      selectorLabels: this.selectorLabels,
      replicas: this.replicas,
      floor,
      serviceAccount: this.serviceAccount,
      prometheusScrape: props.prometheusScrape ?? true,
      topologySpread: props.topologySpread ?? true,
      command: props.command,
      args: props.args,
    });
    this.deployment = deployment;
    this.template = template;
    this.configMap = template.configMap;
    this.configFilesMap = template.filesConfigMap;
    this.externalSecret = template.externalSecret;
    this.container = deployment.containers[0];
    if (template.secretNames.length > 0) {
      // Secrets are only referenced: declare them external for the policy gate.
      deployment.metadata.addAnnotation(EXTERNAL_ANNOTATION, template.secretNames.map((n) => `Secret/${n}`).join(' '));
    }
    this.node.defaultChild = apiObjectOf(deployment);

    if (this.autoscaling) {
      this.autoscaler = createAutoscaler(this, metadata(settings.name), deployment, this.autoscaling);
    }
    if (this.keda) {
      this.scaledObject = createScaledObject(this, this.deployment, metadata(settings.name), this.keda);
    }
    const maxUnavailable = props.disruptionBudget?.maxUnavailable ?? MICROSERVICE_DEFAULTS.maxUnavailable;
    validateIntegerInRange(this, 'disruptionBudget.maxUnavailable', maxUnavailable, 1, 10000);
    if (floor >= 2) {
      this.disruptionBudget = createDisruptionBudget(this, metadata(settings.name), this.selectorLabels, maxUnavailable);
    } else if (props.disruptionBudget !== undefined) {
      fail(this, `disruptionBudget is set but the worker runs ${floor} pod: a budget needs at least 2 replicas (or autoscaling.minReplicas >= 2)`);
    }

    this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: metadata(settings.name),
      selector: this.pods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }

  /**
   * Admits traffic from `peer` (a workload, `NetworkPeer.pods`/`namespace`/
   * `ipBlock`) to the worker's `metrics` port, or to the named `ports`
   * (`metrics`, `health`).
   */
  public allowFrom(peer: NetworkPeerSource, options: AdmitOptions = {}): void {
    const names = (options.ports ?? ['metrics']) as GoServicePortName[];
    if (names.length === 0) {
      fail(this, 'allowFrom ports ([]) is empty: name at least one of metrics, health');
    }
    const numbers = names.map((n) => this.portNumber(n, 'allowFrom ports'));
    const resolved = resolveNetworkPeer(this, 'allowFrom peer', peer);
    if (peer === this || selectsSamePods(resolved.config, this.selectorLabels, this.namespace)) {
      fail(this, `allowFrom peer (${show(this.node.path)}) is this worker itself: allowFrom admits other workloads, not the worker's own pods`);
    }
    this.networkPolicy.addIngressRule(resolved.plus, [...new Set(numbers)].map((n) => kplus.NetworkPolicyPort.tcp(n)));
  }

  /** Admits every pod of `namespace` (a monitoring stack's) to the `metrics` port, or the named `ports`. */
  public allowFromNamespace(namespace: string, options: AdmitOptions = {}): void {
    validateDnsLabel(this, 'allowFromNamespace namespace', namespace);
    this.allowFrom(NetworkPeer.namespace(namespace), options);
  }

  /**
   * A worker has no Service: these are its pods' labels, for scrapers that
   * select by them. (A ServiceMonitor finds no Service to follow; scrape a
   * worker by its pods' `prometheus.io/*` annotations or a PodMonitor.)
   */
  public get serviceSelectorLabels(): Record<string, string> {
    return { ...this.selectorLabels };
  }

  /** Where Prometheus scrapes the worker: the `metrics` container port. */
  public get metricsEndpoint(): MetricsEndpoint {
    return { servicePortName: 'metrics', port: this.settings.metricsPort, path: this.settings.metricsPath };
  }

  /** @see INetworkPeer.toNetworkPeerConfig() */
  public toNetworkPeerConfig(): NetworkPeerConfig {
    return { pods: { labels: { ...this.selectorLabels }, namespace: this.namespace } };
  }

  /** Container port number of a named port (`metrics`, `health`). */
  public portNumber(name: GoServicePortName, prop = 'port'): number {
    const port = this.settings.ports.find((p) => p.name === name);
    if (!port) {
      fail(this, `${prop} names ${show(name)}, which this worker does not expose: use one of ${this.settings.ports.map((p) => p.name).join(', ')}`);
    }
    return port.number;
  }

  /**
   * Adds an environment variable to the worker container. Names set twice
   * are rejected; `OTEL_RESOURCE_ATTRIBUTES` is completed as on GoMicroservice.
   */
  public addEnvironment(name: string, value: kplus.EnvValue): void {
    this.template.addEnvironment(name, value);
  }

  /** @see INetworkPolicyPeer.toNetworkPolicyPeerConfig() */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return {
      podSelector: {
        labelSelector: kplus.LabelSelector.of({ labels: this.selectorLabels }),
        namespaces: this.namespace !== undefined ? { names: [this.namespace] } : undefined,
      },
    };
  }

  /** @see INetworkPolicyPeer.toPodSelector() */
  public toPodSelector(): kplus.IPodSelector {
    return this.pods;
  }
}
