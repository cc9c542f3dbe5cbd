import { Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { fail, show } from '../common/errors';
import { contentHash } from '../common/hash';
import { hardenPodTemplate, restrictedContainerSecurityContext } from '../common/pod-hardening';
import { validateEnvName } from '../common/names';
import { nativeSidecarsAvailable } from '../common/kubernetes-version';
import { addLateJsonPatch, apiObjectOf, k8s, kplus } from '../common/plus';
import { ExternalSecret } from '../../imports/external-secrets.io';
import { createExternalSecret, ExternalSecretSource, ResolvedExternalSecret, resolveExternalSecret } from './external-secret';
import { GO_SERVICE_DEFAULTS, GoServiceSettings, ResolvedProbe, SecretKeyReference } from './go-service';
import { CONFIG_FILES_VOLUME, POD_DEFAULTS, PodVolumeKind, ResolvedPod, ResolvedPodContainer, TMP_VOLUME } from './pod-props';
import { Probe, ProbeKind } from './probe';
import { PreStopKind } from './shutdown';

/** Size of the `/tmp` emptyDir of every Go pod. @internal */
export const TMP_SIZE_LIMIT_MI = 64;

/** The environment variable the OpenTelemetry SDKs read resource attributes from. */
export const OTEL_RESOURCE_ATTRIBUTES_ENV = 'OTEL_RESOURCE_ATTRIBUTES';

/** Object metadata of the children of a Go workload. @internal */
export interface ChildMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
}

/** What differs between the workloads that share the Go pod template. @internal */
export interface GoPodTemplateOptions {
  /** JSON pointer of the pod template inside the workload's manifest. */
  readonly templatePath: string;
  /** The workload kind for the `k8s.<kind>.name` resource attribute: `deployment`, `cronjob`, `job`. */
  readonly workloadKind: 'deployment' | 'cronjob' | 'job';
  /** Metadata for the ConfigMaps the template creates. */
  readonly metadata: (name: string) => ChildMetadata;
  /** Main container entrypoint (jobs). */
  readonly command?: string[];
  /** Main container arguments (jobs). */
  readonly args?: string[];
  /** Init containers the library adds before the user's (e.g. waiting for a migration). */
  readonly extraInitContainers?: k8s.Container[];
  /** Volumes those init containers need. */
  readonly extraVolumes?: k8s.Volume[];
  /** A template of the same workload whose ConfigMaps and ExternalSecret this one uses instead of creating its own (a release track). */
  readonly shareConfigMapsOf?: GoPodTemplate;
  /** `metadata.name` of the workload, for the `k8s.<kind>.name` resource attribute; the service name by default. */
  readonly workloadName?: string;
}

/**
 * The pod template every Go workload shares: the hardened main container
 * (image, ports, probes, env, Go runtime tuning, graceful shutdown), config
 * and secret files, volumes, init containers and sidecars, scheduling, and
 * the downward API environment. GoMicroservice, GoWorker, GoCronJob and
 * GoMigrationJob render their pods through it, so they cannot drift.
 *
 * @internal
 */
export class GoPodTemplate {
  /** The main container. */
  public readonly container: kplus.Container;
  /** ConfigMap of plain settings (environment), when `config` is set. */
  public readonly configMap?: kplus.ConfigMap;
  /** ConfigMap of configuration files, when `configFiles` is set. */
  public readonly filesConfigMap?: kplus.ConfigMap;
  /** The ExternalSecret that reads the external values of `secretEnv` and `secretFiles`, when there are any. */
  public readonly externalSecret?: ExternalSecret;
  /** The resolved ExternalSecret, when there is one. */
  public readonly external?: ResolvedExternalSecret;
  /** Names of the Secrets the pod references that nothing in the pod's set creates, sorted. */
  public readonly secretNames: string[];
  /** True when the sidecars are native (init containers with `restartPolicy: Always`). */
  public readonly nativeSidecars: boolean;

  private readonly envOwners = new Set<string>();
  private readonly scope: Construct;
  /** Mutated as attributes are added; the JSON patch that renders it reads it at synth. */
  private readonly otelVariable?: { name: string; value: string };
  private readonly ownAttributes: Array<[string, string]> = [];
  private readonly addedAttributes: Array<[string, string]> = [];

