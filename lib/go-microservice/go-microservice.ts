import { Chart, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { EXTERNAL_ANNOTATION, prometheusScrapeAnnotations } from '../common/annotations';
import {
  BackendPort, IMonitorableWorkload, INetworkPeer, IRoutableBackend, MetricsEndpoint, NetworkPeer, NetworkPeerConfig, NetworkPeerSource,
} from '../common/contracts';
import { fail, show } from '../common/errors';
import { contentHash } from '../common/hash';
import { hardenPodTemplate } from '../common/pod-hardening';
import { KubernetesFeature, requireKubernetesFeature } from '../common/kubernetes-version';
import { recommendedLabels, selectorLabels } from '../common/labels';
import { validateDnsLabel, validateEnvName } from '../common/names';
import { resolveNetworkPeer, selectsSamePods } from '../common/network-peer';
import { addLateJsonPatch, apiObjectOf, k8s, kplus } from '../common/plus';
import { validateIntegerInRange, validatePort } from '../common/validate';
import { MICROSERVICE_DEFAULTS } from './go-microservice-defaults';
import { AllowFromOptions, GoMicroserviceProps, ResolvedAutoscaling } from './go-microservice-props';
import { createAutoscaler, createDisruptionBudget, resolveAutoscaling } from './scaling';
import { GO_SERVICE_DEFAULTS, GoServicePortName, GoServiceSettings, resolveGoService, ResolvedProbe } from './go-service';
import { ProbeKind } from './probe';
import { PreStopKind } from './shutdown';

/**
 * A Go HTTP/gRPC service on Kubernetes with production defaults.
 *
 * Creates a Deployment (rolling updates that never drop capacity, tuned
 * probes, restricted security context, Go runtime tuning, graceful shutdown,
 * topology spread), a ClusterIP Service, a ServiceAccount without a mounted
 * token, a content-hashed ConfigMap for plain settings, a
 * HorizontalPodAutoscaler when autoscaling, a PodDisruptionBudget when two or
 * more pods run, and a NetworkPolicy that admits only what `allowFrom` allows.
 *
 * @example
 * const users = new GoMicroservice(chart, 'users', { image: 'registry.example.com/users:2.0.1' });
 * const orders = new GoMicroservice(chart, 'orders', {
 *   image: 'registry.example.com/orders:1.4.2',
 *   grpcPort: 9090,
 *   autoscaling: { minReplicas: 3, maxReplicas: 12 },
 *   config: { LOG_LEVEL: 'info' },
 *   secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
 * });
 * orders.allowFrom(users);
 */
export class GoMicroservice extends Construct implements kplus.INetworkPolicyPeer, INetworkPeer, IRoutableBackend, IMonitorableWorkload {
  /** The validated service description with every default filled in. */
  public readonly settings: GoServiceSettings;
  /** `metadata.name` of every object (the ConfigMap adds a content hash). */
  public readonly name: string;
  /** Namespace of the objects, when known. */
  public readonly namespace?: string;
  /** The labels selectors use: `app.kubernetes.io/name` and `instance`. */
  public readonly selectorLabels: Record<string, string>;
  /** The full `app.kubernetes.io/*` label set on every object. */
  public readonly labels: Record<string, string>;
  /** Replicas when autoscaling is off; `undefined` when the HPA decides. */
  public readonly replicas?: number;
  /** Autoscaling settings, when on. */
  public readonly autoscaling?: ResolvedAutoscaling;
  /** Port of the Service in front of the HTTP port. */
  public readonly servicePort: number;

  /** The Deployment (also this construct's default child). */
  public readonly deployment: kplus.Deployment;
  /** The service container. */
  public readonly container: kplus.Container;
  /** The ClusterIP Service. */
  public readonly service: kplus.Service;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The ConfigMap of plain settings, when `config` is set. */
  public readonly configMap?: kplus.ConfigMap;
  /** The HorizontalPodAutoscaler, when autoscaling. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The PodDisruptionBudget, when two or more pods run. (cdk8s-plus has no PodDisruptionBudget.) */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy that admits only allowed peers on the service's ports. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  private readonly pods: kplus.Pods;
  private readonly envOwners = new Set<string>();
  /** Fewest pods that run: `autoscaling.minReplicas`, or `replicas`. */
  private readonly replicaFloor: number;

  public constructor(scope: Construct, id: string, props: GoMicroserviceProps) {
    super(scope, id);

    // 1. validate and resolve
    const settings = resolveGoService(this, props, id);
    this.settings = settings;
    this.name = settings.name;
    if (props.namespace !== undefined) {
      validateDnsLabel(this, 'namespace', props.namespace);
    }
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.servicePort = props.servicePort ?? MICROSERVICE_DEFAULTS.servicePort;
    validatePort(this, 'servicePort', this.servicePort);
    if (props.trafficDistribution !== undefined) {
      requireKubernetesFeature(this, 'trafficDistribution', props.trafficDistribution, KubernetesFeature.SERVICE_TRAFFIC_DISTRIBUTION);
    }
    if (settings.grpcPort === this.servicePort || (props.metricsPort !== undefined && settings.metricsPort === this.servicePort)) {
      fail(this, `servicePort (${this.servicePort}) collides with another Service port: use a port not taken by grpcPort or metricsPort`);
    }
    const instance = props.instance ?? settings.name;
    validateDnsLabel(this, 'instance', instance);
    this.selectorLabels = selectorLabels({ name: settings.name, instance });
    this.labels = recommendedLabels({
      name: settings.name,
      instance,
      version: settings.version,
      component: props.component ?? MICROSERVICE_DEFAULTS.component,
      partOf: props.partOf,
    });

    this.autoscaling = props.autoscaling ? resolveAutoscaling(this, props.autoscaling) : undefined;
    if (this.autoscaling && props.replicas !== undefined) {
      fail(this, `replicas (${props.replicas}) cannot be combined with autoscaling: set autoscaling.minReplicas and maxReplicas instead`);
    }
    this.replicas = this.autoscaling ? undefined : props.replicas ?? MICROSERVICE_DEFAULTS.replicas;
    if (this.replicas !== undefined) {
      validateIntegerInRange(this, 'replicas', this.replicas, 1, 10000);
    }
    this.replicaFloor = this.autoscaling?.minReplicas ?? this.replicas!;
    const maxUnavailable = props.disruptionBudget?.maxUnavailable ?? MICROSERVICE_DEFAULTS.maxUnavailable;
    validateIntegerInRange(this, 'disruptionBudget.maxUnavailable', maxUnavailable, 1, 10000);

    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: this.labels });

    // 2. children
    this.serviceAccount = props.serviceAccount ?? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(settings.name),
      automountToken: false,
    });

    if (Object.keys(settings.config).length > 0) {
      this.configMap = new kplus.ConfigMap(this, 'Config', {
        metadata: metadata(`${settings.name}-config-${contentHash(settings.config)}`),
        data: settings.config,
        immutable: true,
      });
    }

    this.pods = kplus.Pods.select(this, 'Pods', { labels: this.selectorLabels });
    this.deployment = this.createDeployment(props, metadata(settings.name));
    this.container = this.deployment.containers[0];
    const secrets = [...new Set([...Object.values(settings.secretEnv).map((r) => r.secretName), ...settings.secretEnvFrom])].sort();
    if (secrets.length > 0) {
      // Secrets are only referenced, never created here: declare them external
      // for the policy gate's reference check.
      this.deployment.metadata.addAnnotation(EXTERNAL_ANNOTATION, secrets.map((n) => `Secret/${n}`).join(' '));
    }
    this.node.defaultChild = apiObjectOf(this.deployment);

    this.service = this.createService(metadata(settings.name));
    if (props.trafficDistribution !== undefined) {
      // cdk8s-plus-27 has no trafficDistribution (Kubernetes 1.31+).
      addLateJsonPatch(this.service, JsonPatch.add('/spec/trafficDistribution', props.trafficDistribution));
    }

    if (this.autoscaling) {
      this.autoscaler = createAutoscaler(this, metadata(settings.name), this.deployment, this.autoscaling);
    }

    if (this.replicaFloor >= 2) {
      this.disruptionBudget = createDisruptionBudget(this, metadata(settings.name), this.selectorLabels, maxUnavailable);
    } else if (props.disruptionBudget !== undefined) {
      fail(this, `disruptionBudget is set but the service runs ${this.replicaFloor} pod: a budget needs at least 2 replicas (or autoscaling.minReplicas >= 2)`);
    }

    this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: metadata(settings.name),
      selector: this.pods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
  }

  /**
   * Admits traffic from `peer` (another GoMicroservice, any cdk8s-plus
   * workload, `NetworkPeer.pods`/`namespace`/`ipBlock`) to this service's API
   * ports, or to the named `ports`. A peer's pods are selected in their own
   * namespace, so a peer whose namespace cannot be known (none on it or its
   * chart) is an error, and so is the service itself.
   */
  public allowFrom(peer: NetworkPeerSource, options: AllowFromOptions = {}): void {
    const names = options.ports ?? this.apiPortNames();
    if (names.length === 0) {
      fail(this, 'allowFrom ports ([]) is empty: name at least one of http, grpc, metrics, health');
    }
    const numbers = names.map((n) => this.portNumber(n, 'allowFrom ports'));
    const itself = () => fail(this, `allowFrom peer (${show(this.node.path)}) is this service itself: allowFrom admits other workloads, not the service's own pods`);
    if (peer === this || (peer as unknown) === this.deployment) {
      itself();
    }
    const resolved = resolveNetworkPeer(this, 'allowFrom peer', peer);
    if (selectsSamePods(resolved.config, this.selectorLabels, this.namespace)) {
      itself();
    }
    this.networkPolicy.addIngressRule(resolved.plus, [...new Set(numbers)].map((n) => kplus.NetworkPolicyPort.tcp(n)));
  }

  /**
   * Admits traffic from every pod of `namespace` (an ingress controller's or
   * gateway's, a monitoring stack's) to the API ports, or to the named `ports`.
   */
  public allowFromNamespace(namespace: string, options: AllowFromOptions = {}): void {
    validateDnsLabel(this, 'allowFromNamespace namespace', namespace);
    this.allowFrom(NetworkPeer.namespace(namespace), options);
  }

  /**
   * Container port number of a named port. Throws when the service does not
   * have that port.
   */
  public portNumber(name: GoServicePortName, prop = 'port'): number {
    if (name === 'metrics') {
      return this.settings.metricsPort;
    }
    const port = this.settings.ports.find((p) => p.name === name);
    if (!port) {
      // metrics is always reachable: on its own port or on the HTTP port
      const names = new Set<string>([...this.settings.ports.map((p) => p.name), 'metrics']);
      fail(this, `${prop} names ${show(name)}, which this service does not expose: use one of ${[...names].join(', ')}`);
    }
    return port.number;
  }

  /**
   * Adds an environment variable to the service container, e.g. for tracing
   * wiring. Names set twice are rejected.
   */
  public addEnvironment(name: string, value: kplus.EnvValue): void {
    validateEnvName(this, 'addEnvironment', name);
    if (this.envOwners.has(name)) {
      fail(this, `addEnvironment sets ${show(name)}, which is already set: each environment variable must be set once`);
    }
    this.envOwners.add(name);
    this.container.env.addVariable(name, value);
  }

  /** The Service's named ports: `http`, `grpc` when set, `metrics` when on a port of its own. */
  public get servicePorts(): BackendPort[] {
    const s = this.settings;
    const ports: BackendPort[] = [{ name: 'http', port: this.servicePort, targetPort: s.httpPort, appProtocol: 'http' }];
    if (s.grpcPort !== undefined) {
      ports.push({ name: 'grpc', port: s.grpcPort, targetPort: s.grpcPort, appProtocol: 'kubernetes.io/h2c' });
    }
    if (s.metricsPort !== s.httpPort) {
      ports.push({ name: 'metrics', port: s.metricsPort, targetPort: s.metricsPort, appProtocol: 'http' });
    }
    return ports;
  }

  /** The labels that select the Service (they select the pods, too). */
  public get serviceSelectorLabels(): Record<string, string> {
    return { ...this.selectorLabels };
  }

  /** Where Prometheus scrapes the service: the `metrics` port, or `http` when metrics share it. */
  public get metricsEndpoint(): MetricsEndpoint {
    const s = this.settings;
    return { servicePortName: s.metricsPort !== s.httpPort ? 'metrics' : 'http', port: s.metricsPort, path: s.metricsPath };
  }

  /** @see INetworkPeer.toNetworkPeerConfig() */
  public toNetworkPeerConfig(): NetworkPeerConfig {
    return { pods: { labels: { ...this.selectorLabels }, namespace: this.namespace } };
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

  private apiPortNames(): GoServicePortName[] {
    return this.settings.grpcPort !== undefined ? ['http', 'grpc'] : ['http'];
  }

  private createDeployment(props: GoMicroserviceProps, metadata: { name: string; namespace?: string; labels: Record<string, string> }): kplus.Deployment {
    const s = this.settings;
    const annotations: Record<string, string> = {};
    if (props.prometheusScrape ?? true) {
      Object.assign(annotations, prometheusScrapeAnnotations(s.metricsPort, s.metricsPath));
    }

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata,
      replicas: this.replicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      minReady: Duration.seconds(0),
      progressDeadline: Duration.seconds(600),
      select: false,
      spread: false,
      isolate: false,
      podMetadata: { labels: this.labels, annotations },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: {
        ensureNonRoot: true,
        user: GO_SERVICE_DEFAULTS.user,
        group: GO_SERVICE_DEFAULTS.user,
        fsGroup: GO_SERVICE_DEFAULTS.user,
      },
      terminationGracePeriod: Duration.seconds(s.shutdown.terminationGracePeriodSeconds),
    });
    deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));

    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(MICROSERVICE_DEFAULTS.tmpSizeLimitMi) });
    deployment.addVolume(tmp);

    const envFrom: kplus.EnvFrom[] = [];
    if (this.configMap) {
      envFrom.push(kplus.Env.fromConfigMap(this.configMap));
    }
    s.secretEnvFrom.forEach((secretName, i) => {
      envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, `SecretEnvFrom${i}`, secretName)));
    });
    const envVariables: Record<string, kplus.EnvValue> = {};
    for (const [name, value] of Object.entries(s.runtimeEnv)) {
      envVariables[name] = kplus.EnvValue.fromValue(value);
    }
    for (const [name, ref] of Object.entries(s.secretEnv)) {
      const secret = kplus.Secret.fromSecretName(this, `SecretEnv-${name}`, ref.secretName);
      envVariables[name] = kplus.EnvValue.fromSecretValue({ secret, key: ref.key }, { optional: ref.optional ?? false });
    }
    for (const name of [...Object.keys(s.config), ...Object.keys(envVariables)]) {
      this.envOwners.add(name);
    }

    const httpProbe = (p: ResolvedProbe) => p.kind === ProbeKind.HTTP
      ? kplus.Probe.fromHttpGet(p.path!, {
        port: p.port,
        initialDelaySeconds: Duration.seconds(p.initialDelaySeconds),
        periodSeconds: Duration.seconds(p.periodSeconds),
        timeoutSeconds: Duration.seconds(p.timeoutSeconds),
        failureThreshold: p.failureThreshold,
        successThreshold: p.successThreshold,
      })
      : undefined;

    const preStop = s.shutdown.preStop;
    deployment.addContainer({
      name: s.name,
      image: s.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: s.ports.map((p) => ({ name: p.name, number: p.number, protocol: kplus.Protocol.TCP })),
      envFrom,
      envVariables,
      readiness: httpProbe(s.readiness),
      liveness: httpProbe(s.liveness),
      startup: httpProbe(s.startup),
      lifecycle: preStop.kind === PreStopKind.HTTP
        ? { preStop: kplus.Handler.fromHttpGet(preStop.path!, { port: preStop.port ?? s.httpPort }) }
        : undefined,
      // Given to plus so it skips its own defaults and accepts the HPA target;
      // hardenPodTemplate below writes the final quantities as written.
      resources: { cpu: { request: cpu(s.requests.cpu), limit: cpu(s.limits.cpu) } },
      securityContext: {
        ensureNonRoot: true,
        user: GO_SERVICE_DEFAULTS.user,
        group: GO_SERVICE_DEFAULTS.user,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      },
      volumeMounts: [{ path: '/tmp', volume: tmp }],
    });

    const api = apiObjectOf(deployment);
    const container = '/spec/template/spec/containers/0';
    // cdk8s-plus-27 has no revisionHistoryLimit.
    api.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', MICROSERVICE_DEFAULTS.revisionHistoryLimit));
    if (preStop.kind === PreStopKind.SLEEP) {
      // cdk8s-plus-27 has no sleep action (Kubernetes 1.30+).
      addLateJsonPatch(api, JsonPatch.add(`${container}/lifecycle`, { preStop: { sleep: { seconds: s.shutdown.delaySeconds } } }));
    }
    // Seccomp profile, capability drop ALL and quantities as written: fields plus-27 lacks.
    hardenPodTemplate(deployment, [{ requests: s.requests, limits: s.limits }]);
    for (const [field, probe] of [['readinessProbe', s.readiness], ['livenessProbe', s.liveness], ['startupProbe', s.startup]] as const) {
      if (probe.kind === ProbeKind.GRPC) {
        // cdk8s-plus-27 has no gRPC probe.
        api.addJsonPatch(JsonPatch.add(`${container}/${field}`, grpcProbe(probe)));
      }
    }
    if ((props.topologySpread ?? true) && this.replicaFloor >= 2) {
      // cdk8s-plus-27 has no topology spread constraints. matchLabelKeys keeps
      // a rollout's old and new pods from skewing each other's spread.
      api.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: this.selectorLabels },
        matchLabelKeys: ['pod-template-hash'],
      }))));
    }
    return deployment;
  }

  private createService(metadata: { name: string; namespace?: string; labels: Record<string, string> }): kplus.Service {
    const ports = this.servicePorts;
    const service = new kplus.Service(this, 'Service', {
      metadata,
      type: kplus.ServiceType.CLUSTER_IP,
      selector: this.pods,
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: kplus.Protocol.TCP })),
    });
    const api = apiObjectOf(service);
    ports.forEach((p, i) => {
      // cdk8s-plus-27 has no appProtocol and only numeric target ports.
      api.addJsonPatch(
        JsonPatch.replace(`/spec/ports/${i}/targetPort`, k8s.IntOrString.fromString(p.name)),
        JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.appProtocol!),
      );
    });
    return service;
  }
}

function cpu(quantity: string): kplus.Cpu {
  return quantity.endsWith('m') ? kplus.Cpu.millis(Number(quantity.slice(0, -1))) : kplus.Cpu.units(Number(quantity));
}

function grpcProbe(p: ResolvedProbe): k8s.Probe {
  return {
    grpc: { port: p.port, service: p.grpcService },
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    successThreshold: p.successThreshold,
  };
}
