import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';
import { validatePinnedImage } from '../common/images';
import { validateConfigKey, validateDnsLabel, validateDnsSubdomain, validateEnvName } from '../common/names';
import { ContainerResources, resolveResources } from '../common/pod-hardening';
import { k8s } from '../common/plus';
import { requireQuantity } from '../common/quantities';
import { validateDistinct, validateHttpPath, validateIntegerInRange, validatePort } from '../common/validate';
import { ExternalSecretSource, ExternalSecretsOptions } from './external-secret';
import { ResourceOptions, SecretKeyReference } from './go-service';
import { Probe, ProbeKind } from './probe';

/** How a toleration matches a taint's value. */
export enum TolerationOperator {
  /** The taint's value must equal the toleration's `value`. */
  EQUAL = 'Equal',
  /** Any value of the taint's key (or, without a key, every taint). */
  EXISTS = 'Exists',
}

/** What a taint does to pods that do not tolerate it. */
export enum TaintEffect {
  /** New pods are not scheduled on the node. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler avoids the node. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Running pods are evicted too. */
  NO_EXECUTE = 'NoExecute',
}

/** One toleration of a node taint. */
export interface Toleration {
  /**
   * Taint key to match; a label key.
   * @default - every key (only with `TolerationOperator.EXISTS`)
   */
  readonly key?: string;
  /**
   * How the value is matched.
   * @default TolerationOperator.EQUAL
   */
  readonly operator?: TolerationOperator;
  /**
   * Taint value, for `TolerationOperator.EQUAL`.
   * @default ''
   */
  readonly value?: string;
  /**
   * Taint effect to match.
   * @default - every effect
   */
  readonly effect?: TaintEffect;
  /**
   * How long a `NoExecute` taint is tolerated before eviction, in seconds.
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/**
 * Node and pod (anti-)affinity, in the Kubernetes `Affinity` shape. Used in
 * addition to the topology spread constraints, not instead of them.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#affinity-and-anti-affinity
 */
export type Affinity = k8s.Affinity;

/** Files from a content-hashed ConfigMap, mounted read-only in the main container. */
export interface ConfigFilesOptions {
  /** Absolute directory the files appear in, e.g. `/etc/orders`. */
  readonly mountPath: string;
  /** File name → content. Names are ConfigMap keys and plain file names (no `/`). */
  readonly files: Record<string, string>;
}

/**
 * Secret values mounted as files, by reference: read-only, mode 0400. Either
 * an existing Secret (`secretName`) or values in an external store
 * (`external`), which the workload reads into a Secret of its own with an
 * External Secrets Operator `ExternalSecret`.
 */
export interface SecretFilesOptions {
  /**
   * Name of an existing Secret, in the workload's namespace.
   * @default - none; set this or `external`
   */
  readonly secretName?: string;
  /**
   * File name → external source, e.g. `{ 'ca.pem': ExternalSecretSource.vaultKv(...) }`.
   * @default - none; set this or `secretName`
   */
  readonly external?: Record<string, ExternalSecretSource>;
  /** Absolute directory the files appear in, e.g. `/var/run/secrets/db`. */
  readonly mountPath: string;
  /**
   * Secret key → file name, to mount only some keys of `secretName`.
   * @default - every key, each as a file of its own name
   */
  readonly items?: Record<string, string>;
  /**
   * Start the pod even when the `secretName` Secret is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** Where a volume is mounted in an init container or sidecar. */
export interface VolumeMountOptions {
  /** Name of a volume in `volumes` (or `config-files`, a `secretFiles` volume's `secret-<index>`, `tmp`). */
  readonly volume: string;
  /** Absolute path in the container. */
  readonly path: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** The kinds of `PodVolume`. */
export enum PodVolumeKind {
  /** Node-local scratch space that lives as long as the pod. */
  EMPTY_DIR = 'EmptyDir',
  /** An existing PersistentVolumeClaim, by name. */
  PERSISTENT_VOLUME_CLAIM = 'PersistentVolumeClaim',
  /** A claim created with the pod and deleted with it. */
  EPHEMERAL = 'Ephemeral',
}

/** Options of `PodVolume.emptyDir`. */
export interface EmptyDirVolumeOptions {
  /** Volume name, a DNS-1123 label. */
  readonly name: string;
  /** Absolute path in the main container. */
  readonly mountPath: string;
  /**
   * Most the volume may hold before the pod is evicted.
   * @default '1Gi'
   */
  readonly sizeLimit?: string;
  /**
   * Back the volume with memory (tmpfs); its size counts against the memory limit.
   * @default false
   */
  readonly memory?: boolean;
}

/** Options of `PodVolume.persistentVolumeClaim`. */
export interface PersistentVolumeClaimVolumeOptions {
  /** Volume name, a DNS-1123 label. */
  readonly name: string;
  /** Absolute path in the main container. */
  readonly mountPath: string;
  /** Name of an existing PersistentVolumeClaim in the workload's namespace. */
  readonly claimName: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Options of `PodVolume.ephemeral`. */
export interface EphemeralVolumeOptions {
  /** Volume name, a DNS-1123 label. */
  readonly name: string;
  /** Absolute path in the main container. */
  readonly mountPath: string;
  /** Storage to request, e.g. `'10Gi'`. */
  readonly storage: string;
  /**
   * StorageClass of the claim.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** A pod volume mounted in the main container. */
export class PodVolume {
  /** Node-local scratch space with a size limit. */
  public static emptyDir(options: EmptyDirVolumeOptions): PodVolume {
    return new PodVolume(PodVolumeKind.EMPTY_DIR, options.name, options.mountPath, options);
  }

