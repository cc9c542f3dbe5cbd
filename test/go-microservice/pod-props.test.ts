import { Duration } from 'cdk8s';
import { GoMicroservice, GoMicroserviceProps, KubernetesVersion, PodVolume, Probe, setKubernetesVersion, TaintEffect, TolerationOperator } from '../../lib';
import { kplus } from '../../lib/common/plus';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/orders:1.4.2';
const PROXY = 'registry.example.com/cloud-sql-proxy:2.14.0';

function render(props: Partial<GoMicroserviceProps> = {}, configure?: (svc: GoMicroservice) => void): Manifest[] {
  const chart = shopChart();
  const svc = new GoMicroservice(chart, 'orders', { image: IMAGE, ...props });
  configure?.(svc);
  return synth(chart);
}

function podSpec(manifests: Manifest[]): Manifest {
  return find(manifests, 'Deployment', 'orders').spec.template.spec;
}

function build(props: Partial<GoMicroserviceProps>): () => void {
  return () => new GoMicroservice(shopChart(), 'orders', { image: IMAGE, ...props });
}

const SIDECAR = {
  name: 'sql-proxy',
  image: PROXY,
  args: ['--port=5432', 'shop:europe-west1:orders'],
  ports: [{ name: 'proxy-health', number: 9801 }],
  probes: { readiness: Probe.http('/readiness', { port: 9801 }), liveness: Probe.http('/liveness', { port: 9801 }) },
};

