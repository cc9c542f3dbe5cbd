import * as path from 'path';
import { Container, ContainerHealthcheck, ContainerPorts } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { Network } from '@cdktf/provider-docker/lib/network';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { Duration } from 'cdk8s';
import { Fn, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { fail, show } from '../common/errors';
import { seconds } from '../common/durations';
import { contentHash } from '../common/hash';
import { validatePinnedImage } from '../common/images';
import { LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { parseQuantity } from '../common/quantities';
import { validatePort } from '../common/validate';
import { DockerfileWriteOptions, GO_DOCKERFILE_BUILD_ARGS, GoDockerfile, GoDockerfileProps, unmarkedFilesMessage } from '../docker/go-dockerfile';
import { GoServiceWorkflow, GoServiceWorkflowOptions } from '../docker/go-workflow';
import { ExternalSecretSource } from '../go-microservice/external-secret';
import { GoServicePortName, GoServiceProps, GoServiceSettings, resolveGoService, ResolvedProbe } from '../go-microservice/go-service';
import { ProbeKind } from '../go-microservice/probe';
import { LocalHealthCheck, LocalHealthCheckKind } from './local-health-check';
import { localPrometheusConfig } from './prometheus-config';

/** Docker restart policies. */
export enum RestartPolicy {
  /** Never restart. */
  NO = 'no',
  /** Restart after a non-zero exit. */
  ON_FAILURE = 'on-failure',
  /** Always restart, also after the engine restarts. */
  ALWAYS = 'always',
  /** Restart unless the container was stopped by hand. */
  UNLESS_STOPPED = 'unless-stopped',
}

/** One service of the local stack. */
export interface LocalServiceOptions {
  /**
   * The service description: the same `GoServiceProps` object a
   * `GoMicroservice` is built from. Ports, probes, limits, config and secret
   * references all come from it.
   */
  readonly service: GoServiceProps;

  /**
   * Name of the service when the description has none (a `GoMicroservice`
   * takes it from its construct id).
   * @default - `service.name`; one of the two is required
   */
  readonly name?: string;

  /**
   * Build context: the Go module root, relative to the folder Terraform runs
   * in. The generated `Dockerfile` and `.dockerignore` belong there
   * (`writeDockerfiles`).
   */
  readonly context: string;

  /**
   * Dockerfile options; name and ports come from the service.
   * @default - `GoDockerfile` defaults: distroless runtime, `./cmd/<name>`
   */
  readonly dockerfile?: Omit<GoDockerfileProps, 'service' | 'ports'>;

  /**
   * The service's GitHub Actions workflow (`writeWorkflows`); the service
   * description and the Dockerfile drive it.
   * @default - no workflow
   */
  readonly workflow?: GoServiceWorkflowOptions;

  /**
   * Host ports, by port name, published on 127.0.0.1.
   * @default - every container port on the same host port number
   */
  readonly hostPorts?: Partial<Record<GoServicePortName, number>>;

  /**
   * The container's Docker health check.
   * @default LocalHealthCheck.binary()
   */
  readonly healthCheck?: LocalHealthCheck;
}

/** A Prometheus container that scrapes every service. */
export interface LocalPrometheusOptions {
  /**
   * Prometheus image, pinned by tag or digest.
   * @default 'prom/prometheus:v3.5.0'
   */
  readonly image?: string;

  /**
   * Host port of the Prometheus UI, on 127.0.0.1.
   * @default 9090
   */
  readonly hostPort?: number;

  /**
   * How often each service is scraped.
   * @default Duration.seconds(15)
   */
  readonly scrapeInterval?: Duration;
}

/** Props of a `LocalDockerStack`. */
export interface LocalDockerStackProps {
  /** The services, in the order their containers are declared. */
  readonly services: LocalServiceOptions[];

  /**
   * Name of the Docker network the containers share; services reach each
   * other by service name on it.
   * @default - the stack id
   */
  readonly networkName?: string;

  /**
   * Restart policy of every container.
   * @default RestartPolicy.UNLESS_STOPPED
   */
  readonly restart?: RestartPolicy;

  /**
   * The buildx builder that builds the images. The generated Dockerfiles use
   * BuildKit cache mounts, which the legacy builder does not support.
   * @default 'default'
   */
  readonly builder?: string;

  /**
   * Docker engine address.
   * @default - `DOCKER_HOST`, or the local socket
   */
  readonly dockerHost?: string;

  /**
   * A Prometheus container scraping every service.
   * @default - no Prometheus
   */
  readonly prometheus?: LocalPrometheusOptions;
}

/** What the stack creates for one service. */
export interface LocalService {
  /** The resolved description. */
  readonly settings: GoServiceSettings;
  /** The generated Dockerfile. */
  readonly dockerfile: GoDockerfile;
  /**
   * The generated CI workflow, when `workflow` is set.
   * @default - none, when the service has no `workflow` options
   */
  readonly workflow?: GoServiceWorkflow;
  /** Build context, relative to the Terraform working directory. */
  readonly context: string;
  /** The `docker_image` built from the Dockerfile. */
  readonly image: Image;
  /** The `docker_container`. */
  readonly container: Container;
  /** One sensitive Terraform variable per secret reference, by environment variable name. */
  readonly secretVariables: Record<string, TerraformVariable>;
}

/** Defaults of the local stack, in one place. */
export const LOCAL_DOCKER_DEFAULTS = {
  restart: RestartPolicy.UNLESS_STOPPED,
  builder: 'default',
  hostIp: '127.0.0.1',
  tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
  prometheusImage: 'prom/prometheus:v3.5.0',
  prometheusPort: 9090,
  prometheusUser: '65534:65534',
  scrapeIntervalSeconds: 15,
} as const;

/**
 * A local Docker environment for Go services, as a cdktf stack.
 *
 * Takes the same service descriptions as `GoMicroservice` and creates a
 * `docker_network`, and per service a `docker_image` built from its generated
 * Dockerfile and a `docker_container` with the same ports, environment,
 * health endpoint, CPU and memory limits and security settings (read-only
 * root filesystem, UID 65532, all capabilities dropped). Secret references
 * become sensitive Terraform variables; their values never enter the JSON.
 * Optionally a Prometheus container scrapes every service.
 *
 * @example
 * const app = new App();
 * new LocalDockerStack(app, 'local', {
 *   services: [{ service: ordersProps, context: '../services/orders' }],
 *   prometheus: {},
 * });
 */
export class LocalDockerStack extends TerraformStack {
  /** The Docker provider. */
  public readonly provider: DockerProvider;
  /** The network every container joins. */
  public readonly network: Network;
  /** The services, in the caller's order. */
  public readonly services: LocalService[];
  /** The Prometheus image, when Prometheus is on. */
  public readonly prometheusImage?: Image;
  /** The Prometheus container, when Prometheus is on. */
  public readonly prometheus?: Container;
  /** The generated `prometheus.yml`, when Prometheus is on. */
  public readonly prometheusConfig?: string;

  /** Published host ports, with the container that publishes each. */
  private readonly hostPorts = new Map<number, string>();
  /** Container names taken so far. */
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: LocalDockerStackProps) {
    super(scope, id);

    if (!Array.isArray(props.services) || props.services.length === 0) {
      fail(this, 'services ([]) must list at least one service');
    }
    const networkName = props.networkName ?? id;
    validateDnsLabel(this, 'networkName', networkName);
    const restart = props.restart ?? LOCAL_DOCKER_DEFAULTS.restart;
    const builder = props.builder ?? LOCAL_DOCKER_DEFAULTS.builder;

    this.provider = new DockerProvider(this, 'Docker', { host: props.dockerHost });
    this.network = new Network(this, 'Network', { name: networkName, driver: 'bridge' });
    this.network.overrideLogicalId(networkName);

    this.services = props.services.map((options, i) => this.addService(`services[${i}]`, options, restart, builder));

    if (props.prometheus !== undefined) {
      const prometheus = this.addPrometheus(props.prometheus, restart);
      this.prometheusConfig = prometheus.config;
      this.prometheusImage = prometheus.image;
      this.prometheus = prometheus.container;
    }
  }

  /**
   * Writes each service's `Dockerfile` and `.dockerignore` into its build
   * context, resolved from `workingDirectory` (the folder Terraform runs in).
   * Returns the paths written.
   *
   * A file cdk8s-go-platform did not write (see `GoDockerfile.write`) stops
   * the write with an error before anything is written, unless `overwrite`
   * is set.
   */
  public writeDockerfiles(workingDirectory: string, options: DockerfileWriteOptions = {}): string[] {
    const contexts = this.services.map((s) => ({ dockerfile: s.dockerfile, directory: path.join(workingDirectory, s.context) }));
    if (options.overwrite !== true) {
      const foreign = contexts.flatMap((c) => c.dockerfile._unmarkedFiles(c.directory));
      if (foreign.length > 0) {
        fail(this, unmarkedFilesMessage('writeDockerfiles', foreign));
      }
    }
    return contexts.flatMap((c) => c.dockerfile.write(c.directory, { overwrite: true }));
  }

  /**
   * Writes the GitHub Actions workflow of each service that has one into
   * `.github/workflows/` of its build context (the root of the service's
   * repository), resolved from `workingDirectory`. A file there that the
   * library did not generate is never overwritten: that is an error.
   * Returns the paths written.
   */
  public writeWorkflows(workingDirectory: string): string[] {
    return this.services.flatMap((s) => s.workflow?.write(path.join(workingDirectory, s.context)) ?? []);
  }

  private healthcheck(prop: string, check: LocalHealthCheck, dockerfile: GoDockerfile, settings: GoServiceSettings) {
    const probe = settings.readiness;
    let test: string[];
    switch (check.kind) {
      case LocalHealthCheckKind.NONE:
        return undefined;
      case LocalHealthCheckKind.COMMAND:
        if (check.args.length < 2 || (check.args[0] !== 'CMD' && check.args[0] !== 'CMD-SHELL')) {
          fail(this, `${prop} (${show(check.args)}) must start with "CMD" or "CMD-SHELL", followed by the command`);
        }
        test = check.args;
        break;
      case LocalHealthCheckKind.BINARY:
        if (probe.kind !== ProbeKind.HTTP) {
          fail(this, `${prop} checks the readiness probe over HTTP, but ${settings.name} uses a gRPC readiness probe: use LocalHealthCheck.command([...]) or LocalHealthCheck.none()`);
        }
        test = ['CMD', dockerfile.binaryPath, ...check.args, `http://127.0.0.1:${probe.port}${probe.path}`];
        break;
    }
    return {
      test,
      interval: `${probe.periodSeconds}s`,
      timeout: `${probe.timeoutSeconds}s`,
      retries: probe.failureThreshold,
      startPeriod: `${startWindowSeconds(settings.startup)}s`,
      startInterval: `${settings.startup.periodSeconds}s`,
    };
  }
  /** One service: its name, build context, published ports, Dockerfile, image, secret variables and container. */
  private addService(prop: string, options: LocalServiceOptions, restart: RestartPolicy, builder: string): LocalService {
    const name = this.serviceName(prop, options);
    const scope = new Construct(this, name);
    const settings = resolveGoService(scope, options.service, name);
    const context = this.buildContext(prop, options.context, name);
    const ports = this.publishPorts(prop, options.hostPorts, settings);

    const dockerfile = new GoDockerfile({ ...options.dockerfile, service: settings });
    const workflow = options.workflow !== undefined
      ? new GoServiceWorkflow({ ...options.workflow, service: settings, dockerfile })
      : undefined;
    const image = serviceImage(scope, settings, dockerfile, context, builder);
    const { env, secretVariables } = serviceEnvironment(scope, settings);
    const healthcheck = this.healthcheck(`${prop}.healthCheck`, options.healthCheck ?? LocalHealthCheck.binary(), dockerfile, settings);
    const container = serviceContainer(scope, {
      settings, image, env, ports, healthcheck, restart, network: this.network.name, user: dockerfile.user,
    });
    return { settings, dockerfile, workflow, context, image, container, secretVariables };
  }

  /** The container name: `service.name` or `name`, a DNS label, used once. */
  private serviceName(prop: string, options: LocalServiceOptions): string {
    if (options.name !== undefined && options.service.name !== undefined) {
      fail(this, `${prop}.name (${show(options.name)}) has no effect when service.name (${show(options.service.name)}) is set: remove one of them`);
    }
    const name = options.service.name ?? options.name;
    if (name === undefined) {
      fail(this, `${prop}.name (undefined) is required when service.name is not set`);
    }
    validateDnsLabel(this, `${prop}.name`, name);
    if (this.names.has(name)) {
      fail(this, `${prop}.name (${show(name)}) is already used by another service: each service needs its own name`);
    }
    this.names.add(name);
    return name;
  }

  /** The build context as a relative path with `/` separators. */
  private buildContext(prop: string, context: string, name: string): string {
    if (typeof context !== 'string' || context.trim() === '' || path.isAbsolute(context)) {
      fail(this, `${prop}.context (${show(context)}) must be a relative path from the Terraform working directory to the Go module, e.g. "../../services/${name}"`);
    }
    return context.split(path.sep).join('/');
  }

  /** The service's ports, each published on 127.0.0.1 at its host port (the container port unless `hostPorts` names another). */
  private publishPorts(prop: string, hostPorts: LocalServiceOptions['hostPorts'], settings: GoServiceSettings): ContainerPorts[] {
    const declared = new Set(settings.ports.map((p) => p.name));
    for (const portName of Object.keys(hostPorts ?? {})) {
      if (!declared.has(portName as GoServicePortName)) {
        fail(this, `${prop}.hostPorts.${portName} names no port of ${settings.name}: use one of ${[...declared].join(', ')}`);
      }
    }
    return settings.ports.map((p) => {
      const external = hostPorts?.[p.name] ?? p.number;
      this.claimHostPort(`${settings.name} (${p.name})`, `${prop}.hostPorts.${p.name}`, external);
      return { internal: p.number, external, ip: LOCAL_DOCKER_DEFAULTS.hostIp, protocol: 'tcp' };
    });
  }

  /** Records that `owner` publishes `port`; a port published twice is an error. */
  private claimHostPort(owner: string, prop: string, port: number): void {
    validatePort(this, prop, port);
    const other = this.hostPorts.get(port);
    if (other !== undefined) {
      fail(this, `${prop} (${port}) is already published by ${other}: set hostPorts to a free port`);
    }
    this.hostPorts.set(port, owner);
  }

  /** The Prometheus image and container that scrape every service, and their `prometheus.yml`. */
  private addPrometheus(o: LocalPrometheusOptions, restart: RestartPolicy): { config: string; image: Image; container: Container } {
    const imageName = o.image ?? LOCAL_DOCKER_DEFAULTS.prometheusImage;
    validatePinnedImage(this, 'prometheus.image', imageName);
    const hostPort = o.hostPort ?? LOCAL_DOCKER_DEFAULTS.prometheusPort;
    this.claimHostPort('prometheus', 'prometheus.hostPort', hostPort);
    if (this.names.has('prometheus')) {
      fail(this, 'prometheus is also the name of a service: rename the service or leave Prometheus off');
    }
    const interval = seconds(this, 'prometheus.scrapeInterval', o.scrapeInterval, LOCAL_DOCKER_DEFAULTS.scrapeIntervalSeconds);
    if (interval < 1) {
      fail(this, `prometheus.scrapeInterval (${interval}s) must be at least 1s`);
    }
    const config = localPrometheusConfig(
      this.services.map((s) => ({ name: s.settings.name, port: s.settings.metricsPort, path: s.settings.metricsPath })),
      interval,
    );
    const image = new Image(this, 'PrometheusImage', { name: imageName, keepLocally: true });
    image.overrideLogicalId('prometheus');
    const container = new Container(this, 'Prometheus', {
      name: 'prometheus',
      hostname: 'prometheus',
      image: image.imageId,
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--storage.tsdb.retention.time=1d',
      ],
      ports: [{ internal: 9090, external: hostPort, ip: LOCAL_DOCKER_DEFAULTS.hostIp, protocol: 'tcp' }],
      networksAdvanced: [{ name: this.network.name, aliases: ['prometheus'] }],
      // The configuration is copied in before the container starts, which
      // Docker refuses on a read-only root filesystem; the data lives in tmpfs.
      upload: [{ file: '/etc/prometheus/prometheus.yml', content: config }],
      tmpfs: { '/prometheus': 'rw,noexec,nosuid,mode=1777,size=256m' },
      user: LOCAL_DOCKER_DEFAULTS.prometheusUser,
      capabilities: { drop: ['ALL'] },
      securityOpts: ['no-new-privileges:true'],
      healthcheck: { test: ['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:9090/-/ready'], interval: '10s', timeout: '3s', retries: 3 },
      restart,
      labels: [
        { label: LABEL_MANAGED_BY, value: MANAGED_BY },
        { label: LABEL_NAME, value: 'prometheus' },
      ],
      dependsOn: this.services.map((s) => s.container),
    });
    container.overrideLogicalId('prometheus');
    return { config, image, container };
  }
}

