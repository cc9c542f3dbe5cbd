import { Testing } from 'cdk8s';
import { find, Manifest } from '../util';
import { configFile, fixture } from './helpers';

/** Every component id a collector pipeline or the service section names must be defined. */
function undefinedReferences(config: Manifest): string[] {
  const missing: string[] = [];
  const defined = (section: string, id: string) => {
    if (config[section]?.[id] === undefined) {
      missing.push(`${section}.${id}`);
    }
  };
  for (const id of config.service.extensions ?? []) {
    defined('extensions', id);
  }
  for (const [name, pipeline] of Object.entries<Manifest>(config.service.pipelines)) {
    if ((pipeline.receivers ?? []).length === 0 || (pipeline.exporters ?? []).length === 0) {
      missing.push(`pipeline ${name} needs a receiver and an exporter`);
    }
    for (const section of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[section] ?? []) {
        defined(section, id);
      }
    }
  }
  // A receiver's or exporter's `storage` names an extension that the service must start.
  for (const [id, receiver] of Object.entries<Manifest>(config.receivers)) {
    if (receiver.storage !== undefined && !(config.service.extensions ?? []).includes(receiver.storage)) {
      missing.push(`receivers.${id}.storage ${receiver.storage} is not a started extension`);
    }
  }
  for (const [id, exporter] of Object.entries<Manifest>(config.exporters)) {
    const storage = exporter.sending_queue?.storage;
    if (storage !== undefined && !(config.service.extensions ?? []).includes(storage)) {
      missing.push(`exporters.${id}.sending_queue.storage ${storage} is not a started extension`);
    }
  }
  return missing;
}

