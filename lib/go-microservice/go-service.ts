import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';
import { validatePinnedImage, versionFromImage } from '../common/images';
import { validateConfigKey, validateDnsLabel, validateDnsSubdomain, validateEnvName } from '../common/names';
import { resolveResources } from '../common/pod-hardening';
import { parseQuantity } from '../common/quantities';
import { seconds } from '../common/durations';
import { KubernetesFeature, requireKubernetesFeature, supportsKubernetesFeature } from '../common/kubernetes-version';
import { validateDistinct, validateHttpPath, validateIntegerInRange, validatePort, validateRatio } from '../common/validate';
import { ExternalSecretSource } from './external-secret';
import { Probe, ProbeKind, ProbeOptions } from './probe';
import { GracefulShutdownOptions, PreStop, PreStopKind } from './shutdown';

/** A reference to one key of a Kubernetes Secret. The value never enters a manifest. */
export interface SecretKeyReference {
  /** Name of the Secret, in the service's namespace. */
  readonly secretName: string;
  /** Key inside the Secret. */
  readonly key: string;
  /**
   * Start the pod even when the Secret or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** CPU and memory quantities, written as in YAML (`'250m'`, `'256Mi'`). */
export interface ResourceQuantities {
  /**
   * CPU, in cores (`'1'`) or millicores (`'250m'`).
   * @default - the default of the option the quantities are given for
   */
  readonly cpu?: string;
  /**
   * Memory, in bytes with a binary suffix (`'256Mi'`, `'1Gi'`).
   * @default - the default of the option the quantities are given for
   */
  readonly memory?: string;
}

/** Container requests and limits. Each quantity left out keeps its default. */
export interface ResourceOptions {
  /**
   * What the scheduler reserves.
   * @default { cpu: '100m', memory: '128Mi' }
   */
  readonly requests?: ResourceQuantities;
  /**
   * The most the container may use; must be at least the request.
   * @default { cpu: '500m', memory: '512Mi' }
   */
  readonly limits?: ResourceQuantities;
}

/** Go runtime tuning derived from the container's limits. */
export interface GoRuntimeOptions {
  /**
   * Set `GOMEMLIMIT` to `memoryLimitRatio` of the memory limit, so the
   * garbage collector works harder before the kernel kills the container.
   * @default true
   */
  readonly setMemoryLimit?: boolean;

  /**
   * Share of the memory limit given to `GOMEMLIMIT`; the rest is headroom for
   * non-heap memory.
   * @default 0.9
   */
  readonly memoryLimitRatio?: number;

  /**
   * Set `GOMAXPROCS` to the CPU limit rounded up, so the scheduler does not
   * run more threads than the container may use and get throttled.
   * @default true
   */
  readonly setMaxProcs?: boolean;
}

/**
 * The description of one Go service, shared by every rendering of it: the
 * Kubernetes `GoMicroservice` and the local Docker stack.
 */
export interface GoServiceProps {
  /** Container image, pinned by tag or digest. `latest` is rejected. */
  readonly image: string;

  /**
   * Name of the service: `metadata.name` of its objects and the DNS name
   * `<name>.<namespace>.svc`. A DNS-1035 label.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * Container port of the HTTP server (named `http`).
   * @default 8080
   */
  readonly httpPort?: number;

  /**
   * Container port of the gRPC server (named `grpc`), exposed on the same
   * Service port with `appProtocol: kubernetes.io/h2c`.
   * @default - no gRPC port
   */
  readonly grpcPort?: number;

  /**
   * A separate container port for `/metrics` (named `metrics`).
   * @default - metrics are served on the HTTP port
   */
  readonly metricsPort?: number;

  /**
   * HTTP path of the Prometheus metrics endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * A dedicated container port for probes (named `health`).
   * @default - probes use the HTTP port (or the gRPC port for gRPC probes)
   */
  readonly healthPort?: number;

  /**
   * Readiness, liveness and startup probes; each one left out keeps its default.
   * @default - see `ProbeOptions`
   */
  readonly probes?: ProbeOptions;

