import { Testing } from 'cdk8s';
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
