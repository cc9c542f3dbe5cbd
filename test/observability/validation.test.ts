import { Chart, Testing } from 'cdk8s';
import {
  AlertReceiver, AlertSeverity, Certificates, GoMicroservice, GrafanaAuth, GrafanaOidcOptions, IngressController, ObservabilityStack, ObservabilityStackProps,
  SecureIngress, Storage,
} from '../../lib';
import { kplus } from '../../lib/common/plus';
import { expectExactError } from '../util';
import { fixture } from './helpers';

function create(props: ObservabilityStackProps): ObservabilityStack {
  return fixture(props).stack;
}

const P = '[obs/observability]';

describe('ObservabilityStack rejects bad input', () => {
  const cases: Array<[string, ObservabilityStackProps, string]> = [
    ['invalid PromQL in a user rule', { alertRules: [{ alert: 'Broken', expr: 'sum(rate(http_requests_total[5m])' }] },
      `${P} alertRules[0].expr ("sum(rate(http_requests_total[5m])") is not valid PromQL: unexpected end of expression at position 33`],
    ['PromQL with a dangling operator', { alertRules: [{ alert: 'Broken', expr: 'up == ' }] },
      `${P} alertRules[0].expr ("up == ") is not valid PromQL: unexpected end of expression at position 6`],
    ['an empty rule expression', { alertRules: [{ alert: 'Empty', expr: ' ' }] },
      `${P} alertRules[0].expr (" ") is not valid PromQL: the expression is empty`],
    ['a user rule named like a default rule', { alertRules: [{ alert: 'TargetDown', expr: 'up == 0' }] },
      `${P} alertRules[0].alert ("TargetDown") is already defined: each alert name must be unique`],
    ['an alert name with spaces', { alertRules: [{ alert: 'Orders down', expr: 'up == 0' }] },
      `${P} alertRules[0].alert ("Orders down") must be letters, digits and '_', not starting with a digit`],
    ['a user rule with a malformed for', { alertRules: [{ alert: 'X', expr: 'up == 0', for: '5 minutes', severity: AlertSeverity.INFO }] },
      `${P} alertRules[0].for ("5 minutes") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['an error ratio above 1', { alertThresholds: { errorRatio: 5 } },
      `${P} alertThresholds.errorRatio (5) must be a ratio from 0 to 1`],
    ['a negative memory ratio', { alertThresholds: { memoryLimitRatio: -0.1 } },
      `${P} alertThresholds.memoryLimitRatio (-0.1) must be a ratio from 0 to 1`],
    ['a non-positive latency', { alertThresholds: { latencyP99Seconds: 0 } },
      `${P} alertThresholds.latencyP99Seconds (0) must be a number of seconds greater than 0`],
    ['a fractional restart count', { alertThresholds: { restarts: 1.5 } },
      `${P} alertThresholds.restarts (1.5) must be a whole number of at least 1`],
    ['a negative duration', { alertThresholds: { for: '-5m' } },
      `${P} alertThresholds.for ("-5m") is negative: use a duration of zero or more such as '30s', '5m' or '1h'`],
    ['a spelled-out duration', { alertThresholds: { rateWindow: '5 minutes' } },
      `${P} alertThresholds.rateWindow ("5 minutes") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['a zero rate window', { alertThresholds: { rateWindow: '0s' } },
      `${P} alertThresholds.rateWindow ("0s") must be longer than zero`],
    ['a retention that does not parse', { prometheus: { retention: '15 days' } },
      `[obs/observability/Prometheus] prometheus.retention ("15 days") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['units in the wrong order', { loki: { retention: '30m1h' } },
      `[obs/observability/Loki] loki.retention ("30m1h") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['a storage size that does not parse', { prometheus: { storage: Storage.persistentVolumeClaim({ size: '50 GB' }) } },
      `[obs/observability/Prometheus] prometheus.storage.size ("50 GB") is not a valid storage quantity: use a positive Kubernetes quantity such as '10Gi'`],
    ['an emptyDir limit in milli-bytes', { tempo: { storage: Storage.emptyDir({ sizeLimit: '500m' }) } },
      `[obs/observability/Tempo] tempo.storage.size ("500m") is in milli-bytes: use binary suffixes such as '10Gi'`],
    ['a memory limit below the request', { grafana: { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } } },
      `[obs/observability/Grafana] grafana.resources.limits.memory ("512Mi") is below grafana.resources.requests.memory ("1Gi"): a limit must be at least the request`],
    ['an image tagged latest', { loki: { image: 'grafana/loki:latest' } },
      `[obs/observability/Loki] loki.image ("grafana/loki:latest") uses the mutable tag "latest": pin a version tag or a digest`],
    ['an image without a tag', { collector: { image: 'otel/opentelemetry-collector-contrib' } },
      `[obs/observability/Collector] collector.image ("otel/opentelemetry-collector-contrib") has no tag or digest: pin a version tag or a digest`],
    ['a route to an unknown receiver', { alertmanager: { receivers: [AlertReceiver.none('null')], route: { receiver: 'pager' } } },
      `[obs/observability/Alertmanager] alertmanager.route.receiver ("pager") names no receiver: use one of null`],
    ['a receiver defined twice', { alertmanager: { receivers: [AlertReceiver.none('a'), AlertReceiver.none('a')] } },
      `[obs/observability/Alertmanager] alertmanager.receivers ("a") is defined twice: each receiver name must be unique`],
    ['matchers on the root route', { alertmanager: { route: { receiver: 'null', matchers: ['severity="critical"'] } } },
      `[obs/observability/Alertmanager] alertmanager.route.matchers (["severity=\\"critical\\""]) is set on the root route, which must match every alert: move it to a child route`],
    ['a malformed route interval', { alertmanager: { route: { receiver: 'null', routes: [{ receiver: 'null', repeatInterval: '1 hour' }] } } },
      `[obs/observability/Alertmanager] alertmanager.route.routes[0].repeatInterval ("1 hour") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['a namespace that is not a DNS label', { namespace: 'Observability' },
      `${P} namespace ("Observability") must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`],
    ['the log agent in the stack namespace', { logAgent: { namespace: 'observability' } },
      `${P} logAgent.namespace ("observability") is the stack's namespace: the log agent needs a namespace of its own, because it is the one Pod Security exception`],
    ['a relative offsets directory', { logAgent: { offsetsHostPath: 'var/lib/otel' } },
      `[obs/observability/LogAgent] logAgent.offsetsHostPath ("var/lib/otel") must be an absolute node path without '..' or a trailing '/'`],
    ['an offsets directory with ..', { logAgent: { offsetsHostPath: '/var/lib/../log' } },
      `[obs/observability/LogAgent] logAgent.offsetsHostPath ("/var/lib/../log") must be an absolute node path without '..' or a trailing '/'`],
    ['an offsets directory inside the read-only log directory', { logAgent: { offsetsHostPath: '/var/log/pods/offsets' } },
      `[obs/observability/LogAgent] logAgent.offsetsHostPath ("/var/log/pods/offsets") overlaps /var/log/pods, which the agent mounts read-only: choose a directory of its own`],
    ['an empty cluster name', { prometheus: { cluster: '' } },
      `[obs/observability/Prometheus] prometheus.cluster ("") must be a non-empty string`],
    ['cluster also set as an external label', { prometheus: { cluster: 'eu-1', externalLabels: { cluster: 'eu-2' } } },
      `[obs/observability/Prometheus] prometheus.externalLabels ("cluster") is set by prometheus.cluster: use that prop instead`],
    ['an external label name that is not a label name', { prometheus: { externalLabels: { '1region': 'eu' } } },
      `[obs/observability/Prometheus] prometheus.externalLabels ("1region") is not a Prometheus label name: use letters, digits and '_', not starting with a digit or '__'`],
    ['a reserved external label name', { prometheus: { externalLabels: { __tenant: 'a' } } },
      `[obs/observability/Prometheus] prometheus.externalLabels ("__tenant") is not a Prometheus label name: use letters, digits and '_', not starting with a digit or '__'`],
    ['an empty external label value', { prometheus: { externalLabels: { region: '' } } },
      `[obs/observability/Prometheus] prometheus.externalLabels.region ("") must be a non-empty string`],
    ['a remote-write URL without a scheme', { prometheus: { remoteWrite: [{ url: 'mimir:9009/api/v1/push' }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].url ("mimir:9009/api/v1/push") must be an http:// or https:// URL`],
    ['a remote-write name that is not a DNS label', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', name: 'Mimir' }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].name ("Mimir") must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`],
    ['both a bearer token and basic auth', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { bearerToken: { secretName: 'a', key: 't' }, username: 'u', password: { secretName: 'a', key: 'p' } } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth ("{bearerToken, basic auth}") sets a bearer token and basic auth: choose one`],
    ['a basic-auth user name without a password', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { username: 'u' } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth ("{username}") has half of basic auth: set both username and password`],
    ['a basic-auth password without a user name', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { password: { secretName: 'a', key: 'p' } } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth ("{password}") has half of basic auth: set both username and password`],
    ['an empty basic-auth user name', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { username: '', password: { secretName: 'a', key: 'p' } } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth.username ("") must be a non-empty string`],
    ['a remote-write Secret name that is not a DNS subdomain', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { bearerToken: { secretName: 'Mimir_Token', key: 't' } } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth.bearerToken.secretName ("Mimir_Token") must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`],
    ['a remote-write Secret key with a slash', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', auth: { username: 'u', password: { secretName: 'mimir', key: 'a/b' } } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].auth.password.key ("a/b") must be a ConfigMap/Secret key: letters, digits, '-', '_' and '.', at most 253 characters`],
    ['zero remote-write shards', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', queue: { maxShards: 0 } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].queue.maxShards (0) must be a whole number of at least 1`],
    ['more minimum than maximum shards', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', queue: { minShards: 10, maxShards: 5 } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].queue.minShards (10) must be <= maxShards (5)`],
    ['a batch larger than the queue', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', queue: { capacity: 1000, maxSamplesPerSend: 2000 } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].queue.maxSamplesPerSend (2000) must be <= capacity (1000)`],
    ['a malformed batch deadline', { prometheus: { remoteWrite: [{ url: 'https://mimir.example.com/api/v1/push', queue: { batchSendDeadline: '5' } }] } },
      `[obs/observability/Prometheus] prometheus.remoteWrite[0].queue.batchSendDeadline ("5") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
    ['zero Alertmanager replicas', { alertmanager: { replicas: 0 } },
      `[obs/observability/Alertmanager] alertmanager.replicas (0) must be a whole number of at least 1`],
    ['a fractional Alertmanager replica count', { alertmanager: { replicas: 1.5 } },
      `[obs/observability/Alertmanager] alertmanager.replicas (1.5) must be a whole number of at least 1`],
    ['operator mode with Prometheus options', { operator: {}, prometheus: { retention: '30d' } },
      `${P} prometheus ("{retention}") only applies to the self-contained stack: remove it, or remove operator to deploy the stack`],
    ['operator mode with Grafana options', { operator: {}, grafana: {} },
      `${P} grafana ("{}") only applies to the self-contained stack: remove it, or remove operator to deploy the stack`],
    ['operator mode with Loki options', { operator: {}, loki: { retention: '1d' } },
      `${P} loki ("{retention}") only applies to the self-contained stack: remove it, or remove operator to deploy the stack`],
    ['an invalid release label', { operator: { releaseLabel: 'kube prometheus' } },
      `${P} operator.releaseLabel ("kube prometheus") must be a label value: letters, digits, '-', '_' and '.', at most 63 characters`],
    ['an OTLP endpoint that is not a URL', { operator: { otlpEndpoint: 'otel:4317' } },
      `${P} operator.otlpEndpoint ("otel:4317") must be an http:// or https:// URL`],
    ['a malformed operator scrape interval', { operator: { scrapeInterval: '30' } },
      `${P} operator.scrapeInterval ("30") is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest unit first, such as '30s', '5m', '1h30m' or '15d'`],
  ];

  test.each(cases)('throws on %s', (_what, props, message) => {
    expectExactError(() => create(props), message);
  });

  test('throws when a service is monitored twice', () => {
    // GIVEN a monitored service
    const f = fixture();
    f.stack.monitor(f.orders);
    // WHEN it is monitored again THEN
    expect(() => f.stack.monitor(f.orders)).toThrow(`${P} monitor ("shop/orders") is already monitored by this stack: call monitor once per service`);
  });

  test('throws when a monitored service has no namespace', () => {
    const app = Testing.app();
    const bare = new Chart(app, 'bare');
    const svc = new GoMicroservice(bare, 'users', { image: 'registry.example.com/users:1.0.0' });
    const stack = new ObservabilityStack(new Chart(app, 'obs'), 'observability');
    expect(() => stack.monitor(svc)).toThrow('[obs/observability] monitor ("users") has no namespace: set the service\'s namespace or its chart\'s');
  });

  test('throws when Grafana or the collector is to admit a peer whose namespace cannot be known', () => {
    // GIVEN a workload in a chart without a namespace
    const f = fixture();
    const bare = new Chart(f.app, 'bare');
    const proxy = new kplus.Deployment(bare, 'proxy', { containers: [{ image: 'registry.example.com/proxy:1.0.0' }] });
    // WHEN the stack's components admit it THEN
    expectExactError(() => f.stack.grafana!.allowFrom(proxy),
      '[obs/observability/Grafana] allowFrom peer ("bare/proxy") has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart');
    expectExactError(() => f.stack.collector!.allowFrom(proxy),
      '[obs/observability/Collector] allowFrom peer ("bare/proxy") has no namespace, so the rule cannot select its pods by namespace: set the namespace of the peer or of its chart');
  });

  test('throws when the service already sets an OTEL variable', () => {
    const f = fixture();
    f.orders.addEnvironment('OTEL_SERVICE_NAME', kplus.EnvValue.fromValue('x'));
    expect(() => f.stack.monitor(f.orders)).toThrow('[shop/orders] addEnvironment sets "OTEL_SERVICE_NAME", which is already set: each environment variable must be set once');
  });
});

describe('ObservabilityStack.exposeGrafana rejects bad input', () => {
  const G = '[obs/observability/Grafana]';
  const oidc: GrafanaOidcOptions = {
    authUrl: 'https://sso.example.com/authorize', tokenUrl: 'https://sso.example.com/token', apiUrl: 'https://sso.example.com/userinfo',
    clientId: 'grafana', clientSecret: { secretName: 'grafana-oidc', key: 'client-secret' },
  };
  function expose(auth: GrafanaAuth, options: { namespace?: string; props?: ObservabilityStackProps; twice?: boolean } = {}): void {
    const f = fixture(options.props);
    const chart = options.namespace === undefined ? f.obs : new Chart(f.app, 'edge', { namespace: options.namespace });
    const ingress = new SecureIngress(chart, 'grafana-edge', {
      ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    });
    f.stack.exposeGrafana(ingress, { host: 'grafana.example.com', auth });
    if (options.twice) {
      f.stack.exposeGrafana(ingress, { host: 'grafana2.example.com', auth });
    }
  }

  const cases: Array<[string, () => void, string]> = [
    ['an authorization URL over plain HTTP', () => expose(GrafanaAuth.oidc({ ...oidc, authUrl: 'http://sso.example.com/authorize' })),
      `${G} exposeGrafana.auth.authUrl ("http://sso.example.com/authorize") must be an https:// URL`],
    ['a token URL that is no URL', () => expose(GrafanaAuth.oidc({ ...oidc, tokenUrl: 'sso/token' })),
      `${G} exposeGrafana.auth.tokenUrl ("sso/token") must be an https:// URL`],
    ['an empty client ID', () => expose(GrafanaAuth.oidc({ ...oidc, clientId: ' ' })),
      `${G} exposeGrafana.auth.clientId (" ") must be a non-empty string`],
    ['a client-secret Secret name that is not a DNS subdomain', () => expose(GrafanaAuth.oidc({ ...oidc, clientSecret: { secretName: 'Grafana_OIDC', key: 'x' } })),
      `${G} exposeGrafana.auth.clientSecret.secretName ("Grafana_OIDC") must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`],
    ['no scopes', () => expose(GrafanaAuth.oidc({ ...oidc, scopes: [] })),
      `${G} exposeGrafana.auth.scopes ([]) must be one or more OAuth scopes without spaces or quotes`],
    ['a scope with a space', () => expose(GrafanaAuth.oidc({ ...oidc, scopes: ['openid email'] })),
      `${G} exposeGrafana.auth.scopes (["openid email"]) must be one or more OAuth scopes without spaces or quotes`],
    ['an ingress in another namespace', () => expose(GrafanaAuth.basic(), { namespace: 'edge' }),
      `${G} exposeGrafana ingress ("edge/grafana-edge") is in namespace "edge", not Grafana's "observability": create the SecureIngress in the stack's namespace`],
    ['exposing Grafana twice', () => expose(GrafanaAuth.basic(), { twice: true }),
      `${G} exposeGrafana ("grafana2.example.com") is called twice: Grafana is already exposed at https://grafana.example.com/`],
    ['operator mode', () => expose(GrafanaAuth.basic(), { props: { operator: {} } }),
      `${P} exposeGrafana ("grafana.example.com") only applies to the self-contained stack: in operator mode Grafana belongs to kube-prometheus-stack`],
  ];

  test.each(cases)('throws on %s', (_what, run, message) => {
    expectExactError(run, message);
  });
});