describe('LogAgent', () => {
  // GIVEN the default self-contained stack
  const f = fixture();
  // WHEN it is synthesized
  const obs = Testing.synth(f.obs);
  const config = configFile(obs, 'log-agent-config-', 'config.yaml');
  const filelog = config.receivers.filelog;
  const agent = find(obs, 'DaemonSet', 'log-agent');
  const pod = agent.spec.template.spec;

  test('every pipeline references defined receivers, processors, exporters and extensions', () => {
    expect(undefinedReferences(config)).toEqual([]);
    expect(config.service.pipelines.logs).toEqual({
      receivers: ['filelog'], processors: ['memory_limiter', 'resource/node', 'batch'], exporters: ['otlphttp/loki'],
    });
    // memory_limiter must come first to protect the rest of the pipeline.
    expect(config.service.pipelines.logs.processors[0]).toBe('memory_limiter');
  });

  test('the trace collector passes the same structural check', () => {
    const collector = configFile(obs, 'otel-collector-config-', 'config.yaml');
    expect(undefinedReferences(collector)).toEqual([]);
    expect(Object.keys(collector.service.pipelines)).toEqual(['traces']);
  });

  test('the structural check finds a dangling reference', () => {
    const broken = JSON.parse(JSON.stringify(config));
    broken.service.pipelines.logs.processors.push('k8sattributes');
    delete broken.extensions.file_storage;
    expect(undefinedReferences(broken)).toEqual(['extensions.file_storage', 'processors.k8sattributes']);
    broken.service.extensions = ['health_check'];
    expect(undefinedReferences(broken)).toEqual([
      'processors.k8sattributes',
      'receivers.filelog.storage file_storage is not a started extension',
      'exporters.otlphttp/loki.sending_queue.storage file_storage is not a started extension',
    ]);
  });

  test('keeps the file path so the container operator can read namespace, pod, UID, container and restart count from it', () => {
    expect(filelog.include).toEqual(['/var/log/pods/*/*/*.log']);
    expect(filelog.include_file_path).toBe(true);
    expect(filelog.include_file_name).toBe(false);
    const [container, json] = filelog.operators;
    // No `format`: the operator detects CRI (containerd, CRI-O) and Docker lines and recombines CRI partial lines.
    expect(container).toEqual({ type: 'container', id: 'container-parser', add_metadata_from_filepath: true });
    expect(json).toMatchObject({ type: 'json_parser', parse_from: 'body', parse_to: 'attributes', on_error: 'send_quiet' });
    expect(filelog.operators.map((o: Manifest) => o.type)).toEqual(['container', 'json_parser']);
  });

  test('excludes its own namespace so its lines do not feed back into it', () => {
    expect(filelog.exclude).toEqual(['/var/log/pods/observability-logs_*/*/*.log']);
  });

  test('persists read offsets with file_storage on a hostPath directory of its namespace', () => {
    expect(filelog.storage).toBe('file_storage');
    expect(filelog.start_at).toBe('end');
    expect(config.extensions.file_storage).toEqual({ directory: '/var/lib/otelcol/file_storage', create_directory: false, timeout: '10s' });
    expect(config.service.extensions).toEqual(['health_check', 'file_storage']);
    // Read lines not yet delivered to Loki survive a restart too.
    expect(config.exporters['otlphttp/loki']).toEqual({
      endpoint: 'http://loki.observability.svc:3100/otlp', sending_queue: { enabled: true, storage: 'file_storage' },
    });
    expect(pod.volumes).toContainEqual({ name: 'offsets', hostPath: { path: '/var/lib/otelcol-log-agent/observability-logs', type: 'DirectoryOrCreate' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'offsets', mountPath: '/var/lib/otelcol/file_storage' });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'pod-logs', mountPath: '/var/log/pods', readOnly: true });
    expect(f.stack.logAgent!.offsetsPath).toBe('/var/lib/otelcol-log-agent/observability-logs');
    expect(agent.metadata.namespace).toBe('observability-logs');
  });

  test('tolerates every taint, so every node has log collection', () => {
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('has resource requests and limits and a read-only root file system', () => {
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('takes another node directory for its offsets', () => {
    const g = fixture({ logAgent: { offsetsHostPath: '/data/otel' } });
    const ds = find(Testing.synth(g.obs), 'DaemonSet', 'log-agent');
    expect(ds.spec.template.spec.volumes).toContainEqual({ name: 'offsets', hostPath: { path: '/data/otel/observability-logs', type: 'DirectoryOrCreate' } });
  });
});

describe('probes of the stateful components', () => {
  const obs = Testing.synth(fixture().obs);
  const probes = (name: string) => {
    const c = find(obs, 'Deployment', name).spec.template.spec.containers[0];
    return { startup: c.startupProbe, readiness: c.readinessProbe, liveness: c.livenessProbe };
  };
  const get = (path: string, port: number) => ({ httpGet: { path, port, scheme: 'HTTP' } });

  test.each([
    ['prometheus', 9090, '/-/ready', '/-/healthy', 90],
    ['loki', 3100, '/ready', '/loki/api/v1/status/buildinfo', 90],
    ['tempo', 3200, '/ready', '/api/echo', 90],
    ['alertmanager', 9093, '/-/ready', '/-/healthy', 30],
  ])('%s: a startup probe sized for replay, readiness and a distinct liveness endpoint', (name, port, ready, alive, startupFailures) => {
    const p = probes(name);
    expect(p.startup).toMatchObject({ ...get(ready, port), periodSeconds: 10, failureThreshold: startupFailures, timeoutSeconds: 5 });
    expect(p.readiness).toMatchObject({ ...get(ready, port), periodSeconds: 10, failureThreshold: 3 });
    expect(p.liveness).toMatchObject({ ...get(alive, port), periodSeconds: 20, failureThreshold: 6 });
    expect(p.liveness.httpGet.path).not.toBe(p.readiness.httpGet.path);
  });

  test('a WAL replay gets 15 minutes before liveness starts', () => {
    const p = probes('loki').startup;
    expect(p.periodSeconds * p.failureThreshold).toBe(900);
  });
});
