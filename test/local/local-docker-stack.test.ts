import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { Testing } from 'cdktf';
import { GoDockerfile, RuntimeImage } from '../../lib/docker';
import { ExternalSecretSource, GoServiceProps, Probe, SecretStoreKind } from '../../lib/go-microservice';
import { LocalDockerStack, LocalDockerStackProps, LocalHealthCheck, RestartPolicy } from '../../lib/local';
import { LOCAL_DOCKER_DEFAULTS } from '../../lib/local/local-docker-stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ORDERS: GoServiceProps = {
  name: 'orders',
  image: 'registry.example.com/shop/orders:1.4.2',
  config: { LOG_LEVEL: 'debug', PAYMENTS_ADDR: 'payments:9090' },
  secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
};

function synth(props: LocalDockerStackProps): { stack: LocalDockerStack; json: Json } {
  const stack = new LocalDockerStack(Testing.app(), 'local', props);
  return { stack, json: JSON.parse(Testing.synth(stack, true)) };
}

describe('LocalDockerStack', () => {
  test('defaults: one image, one hardened container, one network', () => {
    // GIVEN / WHEN
    const { stack, json } = synth({ services: [{ service: ORDERS, context: '../../examples/orders' }] });

    // THEN the provider and the network
    expect(json.provider.docker).toEqual([{}]);
    expect(json.terraform.required_providers.docker).toEqual({ source: 'kreuzwerker/docker', version: '3.6.2' });
    expect(json.resource.docker_network).toEqual({ local: { name: 'local', driver: 'bridge' } });

    // THEN the image is built from the generated Dockerfile in a relative context
    const image = json.resource.docker_image.orders;
    expect(image.name).toBe('registry.example.com/shop/orders:1.4.2');
    expect(image.keep_locally).toBe(true);
    expect(image.build).toEqual({
      context: '../../examples/orders',
      dockerfile: 'Dockerfile',
      builder: 'default',
      tag: ['registry.example.com/shop/orders:1.4.2'],
      build_args: { VERSION: '1.4.2' },
    });
    expect(image.triggers.dockerfile).toMatch(/^[0-9a-f]{10}$/);

    // THEN the container mirrors the Kubernetes settings
    const c = json.resource.docker_container.orders;
    expect(c.name).toBe('orders');
    expect(c.hostname).toBe('orders');
    expect(c.image).toBe('${docker_image.orders.image_id}');
    expect(c.networks_advanced).toEqual([{ name: '${docker_network.local.name}', aliases: ['orders'] }]);
    expect(c.ports).toEqual([{ internal: 8080, external: 8080, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(c.env).toEqual([
      'LOG_LEVEL=debug',
      'PAYMENTS_ADDR=payments:9090',
      'GOMEMLIMIT=460MiB',
      'GOMAXPROCS=1',
      'SHUTDOWN_DELAY=5s',
      'SHUTDOWN_DRAIN_TIMEOUT=20s',
      'DATABASE_URL=${var.orders_database_url}',
    ]);
    // limits 500m / 512Mi, request 100m
    expect(c.memory).toBe(512);
    expect(c.memory_swap).toBe(512);
    expect(c.cpus).toBe('0.5');
    expect(c.cpu_shares).toBe(102);
    // security
    expect(c.read_only).toBe(true);
    expect(c.tmpfs).toEqual({ '/tmp': 'rw,noexec,nosuid,size=64m' });
    expect(c.user).toBe('65532:65532');
    expect(c.capabilities).toEqual({ drop: ['ALL'] });
    expect(c.security_opts).toEqual(['no-new-privileges:true']);
    // lifecycle
    expect(c.restart).toBe('unless-stopped');
    expect(c.stop_signal).toBe('SIGTERM');
    expect(c.stop_timeout).toBe(30);
    expect(c.destroy_grace_seconds).toBe(30);
    // health: the binary probes the readiness path with the readiness timings
    expect(c.healthcheck).toEqual({
      test: ['CMD', '/app/orders', '-healthcheck', 'http://127.0.0.1:8080/readyz'],
      interval: '5s',
      timeout: '2s',
      retries: 3,
      start_period: '120s',
      start_interval: '2s',
    });
    expect(c.wait).toBe(true);
    expect(c.wait_timeout).toBe(135);
    expect(c.labels).toEqual([
      { label: 'app.kubernetes.io/managed-by', value: 'cdk8s-go-platform' },
      { label: 'app.kubernetes.io/name', value: 'orders' },
    ]);

    // THEN the secret is a required, sensitive input: no value in the JSON
    expect(json.variable).toEqual({
      orders_database_url: {
        type: 'string',
        sensitive: true,
        nullable: false,
        description: 'orders: DATABASE_URL, the value of key "url" of Secret "orders-db"',
      },
    });

    // THEN the objects are reachable
    expect(stack.services.map((s) => s.settings.name)).toEqual(['orders']);
    expect(stack.services[0].dockerfile).toBeInstanceOf(GoDockerfile);
    expect(stack.services[0].dockerfile.ports).toEqual([8080]);
    expect(Object.keys(stack.services[0].secretVariables)).toEqual(['DATABASE_URL']);
    expect(stack.prometheus).toBeUndefined();
    expect(json.resource.docker_container.prometheus).toBeUndefined();
    expect(LOCAL_DOCKER_DEFAULTS.restart).toBe(RestartPolicy.UNLESS_STOPPED);
  });

  test('the same description drives limits, ports, probes and shutdown', () => {
    const { json } = synth({
      services: [{
        service: {
          name: 'payments',
          image: 'registry.example.com/shop/payments:2.9.7',
          grpcPort: 9090,
          metricsPort: 9102,
          healthPort: 8081,
          probes: {
            readiness: Probe.http('/ready', { port: 8081, period: Duration.seconds(3), timeout: Duration.seconds(1), failureThreshold: 2 }),
            liveness: Probe.http('/live', { port: 8081 }),
          },
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1500m', memory: '1Gi' } },
          goRuntime: { memoryLimitRatio: 0.8 },
          shutdown: { delay: Duration.seconds(10), drainTimeout: Duration.seconds(30), terminationGracePeriod: Duration.seconds(45) },
        },
        context: 'services/payments',
        hostPorts: { http: 18080, grpc: 19090 },
        dockerfile: { runtime: RuntimeImage.scratch(), mainPackage: './cmd/server' },
      }],
      restart: RestartPolicy.ON_FAILURE,
      networkName: 'shop',
      builder: 'ci',
      dockerHost: 'unix:///run/user/1000/docker.sock',
    });
    const c = json.resource.docker_container.payments;
    expect(json.provider.docker).toEqual([{ host: 'unix:///run/user/1000/docker.sock' }]);
    expect(json.resource.docker_network.shop.name).toBe('shop');
    expect(json.resource.docker_image.payments.build.builder).toBe('ci');
    expect(c.ports).toEqual([
      { internal: 8080, external: 18080, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 9090, external: 19090, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 9102, external: 9102, ip: '127.0.0.1', protocol: 'tcp' },
      { internal: 8081, external: 8081, ip: '127.0.0.1', protocol: 'tcp' },
    ]);
    expect(c.memory).toBe(1024);
    expect(c.memory_swap).toBe(1024);
    expect(c.cpus).toBe('1.5');
    expect(c.cpu_shares).toBe(256);
    expect(c.env).toEqual(['GOMEMLIMIT=819MiB', 'GOMAXPROCS=2', 'SHUTDOWN_DELAY=10s', 'SHUTDOWN_DRAIN_TIMEOUT=30s']);
    expect(c.healthcheck).toEqual({
      test: ['CMD', '/app/payments', '-healthcheck', 'http://127.0.0.1:8081/ready'],
      interval: '3s',
      timeout: '1s',
      retries: 2,
      start_period: '120s',
      start_interval: '2s',
    });
    expect(c.restart).toBe('on-failure');
    expect(c.stop_timeout).toBe(45);
    expect(c.destroy_grace_seconds).toBe(45);
  });

  test('health checks: a command of the caller\'s, or none', () => {
    const { json } = synth({
      services: [
        { service: { ...ORDERS, secretEnv: undefined }, context: 'orders', healthCheck: LocalHealthCheck.command(['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:8080/readyz']) },
        { service: { name: 'users', image: 'users:2.0.3' }, context: 'users', hostPorts: { http: 8081 }, healthCheck: LocalHealthCheck.none() },
        { service: { name: 'carts', image: 'carts:1.0.0' }, context: 'carts', hostPorts: { http: 8082 }, healthCheck: LocalHealthCheck.binary('--probe') },
      ],
    });
    const containers = json.resource.docker_container;
    expect(containers.orders.healthcheck.test).toEqual(['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:8080/readyz']);
    expect(containers.users.healthcheck).toBeUndefined();
    expect(containers.users.wait).toBe(false);
    expect(containers.users.wait_timeout).toBeUndefined();
    expect(containers.carts.healthcheck.test).toEqual(['CMD', '/app/carts', '--probe', 'http://127.0.0.1:8080/readyz']);
    expect(Object.keys(containers)).toEqual(['carts', 'orders', 'users']);
  });

  test('secretEnvFrom becomes a sensitive map variable merged into the environment', () => {
    const { json } = synth({
      services: [{ service: { name: 'payments', image: 'payments:2.9.7', secretEnvFrom: ['payments-provider'], secretEnv: { API_TOKEN: { secretName: 'p', key: 'token', optional: true } } }, context: 'payments' }],
    });
    expect(json.variable.payments_payments_provider).toEqual({
      type: 'map(string)',
      sensitive: true,
      description: 'payments: every key of Secret "payments-provider", as environment variables',
    });
    expect(json.variable.payments_api_token).toEqual({
      type: 'string',
      sensitive: true,
      nullable: false,
      default: '',
      description: 'payments: API_TOKEN, the value of key "token" of Secret "p" (optional)',
    });
    expect(json.resource.docker_container.payments.env).toBe(
      '${concat(["GOMEMLIMIT=460MiB", "GOMAXPROCS=1", "SHUTDOWN_DELAY=5s", "SHUTDOWN_DRAIN_TIMEOUT=20s", "API_TOKEN=${var.payments_api_token}"], '
        + 'formatlist("%s=%s", keys(var.payments_payments_provider), values(var.payments_payments_provider)))}',
    );
  });

  test('an external secretEnv source is a required variable that names where the value lives', () => {
    const store = { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' };
    const { json } = synth({
      services: [{ service: { ...ORDERS, secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store, path: 'shop/dev/orders/database', property: 'url' }) } }, context: 'orders' }],
    });
    expect(json.variable.orders_database_url).toEqual({
      type: 'string',
      sensitive: true,
      nullable: false,
      description: 'orders: DATABASE_URL, the value of Vault KV "shop/dev/orders/database" property "url" via ClusterSecretStore/vault',
    });
    expect(json.resource.docker_container.orders.env).toContain('DATABASE_URL=${var.orders_database_url}');
  });

  test('prometheus scrapes every service on its metrics port and path', () => {
    const { stack, json } = synth({
      services: [
        { service: ORDERS, context: 'orders' },
        { service: { name: 'payments', image: 'payments:2.9.7', metricsPort: 9102, metricsPath: '/internal/metrics' }, context: 'payments', hostPorts: { http: 8081 } },
      ],
      prometheus: { hostPort: 19090, scrapeInterval: Duration.seconds(5) },
    });
    expect(json.resource.docker_image.prometheus).toEqual({ name: 'prom/prometheus:v3.5.0', keep_locally: true });
    const p = json.resource.docker_container.prometheus;
    expect(p.image).toBe('${docker_image.prometheus.image_id}');
    expect(p.ports).toEqual([{ internal: 9090, external: 19090, ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(p.networks_advanced).toEqual([{ name: '${docker_network.local.name}', aliases: ['prometheus'] }]);
    expect(p.user).toBe('65534:65534');
    expect(p.capabilities).toEqual({ drop: ['ALL'] });
    expect(p.security_opts).toEqual(['no-new-privileges:true']);
    expect(p.tmpfs).toEqual({ '/prometheus': 'rw,noexec,nosuid,mode=1777,size=256m' });
    expect(p.depends_on).toEqual(['docker_container.orders', 'docker_container.payments']);
    expect(p.healthcheck.test).toEqual(['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:9090/-/ready']);
    expect(p.upload).toEqual([{ file: '/etc/prometheus/prometheus.yml', content: stack.prometheusConfig }]);
    expect(stack.prometheusConfig).toBe([
      'global:',
      '  scrape_interval: 5s',
      '  evaluation_interval: 5s',
      'scrape_configs:',
      '  - job_name: orders',
      '    metrics_path: /metrics',
      '    static_configs:',
      '      - targets:',
      '          - orders:8080',
      '        labels:',
      '          service: orders',
      '  - job_name: payments',
      '    metrics_path: /internal/metrics',
      '    static_configs:',
      '      - targets:',
      '          - payments:9102',
      '        labels:',
      '          service: payments',
      '',
    ].join('\n'));
  });

  test('output is deterministic and has no absolute paths', () => {
    const props: LocalDockerStackProps = { services: [{ service: ORDERS, context: '../../examples/orders' }], prometheus: {} };
    const a = Testing.synth(new LocalDockerStack(Testing.app(), 'local', props), true);
    const b = Testing.synth(new LocalDockerStack(Testing.app(), 'local', props), true);
    expect(a).toBe(b);
    expect(a).not.toContain(process.cwd());
    expect(a).toMatchSnapshot();
  });
});

describe('LocalDockerStack workflows', () => {
  test('writeWorkflows writes the workflow of each service that has one, from the same description as its Dockerfile', () => {
    // GIVEN
    const { stack } = synth({
      services: [
        { service: ORDERS, context: 'orders', dockerfile: { goVersion: '1.24' }, workflow: { platform: { repository: 'shop/platform' } } },
        { service: { name: 'payments', image: 'registry.example.com/shop/payments:2.0.0' }, context: 'payments', hostPorts: { http: 8081 } },
      ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-workflows-'));
    try {
      // WHEN
      const written = stack.writeWorkflows(dir);

      // THEN only orders has one, and it tests with the Dockerfile's Go release and pushes to the service's repository
      expect(written).toEqual([path.join(dir, 'orders', '.github', 'workflows', 'orders.yml')]);
      expect(stack.services[1].workflow).toBeUndefined();
      const workflow = stack.services[0].workflow!;
      expect(fs.readFileSync(written[0], 'utf8')).toBe(workflow.yaml);
      expect(workflow.imageRepository).toBe('registry.example.com/shop/orders');
      expect(workflow.yaml).toContain('go-version: "1.24"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
