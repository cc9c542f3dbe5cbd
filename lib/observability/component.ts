import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { fail, show } from '../common/errors';
import { contentHash } from '../common/hash';
import { validatePinnedImage, versionFromImage } from '../common/images';
import { recommendedLabels, selectorLabels } from '../common/labels';
import { ContainerResources, hardenPodTemplate, PartialContainerResources, resolveResources } from '../common/pod-hardening';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { requireQuantity } from '../common/quantities';
import { yamlLib } from '../common/yaml';

/** Requests and limits of one component's container; what is left out keeps the component's default. */
export interface ComponentResources {
  /**
   * What the scheduler reserves.
   * @default - the component's default
   */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /**
   * The most the container may use; at least the request.
   * @default - the component's default
   */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** What every component of the stack accepts. */
export interface ComponentOptions {
  /**
   * Container image, pinned by tag or digest.
   * @default - the version the library is tested with (see each component)
   */
  readonly image?: string;
  /**
   * CPU and memory requests and limits.
   * @default - the component's default (see each component)
   */
  readonly resources?: ComponentResources;
}

/** The kinds of storage a component can keep its data on. @internal */
export enum StorageKind {
  PERSISTENT_VOLUME_CLAIM = 'pvc',
  EMPTY_DIR = 'emptyDir',
}

/** Options of a PersistentVolumeClaim. */
export interface PersistentStorageOptions {
  /** Size of the claim, a Kubernetes quantity such as `'50Gi'`. */
  readonly size: string;
  /**
   * StorageClass of the claim.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** Options of an emptyDir volume. */
export interface EphemeralStorageOptions {
  /**
   * Most the volume may hold before the pod is evicted.
   * @default '2Gi'
   */
  readonly sizeLimit?: string;
}

/**
 * Where a component keeps its data: a PersistentVolumeClaim, or an emptyDir
 * that is lost with the pod (for development clusters).
 */
export class Storage {
  /** A PersistentVolumeClaim (`ReadWriteOnce`) of the given size and class. */
  public static persistentVolumeClaim(options: PersistentStorageOptions): Storage {
    return new Storage(StorageKind.PERSISTENT_VOLUME_CLAIM, options.size, options.storageClassName);
  }

  /** An emptyDir volume: data is lost when the pod goes. */
  public static emptyDir(options: EphemeralStorageOptions = {}): Storage {
    return new Storage(StorageKind.EMPTY_DIR, options.sizeLimit ?? '2Gi');
  }