  /**
   * CPU and memory requests and limits.
   * @default - requests 100m/128Mi, limits 500m/512Mi
   */
  readonly resources?: ResourceOptions;

  /**
   * Plain settings, injected as environment variables from a ConfigMap whose
   * name carries a hash of its content, so a change rolls the pods. Keys are
   * environment variable names. Secrets do not belong here: use `secretEnv`.
   * @default - no ConfigMap
   */
  readonly config?: Record<string, string>;

  /**
   * Environment variables read from Secret keys, by reference only: a key of
   * an existing Secret, or a value in an external store
   * (`ExternalSecretSource.vaultKv(...)` and others), which the workload reads
   * into a Secret of its own with an External Secrets Operator `ExternalSecret`.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretKeyReference | ExternalSecretSource>;

  /**
   * Names of whole Secrets whose keys all become environment variables.
   * @default - none
   */
  readonly secretEnvFrom?: string[];

  /**
   * `GOMEMLIMIT` and `GOMAXPROCS` from the container's limits.
   * @default - both set, GOMEMLIMIT at 90% of the memory limit
   */
  readonly goRuntime?: GoRuntimeOptions;

  /**
   * Graceful shutdown timing and mechanism.
   * @default - app-side drain: 5s delay, 20s drain, 30s grace period
   */
  readonly shutdown?: GracefulShutdownOptions;
}

/** The well-known port names of a Go service. */
export type GoServicePortName = 'http' | 'grpc' | 'metrics' | 'health';

/** One resolved container port. */
export interface GoServicePort {
  /** `http`, `grpc`, `metrics` or `health`. */
  readonly name: GoServicePortName;
  /** Container port number. */
  readonly number: number;
}

/** One probe with every timing resolved. */
export interface ResolvedProbe {
  /** HTTP or gRPC. */
  readonly kind: ProbeKind;
  /**
   * HTTP path, for HTTP probes.
   * @default - none, for gRPC probes
   */
  readonly path?: string;
  /**
   * gRPC health service name, for gRPC probes.
   * @default - none, for HTTP probes; a gRPC probe without one checks the whole server
   */
  readonly grpcService?: string;
  /** Container port. */
  readonly port: number;
  /** Seconds before the first probe. */
  readonly initialDelaySeconds: number;
  /** Seconds between probes. */
  readonly periodSeconds: number;
  /** Seconds one probe may take. */
  readonly timeoutSeconds: number;
  /** Failures before the action. */
  readonly failureThreshold: number;
  /** Successes before passing again. */
  readonly successThreshold: number;
}

/** Resolved graceful shutdown timing, in seconds. */
export interface ResolvedShutdown {
  /** The pre-stop mechanism. */
  readonly preStop: PreStop;
  /** Wait before the process stops accepting requests. */
  readonly delaySeconds: number;
  /** Longest drain of in-flight requests. */
  readonly drainTimeoutSeconds: number;
  /** `terminationGracePeriodSeconds`. */
  readonly terminationGracePeriodSeconds: number;
}

/**
 * A Go service description after validation, with every default filled in.
 * GoMicroservice and LocalDockerStack both render from this.
 */
export interface GoServiceSettings {
  /** `metadata.name`, host name and container name. */
  readonly name: string;
  /** The pinned image. */
  readonly image: string;
  /**
   * Image tag or short digest, for the version label.
   * @default - none: the image has neither tag nor digest to show
   */
  readonly version?: string;
  /** HTTP container port (a worker's metrics port, which serves its probes). */
  readonly httpPort: number;
  /**
   * gRPC container port, if any.
   * @default - none: no gRPC port
   */
  readonly grpcPort?: number;
  /** Port that serves metrics (the HTTP port unless a separate one is set). */
  readonly metricsPort: number;
  /** Metrics path. */
  readonly metricsPath: string;
  /**
   * Dedicated health port, if any.
   * @default - none: probes use the HTTP (or gRPC) port
   */
  readonly healthPort?: number;
  /** Every container port, in the order http, grpc, metrics, health (none for a job). */
  readonly ports: GoServicePort[];
  /** Resolved probes. */
  readonly readiness: ResolvedProbe;
  /** Resolved liveness probe. */
  readonly liveness: ResolvedProbe;
  /** Resolved startup probe. */
  readonly startup: ResolvedProbe;
  /** CPU and memory requests, as written. */
  readonly requests: Required<ResourceQuantities>;
  /** CPU and memory limits, as written. */
  readonly limits: Required<ResourceQuantities>;
  /** CPU limit in cores. */
  readonly cpuLimitCores: number;
  /** Memory limit in bytes. */
  readonly memoryLimitBytes: number;
  /** Plain settings for the ConfigMap, in the caller's order. */
  readonly config: Record<string, string>;
  /** Secret key references and external sources, in the caller's order. */
  readonly secretEnv: Record<string, SecretKeyReference | ExternalSecretSource>;
  /** Whole Secrets injected as environment. */
  readonly secretEnvFrom: string[];
  /** Variables the library sets itself: Go runtime and shutdown timing. */
  readonly runtimeEnv: Record<string, string>;
  /** Resolved shutdown timing. */
  readonly shutdown: ResolvedShutdown;
}

/** Defaults of a Go service, in one place. */
export const GO_SERVICE_DEFAULTS = {
  httpPort: 8080,
  metricsPath: '/metrics',
  readinessPath: '/readyz',
  livenessPath: '/healthz',
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
  memoryLimitRatio: 0.9,
  shutdownDelaySeconds: 5,
  drainTimeoutSeconds: 20,
  terminationGracePeriodSeconds: 30,
  /** UID and GID of the non-root user in distroless `nonroot` images. */
  user: 65532,
} as const;

/** The environment variables through which the app-side drain learns its timing. */
export const SHUTDOWN_DELAY_ENV = 'SHUTDOWN_DELAY';
/** @see SHUTDOWN_DELAY_ENV */
export const SHUTDOWN_DRAIN_TIMEOUT_ENV = 'SHUTDOWN_DRAIN_TIMEOUT';

const SECRET_LIKE_KEY = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIALS?)$/i;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

