import { Chart, Duration, Testing } from 'cdk8s';
import { GoMicroservice, GoMicroserviceProps, INetworkPeer, NetworkPeer, NetworkPeerSource, PreStop, Probe } from '../../lib';
import { kplus } from '../../lib/common/plus';
import { expectExactError, shopChart } from '../util';

const IMAGE = 'registry.example.com/orders:1.4.2';

function create(props: Partial<GoMicroserviceProps>): GoMicroservice {
  return new GoMicroservice(shopChart(), 'orders', { image: IMAGE, ...props } as GoMicroserviceProps);
}

describe('GoMicroservice rejects bad input', () => {
  const cases: Array<[string, Partial<GoMicroserviceProps>, string]> = [
    ['an image without tag or digest', { image: 'registry.example.com/orders' },
      '[test/orders] image ("registry.example.com/orders") has no tag or digest: pin a version tag or a digest'],
    ['an image tagged latest', { image: 'registry.example.com/orders:latest' },
      '[test/orders] image ("registry.example.com/orders:latest") uses the mutable tag "latest": pin a version tag or a digest'],
    ['an image with a malformed digest', { image: 'registry.example.com/orders@sha256:abc' },
      '[test/orders] image ("registry.example.com/orders@sha256:abc") has an invalid digest: use @sha256: followed by 64 hex digits'],
    ['an image with an uppercase repository (the kubelet fails it with InvalidImageName)', { image: 'Orders:1.0' },
      '[test/orders] image ("Orders:1.0") has an invalid repository path component "Orders": use lowercase letters and digits, separated by \'.\', \'_\', \'__\' or \'-\''],
    ['an image with an invalid registry port', { image: 'registry.example.com:http/orders:1.0' },
      '[test/orders] image ("registry.example.com:http/orders:1.0") has an invalid registry host "registry.example.com:http": use a host name or [IPv6] address with an optional :port, e.g. registry.example.com:5000'],
    ['an image reference with spaces', { image: 'registry.example.com/my orders:1.0' },
      '[test/orders] image ("registry.example.com/my orders:1.0") is not an image reference'],
    ['a name that is not a DNS-1123 label', { name: 'Orders_API' },
      '[test/orders] name ("Orders_API") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['a name that starts with a digit', { name: '1orders' },
      '[test/orders] name ("1orders") must start with a letter: Service names are DNS-1035 labels'],
    ['a namespace that is not a DNS-1123 label', { namespace: 'Shop' },
      '[test/orders] namespace ("Shop") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['an http port of 0', { httpPort: 0 },
      '[test/orders] httpPort (0) must be an integer from 1 to 65535'],
    ['a grpc port above 65535', { grpcPort: 70000 },
      '[test/orders] grpcPort (70000) must be an integer from 1 to 65535'],
    ['a fractional metrics port', { metricsPort: 9102.5 },
      '[test/orders] metricsPort (9102.5) must be an integer from 1 to 65535'],
    ['colliding container ports', { grpcPort: 8080 },
      '[test/orders] grpcPort (8080) collides with httpPort: each container port must be distinct'],
    ['a service port out of range', { servicePort: 65536 },
      '[test/orders] servicePort (65536) must be an integer from 1 to 65535'],
    ['a service port that collides with the gRPC port', { grpcPort: 9090, servicePort: 9090 },
      '[test/orders] servicePort (9090) collides with another Service port: use a port not taken by grpcPort or metricsPort'],
    ['zero replicas', { replicas: 0 },
      '[test/orders] replicas (0) must be an integer from 1 to 10000'],
    ['replicas together with autoscaling', { replicas: 3, autoscaling: {} },
      '[test/orders] replicas (3) cannot be combined with autoscaling: set autoscaling.minReplicas and maxReplicas instead'],
    ['minReplicas above maxReplicas', { autoscaling: { minReplicas: 5, maxReplicas: 3 } },
      '[test/orders] autoscaling.minReplicas (5) must be <= autoscaling.maxReplicas (3)'],
    ['minReplicas below 1', { autoscaling: { minReplicas: 0 } },
      '[test/orders] autoscaling.minReplicas (0) must be an integer from 1 to 10000'],
    ['maxReplicas below 1', { autoscaling: { maxReplicas: 0 } },
      '[test/orders] autoscaling.maxReplicas (0) must be an integer from 1 to 10000'],
    ['a CPU target above 100%', { autoscaling: { targetCpuUtilizationPercent: 120 } },
      '[test/orders] autoscaling.targetCpuUtilizationPercent (120) must be an integer from 1 to 100'],
    ['a memory target of 0%', { autoscaling: { targetMemoryUtilizationPercent: 0 } },
      '[test/orders] autoscaling.targetMemoryUtilizationPercent (0) must be an integer from 1 to 100'],
    ['a disruption budget that allows no disruption', { disruptionBudget: { maxUnavailable: 0 } },
      '[test/orders] disruptionBudget.maxUnavailable (0) must be an integer from 1 to 10000'],
    ['a disruption budget for a single pod', { replicas: 1, disruptionBudget: { maxUnavailable: 1 } },
      '[test/orders] disruptionBudget is set but the service runs 1 pod: a budget needs at least 2 replicas (or autoscaling.minReplicas >= 2)'],
    ['a CPU limit below the request', { resources: { requests: { cpu: '1' }, limits: { cpu: '500m' } } },
      '[test/orders] resources.limits.cpu ("500m") is below resources.requests.cpu ("1"): a limit must be at least the request'],
    ['a memory limit below the request', { resources: { requests: { memory: '1Gi' } } },
      '[test/orders] resources.limits.memory ("512Mi") is below resources.requests.memory ("1Gi"): a limit must be at least the request'],
    ['an unparsable CPU quantity', { resources: { limits: { cpu: 'two' } } },
      '[test/orders] resources.limits.cpu ("two") is not a valid cpu quantity: use a positive Kubernetes quantity such as \'250m\' or \'1\''],
    ['an unparsable memory quantity', { resources: { requests: { memory: '128MB' } } },
      '[test/orders] resources.requests.memory ("128MB") is not a valid memory quantity: use a positive Kubernetes quantity such as \'128Mi\' or \'1Gi\''],
    ['memory in milli-bytes', { resources: { limits: { memory: '512m' } } },
      '[test/orders] resources.limits.memory ("512m") is in milli-bytes: use binary suffixes such as \'128Mi\' or \'1Gi\''],
    ['a memory limit ratio above 1', { goRuntime: { memoryLimitRatio: 1.2 } },
      '[test/orders] goRuntime.memoryLimitRatio (1.2) must be a ratio greater than 0 and at most 1'],
    ['a memory limit ratio without GOMEMLIMIT', { goRuntime: { setMemoryLimit: false, memoryLimitRatio: 0.8 } },
      '[test/orders] goRuntime.memoryLimitRatio (0.8) has no effect when goRuntime.setMemoryLimit is false: remove one of them'],
    ['an invalid environment variable name', { config: { 'log-level': 'info' } },
      '[test/orders] config has an invalid environment variable name "log-level": use letters, digits and \'_\', not starting with a digit'],
    ['a config key set twice through secretEnv', { config: { DATABASE_URL: 'x' }, secretEnv: { DATABASE_URL: { secretName: 'db', key: 'url' } } },
      '[test/orders] secretEnv sets "DATABASE_URL", which is already set by config: each environment variable must be set once'],
    ['a config key the runtime tuning sets', { config: { GOMEMLIMIT: '1GiB' } },
      '[test/orders] config sets "GOMEMLIMIT", which is already set by the Go runtime and shutdown settings (turn them off in goRuntime to set them yourself): each environment variable must be set once'],
    ['a non-string config value', { config: { RETRIES: 3 as unknown as string } },
      '[test/orders] config.RETRIES (3) must be a string: quote numbers and booleans as they should appear in the environment'],
    ['a secret value in config', { config: { DB_PASSWORD: 'hunter2' } },
      '[test/orders] config.DB_PASSWORD looks like a secret: pass it by reference with secretEnv: { DB_PASSWORD: { secretName, key } }, never as a value'],
    ['a secret value where a reference is expected', { secretEnv: { DB_PASSWORD: 'hunter2' as unknown as { secretName: string; key: string } } },
      '[test/orders] secretEnv.DB_PASSWORD received a value where a reference is expected: use { secretName: \'<secret>\', key: \'<key>\' } and keep the value in the Secret'],
    ['a secret reference to an invalid name', { secretEnv: { DB_URL: { secretName: 'Orders_DB', key: 'url' } } },
      '[test/orders] secretEnv.DB_URL.secretName ("Orders_DB") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['a secret reference to an invalid key', { secretEnv: { DB_URL: { secretName: 'orders-db', key: 'my url' } } },
      '[test/orders] secretEnv.DB_URL.key ("my url") must be a ConfigMap/Secret key: letters, digits, \'-\', \'_\' and \'.\', at most 253 characters'],
    ['a whole secret listed twice', { secretEnvFrom: ['extra', 'extra'] },
      '[test/orders] secretEnvFrom lists "extra" twice: list each Secret once'],
    ['a grace period shorter than delay plus drain', { shutdown: { delay: Duration.seconds(10), drainTimeout: Duration.seconds(25) } },
      '[test/orders] shutdown.terminationGracePeriod (30s) must cover shutdown.delay (10s) plus shutdown.drainTimeout (25s): use at least 35s'],
    ['a fractional shutdown delay', { shutdown: { delay: Duration.millis(1500) } },
      '[test/orders] shutdown.delay (1.5s) must be a whole, non-negative number of seconds'],
    ['a pre-stop hook on an undeclared port', { shutdown: { preStop: PreStop.httpGet('/drain', { port: 9999 }) } },
      '[test/orders] shutdown.preStop.port (9999) is not a container port of this service: use one of 8080'],
    ['a pre-stop hook path without a slash', { shutdown: { preStop: PreStop.httpGet('drain') } },
      '[test/orders] shutdown.preStop.path ("drain") must be an absolute HTTP path starting with \'/\' and without spaces'],
    ['a probe on an undeclared port', { probes: { readiness: Probe.http('/readyz', { port: 9000 }) } },
      '[test/orders] probes.readiness.port (9000) is not a container port of this service: use one of 8080'],
    ['a probe path without a slash', { probes: { liveness: Probe.http('healthz') } },
      '[test/orders] probes.liveness.path ("healthz") must be an absolute HTTP path starting with \'/\' and without spaces'],
    ['a gRPC probe without a gRPC port', { probes: { readiness: Probe.grpc() } },
      '[test/orders] probes.readiness is a gRPC probe but the service has no grpcPort or healthPort: set grpcPort, healthPort or the probe\'s port'],
    ['a liveness probe that needs several successes', { probes: { liveness: Probe.http('/healthz', { successThreshold: 2 }) } },
      '[test/orders] probes.liveness.successThreshold (2) must be an integer from 1 to 1'],
    ['a probe timeout of zero', { probes: { readiness: Probe.http('/readyz', { timeout: Duration.seconds(0) }) } },
      '[test/orders] probes.readiness.timeout (0) must be an integer from 1 to 3600'],
    ['a metrics path without a slash', { metricsPath: 'metrics' },
      '[test/orders] metricsPath ("metrics") must be an absolute HTTP path starting with \'/\' and without spaces'],
  ];

  test.each(cases)('throws on %s', (_what, props, message) => {
    expectExactError(() => create(props), message);
  });

  test('throws when no image is given', () => {
    expect(() => new GoMicroservice(shopChart(), 'orders', {} as GoMicroserviceProps)).toThrow(
      '[test/orders] image (undefined) is required: a pinned image reference such as "registry.example.com/orders:1.4.2"',
    );
  });

  test('throws when allowFrom names a port the service does not expose', () => {
    const chart = shopChart();
    const orders = new GoMicroservice(chart, 'orders', { image: IMAGE });
    const users = new GoMicroservice(chart, 'users', { image: IMAGE });
    expect(() => orders.allowFrom(users, { ports: ['grpc'] })).toThrow(
      '[test/orders] allowFrom ports names "grpc", which this service does not expose: use one of http, metrics',
    );
    expect(() => orders.allowFrom(users, { ports: [] })).toThrow(
      '[test/orders] allowFrom ports ([]) is empty: name at least one of http, grpc, metrics, health',
    );
  });

  test('throws when allowFromNamespace gets an invalid namespace', () => {
    const orders = create({});
    expect(() => orders.allowFromNamespace('Ingress_NGINX')).toThrow(
      '[test/orders] allowFromNamespace namespace ("Ingress_NGINX") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters',
    );
  });

  test('throws when an environment variable is added twice', () => {
    const orders = create({ config: { LOG_LEVEL: 'info' } });
    expect(() => orders.addEnvironment('LOG_LEVEL', kplus.EnvValue.fromValue('debug'))).toThrow(
      '[test/orders] addEnvironment sets "LOG_LEVEL", which is already set: each environment variable must be set once',
    );
    expect(() => orders.addEnvironment('9LIVES', kplus.EnvValue.fromValue('x'))).toThrow(
      '[test/orders] addEnvironment has an invalid environment variable name "9LIVES": use letters, digits and \'_\', not starting with a digit',
    );
  });
});