  private constructor(
    /** @internal */ public readonly kind: StorageKind,
    /** Size of the claim or limit of the emptyDir. */ public readonly size: string,
    /** StorageClass of the claim. */ public readonly storageClassName?: string,
  ) {}
}

/** Where the stack runs and how its objects are labelled. @internal */
export interface StackContext {
  readonly namespace: string;
  readonly instance: string;
}

/** The labels and metadata of one component. @internal */
export interface ComponentIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
}

/** Builds the identity of a component after checking its image. @internal */
export function componentIdentity(scope: IConstruct, ctx: StackContext, name: string, component: string, image: string, imageProp: string): ComponentIdentity {
  validatePinnedImage(scope, imageProp, image);
  return {
    name,
    namespace: ctx.namespace,
    labels: recommendedLabels({ name, instance: ctx.instance, version: versionFromImage(image), component, partOf: 'observability' }),
    selectorLabels: selectorLabels({ name, instance: ctx.instance }),
  };
}

/** Metadata for an object of a component. @internal */
export function meta(id: ComponentIdentity, name = id.name): { name: string; namespace: string; labels: Record<string, string> } {
  return { name, namespace: id.namespace, labels: id.labels };
}

/**
 * Drops the namespace a chart gives every object from a cluster-scoped one
 * (ClusterRole, ClusterRoleBinding, Namespace).
 *
 * @internal
 */
export function clusterScoped<T extends IConstruct>(resource: T): T {
  const api = resource instanceof ApiObject ? resource : apiObjectOf(resource);
  if (api.metadata.namespace !== undefined || Chart.of(resource).namespace !== undefined) {
    api.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return resource;
}

/** Metadata of a cluster-scoped object of a component. @internal */
export function clusterMeta(id: ComponentIdentity, name: string): { name: string; labels: Record<string, string> } {
  return { name, labels: id.labels };
}

/** Resolves component resources. @internal */
export function componentResources(scope: IConstruct, prop: string, given: ComponentResources | undefined, defaults: ContainerResources): ContainerResources {
  return resolveResources(scope, prop, given as PartialContainerResources | undefined, defaults);
}

/** Validates a storage choice. @internal */
export function validateStorage(scope: IConstruct, prop: string, storage: Storage): void {
  requireQuantity(scope, `${prop}.size`, storage.size, 'storage');
}

/**
 * A ConfigMap whose name carries a hash of its content, so a change rolls the
 * pods that mount it. Each file is an object serialized as YAML, or a string
 * written as is (JSON dashboards).
 *
 * @internal
 */
export function configFiles(scope: Construct, id: string, identity: ComponentIdentity, suffix: string, files: Record<string, unknown>): kplus.ConfigMap {
  const data: Record<string, string> = {};
  for (const [file, content] of Object.entries(files)) {
    data[file] = typeof content === 'string' ? content : yamlLib().stringify(content, { lineWidth: 0 });
  }
  return new kplus.ConfigMap(scope, id, {
    metadata: meta(identity, `${identity.name}-${suffix}-${contentHash(data)}`),
    data,
    immutable: true,
  });
}

/** Size limits of emptyDir volumes, applied when the volume joins a pod. */
const EMPTY_DIR_LIMITS = new WeakMap<kplus.Volume, string>();

/** An emptyDir volume with a size limit kept as written. @internal */
export function emptyDir(scope: Construct, id: string, name: string, sizeLimit: string): kplus.Volume {
  const volume = kplus.Volume.fromEmptyDir(scope, id, name);
  EMPTY_DIR_LIMITS.set(volume, sizeLimit);
  return volume;
}

/** The pod-level settings of a component's workload. @internal */
export interface PodOptions {
  readonly kind: 'Deployment' | 'DaemonSet';
  /** runAsUser, runAsGroup and fsGroup. */
  readonly user: number;
  readonly serviceAccount: kplus.IServiceAccount;
  readonly automountToken: boolean;
  readonly annotations?: Record<string, string>;
  /** Replace pods instead of surging (single-writer volumes). */
  readonly recreate?: boolean;
  /** Pods of a Deployment. Default 1. */
  readonly replicas?: number;
}

/** A hardened container: restricted security context and explicit resources. @internal */
export interface HardenedContainer extends Omit<kplus.ContainerProps, 'resources' | 'securityContext' | 'imagePullPolicy'> {
  readonly resources: ContainerResources;
  /** Root file system writable? Only where the component cannot run otherwise. */
  readonly writableRootFilesystem?: boolean;
}

/**
 * A Deployment (one replica) or DaemonSet for a component, every container with
 * the restricted security context, its own resources, and `volumes` added.
 *
 * @internal
 */
export function componentWorkload(scope: Construct, identity: ComponentIdentity, pod: PodOptions, containers: HardenedContainer[], volumes: kplus.Volume[]): kplus.Deployment | kplus.DaemonSet {
  const common = {
    metadata: meta(identity),
    select: false,
    podMetadata: { labels: identity.labels, annotations: pod.annotations ?? {} },
    serviceAccount: pod.serviceAccount,
    automountServiceAccountToken: pod.automountToken,
    securityContext: {
      ensureNonRoot: pod.user !== 0,
      user: pod.user,
      group: pod.user,
      fsGroup: pod.user,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
    isolate: false,
  };
  const workload = pod.kind === 'Deployment'
    ? new kplus.Deployment(scope, 'Deployment', {
      ...common,
      replicas: pod.replicas ?? 1,
      spread: false,
      strategy: pod.recreate ? kplus.DeploymentStrategy.recreate() : kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
    })
    : new kplus.DaemonSet(scope, 'DaemonSet', common);
  workload.select(kplus.LabelSelector.of({ labels: identity.selectorLabels }));
  volumes.forEach((v, i) => {
    workload.addVolume(v);
    const limit = EMPTY_DIR_LIMITS.get(v);
    if (limit !== undefined) {
      // cdk8s-plus-27 takes an emptyDir size limit only as a whole-MiB Size; keep the quantity as written.
      apiObjectOf(workload).addJsonPatch(JsonPatch.add(`/spec/template/spec/volumes/${i}/emptyDir`, { sizeLimit: k8s.Quantity.fromString(limit) }));
    }
  });
  for (const c of containers) {
    const { writableRootFilesystem, ...props } = c;
    workload.addContainer({
      ...props,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: {},
      securityContext: {
        ensureNonRoot: pod.user !== 0,
        user: pod.user,
        group: pod.user,
        privileged: false,
        readOnlyRootFilesystem: !writableRootFilesystem,
        allowPrivilegeEscalation: false,
      },
    });
  }
  hardenPodTemplate(workload, containers.map((c) => c.resources));
  if (pod.kind === 'Deployment') {
    // cdk8s-plus-27 has no revisionHistoryLimit.
    apiObjectOf(workload).addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 5));
  }
  return workload;
}

/** A ClusterIP Service in front of a component. @internal */
export function componentService(scope: Construct, identity: ComponentIdentity, workload: kplus.Deployment | kplus.DaemonSet, ports: Array<{ name: string; port: number }>): kplus.Service {
  const service = new kplus.Service(scope, 'Service', {
    metadata: meta(identity),
    type: kplus.ServiceType.CLUSTER_IP,
    selector: workload,
    ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: kplus.Protocol.TCP })),
  });
  return service;
}