  /** An existing PersistentVolumeClaim. */
  public static persistentVolumeClaim(options: PersistentVolumeClaimVolumeOptions): PodVolume {
    return new PodVolume(PodVolumeKind.PERSISTENT_VOLUME_CLAIM, options.name, options.mountPath, options);
  }

  /** A generic ephemeral volume: a claim created from a template with each pod. */
  public static ephemeral(options: EphemeralVolumeOptions): PodVolume {
    return new PodVolume(PodVolumeKind.EPHEMERAL, options.name, options.mountPath, options);
  }

  private constructor(
    /** The kind of volume. */
    public readonly kind: PodVolumeKind,
    /** Volume name. */
    public readonly name: string,
    /** Mount path in the main container. */
    public readonly mountPath: string,
    /** The options as given. @internal */
    public readonly _options: Partial<EmptyDirVolumeOptions & PersistentVolumeClaimVolumeOptions & EphemeralVolumeOptions>,
  ) {}
}

/** A port of a sidecar. */
export interface SidecarPort {
  /** Port name, an IANA service name (at most 15 characters). */
  readonly name: string;
  /** Container port number. */
  readonly number: number;
}

/** An extra container of the pod: init container or sidecar. */
export interface PodContainerOptions {
  /** Container name, a DNS-1123 label distinct from the workload's name. */
  readonly name: string;
  /** Image, pinned by tag or digest like the main image. */
  readonly image: string;
  /**
   * Entrypoint.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's
   */
  readonly args?: string[];
  /**
   * Plain environment variables.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables from Secret keys, by reference.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretKeyReference>;
  /**
   * Requests and limits of this container. They do not change the main
   * container's `GOMEMLIMIT`/`GOMAXPROCS`.
   * @default - requests 50m/64Mi, limits 200m/128Mi
   */
  readonly resources?: ResourceOptions;
  /**
   * Volumes to mount (the pod's `/tmp` is always mounted).
   * @default - only `/tmp`
   */
  readonly mounts?: VolumeMountOptions[];
}

/** Probes of a sidecar: both are required, like the main container's. */
export interface SidecarProbes {
  /** Readiness probe, on one of the sidecar's ports. */
  readonly readiness: Probe;
  /** Liveness probe, on one of the sidecar's ports. */
  readonly liveness: Probe;
}

/** A container that runs beside the main one for the pod's whole life. */
export interface SidecarOptions extends PodContainerOptions {
  /**
   * Ports the sidecar listens on.
   * @default - none
   */
  readonly ports?: SidecarPort[];
  /** Readiness and liveness probes. */
  readonly probes: SidecarProbes;
}

/** Pod-level props shared by every Go workload shape (service, worker, cron job, migration job). */
export interface GoPodProps {
  /**
   * Node labels a node must carry to run the pods.
   * @default - any node
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Taints the pods tolerate.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Node and pod (anti-)affinity.
   * @default - none (services still spread with topology spread constraints)
   */
  readonly affinity?: Affinity;
  /**
   * PriorityClass of the pods.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Secrets of type `kubernetes.io/dockerconfigjson` used to pull images, by name.
   * @default - none (the ServiceAccount's or the node's credentials)
   */
  readonly imagePullSecrets?: string[];
  /**
   * Configuration files from a ConfigMap whose name carries a hash of the
   * files, so a change rolls the pods; mounted read-only in the main container.
   * @default - no config files
   */
  readonly configFiles?: ConfigFilesOptions;
  /**
   * Secrets mounted as read-only files (mode 0400, readable by the pod's group).
   * @default - none
   */
  readonly secretFiles?: SecretFilesOptions[];
  /**
   * How the `ExternalSecret` behind the external sources of `secretEnv` and
   * `secretFiles` refreshes. Only with at least one external source.
   * @default - refreshed every hour
   */
  readonly externalSecrets?: ExternalSecretsOptions;
  /**
   * Extra volumes of the main container: emptyDir, PersistentVolumeClaim, ephemeral.
   * @default - only the `/tmp` emptyDir
   */
  readonly volumes?: PodVolume[];
  /**
   * Containers that run to completion, in order, before the main container starts.
   * @default - none
   */
  readonly initContainers?: PodContainerOptions[];
  /**
   * Containers that run beside the main one (a database proxy, a log
   * forwarder). Rendered as regular containers: Kubernetes stops them at the
   * same time as the main container, not after it.
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];
  /**
   * Set `POD_NAME`, `POD_NAMESPACE` and `NODE_NAME` from the downward API and
   * complete `OTEL_RESOURCE_ATTRIBUTES` with the pod, namespace, node,
   * container and version attributes.
   * @default true
   */
  readonly downwardApiEnv?: boolean;
}

/** Default of `GoPodProps`. @internal */
export const POD_DEFAULTS = {
  emptyDirSizeLimit: '1Gi',
  secretFileMode: 0o400,
  configFileMode: 0o444,
  containerResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
} as const;

/** Name of the config files volume. @internal */
export const CONFIG_FILES_VOLUME = 'config-files';
/** Name of the scratch volume mounted at `/tmp` in every container. @internal */
export const TMP_VOLUME = 'tmp';

/** A resolved extra container. @internal */
export interface ResolvedPodContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, SecretKeyReference>;
  readonly resources: ContainerResources;
  readonly mounts: Array<{ volume: string; path: string; readOnly: boolean }>;
  readonly ports: SidecarPort[];
  readonly probes?: SidecarProbes;
}

/** `GoPodProps` after validation. @internal */
export interface ResolvedPod {
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations: Toleration[];
  readonly affinity?: Affinity;
  readonly priorityClassName?: string;
  readonly imagePullSecrets: string[];
  readonly configFiles?: ConfigFilesOptions;
  readonly secretFiles: SecretFilesOptions[];
  readonly externalSecrets?: ExternalSecretsOptions;
  readonly volumes: PodVolume[];
  readonly initContainers: ResolvedPodContainer[];
  readonly sidecars: ResolvedPodContainer[];
  readonly downwardApiEnv: boolean;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RESERVED_ENV = ['POD_NAME', 'POD_NAMESPACE', 'NODE_NAME', 'OTEL_RESOURCE_ATTRIBUTES'];

/** Checks a label key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. @internal */
export function validateLabelKey(scope: IConstruct | string, prop: string, key: string): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix));
  if (typeof key !== 'string' || !prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    fail(scope, `${prop} (${show(key)}) must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
  }
}

/** Checks a label value: empty, or at most 63 letters, digits, `-`, `_`, `.`. @internal */
export function validateLabelValue(scope: IConstruct | string, prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    fail(scope, `${prop} (${show(value)}) must be a label value: empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
  }
}

function validateMountPath(scope: IConstruct, prop: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || path.includes(':') || /\s/.test(path) || path.split('/').includes('..')) {
    fail(scope, `${prop} (${show(path)}) must be an absolute path below '/', without ':', spaces or '..'`);
  }
}

function validateFileName(scope: IConstruct, prop: string, name: string): void {
  validateConfigKey(scope, prop, name);
  if (name === '.' || name === '..') {
    fail(scope, `${prop} (${show(name)}) is not a file name: use a name other than '.' and '..'`);
  }
}

/**
 * Validates the pod-level props of a Go workload. `mainName` is the main
 * container's name, which extra containers may not reuse.
 *
 * @internal
 */
export function resolvePod(scope: IConstruct, props: GoPodProps, mainName: string): ResolvedPod {
  if (props.nodeSelector !== undefined) {
    for (const [key, value] of Object.entries(props.nodeSelector)) {
      validateLabelKey(scope, 'nodeSelector', key);
      validateLabelValue(scope, `nodeSelector.${key}`, value);
    }
  }

  const tolerations = props.tolerations ?? [];
  tolerations.forEach((t, i) => {
    const prop = `tolerations[${i}]`;
    const operator = t.operator ?? TolerationOperator.EQUAL;
    if (t.key !== undefined) {
      validateLabelKey(scope, `${prop}.key`, t.key);
    } else if (operator !== TolerationOperator.EXISTS) {
      fail(scope, `${prop}.key (undefined) is required with operator Equal: set a key, or use TolerationOperator.EXISTS to tolerate every taint`);
    }
    if (operator === TolerationOperator.EXISTS && t.value !== undefined) {
      fail(scope, `${prop}.value (${show(t.value)}) must be empty with operator Exists: remove the value or use TolerationOperator.EQUAL`);
    }
    if (t.value !== undefined) {
      validateLabelValue(scope, `${prop}.value`, t.value);
    }
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== TaintEffect.NO_EXECUTE) {
        fail(scope, `${prop}.tolerationSeconds (${t.tolerationSeconds}) applies only to effect NoExecute: set effect: TaintEffect.NO_EXECUTE or remove it`);
      }
      validateIntegerInRange(scope, `${prop}.tolerationSeconds`, t.tolerationSeconds, 0, 31536000);
    }
  });