  public constructor(scope: Construct, workload: kplus.Deployment | kplus.Job | kplus.CronJob, settings: GoServiceSettings, pod: ResolvedPod, options: GoPodTemplateOptions) {
    this.scope = scope;
    const s = settings;
    const spec = `${options.templatePath}/spec`;

    const shared = options.shareConfigMapsOf;
    if (shared) {
      this.configMap = shared.configMap;
      this.filesConfigMap = shared.filesConfigMap;
    } else if (Object.keys(s.config).length > 0) {
      this.configMap = new kplus.ConfigMap(scope, 'Config', {
        metadata: options.metadata(`${s.name}-config-${contentHash(s.config)}`),
        data: s.config,
        immutable: true,
      });
    }
    if (pod.configFiles !== undefined && !shared) {
      this.filesConfigMap = new kplus.ConfigMap(scope, 'ConfigFiles', {
        metadata: options.metadata(`${s.name}-files-${contentHash(pod.configFiles.files)}`),
        data: pod.configFiles.files,
        immutable: true,
      });
    }

    const plainSecretEnv = Object.entries(s.secretEnv).filter((e): e is [string, SecretKeyReference] => !(e[1] instanceof ExternalSecretSource));
    // A release track reads the Secret of its service's ExternalSecret, like its ConfigMaps.
    this.external = shared ? shared.external : resolveExternalSecret(scope, s.name, {
      env: Object.entries(s.secretEnv).filter((e): e is [string, ExternalSecretSource] => e[1] instanceof ExternalSecretSource),
      files: pod.secretFiles.map((f, index) => ({ index, files: Object.entries(f.external ?? {}) })).filter((f) => f.files.length > 0),
      referenced: [
        ...plainSecretEnv.map(([k, r]): [string, string] => [`secretEnv.${k}.secretName`, r.secretName]),
        ...s.secretEnvFrom.map((n): [string, string] => ['secretEnvFrom', n]),
        ...pod.secretFiles.flatMap((f, i): Array<[string, string]> => f.secretName !== undefined ? [[`secretFiles[${i}].secretName`, f.secretName]] : []),
        ...pod.imagePullSecrets.map((n): [string, string] => ['imagePullSecrets', n]),
        ...[...pod.initContainers.map((c, i) => ({ c, prop: `initContainers[${i}]` })), ...pod.sidecars.map((c, i) => ({ c, prop: `sidecars[${i}]` }))]
          .flatMap(({ c, prop }) => Object.entries(c.secretEnv).map(([k, r]): [string, string] => [`${prop}.secretEnv.${k}.secretName`, r.secretName])),
      ],
      options: pod.externalSecrets,
    });
    this.externalSecret = shared
      ? shared.externalSecret
      : this.external && createExternalSecret(scope, this.external, options.metadata(this.external.name));
    if (this.externalSecret !== undefined) {
      // Applied before the workload; its pods wait for the Secret the operator creates.
      workload.node.addDependency(this.externalSecret);
    }

    const tmp = kplus.Volume.fromEmptyDir(scope, 'TmpVolume', TMP_VOLUME, { sizeLimit: Size.mebibytes(TMP_SIZE_LIMIT_MI) });
    workload.addVolume(tmp);

    const envFrom: kplus.EnvFrom[] = [];
    if (this.configMap) {
      envFrom.push(kplus.Env.fromConfigMap(this.configMap));
    }
    s.secretEnvFrom.forEach((secretName, i) => {
      envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(scope, `SecretEnvFrom${i}`, secretName)));
    });
    const envVariables: Record<string, kplus.EnvValue> = {};
    if (pod.downwardApiEnv) {
      // First, so later variables may refer to them as $(POD_NAME).
      envVariables.POD_NAME = kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME);
      envVariables.POD_NAMESPACE = kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE);
      // cdk8s-plus-27 has no EnvFieldPaths member for spec.nodeName.
      envVariables.NODE_NAME = kplus.EnvValue.fromFieldRef('spec.nodeName' as kplus.EnvFieldPaths);
    }
    for (const [name, value] of Object.entries(s.runtimeEnv)) {
      envVariables[name] = kplus.EnvValue.fromValue(value);
    }
    for (const [name, ref] of Object.entries(s.secretEnv)) {
      const external = ref instanceof ExternalSecretSource;
      const secret = kplus.Secret.fromSecretName(scope, `SecretEnv-${name}`, external ? this.external!.name : ref.secretName);
      envVariables[name] = external
        ? kplus.EnvValue.fromSecretValue({ secret, key: this.external!.envKeys[name] }, { optional: false })
        : kplus.EnvValue.fromSecretValue({ secret, key: ref.key }, { optional: ref.optional ?? false });
    }
    for (const name of [...Object.keys(s.config), ...Object.keys(envVariables)]) {
      if (pod.downwardApiEnv && name in s.config && ['POD_NAME', 'POD_NAMESPACE', 'NODE_NAME', OTEL_RESOURCE_ATTRIBUTES_ENV].includes(name)) {
        fail(scope, `config sets ${show(name)}, which downwardApiEnv already sets: remove it, or set downwardApiEnv: false`);
      }
      this.envOwners.add(name);
    }
    if (pod.downwardApiEnv) {
      this.envOwners.add(OTEL_RESOURCE_ATTRIBUTES_ENV);
    }

    const serves = s.ports.length > 0;
    const preStop = s.shutdown.preStop;
    workload.addContainer({
      name: s.name,
      image: s.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: options.command,
      args: options.args,
      ports: s.ports.map((p) => ({ name: p.name, number: p.number, protocol: kplus.Protocol.TCP })),
      envFrom,
      envVariables,
      readiness: serves ? httpProbe(s.readiness) : undefined,
      liveness: serves ? httpProbe(s.liveness) : undefined,
      startup: serves ? httpProbe(s.startup) : undefined,
      lifecycle: serves && preStop.kind === PreStopKind.HTTP
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
    this.container = workload.containers[0];

    const api = apiObjectOf(workload);
    const main = `${spec}/containers/0`;
    // Seccomp profile, capability drop ALL and quantities as written: fields plus-27 lacks.
    hardenPodTemplate(workload, [{ requests: s.requests, limits: s.limits }], options.templatePath);
    if (serves && preStop.kind === PreStopKind.SLEEP) {
      // cdk8s-plus-27 has no sleep action (Kubernetes 1.30+; resolveGoService checked the target).
      addLateJsonPatch(api, JsonPatch.add(`${main}/lifecycle`, { preStop: { sleep: { seconds: s.shutdown.delaySeconds } } }));
    }
    if (serves) {
      for (const [field, probe] of [['readinessProbe', s.readiness], ['livenessProbe', s.liveness], ['startupProbe', s.startup]] as const) {
        if (probe.kind === ProbeKind.GRPC) {
          // cdk8s-plus-27 has no gRPC probe.
          api.addJsonPatch(JsonPatch.add(`${main}/${field}`, grpcProbe(probe)));
        }
      }
    }

    // Volumes beyond /tmp, scheduling fields and extra containers are written
    // as patches: plus-27 has no ephemeral volumes, secret defaultMode,
    // priorityClassName, several pull secrets or verbatim affinity. Patch
    // values are in the typed k8s.* shape: the object's toJson converts the
    // patched whole (Quantity, IntOrString) afterwards.
    const volumes: k8s.Volume[] = [...(options.extraVolumes ?? [])];
    const mounts: k8s.VolumeMount[] = [];
    if (pod.configFiles !== undefined) {
      volumes.push({ name: CONFIG_FILES_VOLUME, configMap: { name: this.filesConfigMap!.name, defaultMode: POD_DEFAULTS.configFileMode } });
      mounts.push({ name: CONFIG_FILES_VOLUME, mountPath: pod.configFiles.mountPath, readOnly: true });
    }
    pod.secretFiles.forEach((f, i) => {
      if (f.external !== undefined) {
        const items = Object.keys(f.external).map((path) => ({ key: this.external!.fileKeys[i][path], path }));
        volumes.push({ name: `secret-${i}`, secret: { secretName: this.external!.name, defaultMode: POD_DEFAULTS.secretFileMode, items, optional: false } });
        mounts.push({ name: `secret-${i}`, mountPath: f.mountPath, readOnly: true });
        return;
      }
      const items = f.items !== undefined ? Object.entries(f.items).map(([key, path]) => ({ key, path })) : undefined;
      volumes.push({ name: `secret-${i}`, secret: { secretName: f.secretName, defaultMode: POD_DEFAULTS.secretFileMode, items, optional: f.optional ?? false } });
      mounts.push({ name: `secret-${i}`, mountPath: f.mountPath, readOnly: true });
    });
    for (const v of pod.volumes) {
      const o = v._options;
      switch (v.kind) {
        case PodVolumeKind.EMPTY_DIR:
          volumes.push({ name: v.name, emptyDir: { sizeLimit: q(o.sizeLimit ?? POD_DEFAULTS.emptyDirSizeLimit), medium: o.memory ? 'Memory' : undefined } });
          mounts.push({ name: v.name, mountPath: v.mountPath });
          break;
        case PodVolumeKind.PERSISTENT_VOLUME_CLAIM:
          volumes.push({ name: v.name, persistentVolumeClaim: { claimName: o.claimName!, readOnly: o.readOnly ?? false } });
          mounts.push({ name: v.name, mountPath: v.mountPath, readOnly: o.readOnly ?? false });
          break;
        case PodVolumeKind.EPHEMERAL:
          volumes.push({
            name: v.name,
            ephemeral: {
              volumeClaimTemplate: {
                metadata: { labels: options.metadata(s.name).labels },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: q(o.storage!) } }, storageClassName: o.storageClassName },
              },
            },
          });
          mounts.push({ name: v.name, mountPath: v.mountPath });
          break;
      }
    }
    for (const volume of volumes) {
      api.addJsonPatch(JsonPatch.add(`${spec}/volumes/-`, volume));
    }
    for (const mount of mounts) {
      api.addJsonPatch(JsonPatch.add(`${main}/volumeMounts/-`, mount));
    }

    // From Kubernetes 1.29 sidecars are native: init containers with
    // restartPolicy Always, started before the user's init containers and the
    // main container, stopped after it. Below, they are regular containers,
    // which Kubernetes stops at the same time as the main one.
    this.nativeSidecars = pod.sidecars.length > 0 && nativeSidecarsAvailable(scope);
    const extra = options.extraInitContainers ?? [];
    const native = this.nativeSidecars ? pod.sidecars.map(extraContainer) : [];
    const initContainers = [...extra, ...native, ...pod.initContainers.map(extraContainer)];
    if (initContainers.length > 0) {
      api.addJsonPatch(JsonPatch.add(`${spec}/initContainers`, initContainers));
    }
    native.forEach((_c, i) => {
      // cdk8s-plus-27's Container type has no restartPolicy (Kubernetes 1.28+).
      addLateJsonPatch(api, JsonPatch.add(`${spec}/initContainers/${extra.length + i}/restartPolicy`, 'Always'));
    });
    if (!this.nativeSidecars) {
      for (const c of pod.sidecars) {
        api.addJsonPatch(JsonPatch.add(`${spec}/containers/-`, extraContainer(c)));
      }
    }

    if (pod.nodeSelector !== undefined) {
      api.addJsonPatch(JsonPatch.add(`${spec}/nodeSelector`, pod.nodeSelector));
    }
    if (pod.tolerations.length > 0) {
      api.addJsonPatch(JsonPatch.add(`${spec}/tolerations`, pod.tolerations.map((t): k8s.Toleration => ({
        key: t.key, operator: t.operator ?? 'Equal', value: t.value, effect: t.effect, tolerationSeconds: t.tolerationSeconds,
      }))));
    }
    if (pod.affinity !== undefined) {
      api.addJsonPatch(JsonPatch.add(`${spec}/affinity`, pod.affinity));
    }
    if (pod.priorityClassName !== undefined) {
      api.addJsonPatch(JsonPatch.add(`${spec}/priorityClassName`, pod.priorityClassName));
    }
    if (pod.imagePullSecrets.length > 0) {
      api.addJsonPatch(JsonPatch.add(`${spec}/imagePullSecrets`, pod.imagePullSecrets.map((name) => ({ name }))));
    }

    if (pod.downwardApiEnv) {
      this.ownAttributes.push(
        ['k8s.pod.name', '$(POD_NAME)'],
        ['k8s.namespace.name', '$(POD_NAMESPACE)'],
        ['k8s.node.name', '$(NODE_NAME)'],
        [`k8s.${options.workloadKind}.name`, options.workloadName ?? s.name],
        ['k8s.container.name', s.name],
      );
      if (s.version !== undefined) {
        this.ownAttributes.push(['service.version', s.version]);
      }
      this.otelVariable = { name: OTEL_RESOURCE_ATTRIBUTES_ENV, value: '' };
      this.renderAttributes();
      // Appended at synth as the last variable, so values added later with
      // addEnvironment (and the variables they refer to) come before it.
      api.addJsonPatch(JsonPatch.add(`${main}/env/-`, this.otelVariable));
    }

    // The external Secret is created from the ExternalSecret in the same set: not listed.
    const secrets = new Set<string>([...plainSecretEnv.map(([, r]) => r.secretName), ...s.secretEnvFrom]);
    pod.secretFiles.filter((f) => f.secretName !== undefined && !(f.optional ?? false)).forEach((f) => secrets.add(f.secretName!));
    for (const c of [...pod.initContainers, ...pod.sidecars]) {
      Object.values(c.secretEnv).filter((r) => !(r.optional ?? false)).forEach((r) => secrets.add(r.secretName));
    }
    this.secretNames = [...secrets].sort();
  }

  /**
   * Adds an environment variable to the main container. Names set twice are
   * rejected, except `OTEL_RESOURCE_ATTRIBUTES` with the downward API env on:
   * its attributes are merged into the pod's own, which fill only the keys
   * the caller left open.
   */
  public addEnvironment(name: string, value: kplus.EnvValue): void {
    validateEnvName(this.scope, 'addEnvironment', name);
    if (name === OTEL_RESOURCE_ATTRIBUTES_ENV && this.otelVariable !== undefined && this.addedAttributes.length === 0) {
      if (typeof value.value !== 'string' || value.valueFrom !== undefined) {
        fail(this.scope, `addEnvironment sets ${show(name)} from a reference: give its attributes as a plain "key=value,key=value" string`);
      }
      for (const pair of value.value.split(',')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          fail(this.scope, `addEnvironment sets ${show(name)} with ${show(pair)}, which is not key=value: separate attributes with ','`);
        }
        this.addedAttributes.push([pair.slice(0, eq).trim(), pair.slice(eq + 1)]);
      }
      this.renderAttributes();
      return;
    }
    if (this.envOwners.has(name)) {
      fail(this.scope, `addEnvironment sets ${show(name)}, which is already set: each environment variable must be set once`);
    }
    this.envOwners.add(name);
    this.container.env.addVariable(name, value);
  }

  private renderAttributes(): void {
    const given = new Set(this.addedAttributes.map(([k]) => k));
    const all = [...this.addedAttributes, ...this.ownAttributes.filter(([k]) => !given.has(k))];
    this.otelVariable!.value = all.map(([k, v]) => `${k}=${v}`).join(',');
  }
}

