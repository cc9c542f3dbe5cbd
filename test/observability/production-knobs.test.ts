import { Testing } from 'cdk8s';
import {
  AlertmanagerOptions, AlertReceiver, Certificates, GrafanaAuth, GrafanaExposeOptions, GrafanaOidcOptions, IngressController, LogAgentOptions,
  PrometheusOptions, RemoteWriteAuth, RemoteWriteOptions, RemoteWriteQueue, SecureIngress, Storage,
} from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { find, Manifest } from '../util';
import { configFile, fixture } from './helpers';

expect.extend(policyMatchers);

describe('Prometheus remote write and external labels', () => {
  // GIVEN a stack that names its cluster and environment and writes to two long-term stores
  const f = fixture({
    prometheus: {
      cluster: 'eu-west-1',
      environment: 'production',
      externalLabels: { region: 'eu-west' },
      remoteWrite: [
        { url: 'https://mimir.example.com/api/v1/push', name: 'mimir', auth: { username: 'tenant-1', password: { secretName: 'mimir', key: 'password' } } },
        {
          url: 'https://thanos.example.com/api/v1/receive', auth: { bearerToken: { secretName: 'thanos', key: 'token' } },
          queue: { capacity: 20000, maxShards: 100, maxSamplesPerSend: 5000, batchSendDeadline: '10s' },
        },
      ],
    },
  });
  // WHEN it is synthesized
  const obs = Testing.synth(f.obs);
  const config = configFile(obs, 'prometheus-config-', 'prometheus.yml');
  const deployment = find(obs, 'Deployment', 'prometheus');

  test('writes cluster, environment and the extra labels as external labels', () => {
    expect(config.global.external_labels).toEqual({ cluster: 'eu-west-1', environment: 'production', region: 'eu-west' });
    expect(f.stack.prometheus!.externalLabels).toEqual({ cluster: 'eu-west-1', environment: 'production', region: 'eu-west' });
  });

  test('sends to each remote store with credentials read from mounted Secret files', () => {
    expect(config.remote_write).toEqual([
      {
        url: 'https://mimir.example.com/api/v1/push',
        name: 'mimir',
        basic_auth: { username: 'tenant-1', password_file: '/etc/prometheus/secrets/mimir/password' },
        queue_config: { capacity: 10000, min_shards: 1, max_shards: 50, max_samples_per_send: 2000, batch_send_deadline: '5s' },
      },
      {
        url: 'https://thanos.example.com/api/v1/receive',
        authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/thanos/token' },
        queue_config: { capacity: 20000, min_shards: 1, max_shards: 100, max_samples_per_send: 5000, batch_send_deadline: '10s' },
      },
    ]);
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'secret-0', secret: { secretName: 'mimir' } },
      { name: 'secret-1', secret: { secretName: 'thanos' } },
    ]));
    expect(pod.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'secret-0', mountPath: '/etc/prometheus/secrets/mimir', readOnly: true },
      { name: 'secret-1', mountPath: '/etc/prometheus/secrets/thanos', readOnly: true },
    ]));
    expect(deployment.metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/observability/mimir,Secret/observability/thanos');
    expect(JSON.stringify(obs)).not.toContain('tenant-1-password');
  });

  test('passes the policy gate', () => {
    expect(obs.filter((m) => m.metadata.namespace !== 'observability-logs')).toPassPolicies();
  });

  test('by default writes neither external labels nor remote write', () => {
    const plain = configFile(Testing.synth(fixture().obs), 'prometheus-config-', 'prometheus.yml');
    expect(plain.global).toEqual({ scrape_interval: '30s', evaluation_interval: '30s' });
    expect(plain.remote_write).toBeUndefined();
  });
});