  if (props.affinity !== undefined) {
    validateAffinity(scope, props.affinity);
  }
  if (props.priorityClassName !== undefined) {
    validateDnsSubdomain(scope, 'priorityClassName', props.priorityClassName);
  }
  const imagePullSecrets = [...(props.imagePullSecrets ?? [])];
  imagePullSecrets.forEach((n) => validateDnsSubdomain(scope, 'imagePullSecrets', n));
  validateDistinct(scope, 'image pull Secret', imagePullSecrets.map((n, i) => [`imagePullSecrets[${i}]`, n]));

  // Volume names and main-container mount paths are one namespace each.
  const volumeNames: Array<[string, string]> = [['the /tmp volume', TMP_VOLUME]];
  const mountPaths: Array<[string, string]> = [['the /tmp volume', '/tmp']];
  if (props.configFiles !== undefined) {
    const c = props.configFiles;
    validateMountPath(scope, 'configFiles.mountPath', c.mountPath);
    const names = Object.keys(c.files ?? {});
    if (names.length === 0) {
      fail(scope, 'configFiles.files ({}) is empty: add at least one file or remove configFiles');
    }
    for (const [name, content] of Object.entries(c.files)) {
      validateFileName(scope, 'configFiles.files', name);
      if (typeof content !== 'string') {
        fail(scope, `configFiles.files.${name} (${show(content)}) must be a string: the file's text`);
      }
    }
    volumeNames.push(['configFiles', CONFIG_FILES_VOLUME]);
    mountPaths.push(['configFiles.mountPath', c.mountPath]);
  }
  const secretFiles = [...(props.secretFiles ?? [])];
  secretFiles.forEach((f, i) => {
    const prop = `secretFiles[${i}]`;
    if (f.external !== undefined) {
      if (f.secretName !== undefined) {
        fail(scope, `${prop} sets both secretName (${show(f.secretName)}) and external: mount an existing Secret or external values, not both`);
      }
      if (f.items !== undefined || f.optional !== undefined) {
        fail(scope, `${prop} sets items or optional, which apply only to secretName: external names each file already`);
      }
      const files = Object.entries(f.external ?? {});
      if (files.length === 0) {
        fail(scope, `${prop}.external ({}) is empty: add at least one file or remove the entry`);
      }
      for (const [file, source] of files) {
        validateFileName(scope, `${prop}.external`, file);
        if (!(source instanceof ExternalSecretSource)) {
          fail(scope, `${prop}.external.${file} (${show(source)}) must be an ExternalSecretSource, e.g. ExternalSecretSource.vaultKv({ store, path, property })`);
        }
        source._resolve(scope, `${prop}.external.${file}`);
      }
    } else {
      if (f.secretName === undefined) {
        fail(scope, `${prop} sets neither secretName nor external: name an existing Secret or give external sources`);
      }
      validateDnsSubdomain(scope, `${prop}.secretName`, f.secretName);
    }
    validateMountPath(scope, `${prop}.mountPath`, f.mountPath);
    for (const [key, file] of Object.entries(f.items ?? {})) {
      validateConfigKey(scope, `${prop}.items`, key);
      validateFileName(scope, `${prop}.items.${key}`, file);
    }
    volumeNames.push([prop, `secret-${i}`]);
    mountPaths.push([`${prop}.mountPath`, f.mountPath]);
  });
  const volumes = [...(props.volumes ?? [])];
  volumes.forEach((v, i) => {
    const prop = `volumes[${i}]`;
    validateDnsLabel(scope, `${prop}.name`, v.name);
    validateMountPath(scope, `${prop}.mountPath`, v.mountPath);
    const o = v._options;
    switch (v.kind) {
      case PodVolumeKind.EMPTY_DIR:
        requireQuantity(scope, `${prop}.sizeLimit`, o.sizeLimit ?? POD_DEFAULTS.emptyDirSizeLimit, 'storage');
        break;
      case PodVolumeKind.PERSISTENT_VOLUME_CLAIM:
        validateDnsSubdomain(scope, `${prop}.claimName`, o.claimName!);
        break;
      case PodVolumeKind.EPHEMERAL:
        requireQuantity(scope, `${prop}.storage`, o.storage!, 'storage');
        if (o.storageClassName !== undefined) {
          validateDnsSubdomain(scope, `${prop}.storageClassName`, o.storageClassName);
        }
        break;
    }
    volumeNames.push([`${prop}.name`, v.name]);
    mountPaths.push([`${prop}.mountPath`, v.mountPath]);
  });
  validateDistinct(scope, 'volume name', volumeNames);
  validateDistinct(scope, 'mount path', mountPaths);
  const knownVolumes = volumeNames.map(([, n]) => n);