describe('GoMicroservice pod props', () => {
  test('scheduling props are written verbatim into the pod spec', () => {
    // GIVEN scheduling props
    const spec = podSpec(render({
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'pool': 'shop' },
      tolerations: [
        { key: 'dedicated', value: 'shop', effect: TaintEffect.NO_SCHEDULE },
        { key: 'node.kubernetes.io/unreachable', operator: TolerationOperator.EXISTS, effect: TaintEffect.NO_EXECUTE, tolerationSeconds: 30 },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } } },
          }],
        },
      },
      priorityClassName: 'shop-critical',
      imagePullSecrets: ['registry-a', 'registry-b'],
    }));
    // THEN
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64', 'pool': 'shop' });
    expect(spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ]);
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
    expect(spec.priorityClassName).toBe('shop-critical');
    expect(spec.imagePullSecrets).toEqual([{ name: 'registry-a' }, { name: 'registry-b' }]);
    // the topology spread stays beside the affinity
    expect(spec.topologySpreadConstraints).toHaveLength(2);
  });

  test('configFiles: a content-hashed, immutable ConfigMap mounted read-only; a change renames it', () => {
    const files = { 'config.yaml': 'level: info\n', 'features.toml': '[flags]\nnew_checkout = true\n' };
    const manifests = render({ configFiles: { mountPath: '/etc/orders', files } });
    const cm = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('orders-files-'))!;
    expect(cm.data).toEqual(files);
    expect(cm.immutable).toBe(true);
    const spec = podSpec(manifests);
    expect(spec.volumes).toContainEqual({ name: 'config-files', configMap: { name: cm.metadata.name, defaultMode: 0o444 } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'config-files', mountPath: '/etc/orders', readOnly: true });

    const changed = render({ configFiles: { mountPath: '/etc/orders', files: { ...files, 'config.yaml': 'level: debug\n' } } });
    const cm2 = changed.find((m) => m.kind === 'ConfigMap' && m.metadata.name.startsWith('orders-files-'))!;
    expect(cm2.metadata.name).not.toBe(cm.metadata.name);
    expect(podSpec(changed).volumes).toContainEqual({ name: 'config-files', configMap: { name: cm2.metadata.name, defaultMode: 0o444 } });
  });

  test('secretFiles: by reference, read-only, mode 0400, declared external for the gate', () => {
    const manifests = render({ secretFiles: [{ secretName: 'orders-tls', mountPath: '/var/run/secrets/tls', items: { 'tls.crt': 'client.crt', 'tls.key': 'client.key' } }] });
    const spec = podSpec(manifests);
    expect(spec.volumes).toContainEqual({
      name: 'secret-0',
      secret: { secretName: 'orders-tls', defaultMode: 0o400, optional: false, items: [{ key: 'tls.crt', path: 'client.crt' }, { key: 'tls.key', path: 'client.key' }] },
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'secret-0', mountPath: '/var/run/secrets/tls', readOnly: true });
    expect(find(manifests, 'Deployment', 'orders').metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/orders-tls');
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(manifests).toPassPolicies();
  });

  test('volumes: emptyDir with a size limit, PVC by claim name, ephemeral claim template', () => {
    const spec = podSpec(render({
      volumes: [
        PodVolume.emptyDir({ name: 'cache', mountPath: '/var/cache/orders' }),
        PodVolume.emptyDir({ name: 'shm', mountPath: '/dev/shm', sizeLimit: '256Mi', memory: true }),
        PodVolume.persistentVolumeClaim({ name: 'uploads', mountPath: '/data/uploads', claimName: 'orders-uploads', readOnly: true }),
        PodVolume.ephemeral({ name: 'scratch', mountPath: '/scratch', storage: '10Gi', storageClassName: 'fast-ssd' }),
      ],
    }));
    expect(spec.volumes.map((v: Manifest) => v.name)).toEqual(['tmp', 'cache', 'shm', 'uploads', 'scratch']);
    expect(spec.volumes[1]).toEqual({ name: 'cache', emptyDir: { sizeLimit: '1Gi' } });
    expect(spec.volumes[2]).toEqual({ name: 'shm', emptyDir: { sizeLimit: '256Mi', medium: 'Memory' } });
    expect(spec.volumes[3]).toEqual({ name: 'uploads', persistentVolumeClaim: { claimName: 'orders-uploads', readOnly: true } });
    expect(spec.volumes[4].ephemeral.volumeClaimTemplate.spec).toEqual({
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'fast-ssd',
    });
    expect(spec.containers[0].volumeMounts.map((m: Manifest) => [m.name, m.mountPath, m.readOnly])).toEqual([
      ['tmp', '/tmp', undefined], ['cache', '/var/cache/orders', undefined], ['shm', '/dev/shm', undefined],
      ['uploads', '/data/uploads', true], ['scratch', '/scratch', undefined],
    ]);
  });

  test('init containers and sidecars are hardened like the main container; Go tuning only on the main one', () => {
    const manifests = render({
      resources: { limits: { cpu: '2', memory: '1Gi' } },
      volumes: [PodVolume.emptyDir({ name: 'sockets', mountPath: '/var/run/sockets' })],
      initContainers: [{ name: 'migrate-wait', image: 'registry.example.com/wait-for:1.2.0', args: ['--for', 'db'], mounts: [{ volume: 'sockets', path: '/sockets' }] }],
      sidecars: [{ ...SIDECAR, secretEnv: { CREDENTIALS: { secretName: 'sql-proxy', key: 'credentials.json' } }, resources: { limits: { memory: '256Mi' } } }],
    });
    const spec = podSpec(manifests);
    const [main, proxy] = spec.containers;
    const init = spec.initContainers[0];
    for (const c of [init, proxy]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true,
        runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532,
      });
      expect(c.volumeMounts[0]).toEqual({ name: 'tmp', mountPath: '/tmp' });
      expect((c.env ?? []).map((e: Manifest) => e.name)).not.toContain('GOMEMLIMIT');
    }
    expect(init.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    expect(init.volumeMounts[1]).toEqual({ name: 'sockets', mountPath: '/sockets' });
    expect(proxy.resources.limits.memory).toBe('256Mi');
    expect(proxy.readinessProbe.httpGet).toEqual({ path: '/readiness', port: 9801 });
    expect(proxy.env).toEqual([{ name: 'CREDENTIALS', valueFrom: { secretKeyRef: { name: 'sql-proxy', key: 'credentials.json', optional: false } } }]);
    // GOMEMLIMIT/GOMAXPROCS come from the main container's 1Gi/2 cores only
    const mainEnv = Object.fromEntries(main.env.map((e: Manifest) => [e.name, e.value]));
    expect(mainEnv.GOMEMLIMIT).toBe('921MiB');
    expect(mainEnv.GOMAXPROCS).toBe('2');
    expect(find(manifests, 'Deployment', 'orders').metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/sql-proxy');
    expect(manifests).toPassPolicies();
  });

  test('sidecars are regular containers at the 1.27 default and native init containers from 1.29', () => {
    const at = (version?: KubernetesVersion) => {
      const chart = shopChart();
      if (version) {
        setKubernetesVersion(chart, version);
      }
      new GoMicroservice(chart, 'orders', { image: IMAGE, sidecars: [SIDECAR], initContainers: [{ name: 'init', image: PROXY }] });
      return synth(chart);
    };
    const old = podSpec(at());
    expect(old.containers.map((c: Manifest) => c.name)).toEqual(['orders', 'sql-proxy']);
    expect(old.initContainers.map((c: Manifest) => c.name)).toEqual(['init']);
    const manifests = at(KubernetesVersion.V1_29);
    const spec = podSpec(manifests);
    expect(spec.containers.map((c: Manifest) => c.name)).toEqual(['orders']);
    expect(spec.initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([['sql-proxy', 'Always'], ['init', undefined]]);
    expect(spec.initContainers[0].readinessProbe.httpGet.port).toBe(9801);
    expect(manifests).toPassPolicies({ kubernetesVersion: '1.29' });
  });

  test('downward API env by default; OTEL_RESOURCE_ATTRIBUTES is completed, last', () => {
    const manifests = render({}, (svc) => {
      svc.addEnvironment('K8S_POD', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME));
      svc.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue('k8s.pod.name=$(K8S_POD),deployment.environment=staging'));
    });
    const env: Manifest[] = podSpec(manifests).containers[0].env;
    expect(env.slice(0, 3)).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    ]);
    expect(env[env.length - 1]).toEqual({
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: 'k8s.pod.name=$(K8S_POD),deployment.environment=staging,k8s.namespace.name=$(POD_NAMESPACE),k8s.node.name=$(NODE_NAME),'
        + 'k8s.deployment.name=orders,k8s.container.name=orders,service.version=1.4.2',
    });
  });

  test('downwardApiEnv: false sets none of them', () => {
    const env: Manifest[] = podSpec(render({ downwardApiEnv: false })).containers[0].env;
    expect(env.map((e) => e.name)).toEqual(['GOMEMLIMIT', 'GOMAXPROCS', 'SHUTDOWN_DELAY', 'SHUTDOWN_DRAIN_TIMEOUT']);
  });

  test('pins the documented defaults of the pod props', () => {
    const spec = podSpec(render({ volumes: [PodVolume.emptyDir({ name: 'cache', mountPath: '/cache' })], initContainers: [{ name: 'init', image: PROXY }] }));
    expect(spec.nodeSelector).toBeUndefined();
    expect(spec.tolerations).toBeUndefined();
    expect(spec.affinity).toBeUndefined();
    expect(spec.priorityClassName).toBeUndefined();
    expect(spec.imagePullSecrets).toBeUndefined();
    expect(spec.volumes[1].emptyDir).toEqual({ sizeLimit: '1Gi' });
    expect(spec.initContainers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    expect(spec.containers[0].env.map((e: Manifest) => e.name)).toContain('POD_NAME');
  });
});