/**
 * The pods of a component as a NetworkPolicy peer, selected by its selector
 * labels and namespace (cdk8s-plus would select a workload by a label derived
 * from its construct path).
 *
 * @internal
 */
export function componentPeer(scope: Construct, id: string, identity: ComponentIdentity): kplus.Pods {
  const namespaces = kplus.Namespaces.select(scope, `${id}Namespace`, { names: [identity.namespace] });
  return kplus.Pods.select(scope, id, { labels: identity.selectorLabels, namespaces });
}

/** A NetworkPolicy that denies ingress to a component except what is added later. @internal */
export function componentNetworkPolicy(scope: Construct, identity: ComponentIdentity, workload: kplus.Deployment | kplus.DaemonSet): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: meta(identity),
    selector: workload,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

/** The volume a component keeps its data on, and the claim when there is one. @internal */
export function dataVolume(scope: Construct, identity: ComponentIdentity, storage: Storage): { volume: kplus.Volume; claim?: kplus.PersistentVolumeClaim } {
  if (storage.kind === StorageKind.EMPTY_DIR) {
    const volume = kplus.Volume.fromEmptyDir(scope, 'DataVolume', 'data');
    EMPTY_DIR_LIMITS.set(volume, storage.size);
    return { volume };
  }
  const claim = new kplus.PersistentVolumeClaim(scope, 'Storage', {
    metadata: meta(identity, `${identity.name}-data`),
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    storageClassName: storage.storageClassName,
    volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
  });
  // cdk8s-plus-27 takes the size only as a Size; keep the quantity as written.
  apiObjectOf(claim).addJsonPatch(JsonPatch.add('/spec/resources', { requests: { storage: k8s.Quantity.fromString(storage.size) } }));
  return { volume: kplus.Volume.fromPersistentVolumeClaim(scope, 'DataVolume', claim, { name: 'data' }), claim };
}

/** Checks a prop that must be set only in one mode. @internal */
export function rejectInMode(scope: IConstruct, prop: string, value: unknown, rule: string): void {
  if (value !== undefined) {
    fail(scope, `${prop} (${show(summarize(value))}) ${rule}`);
  }
}

function summarize(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return `{${Object.keys(value).join(', ')}}`;
  }
  return value;
}

/**
 * How long a stateful component may take to start (write-ahead log replay,
 * index loading) before the kubelet restarts it: `periodSeconds` ×
 * `failureThreshold` of its startup probe. Liveness only begins once the
 * startup probe passed, so a long replay never turns into a restart loop.
 *
 * @internal
 */
export const STARTUP_BUDGET = {
  /** Prometheus, Loki and Tempo replay a WAL: 15 minutes. */
  walReplay: { periodSeconds: 10, failureThreshold: 90 },
  /** Alertmanager loads its silence and notification-log snapshots: 5 minutes. */
  snapshots: { periodSeconds: 10, failureThreshold: 30 },
} as const;

/**
 * The three probes of a stateful component: a startup probe on the readiness
 * endpoint with `budget`, readiness, and liveness on an endpoint that answers
 * as long as the process serves HTTP (so a busy or not-yet-ready component is
 * taken out of the Service, not restarted).
 *
 * @internal
 */
export function statefulProbes(port: number, paths: { ready: string; alive: string }, budget: { periodSeconds: number; failureThreshold: number }): {
  startup: kplus.Probe; readiness: kplus.Probe; liveness: kplus.Probe;
} {
  return {
    startup: kplus.Probe.fromHttpGet(paths.ready, {
      port, periodSeconds: Duration.seconds(budget.periodSeconds), failureThreshold: budget.failureThreshold, timeoutSeconds: Duration.seconds(5),
    }),
    readiness: kplus.Probe.fromHttpGet(paths.ready, { port, periodSeconds: Duration.seconds(10), failureThreshold: 3, timeoutSeconds: Duration.seconds(5) }),
    liveness: kplus.Probe.fromHttpGet(paths.alive, { port, periodSeconds: Duration.seconds(20), failureThreshold: 6, timeoutSeconds: Duration.seconds(5) }),
  };
}