  const containerNames: Array<[string, string]> = [['the main container', mainName]];
  const resolveContainer = (prop: string, c: PodContainerOptions, sidecar: boolean): ResolvedPodContainer => {
    validateDnsLabel(scope, `${prop}.name`, c.name);
    containerNames.push([`${prop}.name`, c.name]);
    if (typeof c.image !== 'string') {
      fail(scope, `${prop}.image (${show(c.image)}) is required: a pinned image reference`);
    }
    validatePinnedImage(scope, `${prop}.image`, c.image);
    const env = { ...(c.env ?? {}) };
    const secretEnv = { ...(c.secretEnv ?? {}) };
    const seen = new Set<string>();
    for (const [key, value] of Object.entries(env)) {
      validateEnvName(scope, `${prop}.env`, key);
      if (typeof value !== 'string') {
        fail(scope, `${prop}.env.${key} (${show(value)}) must be a string: quote numbers and booleans as they should appear in the environment`);
      }
      seen.add(key);
    }
    for (const [key, ref] of Object.entries(secretEnv)) {
      validateEnvName(scope, `${prop}.secretEnv`, key);
      if (seen.has(key)) {
        fail(scope, `${prop}.secretEnv sets ${show(key)}, which is already set by ${prop}.env: each environment variable must be set once`);
      }
      if (ref === null || typeof ref !== 'object' || typeof ref.secretName !== 'string' || typeof ref.key !== 'string') {
        fail(scope, `${prop}.secretEnv.${key} received a value where a reference is expected: use { secretName: '<secret>', key: '<key>' } and keep the value in the Secret`);
      }
      validateDnsSubdomain(scope, `${prop}.secretEnv.${key}.secretName`, ref.secretName);
      validateConfigKey(scope, `${prop}.secretEnv.${key}.key`, ref.key);
    }
    const resources = resolveResources(scope, `${prop}.resources`, c.resources, POD_DEFAULTS.containerResources);
    const mountPathsHere: Array<[string, string]> = [['the /tmp volume', '/tmp']];
    const mounts = (c.mounts ?? []).map((m, j) => {
      if (!knownVolumes.includes(m.volume)) {
        fail(scope, `${prop}.mounts[${j}].volume (${show(m.volume)}) is not a volume of this pod: use one of ${knownVolumes.join(', ')}`);
      }
      if (m.volume === TMP_VOLUME) {
        fail(scope, `${prop}.mounts[${j}].volume ("tmp") is always mounted at /tmp: remove this mount`);
      }
      validateMountPath(scope, `${prop}.mounts[${j}].path`, m.path);
      mountPathsHere.push([`${prop}.mounts[${j}].path`, m.path]);
      return { volume: m.volume, path: m.path, readOnly: m.readOnly ?? false };
    });
    validateDistinct(scope, 'mount path', mountPathsHere);
    const ports: SidecarPort[] = [];
    let probes: SidecarProbes | undefined;
    if (sidecar) {
      const s = c as SidecarOptions;
      (s.ports ?? []).forEach((p, j) => {
        if (typeof p.name !== 'string' || p.name.length > 15 || !IANA_SVC_NAME.test(p.name) || !/[a-z]/.test(p.name)) {
          fail(scope, `${prop}.ports[${j}].name (${show(p.name)}) must be an IANA service name: at most 15 lower-case letters, digits and '-', with at least one letter`);
        }
        validatePort(scope, `${prop}.ports[${j}].number`, p.number);
        ports.push({ name: p.name, number: p.number });
      });
      if (s.probes === undefined || s.probes.readiness === undefined || s.probes.liveness === undefined) {
        fail(scope, `${prop}.probes (${show(s.probes)}) must set readiness and liveness: a sidecar that dies or hangs must be restarted and taken out of service like the main container`);
      }
      for (const kind of ['readiness', 'liveness'] as const) {
        const probe = s.probes[kind];
        const port = probe.options.port;
        if (port === undefined || !ports.some((p) => p.number === port)) {
          fail(scope, `${prop}.probes.${kind}.port (${show(port)}) must be one of the sidecar's ports: ${ports.length > 0 ? ports.map((p) => p.number).join(', ') : 'declare it in ports'}`);
        }
        if (probe.kind === ProbeKind.HTTP) {
          validateHttpPath(scope, `${prop}.probes.${kind}.path`, probe.path!);
        }
      }
      probes = s.probes;
    } else if ((c as SidecarOptions).ports !== undefined || (c as SidecarOptions).probes !== undefined) {
      fail(scope, `${prop} sets ports or probes, which an init container cannot use: remove them or make it a sidecar`);
    }
    return { name: c.name, image: c.image, command: c.command, args: c.args, env, secretEnv, resources, mounts, ports, probes };
  };
  const initContainers = (props.initContainers ?? []).map((c, i) => resolveContainer(`initContainers[${i}]`, c, false));
  const sidecars = (props.sidecars ?? []).map((c, i) => resolveContainer(`sidecars[${i}]`, c, true));
  validateDistinct(scope, 'container name', containerNames);