describe('Alertmanager cluster', () => {
  // GIVEN three Alertmanager replicas
  const f = fixture({ alertmanager: { replicas: 3 } });
  const obs = Testing.synth(f.obs);
  const deployment = find(obs, 'Deployment', 'alertmanager');
  const container = deployment.spec.template.spec.containers[0];

  test('runs the replicas as a gossip cluster found through a headless Service', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(container.args).toEqual(expect.arrayContaining([
      '--cluster.listen-address=0.0.0.0:9094',
      '--cluster.peer=alertmanager-cluster.observability.svc:9094',
    ]));
    expect(container.ports).toEqual(expect.arrayContaining([
      { name: 'cluster-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'cluster-udp', containerPort: 9094, protocol: 'UDP' },
    ]));
    const headless = find(obs, 'Service', 'alertmanager-cluster');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.selector).toEqual(find(obs, 'Service', 'alertmanager').spec.selector);
    expect(headless.spec.ports).toEqual([
      { name: 'cluster-tcp', port: 9094, targetPort: 9094, protocol: 'TCP' },
      { name: 'cluster-udp', port: 9094, targetPort: 9094, protocol: 'UDP' },
    ]);
  });

  test('admits the peers to the gossip port and keeps all but one pod through disruptions', () => {
    const rules = find(obs, 'NetworkPolicy', 'alertmanager').spec.ingress;
    expect(rules).toContainEqual({
      from: [{ podSelector: { matchLabels: deployment.spec.selector.matchLabels }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }],
    });
    expect(find(obs, 'PodDisruptionBudget', 'alertmanager').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels }, unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('Prometheus sends every alert to every pod', () => {
    expect(configFile(obs, 'prometheus-config-', 'prometheus.yml').alerting).toEqual({
      alertmanagers: [{ dns_sd_configs: [{ names: ['alertmanager-cluster.observability.svc'], type: 'A', port: 9093 }] }],
    });
  });

  test('one replica stays a single pod without gossip, replaced on update', () => {
    const single = Testing.synth(fixture().obs);
    const d = find(single, 'Deployment', 'alertmanager');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.template.spec.containers[0].args).toContain('--cluster.listen-address=');
    expect(single.filter((m: Manifest) => m.metadata.name === 'alertmanager-cluster' || m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(configFile(single, 'prometheus-config-', 'prometheus.yml').alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ['alertmanager.observability.svc:9093'] }] }],
    });
  });

  test('passes the policy gate', () => {
    expect(obs.filter((m) => m.metadata.namespace !== 'observability-logs')).toPassPolicies();
  });
});

describe('Grafana exposed through SecureIngress', () => {
  function exposed(auth: GrafanaAuth) {
    const f = fixture();
    const ingress = new SecureIngress(f.obs, 'grafana-edge', {
      ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    });
    f.stack.exposeGrafana(ingress, { host: 'grafana.example.com', auth });
    return { f, obs: Testing.synth(f.obs) };
  }
  const envOf = (obs: Manifest[]) => Object.fromEntries(find(obs, 'Deployment', 'grafana').spec.template.spec.containers[0].env
    .map((e: Manifest) => [e.name, e.value ?? e.valueFrom]));

  test('with OIDC: sign-in from the identity provider, client secret from its Secret, login form off', () => {
    // GIVEN an OIDC client registered for Grafana
    const { f, obs } = exposed(GrafanaAuth.oidc({
      authUrl: 'https://sso.example.com/authorize', tokenUrl: 'https://sso.example.com/token', apiUrl: 'https://sso.example.com/userinfo',
      clientId: 'grafana', clientSecret: { secretName: 'grafana-oidc', key: 'client-secret' },
      roleAttributePath: "contains(groups[*], 'sre') && 'Admin' || 'Viewer'",
    }));
    const env = envOf(obs);
    // THEN Grafana is configured for it, with no secret value in the output
    expect(env).toMatchObject({
      GF_AUTH_GENERIC_OAUTH_ENABLED: 'true',
      GF_AUTH_GENERIC_OAUTH_NAME: 'SSO',
      GF_AUTH_GENERIC_OAUTH_CLIENT_ID: 'grafana',
      GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: 'grafana-oidc', key: 'client-secret' } },
      GF_AUTH_GENERIC_OAUTH_SCOPES: 'openid email profile',
      GF_AUTH_GENERIC_OAUTH_AUTH_URL: 'https://sso.example.com/authorize',
      GF_AUTH_GENERIC_OAUTH_TOKEN_URL: 'https://sso.example.com/token',
      GF_AUTH_GENERIC_OAUTH_API_URL: 'https://sso.example.com/userinfo',
      GF_AUTH_GENERIC_OAUTH_USE_PKCE: 'true',
      GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH: "contains(groups[*], 'sre') && 'Admin' || 'Viewer'",
      GF_AUTH_DISABLE_LOGIN_FORM: 'true',
      GF_AUTH_BASIC_ENABLED: 'false',
      GF_SERVER_ROOT_URL: 'https://grafana.example.com/',
      GF_SERVER_DOMAIN: 'grafana.example.com',
      GF_SECURITY_COOKIE_SECURE: 'true',
    });
    expect(find(obs, 'Deployment', 'grafana').metadata.annotations['policy.cdk8s-go-platform.io/external'])
      .toBe('Secret/observability/grafana-admin,Secret/observability/grafana-oidc');
    expect(f.stack.grafana!.rootUrl).toBe('https://grafana.example.com/');
  });

  test('routes the host to the Grafana Service over TLS and admits the controller namespace', () => {
    const { obs } = exposed(GrafanaAuth.basic());
    const ingress = obs.find((m) => m.kind === 'Ingress');
    expect(ingress.metadata.namespace).toBe('observability');
    expect(ingress.spec.tls).toEqual([expect.objectContaining({ hosts: ['grafana.example.com'] })]);
    expect(ingress.spec.rules).toEqual([{
      host: 'grafana.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'grafana', port: { number: 3000 } } } }] },
    }]);
    expect(find(obs, 'NetworkPolicy', 'grafana').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} }],
      ports: [{ port: 3000, protocol: 'TCP' }],
    }]);
    expect(envOf(obs)).toMatchObject({ GF_AUTH_BASIC_ENABLED: 'true', GF_AUTH_DISABLE_LOGIN_FORM: 'false', GF_SERVER_ROOT_URL: 'https://grafana.example.com/' });
    expect(obs).toPassPolicies();
  });
});