interface ProbeDefaults {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

const READINESS: ProbeDefaults = { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
const LIVENESS: ProbeDefaults = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 };
const STARTUP: ProbeDefaults = { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 };

/**
 * What a workload serves, which decides its ports, probes and shutdown env:
 * `service` an HTTP (and gRPC) API; `worker` only metrics and health on
 * `metricsPort`, which takes the place of the HTTP port; `job` nothing (a
 * run-to-completion pod: no ports, no probes, no drain timing).
 *
 * @internal
 */
export type GoWorkloadShape = 'service' | 'worker' | 'job';

/** Default metrics port of a worker (it has no HTTP API port). */
export const WORKER_METRICS_PORT = 8080;

/**
 * Validates a Go service description and fills in every default. Errors name
 * `scope`'s construct path, the prop and value, and what is allowed.
 *
 * @internal
 */
export function resolveGoService(scope: IConstruct, props: GoServiceProps, defaultName: string, shape: GoWorkloadShape = 'service'): GoServiceSettings {
  if (typeof props.image !== 'string') {
    fail(scope, `image (${show(props.image)}) is required: a pinned image reference such as "registry.example.com/orders:1.4.2"`);
  }
  validatePinnedImage(scope, 'image', props.image);

  const name = props.name ?? defaultName;
  validateDnsLabel(scope, 'name', name);
  if (!DNS_1035_LABEL.test(name)) {
    fail(scope, `name (${show(name)}) must start with a letter: Service names are DNS-1035 labels`);
  }

  // A worker's metrics port plays the HTTP port's part: probes and preStop default to it.
  const worker = shape === 'worker';
  const httpPort = worker ? props.metricsPort ?? WORKER_METRICS_PORT : props.httpPort ?? GO_SERVICE_DEFAULTS.httpPort;
  const ports: GoServicePort[] = [{ name: worker ? 'metrics' : 'http', number: httpPort }];
  validatePort(scope, worker ? 'metricsPort' : 'httpPort', httpPort);
  if (worker && props.grpcPort !== undefined) {
    fail(scope, `grpcPort (${props.grpcPort}) has no use on a worker, which serves no API: remove it`);
  }
  if (props.grpcPort !== undefined) {
    validatePort(scope, 'grpcPort', props.grpcPort);
    ports.push({ name: 'grpc', number: props.grpcPort });
  }
  if (props.metricsPort !== undefined && !worker) {
    validatePort(scope, 'metricsPort', props.metricsPort);
    ports.push({ name: 'metrics', number: props.metricsPort });
  }
  if (props.healthPort !== undefined) {
    validatePort(scope, 'healthPort', props.healthPort);
    ports.push({ name: 'health', number: props.healthPort });
  }
  validateDistinct(scope, 'container port', worker
    ? [['metricsPort', httpPort], ['healthPort', props.healthPort]]
    : [['httpPort', httpPort], ['grpcPort', props.grpcPort], ['metricsPort', props.metricsPort], ['healthPort', props.healthPort]]);

  const metricsPath = props.metricsPath ?? GO_SERVICE_DEFAULTS.metricsPath;
  validateHttpPath(scope, 'metricsPath', metricsPath);

  const declared = ports.map((p) => p.number);
  const resolveProbe = (prop: string, probe: Probe, defaults: ProbeDefaults, livenessLike: boolean): ResolvedProbe => {
    const o = probe.options;
    const fallbackPort = props.healthPort ?? (probe.kind === ProbeKind.GRPC ? props.grpcPort : httpPort);
    const port = o.port ?? fallbackPort;
    if (port === undefined) {
      fail(scope, `${prop} is a gRPC probe but the service has no grpcPort or healthPort: set grpcPort, healthPort or the probe's port`);
    }
    if (!declared.includes(port)) {
      fail(scope, `${prop}.port (${port}) is not a container port of this service: use one of ${declared.join(', ')}`);
    }
    if (probe.kind === ProbeKind.HTTP) {
      validateHttpPath(scope, `${prop}.path`, probe.path!);
    }
    const resolved: ResolvedProbe = {
      kind: probe.kind,
      path: probe.path,
      grpcService: probe.grpcService,
      port,
      initialDelaySeconds: seconds(scope, `${prop}.initialDelay`, o.initialDelay, 0),
      periodSeconds: seconds(scope, `${prop}.period`, o.period, defaults.periodSeconds),
      timeoutSeconds: seconds(scope, `${prop}.timeout`, o.timeout, defaults.timeoutSeconds),
      failureThreshold: o.failureThreshold ?? defaults.failureThreshold,
      successThreshold: o.successThreshold ?? 1,
    };
    validateIntegerInRange(scope, `${prop}.period`, resolved.periodSeconds, 1, 3600);
    validateIntegerInRange(scope, `${prop}.timeout`, resolved.timeoutSeconds, 1, 3600);
    validateIntegerInRange(scope, `${prop}.failureThreshold`, resolved.failureThreshold, 1, 1000);
    validateIntegerInRange(scope, `${prop}.successThreshold`, resolved.successThreshold, 1, livenessLike ? 1 : 1000);
    return resolved;
  };

  const grpcDefault = props.grpcPort !== undefined;
  const readinessProbe = props.probes?.readiness ?? (grpcDefault ? Probe.grpc() : Probe.http(GO_SERVICE_DEFAULTS.readinessPath));
  const livenessProbe = props.probes?.liveness ?? (grpcDefault ? Probe.grpc() : Probe.http(GO_SERVICE_DEFAULTS.livenessPath));
  const startupProbe = props.probes?.startup ?? livenessProbe;
  const readiness = resolveProbe('probes.readiness', readinessProbe, READINESS, false);
  const liveness = resolveProbe('probes.liveness', livenessProbe, LIVENESS, true);
  const startup = props.probes?.startup
    ? resolveProbe('probes.startup', startupProbe, STARTUP, true)
    : { ...liveness, initialDelaySeconds: 0, ...STARTUP, successThreshold: 1 };

  const { requests, limits } = resolveResources(scope, 'resources', props.resources, GO_SERVICE_DEFAULTS);
  const cpuLimitCores = parseQuantity(limits.cpu)!;
  const memoryLimitBytes = parseQuantity(limits.memory)!;

  const shutdown = resolveShutdown(scope, props.shutdown ?? {}, declared, httpPort);

  const runtimeEnv: Record<string, string> = {};
  const runtime = props.goRuntime ?? {};
  if (runtime.setMemoryLimit ?? true) {
    const ratio = runtime.memoryLimitRatio ?? GO_SERVICE_DEFAULTS.memoryLimitRatio;
    validateRatio(scope, 'goRuntime.memoryLimitRatio', ratio);
    runtimeEnv.GOMEMLIMIT = `${Math.floor((memoryLimitBytes * ratio) / 2 ** 20)}MiB`;
  } else if (runtime.memoryLimitRatio !== undefined) {
    fail(scope, `goRuntime.memoryLimitRatio (${runtime.memoryLimitRatio}) has no effect when goRuntime.setMemoryLimit is false: remove one of them`);
  }
  if (runtime.setMaxProcs ?? true) {
    runtimeEnv.GOMAXPROCS = String(Math.max(1, Math.ceil(cpuLimitCores)));
  }
  if (shape !== 'job') {
    // With the kubelet's sleep action the wait is over when SIGTERM arrives.
    runtimeEnv[SHUTDOWN_DELAY_ENV] = `${shutdown.preStop.kind === PreStopKind.SLEEP ? 0 : shutdown.delaySeconds}s`;
    runtimeEnv[SHUTDOWN_DRAIN_TIMEOUT_ENV] = `${shutdown.drainTimeoutSeconds}s`;
  }

  const config = { ...(props.config ?? {}) };
  const secretEnv = { ...(props.secretEnv ?? {}) };
  const secretEnvFrom = [...(props.secretEnvFrom ?? [])];
  validateEnvironment(scope, config, secretEnv, secretEnvFrom, runtimeEnv);

  return {
    name,
    image: props.image,
    version: versionFromImage(props.image),
    httpPort,
    grpcPort: props.grpcPort,
    metricsPort: worker ? httpPort : props.metricsPort ?? httpPort,
    metricsPath,
    healthPort: props.healthPort,
    ports: shape === 'job' ? [] : ports,
    readiness,
    liveness,
    startup,
    requests,
    limits,
    cpuLimitCores,
    memoryLimitBytes,
    config,
    secretEnv,
    secretEnvFrom,
    runtimeEnv,
    shutdown,
  };
}

function resolveShutdown(scope: IConstruct, options: GracefulShutdownOptions, declaredPorts: number[], httpPort: number): ResolvedShutdown {
  const preStop = options.preStop
    ?? (supportsKubernetesFeature(scope, KubernetesFeature.LIFECYCLE_SLEEP_ACTION) ? PreStop.sleep() : PreStop.app());
  if (preStop.kind === PreStopKind.SLEEP) {
    requireKubernetesFeature(scope, 'shutdown.preStop', 'PreStop.sleep()', KubernetesFeature.LIFECYCLE_SLEEP_ACTION);
  }
  if (preStop.duration !== undefined && options.delay !== undefined) {
    fail(scope, `shutdown.preStop (PreStop.sleep(${preStop.duration.toSeconds({ integral: false })}s)) and shutdown.delay (${options.delay.toSeconds({ integral: false })}s) set the same wait: set one of them`);
  }
  const delaySeconds = seconds(scope, preStop.duration !== undefined ? 'shutdown.preStop.duration' : 'shutdown.delay', preStop.duration ?? options.delay, GO_SERVICE_DEFAULTS.shutdownDelaySeconds);
  if (preStop.kind === PreStopKind.SLEEP && delaySeconds < 1) {
    fail(scope, `shutdown.delay (${delaySeconds}s) must be at least 1s with PreStop.sleep(): a zero sleep needs Kubernetes 1.33 and does nothing; use PreStop.app() for no wait`);
  }
  const drainTimeoutSeconds = seconds(scope, 'shutdown.drainTimeout', options.drainTimeout, GO_SERVICE_DEFAULTS.drainTimeoutSeconds);
  const terminationGracePeriodSeconds = seconds(scope, 'shutdown.terminationGracePeriod', options.terminationGracePeriod, GO_SERVICE_DEFAULTS.terminationGracePeriodSeconds);
  if (terminationGracePeriodSeconds < delaySeconds + drainTimeoutSeconds) {
    fail(scope, `shutdown.terminationGracePeriod (${terminationGracePeriodSeconds}s) must cover shutdown.delay (${delaySeconds}s) plus shutdown.drainTimeout (${drainTimeoutSeconds}s): use at least ${delaySeconds + drainTimeoutSeconds}s`);
  }
  if (preStop.kind === PreStopKind.HTTP) {
    validateHttpPath(scope, 'shutdown.preStop.path', preStop.path!);
    const port = preStop.port ?? httpPort;
    if (!declaredPorts.includes(port)) {
      fail(scope, `shutdown.preStop.port (${port}) is not a container port of this service: use one of ${declaredPorts.join(', ')}`);
    }
  }
  return { preStop, delaySeconds, drainTimeoutSeconds, terminationGracePeriodSeconds };
}

function validateEnvironment(
  scope: IConstruct,
  config: Record<string, string>,
  secretEnv: Record<string, SecretKeyReference | ExternalSecretSource>,
  secretEnvFrom: string[],
  runtimeEnv: Record<string, string>,
): void {
  const owner = new Map<string, string>(Object.keys(runtimeEnv).map((k) => [k, 'the Go runtime and shutdown settings (turn them off in goRuntime to set them yourself)']));
  const claim = (prop: string, key: string) => {
    validateEnvName(scope, prop, key);
    const other = owner.get(key);
    if (other !== undefined) {
      fail(scope, `${prop} sets ${show(key)}, which is already set by ${other}: each environment variable must be set once`);
    }
    owner.set(key, prop);
  };
  for (const [key, value] of Object.entries(config)) {
    claim('config', key);
    if (typeof value !== 'string') {
      fail(scope, `config.${key} (${show(value)}) must be a string: quote numbers and booleans as they should appear in the environment`);
    }
    if (SECRET_LIKE_KEY.test(key)) {
      fail(scope, `config.${key} looks like a secret: pass it by reference with secretEnv: { ${key}: { secretName, key } }, never as a value`);
    }
  }
  for (const [key, ref] of Object.entries(secretEnv)) {
    claim('secretEnv', key);
    if (ref instanceof ExternalSecretSource) {
      ref._resolve(scope, `secretEnv.${key}`);
      continue;
    }
    if (ref === null || typeof ref !== 'object' || typeof ref.secretName !== 'string' || typeof ref.key !== 'string') {
      fail(scope, `secretEnv.${key} received a value where a reference is expected: use { secretName: '<secret>', key: '<key>' } and keep the value in the Secret`);
    }
    validateDnsSubdomain(scope, `secretEnv.${key}.secretName`, ref.secretName);
    validateConfigKey(scope, `secretEnv.${key}.key`, ref.key);
  }
  const seen = new Set<string>();
  for (const secretName of secretEnvFrom) {
    validateDnsSubdomain(scope, 'secretEnvFrom', secretName);
    if (seen.has(secretName)) {
      fail(scope, `secretEnvFrom lists ${show(secretName)} twice: list each Secret once`);
    }
    seen.add(secretName);
  }
}