  return {
    nodeSelector: props.nodeSelector !== undefined ? { ...props.nodeSelector } : undefined,
    tolerations,
    affinity: props.affinity,
    priorityClassName: props.priorityClassName,
    imagePullSecrets,
    configFiles: props.configFiles,
    secretFiles,
    externalSecrets: props.externalSecrets,
    volumes,
    initContainers,
    sidecars,
    downwardApiEnv: props.downwardApiEnv ?? true,
  };
}

/** The environment variable names the downward API env takes. @internal */
export function downwardEnvNames(pod: ResolvedPod): string[] {
  return pod.downwardApiEnv ? RESERVED_ENV : [];
}

function validateAffinity(scope: IConstruct, affinity: Affinity): void {
  const weights = (prop: string, terms: Array<{ weight: number }> | undefined) => (terms ?? []).forEach((t, i) => {
    validateIntegerInRange(scope, `${prop}[${i}].weight`, t.weight, 1, 100);
  });
  const topology = (prop: string, terms: Array<{ topologyKey: string }> | undefined) => (terms ?? []).forEach((t, i) => {
    if (typeof t.topologyKey !== 'string' || t.topologyKey === '') {
      fail(scope, `${prop}[${i}].topologyKey (${show(t.topologyKey)}) is required: a node label key such as "kubernetes.io/hostname"`);
    }
    validateLabelKey(scope, `${prop}[${i}].topologyKey`, t.topologyKey);
  });
  weights('affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution', affinity.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
  const required = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== undefined && required.nodeSelectorTerms.length === 0) {
    fail(scope, 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms ([]) is empty: no node would match; add a term or remove it');
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const a = affinity[kind];
    const prop = `affinity.${kind}`;
    weights(`${prop}.preferredDuringSchedulingIgnoredDuringExecution`, a?.preferredDuringSchedulingIgnoredDuringExecution);
    topology(`${prop}.requiredDuringSchedulingIgnoredDuringExecution`, a?.requiredDuringSchedulingIgnoredDuringExecution);
    topology(`${prop}.preferredDuringSchedulingIgnoredDuringExecution[*].podAffinityTerm`,
      a?.preferredDuringSchedulingIgnoredDuringExecution?.map((p) => p.podAffinityTerm));
  }
}
