import { Chart, JsonPatch } from 'cdk8s';
import { ExternalSecret } from '../../imports/external-secrets.io';
import { Construct } from 'constructs';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import {
  BackendPort, BackendTrack, IMonitorableWorkload, INetworkPeer, IRoutableBackend, MetricsEndpoint, NetworkPeer, NetworkPeerConfig, NetworkPeerSource,
} from '../common/contracts';
import { fail, show } from '../common/errors';
import { KubernetesFeature, requireKubernetesFeature } from '../common/kubernetes-version';
import { LABEL_INSTANCE, LABEL_NAME, LABEL_VERSION, recommendedLabels, selectorLabels, TRACK_LABEL } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { resolveNetworkPeer, selectsSamePods } from '../common/network-peer';
import { addLateJsonPatch, apiObjectOf, k8s, kplus } from '../common/plus';
import { validateIntegerInRange, validatePort } from '../common/validate';
import { MICROSERVICE_DEFAULTS } from './go-microservice-defaults';
import { AllowFromOptions, GoMicroserviceProps, ResolvedAutoscaling } from './go-microservice-props';
import { createAutoscaler, createDisruptionBudget, resolveReplicas } from './scaling';
import { GoServicePortName, GoServiceSettings, resolveGoService } from './go-service';
import { versionFromImage } from '../common/images';
import { BlueGreenColor, ReleaseKind, ResolvedRelease } from './release';
import { ReleaseTrack, ReleaseTrackResources } from './release-track';
// --- workloads: shared pod template, KEDA, migrations ---
import { ScaledObject } from '../../imports/keda.sh';
import { createGoDeployment } from './go-deployment';
import { GoMigrationJob, MIGRATION_DEFAULTS, MigrationOptions, MigrationOrdering } from './go-migration-job';
import { createScaledObject, ResolvedKedaScaling } from './keda';
import { resolvePod } from './pod-props';
import { GoPodTemplate } from './pod-template';
// --- end workloads ---