describe('GoMicroservice.allowFrom rejects peers it cannot select correctly', () => {
  function shopAndBare(): { orders: GoMicroservice; bare: Chart } {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const bare = new Chart(app, 'bare');
    return { orders: new GoMicroservice(shop, 'orders', { image: IMAGE }), bare };
  }

  test('throws when a GoMicroservice peer has no namespace on it or its chart', () => {
    const { orders, bare } = shopAndBare();
    const users = new GoMicroservice(bare, 'users', { image: IMAGE });
    expectExactError(() => orders.allowFrom(users),
      '[shop/orders] allowFrom peer ("bare/users") has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart');
  });

  test('throws when a cdk8s-plus workload peer has no namespace', () => {
    const { orders, bare } = shopAndBare();
    const batch = new kplus.Deployment(bare, 'batch', { containers: [{ image: 'registry.example.com/batch:1.0.0' }] });
    expectExactError(() => orders.allowFrom(batch),
      '[shop/orders] allowFrom peer ("bare/batch") has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart');
  });

  test('throws when a cdk8s-plus pod selector peer names no namespace', () => {
    const { orders, bare } = shopAndBare();
    const pods = kplus.Pods.select(bare, 'batch-pods', { labels: { app: 'batch' } });
    expectExactError(() => orders.allowFrom(pods),
      '[shop/orders] allowFrom peer ("bare/batch-pods") has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart');
  });

  test('throws when the peer is the service itself', () => {
    const { orders } = shopAndBare();
    const message = '[shop/orders] allowFrom peer ("shop/orders") is this service itself: allowFrom admits other workloads, not the service\'s own pods';
    expectExactError(() => orders.allowFrom(orders), message);
    expectExactError(() => orders.allowFrom(orders.deployment), message);
    expectExactError(() => orders.allowFrom(NetworkPeer.pods({ ...orders.selectorLabels }, 'shop')), message);
  });

  test('throws when the peer is not a network peer', () => {
    const { orders } = shopAndBare();
    expectExactError(() => orders.allowFrom({ serviceName: 'users' } as unknown as NetworkPeerSource),
      '[shop/orders] allowFrom peer ({"serviceName":"users"}) must be a network peer: a GoMicroservice, a PlainWorkload, NetworkPeer.pods/namespace/ipBlock, or a cdk8s-plus workload');
  });

  test('throws when a peer selects every pod', () => {
    const { orders } = shopAndBare();
    expectExactError(() => orders.allowFrom(NetworkPeer.pods({}, 'jobs')),
      '[shop/orders] allowFrom peer ({}) selects every pod (no labels): select the peer\'s pods by label, or admit its namespace with NetworkPeer.namespace');
  });

  test('throws when a peer selects more than one kind of source', () => {
    const { orders } = shopAndBare();
    const both: INetworkPeer = { toNetworkPeerConfig: () => ({ namespace: 'jobs', ipBlock: { cidr: '10.0.0.0/8' } }) };
    expectExactError(() => orders.allowFrom(both),
      '[shop/orders] allowFrom peer ("jobs") must select exactly one of pods, namespace or ipBlock');
  });

  test('throws when a peer namespace is not a DNS-1123 label', () => {
    const { orders } = shopAndBare();
    expectExactError(() => orders.allowFrom(NetworkPeer.pods({ app: 'batch' }, 'Jobs')),
      '[shop/orders] allowFrom peer namespace ("Jobs") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters');
  });

  test('throws when an IP block is not a CIDR range of one family', () => {
    const { orders } = shopAndBare();
    expectExactError(() => orders.allowFrom(NetworkPeer.ipBlock('10.0.0.0')),
      '[shop/orders] allowFrom peer ipBlock ("10.0.0.0") must be a CIDR range of one address family, such as 10.0.0.0/16 or fd00::/64');
    expectExactError(() => orders.allowFrom(NetworkPeer.ipBlock('10.0.0.0/8', ['fd00::/64'])),
      '[shop/orders] allowFrom peer ipBlock ("fd00::/64") must be a CIDR range of one address family, such as 10.0.0.0/16 or fd00::/64');
  });

  test('throws when a peer label requirement has an unknown operator', () => {
    const { orders } = shopAndBare();
    const odd: INetworkPeer = { toNetworkPeerConfig: () => ({ pods: { labels: {}, expressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }], namespace: 'jobs' } }) };
    expectExactError(() => orders.allowFrom(odd),
      '[shop/orders] allowFrom peer matchExpressions operator ("Gt") must be one of In, NotIn, Exists, DoesNotExist');
  });
});