function extraContainer(c: ResolvedPodContainer): k8s.Container {
  const env: k8s.EnvVar[] = [
    ...Object.entries(c.env).map(([name, value]) => ({ name, value })),
    ...Object.entries(c.secretEnv).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key, optional: ref.optional ?? false } } })),
  ];
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    env: env.length > 0 ? env : undefined,
    ports: c.ports.length > 0 ? c.ports.map((p) => ({ name: p.name, containerPort: p.number, protocol: 'TCP' })) : undefined,
    readinessProbe: c.probes ? extraProbe(c.probes.readiness, 'readiness') : undefined,
    livenessProbe: c.probes ? extraProbe(c.probes.liveness, 'liveness') : undefined,
    resources: {
      requests: { cpu: q(c.resources.requests.cpu), memory: q(c.resources.requests.memory) },
      limits: { cpu: q(c.resources.limits.cpu), memory: q(c.resources.limits.memory) },
    },
    securityContext: restrictedContainerSecurityContext(GO_SERVICE_DEFAULTS.user),
    volumeMounts: [
      { name: TMP_VOLUME, mountPath: '/tmp' },
      ...c.mounts.map((m) => ({ name: m.volume, mountPath: m.path, readOnly: m.readOnly || undefined })),
    ],
  };
}

function extraProbe(probe: Probe, kind: 'readiness' | 'liveness'): k8s.Probe {
  const o = probe.options;
  const timing = {
    initialDelaySeconds: o.initialDelay?.toSeconds() ?? 0,
    periodSeconds: o.period?.toSeconds() ?? (kind === 'readiness' ? 5 : 10),
    timeoutSeconds: o.timeout?.toSeconds() ?? (kind === 'readiness' ? 2 : 3),
    failureThreshold: o.failureThreshold ?? (kind === 'readiness' ? 3 : 6),
    successThreshold: kind === 'readiness' ? o.successThreshold ?? 1 : 1,
  };
  return probe.kind === ProbeKind.GRPC
    ? { grpc: { port: o.port!, service: probe.grpcService }, ...timing }
    : { httpGet: { path: probe.path!, port: k8s.IntOrString.fromNumber(o.port!) }, ...timing };
}

function q(value: string): k8s.Quantity {
  return k8s.Quantity.fromString(value);
}

function httpProbe(p: ResolvedProbe): kplus.Probe | undefined {
  return p.kind === ProbeKind.HTTP
    ? kplus.Probe.fromHttpGet(p.path!, {
      port: p.port,
      initialDelaySeconds: Duration.seconds(p.initialDelaySeconds),
      periodSeconds: Duration.seconds(p.periodSeconds),
      timeoutSeconds: Duration.seconds(p.timeoutSeconds),
      failureThreshold: p.failureThreshold,
      successThreshold: p.successThreshold,
    })
    : undefined;
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

function cpu(quantity: string): kplus.Cpu {
  return quantity.endsWith('m') ? kplus.Cpu.millis(Number(quantity.slice(0, -1))) : kplus.Cpu.units(Number(quantity));
}