/**
 * A Go HTTP/gRPC service on Kubernetes with production defaults.
 *
 * Creates a Deployment (rolling updates that never drop capacity, tuned
 * probes, restricted security context, Go runtime tuning, graceful shutdown,
 * topology spread), a ClusterIP Service, a ServiceAccount without a mounted
 * token, content-hashed ConfigMaps for plain settings and config files, a
 * HorizontalPodAutoscaler when autoscaling (or a KEDA ScaledObject), a
 * PodDisruptionBudget when two or more pods run, a NetworkPolicy that admits
 * only what `allowFrom` allows, a migration Job when `migrations` is set, and
 * an External Secrets Operator `ExternalSecret` when `secretEnv` or
 * `secretFiles` read values from an external store (`ExternalSecretSource`).
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
  /** The PodDisruptionBudget, when two or more pods run. (cdk8s-plus has no PodDisruptionBudget.) */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy that admits only allowed peers on the service's ports. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The migration Job, when `migrations` is set. */
  public readonly migrations?: GoMigrationJob;
  /** The validated release, when `release` is set. */
  public readonly release?: ResolvedRelease;
  /** The second track's objects (the canary, or green), when `release` is set. */
  public readonly releaseTrack?: ReleaseTrackResources;
  /**
   * The Service of the second track: `<name>-canary` (the canary's pods), or
   * `<name>-preview` (the inactive color's pods), when `release` is set.
   */
  public readonly trackService?: kplus.Service;

  private readonly pods: kplus.Pods;
  private readonly template: GoPodTemplate;
  private readonly track?: ReleaseTrack;
  /** Fewest pods that run: `autoscaling.minReplicas`, `keda.minReplicas`, or `replicas`. */
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

    if (props.release !== undefined) {
      this.release = props.release._resolve(this, settings.image);
      if (props.keda !== undefined) {
        fail(this, `release (${this.release.kind}) cannot be combined with keda: KEDA scales one Deployment; use autoscaling or replicas`);
      }
    }
    const ownPodLabels = this.release ? { ...this.labels, [TRACK_LABEL]: this.release.ownTrack } : this.labels;

    const scaling = resolveReplicas(this, props, MICROSERVICE_DEFAULTS.replicas);
    this.autoscaling = scaling.autoscaling;
    this.keda = scaling.keda;
    this.replicas = scaling.replicas;
    this.replicaFloor = scaling.floor;
    const maxUnavailable = props.disruptionBudget?.maxUnavailable ?? MICROSERVICE_DEFAULTS.maxUnavailable;
    validateIntegerInRange(this, 'disruptionBudget.maxUnavailable', maxUnavailable, 1, 10000);

    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: this.labels });

    // 2. children
    this.serviceAccount = props.serviceAccount ?? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(settings.name),
      automountToken: false,
    });

    this.pods = kplus.Pods.select(this, 'Pods', { labels: this.selectorLabels });
    // --- workloads: the Deployment and pod template shared with GoWorker ---
    const pod = resolvePod(this, props, settings.name);
    let wait: { container: k8s.Container; volume: k8s.Volume } | undefined;
    if (props.migrations !== undefined) {
      this.migrations = this.createMigrations(props, props.migrations);
      wait = this.waitForMigrations(props.migrations);
    }
    const { deployment, template } = createGoDeployment(this, settings, pod, {
      extraInitContainers: wait ? [wait.container] : undefined,
      extraVolumes: wait ? [wait.volume] : undefined,
      metadata,
      labels: this.labels,
      podLabels: ownPodLabels,
      selectorLabels: this.selectorLabels,
      replicas: this.replicas,
      floor: this.replicaFloor,
      serviceAccount: this.serviceAccount,
      prometheusScrape: props.prometheusScrape ?? true,
      topologySpread: props.topologySpread ?? true,
    });
    this.deployment = deployment;
    this.template = template;
    this.configMap = template.configMap;
    this.configFilesMap = template.filesConfigMap;
    this.externalSecret = template.externalSecret;
    this.container = this.deployment.containers[0];
    // The wait container's token volume reads the CA every namespace gets.
    const external = [...template.secretNames.map((n) => `Secret/${n}`), ...(wait ? ['ConfigMap/kube-root-ca.crt'] : [])];
    if (this.migrations) {
      this.deployment.node.addDependency(this.migrations.job);
    }
    // --- end workloads ---
    if (external.length > 0) {
      // Secrets are only referenced, never created here: declare them external
      // for the policy gate's reference check.
      this.deployment.metadata.addAnnotation(EXTERNAL_ANNOTATION, external.join(' '));
    }
    this.node.defaultChild = apiObjectOf(this.deployment);

    if (this.release) {
      this.track = this.createTrack(this.release, props, settings, pod, metadata, instance, external, wait, maxUnavailable);
      this.releaseTrack = this.track;
    }
    // Blue-green: the service's Service selects the active color, `<name>-preview` the other.
    const greenActive = this.release?.active === BlueGreenColor.GREEN;
    this.service = this.createService('Service', metadata(settings.name), greenActive ? this.track!.pods : this.pods);
    if (this.track) {
      const preview = this.release!.kind === ReleaseKind.BLUE_GREEN;
      this.trackService = this.createService('TrackService', {
        ...metadata(preview ? `${settings.name}-preview` : this.track.name),
        labels: { ...this.labels, [TRACK_LABEL]: preview ? 'preview' : this.track.track },
      }, greenActive ? this.pods : this.track.pods);
    }
    if (props.trafficDistribution !== undefined) {
      // cdk8s-plus-27 has no trafficDistribution (Kubernetes 1.31+).
      for (const service of [this.service, ...(this.trackService ? [this.trackService] : [])]) {
        addLateJsonPatch(service, JsonPatch.add('/spec/trafficDistribution', props.trafficDistribution));
      }
    }

    if (this.autoscaling) {
      this.autoscaler = createAutoscaler(this, metadata(settings.name), this.deployment, this.autoscaling);
    }
    if (this.keda) {
      this.scaledObject = createScaledObject(this, this.deployment, metadata(settings.name), this.keda);
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
    const ports = [...new Set(numbers)].map((n) => kplus.NetworkPolicyPort.tcp(n));
    this.networkPolicy.addIngressRule(resolved.plus, ports);
    // Every track's pods admit the same peers.
    this.track?.networkPolicy.addIngressRule(resolved.plus, ports);
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
   * wiring. Names set twice are rejected. With `downwardApiEnv` on,
   * `OTEL_RESOURCE_ATTRIBUTES` is completed rather than set: the given
   * attributes come first and the pod's own fill the keys left open.
   */
  public addEnvironment(name: string, value: kplus.EnvValue): void {
    this.template.addEnvironment(name, value);
    this.track?.template.addEnvironment(name, value);
  }

  /**
   * The second track as routes see it: the canary's Service with its weight
   * and header, or the preview color's with its header (weight 0). Empty
   * without a release.
   */
  public get releaseTracks(): BackendTrack[] {
    if (!this.release || !this.trackService) {
      return [];
    }
    const t = this.release.second;
    return [{
      track: this.release.kind === ReleaseKind.BLUE_GREEN ? 'preview' : t.track,
      serviceName: this.trackService.name,
      weight: t.weight,
      header: t.header ? { ...t.header } : undefined,
    }];
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
    if (this.track) {
      // Every track's pods: same name, the instance of one of the tracks.
      const instances = [this.selectorLabels[LABEL_INSTANCE], this.track.selectorLabels[LABEL_INSTANCE]];
      return {
        pods: {
          labels: { [LABEL_NAME]: this.selectorLabels[LABEL_NAME] },
          expressions: [{ key: LABEL_INSTANCE, operator: 'In', values: instances }],
          namespace: this.namespace,
        },
      };
    }
    return { pods: { labels: { ...this.selectorLabels }, namespace: this.namespace } };
  }

  /** @see INetworkPolicyPeer.toNetworkPolicyPeerConfig() */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    const pods = this.toNetworkPeerConfig().pods!;
    return {
      podSelector: {
        labelSelector: kplus.LabelSelector.of({
          labels: pods.labels,
          expressions: pods.expressions?.map((e) => kplus.LabelExpression.in(e.key, e.values!)),
        }),
        namespaces: this.namespace !== undefined ? { names: [this.namespace] } : undefined,
      },
    };
  }

  /** @see INetworkPolicyPeer.toPodSelector() */
  public toPodSelector(): kplus.IPodSelector {
    return this.pods;
  }

  // --- workloads: migrations ---
  private createMigrations(props: GoMicroserviceProps, m: MigrationOptions): GoMigrationJob {
    return new GoMigrationJob(this, 'Migrations', {
      image: props.image,
      name: `${this.name}-migrate`,
      namespace: props.namespace,
      partOf: props.partOf,
      config: props.config,
      secretEnv: props.secretEnv,
      secretEnvFrom: props.secretEnvFrom,
      goRuntime: props.goRuntime,
      resources: m.resources ?? props.resources,
      command: m.command,
      args: m.args,
      backoffLimit: m.backoffLimit,
      activeDeadline: m.activeDeadline,
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      affinity: props.affinity,
      priorityClassName: props.priorityClassName,
      imagePullSecrets: props.imagePullSecrets,
      configFiles: props.configFiles,
      secretFiles: props.secretFiles,
      externalSecrets: props.externalSecrets,
      volumes: props.volumes,
      downwardApiEnv: props.downwardApiEnv,
      ordering: m.ordering ?? MigrationOrdering.WAIT_FOR_JOB,
    });
  }

  private waitForMigrations(m: MigrationOptions): { container: k8s.Container; volume: k8s.Volume } | undefined {
    if (this.migrations!.ordering !== MigrationOrdering.WAIT_FOR_JOB) {
      if (m.waitImage !== undefined) {
        fail(this, `migrations.waitImage (${show(m.waitImage)}) is only used with MigrationOrdering.WAIT_FOR_JOB: remove it`);
      }
      return undefined;
    }
    return this.migrations!._waitFor(this, this.serviceAccount, m.waitImage ?? MIGRATION_DEFAULTS.waitImage, 'migrations.waitImage');
  }
  // --- end workloads ---

  private apiPortNames(): GoServicePortName[] {
    return this.settings.grpcPort !== undefined ? ['http', 'grpc'] : ['http'];
  }

  private createTrack(
    release: ResolvedRelease, props: GoMicroserviceProps, settings: GoServiceSettings, pod: ReturnType<typeof resolvePod>,
    metadata: (name: string) => { name: string; namespace?: string; labels: Record<string, string> }, instance: string, external: string[],
    wait: { container: k8s.Container; volume: k8s.Volume } | undefined, maxUnavailable: number,
  ): ReleaseTrack {
    const t = release.second;
    const names = [`${settings.name}-${t.track}`, ...(release.kind === ReleaseKind.BLUE_GREEN ? [`${settings.name}-preview`] : [])];
    for (const n of names) {
      if (n.length > 63) {
        fail(this, `release (${release.kind}) names objects ${show(n)}, longer than the 63 characters a Service name may have: shorten name`);
      }
    }
    const trackInstance = `${instance}-${t.track}`;
    validateDnsLabel(this, 'instance', trackInstance);
    const trackSelector = selectorLabels({ name: settings.name, instance: trackInstance });
    const version = versionFromImage(t.image);
    const labels: Record<string, string> = { ...this.labels, [TRACK_LABEL]: t.track };
    if (version !== undefined) {
      labels[LABEL_VERSION] = version;
    } else {
      delete labels[LABEL_VERSION];
    }
    // A canary runs its share of the stable pods (at least one); a color runs full size.
    const share = (n: number) => release.kind === ReleaseKind.CANARY ? Math.max(1, Math.ceil((n * t.weight) / 100)) : n;
    const a = this.autoscaling;
    return new ReleaseTrack(this, t.track === 'canary' ? 'Canary' : 'Green', {
      track: t.track,
      settings: { ...settings, image: t.image, version },
      pod,
      metadata,
      labels,
      podLabels: { ...labels, [LABEL_INSTANCE]: trackInstance },
      selectorLabels: trackSelector,
      replicas: this.replicas !== undefined ? share(this.replicas) : undefined,
      autoscaling: a ? { ...a, minReplicas: share(a.minReplicas), maxReplicas: share(a.maxReplicas) } : undefined,
      maxUnavailable,
      serviceAccount: this.serviceAccount,
      prometheusScrape: props.prometheusScrape ?? true,
      topologySpread: props.topologySpread ?? true,
      shareConfigMapsOf: this.template,
      extraInitContainers: wait ? [wait.container] : undefined,
      extraVolumes: wait ? [wait.volume] : undefined,
      external,
    });
  }

  private createService(id: string, metadata: { name: string; namespace?: string; labels: Record<string, string> }, pods: kplus.Pods): kplus.Service {
    const ports = this.servicePorts;
    const service = new kplus.Service(this, id, {
      metadata,
      type: kplus.ServiceType.CLUSTER_IP,
      selector: pods,
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