/** The time the startup probe allows before liveness takes over. */
function startWindowSeconds(startup: ResolvedProbe): number {
  return startup.initialDelaySeconds + startup.periodSeconds * startup.failureThreshold;
}

/** Docker CPU shares for a CPU request: 1024 per core, as the kubelet sets them. */
function cpuShares(requestCores: number): number {
  return Math.max(2, Math.round(requestCores * 1024));
}

/** A Terraform variable name from a service and key: lower case, `_` for anything else. */
function variableName(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** The `docker_image` built from the service's generated Dockerfile, tagged with its image name. */
function serviceImage(scope: Construct, settings: GoServiceSettings, dockerfile: GoDockerfile, context: string, builder: string): Image {
  const image = new Image(scope, 'Image', {
    name: settings.image,
    keepLocally: true,
    buildAttribute: {
      context,
      dockerfile: 'Dockerfile',
      builder,
      tag: [settings.image],
      buildArgs: { [GO_DOCKERFILE_BUILD_ARGS.version]: settings.version ?? 'dev' },
    },
    // Rebuild when the generated Dockerfile changes.
    triggers: { dockerfile: contentHash(dockerfile.dockerfile) },
  });
  image.overrideLogicalId(settings.name);
  return image;
}

/**
 * The container environment: config, Go runtime settings, then each secret
 * reference as a sensitive Terraform variable (one string per key, one map per
 * whole Secret), so no secret value enters the JSON.
 */
function serviceEnvironment(scope: Construct, settings: GoServiceSettings): { env: string[]; secretVariables: Record<string, TerraformVariable> } {
  const name = settings.name;
  const secretVariables: Record<string, TerraformVariable> = {};
  const secretEnv: string[] = [];
  for (const [key, ref] of Object.entries(settings.secretEnv)) {
    const external = ref instanceof ExternalSecretSource;
    const variable = new TerraformVariable(scope, `Secret-${key}`, {
      type: 'string',
      sensitive: true,
      nullable: false,
      // An optional reference may stay unset: the variable is then empty.
      default: !external && ref.optional ? '' : undefined,
      description: external
        ? `${name}: ${key}, the value of ${ref.describe()}`
        : `${name}: ${key}, the value of key "${ref.key}" of Secret "${ref.secretName}"${ref.optional ? ' (optional)' : ''}`,
    });
    variable.overrideLogicalId(variableName(`${name}_${key}`));
    secretVariables[key] = variable;
    secretEnv.push(`${key}=${variable.stringValue}`);
  }
  const envFromLists = settings.secretEnvFrom.map((secretName) => {
    const variable = new TerraformVariable(scope, `SecretEnvFrom-${secretName}`, {
      type: 'map(string)',
      sensitive: true,
      description: `${name}: every key of Secret "${secretName}", as environment variables`,
    });
    variable.overrideLogicalId(variableName(`${name}_${secretName}`));
    secretVariables[secretName] = variable;
    return Fn.formatlist('%s=%s', [Fn.keys(variable.value), Fn.values(variable.value)]);
  });
  const plainEnv = [
    ...Object.entries(settings.config).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(settings.runtimeEnv).map(([k, v]) => `${k}=${v}`),
    ...secretEnv,
  ];
  const env = envFromLists.length === 0 ? plainEnv : Fn.concat([plainEnv, ...envFromLists]);
  return { env, secretVariables };
}

/** What `serviceContainer` puts together. */
interface ServiceContainerParts {
  readonly settings: GoServiceSettings;
  readonly image: Image;
  readonly env: string[];
  readonly ports: ContainerPorts[];
  readonly healthcheck?: ContainerHealthcheck;
  readonly restart: RestartPolicy;
  readonly network: string;
  /** UID and GID the image runs as. */
  readonly user: number;
}

/**
 * The `docker_container` of a service, hardened and limited as its pods are:
 * read-only root filesystem with a tmpfs `/tmp`, the image's non-root user,
 * no capabilities, the Kubernetes CPU and memory limits, the grace period.
 */
function serviceContainer(scope: Construct, parts: ServiceContainerParts): Container {
  const { settings, healthcheck } = parts;
  const name = settings.name;
  const grace = settings.shutdown.terminationGracePeriodSeconds;
  const container = new Container(scope, 'Container', {
    name,
    hostname: name,
    image: parts.image.imageId,
    env: parts.env,
    ports: parts.ports,
    networksAdvanced: [{ name: parts.network, aliases: [name] }],
    healthcheck,
    wait: healthcheck !== undefined,
    waitTimeout: healthcheck !== undefined ? startWindowSeconds(settings.startup) + settings.readiness.periodSeconds * settings.readiness.failureThreshold : undefined,
    restart: parts.restart,
    // Kubernetes limits: memory in MiB (swap off, as on a node), CPU in cores;
    // the CPU request becomes the relative weight.
    memory: Math.floor(settings.memoryLimitBytes / 2 ** 20),
    memorySwap: Math.floor(settings.memoryLimitBytes / 2 ** 20),
    cpus: String(settings.cpuLimitCores),
    cpuShares: cpuShares(parseQuantity(settings.requests.cpu)!),
    readOnly: true,
    tmpfs: { ...LOCAL_DOCKER_DEFAULTS.tmpfs },
    user: `${parts.user}:${parts.user}`,
    capabilities: { drop: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    stopSignal: 'SIGTERM',
    stopTimeout: grace,
    destroyGraceSeconds: grace,
    labels: [
      { label: LABEL_MANAGED_BY, value: MANAGED_BY },
      { label: LABEL_NAME, value: name },
    ],
  });
  container.overrideLogicalId(name);
  return container;
}