describe('GoMicroservice pod props: validation', () => {
  const P = '[test/orders]';
  test.each<[string, Partial<GoMicroserviceProps>, string]>([
    ['a bad nodeSelector key', { nodeSelector: { 'bad key': 'x' } },
      `${P} nodeSelector ("bad key") must be a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`],
    ['a bad nodeSelector value', { nodeSelector: { pool: '-x' } },
      `${P} nodeSelector.pool ("-x") must be a label value: empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`],
    ['a toleration without key and operator Equal', { tolerations: [{ value: 'x' }] },
      `${P} tolerations[0].key (undefined) is required with operator Equal: set a key, or use TolerationOperator.EXISTS to tolerate every taint`],
    ['an Exists toleration with a value', { tolerations: [{ key: 'k', operator: TolerationOperator.EXISTS, value: 'v' }] },
      `${P} tolerations[0].value ("v") must be empty with operator Exists: remove the value or use TolerationOperator.EQUAL`],
    ['tolerationSeconds without NoExecute', { tolerations: [{ key: 'k', effect: TaintEffect.NO_SCHEDULE, tolerationSeconds: 5 }] },
      `${P} tolerations[0].tolerationSeconds (5) applies only to effect NoExecute: set effect: TaintEffect.NO_EXECUTE or remove it`],
    ['an affinity weight out of range', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }] } } },
      `${P} affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight (0) must be an integer from 1 to 100`],
    ['a required node affinity without terms', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } },
      `${P} affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms ([]) is empty: no node would match; add a term or remove it`],
    ['a pod affinity term without topologyKey', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '' }] } } },
      `${P} affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey ("") is required: a node label key such as "kubernetes.io/hostname"`],
    ['a bad priorityClassName', { priorityClassName: 'High' },
      `${P} priorityClassName ("High") must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`],
    ['a pull secret listed twice', { imagePullSecrets: ['reg', 'reg'] },
      `${P} imagePullSecrets[1] ("reg") collides with imagePullSecrets[0]: each image pull Secret must be distinct`],
    ['empty configFiles', { configFiles: { mountPath: '/etc/orders', files: {} } },
      `${P} configFiles.files ({}) is empty: add at least one file or remove configFiles`],
    ['a config file name with a slash', { configFiles: { mountPath: '/etc/orders', files: { 'conf/app.yaml': '' } } },
      `${P} configFiles.files ("conf/app.yaml") must be a ConfigMap/Secret key: letters, digits, '-', '_' and '.', at most 253 characters`],
    ['a config file named ..', { configFiles: { mountPath: '/etc/orders', files: { '..': '' } } },
      `${P} configFiles.files ("..") is not a file name: use a name other than '.' and '..'`],
    ['a relative mount path', { configFiles: { mountPath: 'etc/orders', files: { 'a.yaml': '' } } },
      `${P} configFiles.mountPath ("etc/orders") must be an absolute path below '/', without ':', spaces or '..'`],
    ['a mount path used twice', { configFiles: { mountPath: '/etc/orders', files: { 'a.yaml': '' } }, secretFiles: [{ secretName: 's', mountPath: '/etc/orders' }] },
      `${P} secretFiles[0].mountPath ("/etc/orders") collides with configFiles.mountPath: each mount path must be distinct`],
    ['a volume over /tmp', { volumes: [PodVolume.emptyDir({ name: 'scratch', mountPath: '/tmp' })] },
      `${P} volumes[0].mountPath ("/tmp") collides with the /tmp volume: each mount path must be distinct`],
    ['a volume named tmp', { volumes: [PodVolume.emptyDir({ name: 'tmp', mountPath: '/scratch' })] },
      `${P} volumes[0].name ("tmp") collides with the /tmp volume: each volume name must be distinct`],
    ['a bad emptyDir size', { volumes: [PodVolume.emptyDir({ name: 'cache', mountPath: '/cache', sizeLimit: 'lots' })] },
      `${P} volumes[0].sizeLimit ("lots") is not a valid storage quantity: use a positive Kubernetes quantity such as '10Gi'`],
    ['a bad claim name', { volumes: [PodVolume.persistentVolumeClaim({ name: 'data', mountPath: '/data', claimName: 'Data' })] },
      `${P} volumes[0].claimName ("Data") must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`],
    ['a bad ephemeral size', { volumes: [PodVolume.ephemeral({ name: 'scratch', mountPath: '/scratch', storage: '10m' })] },
      `${P} volumes[0].storage ("10m") is in milli-bytes: use binary suffixes such as '10Gi'`],
    ['an unpinned init container image', { initContainers: [{ name: 'init', image: 'busybox:latest' }] },
      `${P} initContainers[0].image ("busybox:latest") uses the mutable tag "latest": pin a version tag or a digest`],
    ['a container name taken by the main container', { sidecars: [{ ...SIDECAR, name: 'orders' }] },
      `${P} sidecars[0].name ("orders") collides with the main container: each container name must be distinct`],
    ['a sidecar without probes', { sidecars: [{ ...SIDECAR, probes: undefined as never }] },
      `${P} sidecars[0].probes (undefined) must set readiness and liveness: a sidecar that dies or hangs must be restarted and taken out of service like the main container`],
    ['a sidecar probe on an undeclared port', { sidecars: [{ ...SIDECAR, probes: { ...SIDECAR.probes, liveness: Probe.http('/live', { port: 9999 }) } }] },
      `${P} sidecars[0].probes.liveness.port (9999) must be one of the sidecar's ports: 9801`],
    ['a bad sidecar port name', { sidecars: [{ ...SIDECAR, ports: [{ name: 'Health_Port', number: 9801 }] }] },
      `${P} sidecars[0].ports[0].name ("Health_Port") must be an IANA service name: at most 15 lower-case letters, digits and '-', with at least one letter`],
    ['an init container with probes', { initContainers: [{ name: 'init', image: PROXY, probes: SIDECAR.probes } as never] },
      `${P} initContainers[0] sets ports or probes, which an init container cannot use: remove them or make it a sidecar`],
    ['a mount of an unknown volume', { initContainers: [{ name: 'init', image: PROXY, mounts: [{ volume: 'nope', path: '/x' }] }] },
      `${P} initContainers[0].mounts[0].volume ("nope") is not a volume of this pod: use one of tmp`],
    ['a sidecar env set twice', { sidecars: [{ ...SIDECAR, env: { A: '1' }, secretEnv: { A: { secretName: 's', key: 'k' } } }] },
      `${P} sidecars[0].secretEnv sets "A", which is already set by sidecars[0].env: each environment variable must be set once`],
    ['a sidecar limit below its request', { sidecars: [{ ...SIDECAR, resources: { requests: { cpu: '1' } } }] },
      `${P} sidecars[0].resources.limits.cpu ("200m") is below sidecars[0].resources.requests.cpu ("1"): a limit must be at least the request`],
    ['config setting a downward API variable', { config: { POD_NAME: 'x' } },
      `${P} config sets "POD_NAME", which downwardApiEnv already sets: remove it, or set downwardApiEnv: false`],
  ])('throws on %s', (_name, props, message) => {
    expectExactError(build(props), message);
  });

  test('throws when OTEL_RESOURCE_ATTRIBUTES is added from a reference', () => {
    expectExactError(() => render({}, (svc) => svc.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME))),
      '[test/orders] addEnvironment sets "OTEL_RESOURCE_ATTRIBUTES" from a reference: give its attributes as a plain "key=value,key=value" string');
  });

  test('throws when OTEL_RESOURCE_ATTRIBUTES has a pair without =', () => {
    expectExactError(() => render({}, (svc) => svc.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue('a=1,b'))),
      '[test/orders] addEnvironment sets "OTEL_RESOURCE_ATTRIBUTES" with "b", which is not key=value: separate attributes with \',\'');
  });

  test('throws when OTEL_RESOURCE_ATTRIBUTES is completed twice', () => {
    expectExactError(() => render({}, (svc) => {
      svc.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue('a=1'));
      svc.addEnvironment('OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue('b=1'));
    }), '[test/orders] addEnvironment sets "OTEL_RESOURCE_ATTRIBUTES", which is already set: each environment variable must be set once');
  });

  test('a shutdown of ten seconds still fits the grace period with sidecars', () => {
    // sidecars do not change the shutdown timing
    const spec = podSpec(render({ sidecars: [SIDECAR], shutdown: { delay: Duration.seconds(10) } }));
    expect(spec.terminationGracePeriodSeconds).toBe(30);
  });
});