describe('every option of the production settings', () => {
  test('is taken and written where it belongs', () => {
    // GIVEN every prop of the option structs (a new prop fails to compile here until it is covered)
    const queue: Required<RemoteWriteQueue> = { capacity: 5000, minShards: 2, maxShards: 20, maxSamplesPerSend: 1000, batchSendDeadline: '2s' };
    const auth: Required<Omit<RemoteWriteAuth, 'bearerToken'>> = { username: 'tenant', password: { secretName: 'mimir', key: 'password' } };
    const remoteWrite: Required<RemoteWriteOptions> = { url: 'https://mimir.example.com/api/v1/push', name: 'mimir', auth, queue };
    const prometheus: Required<PrometheusOptions> = {
      image: 'prom/prometheus:v3.5.1', resources: { limits: { memory: '3Gi' } }, retention: '30d',
      storage: Storage.persistentVolumeClaim({ size: '50Gi' }), scrapeInterval: '15s', evaluationInterval: '15s',
      cluster: 'eu-1', environment: 'production', externalLabels: { region: 'eu' }, remoteWrite: [remoteWrite],
    };
    const alertmanager: Required<AlertmanagerOptions> = {
      image: 'prom/alertmanager:v0.28.1', resources: {}, receivers: [AlertReceiver.none('null')], route: { receiver: 'null' }, replicas: 2,
    };
    const logAgent: Required<LogAgentOptions> = {
      image: 'otel/opentelemetry-collector-contrib:0.132.0', resources: {}, namespace: 'logs', offsetsHostPath: '/data/otel',
    };
    const oidc: Required<GrafanaOidcOptions> = {
      authUrl: 'https://sso.example.com/a', tokenUrl: 'https://sso.example.com/t', apiUrl: 'https://sso.example.com/u',
      clientId: 'grafana', clientSecret: { secretName: 'grafana-oidc', key: 'secret' }, scopes: ['openid', 'groups'],
      roleAttributePath: "'Editor'", name: 'Company SSO',
    };
    // WHEN they are used
    const f = fixture({ prometheus, alertmanager, logAgent });
    const ingress = new SecureIngress(f.obs, 'grafana-edge', {
      ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
      certificates: Certificates.fromClusterIssuer('letsencrypt'),
    });
    const expose: Required<GrafanaExposeOptions> = { host: 'grafana.example.com', auth: GrafanaAuth.oidc(oidc) };
    f.stack.exposeGrafana(ingress, expose);
    const obs = Testing.synth(f.obs);
    // THEN each lands in the output
    const config = configFile(obs, 'prometheus-config-', 'prometheus.yml');
    expect(config.global.external_labels).toEqual({ cluster: 'eu-1', environment: 'production', region: 'eu' });
    expect(config.remote_write[0].queue_config).toEqual({ capacity: 5000, min_shards: 2, max_shards: 20, max_samples_per_send: 1000, batch_send_deadline: '2s' });
    expect(find(obs, 'Deployment', 'alertmanager').spec.replicas).toBe(2);
    expect(find(obs, 'DaemonSet', 'log-agent').spec.template.spec.volumes).toContainEqual({ name: 'offsets', hostPath: { path: '/data/otel/logs', type: 'DirectoryOrCreate' } });
    const env = Object.fromEntries(find(obs, 'Deployment', 'grafana').spec.template.spec.containers[0].env.map((e: Manifest) => [e.name, e.value]));
    expect(env).toMatchObject({ GF_AUTH_GENERIC_OAUTH_SCOPES: 'openid groups', GF_AUTH_GENERIC_OAUTH_NAME: 'Company SSO', GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH: "'Editor'" });
  });
});
