import { describeObject, POLICY_RULES, Severity } from '../../lib/policy';
import { check, container, find, findingsOf, goodSet, Obj, podSpec } from './fixtures';

const E = Severity.ERROR;
const W = Severity.WARNING;
const T = 'spec.template.spec';
const C = `${T}.containers[0]`;

interface Case {
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  /** Breaks the good set. */
  readonly mutate: (set: Obj[]) => Obj[] | void;
  readonly object: string;
  readonly path: string;
}

const CASES: Case[] = [
  // Schema
  { rule: 'GP-SCHEMA-KIND', title: 'removed apiVersion', severity: E, object: 'PodDisruptionBudget/shop/orders', path: 'apiVersion',
    mutate: (s) => { find(s, 'PodDisruptionBudget').apiVersion = 'policy/v1beta1'; } },
  { rule: 'GP-SCHEMA-KIND', title: 'missing name', severity: E, object: 'ConfigMap/shop/<no name>', path: 'metadata.name',
    mutate: (s) => { delete find(s, 'ConfigMap').metadata.name; } },
  { rule: 'GP-SCHEMA-INVALID', title: 'wrong type', severity: E, object: 'Deployment/shop/orders', path: 'spec.replicas',
    mutate: (s) => { find(s, 'Deployment').spec.replicas = 'three'; } },
  { rule: 'GP-SCHEMA-INVALID', title: 'missing required field in a CRD', severity: E, object: 'ServiceMonitor/shop/orders', path: 'spec',
    mutate: (s) => { delete find(s, 'ServiceMonitor').spec.selector; } },
  { rule: 'GP-SCHEMA-VERSION', title: 'field newer than the default 1.27 target', severity: E, object: 'Service/shop/orders', path: 'spec.trafficDistribution',
    mutate: (s) => { find(s, 'Service').spec.trafficDistribution = 'PreferClose'; } },
  { rule: 'GP-SCHEMA-UNKNOWN-FIELD', title: 'typo in a pod spec', severity: E, object: 'Deployment/shop/orders', path: `${C}.livenesProbe`,
    mutate: (s) => { container(s).livenesProbe = {}; } },
  { rule: 'GP-SCHEMA-UNKNOWN-FIELD', title: 'unknown field in an HTTPRoute', severity: E, object: 'HTTPRoute/shop/orders', path: 'spec.rules[0].backendRefs[0].weigth',
    mutate: (s) => { find(s, 'HTTPRoute').spec.rules[0].backendRefs[0].weigth = 1; } },
  { rule: 'GP-DUPLICATE', title: 'the same Service twice', severity: E, object: 'Service/shop/orders', path: '',
    mutate: (s) => [...s, { ...find(s, 'Service') }] },
  { rule: 'GP-DUPLICATE', title: 'the same Deployment twice (another apiVersion of the group)', severity: E, object: 'Deployment/shop/orders', path: '',
    mutate: (s) => [...s, { ...find(s, 'Deployment'), apiVersion: 'apps/v1beta2' }] },
  // Suppression
  { rule: 'GP-SUPPRESS', title: 'no reason', severity: E, object: 'Deployment/shop/orders', path: 'metadata.annotations["policy.cdk8s-go-platform.io/disable"]',
    mutate: (s) => { find(s, 'Deployment').metadata.annotations = { 'policy.cdk8s-go-platform.io/disable': 'GP-PROBES' }; } },
  // Pod Security, baseline
  { rule: 'GP-PSS-HOST-NAMESPACES', title: 'hostPID', severity: E, object: 'Deployment/shop/orders', path: `${T}.hostPID`,
    mutate: (s) => { podSpec(s).hostPID = true; } },
  { rule: 'GP-PSS-PRIVILEGED', title: 'privileged', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.privileged`,
    mutate: (s) => { container(s).securityContext.privileged = true; } },
  { rule: 'GP-PSS-CAPABILITIES-ADD', title: 'SYS_ADMIN', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.capabilities.add[0]`,
    mutate: (s) => { container(s).securityContext.capabilities.add = ['SYS_ADMIN']; } },
  { rule: 'GP-PSS-HOST-PATH', title: 'hostPath volume', severity: E, object: 'Deployment/shop/orders', path: `${T}.volumes[0].hostPath`,
    mutate: (s) => { podSpec(s).volumes[0] = { name: 'tmp', hostPath: { path: '/var/run' } }; } },
  { rule: 'GP-PSS-HOST-PORTS', title: 'hostPort', severity: E, object: 'Deployment/shop/orders', path: `${C}.ports[0].hostPort`,
    mutate: (s) => { container(s).ports[0].hostPort = 8080; } },
  { rule: 'GP-PSS-APPARMOR', title: 'Unconfined', severity: E, object: 'Deployment/shop/orders', path: `${T}.securityContext.appArmorProfile.type`,
    mutate: (s) => { podSpec(s).securityContext.appArmorProfile = { type: 'Unconfined' }; } },
  { rule: 'GP-PSS-SELINUX', title: 'custom type', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.seLinuxOptions.type`,
    mutate: (s) => { container(s).securityContext.seLinuxOptions = { type: 'spc_t' }; } },
  { rule: 'GP-PSS-PROC-MOUNT', title: 'Unmasked', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.procMount`,
    mutate: (s) => { container(s).securityContext.procMount = 'Unmasked'; } },
  { rule: 'GP-PSS-SECCOMP-UNCONFINED', title: 'Unconfined', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.seccompProfile.type`,
    mutate: (s) => { container(s).securityContext.seccompProfile = { type: 'Unconfined' }; } },
  { rule: 'GP-PSS-SYSCTLS', title: 'unsafe sysctl', severity: E, object: 'Deployment/shop/orders', path: `${T}.securityContext.sysctls[0].name`,
    mutate: (s) => { podSpec(s).securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; } },
  { rule: 'GP-PSS-HOST-PROCESS', title: 'Windows host process', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.windowsOptions.hostProcess`,
    mutate: (s) => { container(s).securityContext.windowsOptions = { hostProcess: true }; } },
  // Pod Security, restricted
  { rule: 'GP-PSS-VOLUME-TYPES', title: 'nfs volume', severity: E, object: 'Deployment/shop/orders', path: `${T}.volumes[0].nfs`,
    mutate: (s) => { podSpec(s).volumes[0] = { name: 'tmp', nfs: { server: 'nfs', path: '/' } }; } },
  { rule: 'GP-PSS-PRIVILEGE-ESCALATION', title: 'unset', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.allowPrivilegeEscalation`,
    mutate: (s) => { delete container(s).securityContext.allowPrivilegeEscalation; } },
  { rule: 'GP-PSS-RUN-AS-NON-ROOT', title: 'unset in pod and container', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.runAsNonRoot`,
    mutate: (s) => { delete podSpec(s).securityContext.runAsNonRoot; } },
  { rule: 'GP-PSS-RUN-AS-USER', title: 'root', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.runAsUser`,
    mutate: (s) => { container(s).securityContext.runAsUser = 0; } },
  { rule: 'GP-PSS-SECCOMP', title: 'unset', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.seccompProfile.type`,
    mutate: (s) => { delete podSpec(s).securityContext.seccompProfile; } },
  { rule: 'GP-PSS-CAPABILITIES', title: 'no drop ALL', severity: E, object: 'Deployment/shop/orders', path: `${C}.securityContext.capabilities.drop`,
    mutate: (s) => { container(s).securityContext.capabilities = { drop: ['NET_RAW'] }; } },
  // Workloads
  { rule: 'GP-PROBES', title: 'no readiness probe', severity: W, object: 'Deployment/shop/orders', path: C,
    mutate: (s) => { delete container(s).readinessProbe; } },
  { rule: 'GP-PROBE-PORT', title: 'undeclared port name', severity: E, object: 'Deployment/shop/orders', path: `${C}.livenessProbe.httpGet.port`,
    mutate: (s) => { container(s).livenessProbe.httpGet.port = 'health'; } },
  { rule: 'GP-PROBE-PORT', title: 'undeclared port number', severity: E, object: 'Deployment/shop/orders', path: `${C}.readinessProbe.httpGet.port`,
    mutate: (s) => { container(s).readinessProbe.httpGet.port = 8081; } },
  { rule: 'GP-RESOURCES', title: 'no memory limit', severity: W, object: 'Deployment/shop/orders', path: `${C}.resources`,
    mutate: (s) => { delete container(s).resources.limits.memory; } },
  { rule: 'GP-RESOURCES-LIMITS', title: 'limit below request', severity: E, object: 'Deployment/shop/orders', path: `${C}.resources.limits.cpu`,
    mutate: (s) => { container(s).resources.limits.cpu = '50m'; } },
  { rule: 'GP-IMAGE-REFERENCE', title: 'uppercase repository', severity: E, object: 'Deployment/shop/orders', path: `${C}.image`,
    mutate: (s) => { container(s).image = 'Orders:1.0'; } },
  { rule: 'GP-IMAGE-TAG', title: 'latest', severity: E, object: 'Deployment/shop/orders', path: `${C}.image`,
    mutate: (s) => { container(s).image = 'registry.example.com/orders:latest'; } },
  // Availability
  { rule: 'GP-PDB-MISSING', title: 'no budget', severity: W, object: 'Deployment/shop/orders', path: '',
    mutate: (s) => s.filter((o) => o.kind !== 'PodDisruptionBudget') },
  { rule: 'GP-PDB-BLOCKS-DRAIN', title: 'maxUnavailable 0', severity: E, object: 'PodDisruptionBudget/shop/orders', path: 'spec.maxUnavailable',
    mutate: (s) => { find(s, 'PodDisruptionBudget').spec.maxUnavailable = 0; } },
  { rule: 'GP-PDB-BLOCKS-DRAIN', title: 'minAvailable = HPA minimum', severity: E, object: 'PodDisruptionBudget/shop/orders', path: 'spec.minAvailable',
    mutate: (s) => { const spec = find(s, 'PodDisruptionBudget').spec; delete spec.maxUnavailable; spec.minAvailable = 3; } },
  { rule: 'GP-HPA-TARGET', title: 'missing target', severity: E, object: 'HorizontalPodAutoscaler/shop/orders', path: 'spec.scaleTargetRef',
    mutate: (s) => { find(s, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'order'; } },
  { rule: 'GP-HPA-RANGE', title: 'min > max', severity: E, object: 'HorizontalPodAutoscaler/shop/orders', path: 'spec.minReplicas',
    mutate: (s) => { find(s, 'HorizontalPodAutoscaler').spec.maxReplicas = 2; } },
  // Networking
  { rule: 'GP-SERVICE-SELECTOR', title: 'selects nothing', severity: E, object: 'Service/shop/orders', path: 'spec.selector',
    mutate: (s) => { find(s, 'Service').spec.selector = { 'app.kubernetes.io/name': 'order' }; } },
  { rule: 'GP-SERVICE-SELECTOR', title: 'unknown targetPort name', severity: E, object: 'Service/shop/orders', path: 'spec.ports[0].targetPort',
    mutate: (s) => { find(s, 'Service').spec.ports[0].targetPort = 'web'; } },
  { rule: 'GP-ROUTE-BACKEND', title: 'HTTPRoute to a missing Service', severity: E, object: 'HTTPRoute/shop/orders', path: 'spec.rules[0].backendRefs[0].name',
    mutate: (s) => { find(s, 'HTTPRoute').spec.rules[0].backendRefs[0].name = 'order'; } },
  { rule: 'GP-ROUTE-BACKEND', title: 'Ingress to a missing port', severity: E, object: 'Ingress/shop/orders', path: 'spec.rules[0].http.paths[0].backend.service.port',
    mutate: (s) => { find(s, 'Ingress').spec.rules[0].http.paths[0].backend.service.port = { number: 8080 }; } },
  { rule: 'GP-INGRESS-TLS', title: 'host without TLS', severity: E, object: 'Ingress/shop/orders', path: 'spec.rules[0].host',
    mutate: (s) => { find(s, 'Ingress').spec.rules[0].host = 'orders.example.org'; } },
  { rule: 'GP-NETWORK-POLICY', title: 'no policy', severity: W, object: 'Deployment/shop/orders', path: 'spec.template.metadata.labels',
    mutate: (s) => s.filter((o) => o.kind !== 'NetworkPolicy') },
  { rule: 'GP-PROMETHEUS-PORT', title: 'undeclared port', severity: E, object: 'Deployment/shop/orders', path: 'spec.template.metadata.annotations["prometheus.io/port"]',
    mutate: (s) => { find(s, 'Deployment').spec.template.metadata.annotations['prometheus.io/port'] = '9100'; } },
  // References
  { rule: 'GP-REF-MISSING', title: 'missing ConfigMap', severity: E, object: 'Deployment/shop/orders', path: `${C}.envFrom[0].configMapRef.name`,
    mutate: (s) => s.filter((o) => o.kind !== 'ConfigMap') },
  { rule: 'GP-SECRET-MISSING', title: 'undeclared Secret', severity: W, object: 'Deployment/shop/orders', path: `${C}.env[0].valueFrom.secretKeyRef.name`,
    mutate: (s) => { container(s).env[0].valueFrom.secretKeyRef.name = 'orders-db-v2'; } },
  { rule: 'GP-SECRET-LITERAL', title: 'stringData', severity: E, object: 'Secret/shop/orders-db', path: 'stringData',
    mutate: (s) => [...s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orders-db', namespace: 'shop' }, stringData: { password: 'hunter2' } }] },
];

describe('policy rules', () => {
  test('the good set passes with no finding', () => {
    // WHEN
    const result = check(goodSet());
    // THEN
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(true);
  });

  test('every rule has a failing case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(POLICY_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test('every rule is documented with a severity, reason and fix', () => {
    for (const rule of POLICY_RULES) {
      expect(rule.id).toMatch(/^GP-[A-Z0-9-]+$/);
      expect(rule.reason.length).toBeGreaterThan(10);
      expect(rule.fix.length).toBeGreaterThan(10);
    }
  });

  test.each(CASES)('$rule fails on $title', (c) => {
    // GIVEN
    const set = goodSet();
    const mutated = c.mutate(set) ?? set;
    // WHEN
    const result = check(mutated);
    // THEN
    const found = findingsOf(result, c.rule);
    expect(found.length).toBeGreaterThan(0);
    const f = found[0];
    expect(f.severity).toBe(c.severity);
    expect(describeObject(f.object)).toBe(c.object);
    expect(f.path).toBe(c.path);
    expect(f.message.startsWith(`${c.object}${c.path === '' ? '' : ` ${c.path}`}: `)).toBe(true);
    expect(result.passed).toBe(c.severity !== E);
  });
});

describe('rule details', () => {
  test('GP-IMAGE-REFERENCE names what is malformed, with the message the constructs use', () => {
    const set = goodSet();
    container(set).image = 'registry.example.com:http/orders:1.0';
    expect(findingsOf(check(set), 'GP-IMAGE-REFERENCE').map((f) => f.message)).toEqual([
      `Deployment/shop/orders ${C}.image: image "registry.example.com:http/orders:1.0" has an invalid registry host "registry.example.com:http": use a host name or [IPv6] address with an optional :port, e.g. registry.example.com:5000`,
    ]);
    // a malformed reference is not also reported as unpinned
    container(set).image = 'Orders';
    expect(check(set).findings.map((f) => f.ruleId).filter((id) => id.startsWith('GP-IMAGE'))).toEqual(['GP-IMAGE-REFERENCE']);
  });

  test('GP-DUPLICATE: the same name in another namespace, or of another kind, is not a duplicate', () => {
    const set = goodSet();
    const billing = JSON.parse(JSON.stringify(find(set, 'Service')));
    billing.metadata.namespace = 'billing';
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders', namespace: 'shop' }, data: {} };
    expect(findingsOf(check([...set, billing, configMap]), 'GP-DUPLICATE')).toEqual([]);
  });

  describe('GP-INGRESS-TLS: a wildcard TLS entry covers exactly one DNS label', () => {
    const tlsFindings = (host: string, tlsHost = '*.example.com') => {
      const set = goodSet();
      const ingress = find(set, 'Ingress');
      ingress.spec.tls[0].hosts = [tlsHost];
      ingress.spec.rules[0].host = host;
      return findingsOf(check(set), 'GP-INGRESS-TLS');
    };

    test('*.example.com covers orders.example.com (one label)', () => {
      expect(tlsFindings('orders.example.com')).toEqual([]);
    });

    test('*.example.com does not cover a.orders.example.com (two labels)', () => {
      expect(tlsFindings('a.orders.example.com').map((f) => f.message)).toEqual([
        'Ingress/shop/orders spec.rules[0].host: host "a.orders.example.com" has no TLS entry in spec.tls',
      ]);
    });

    test('*.example.com does not cover example.com (no label)', () => {
      expect(tlsFindings('example.com').map((f) => f.path)).toEqual(['spec.rules[0].host']);
    });

    test('*.example.com does not cover a host whose first label is empty (.example.com)', () => {
      expect(tlsFindings('.example.com').map((f) => f.path)).toEqual(['spec.rules[0].host']);
    });

    test('*.example.com does not cover orders.example.org or orders-example.com', () => {
      expect(tlsFindings('orders.example.org')).toHaveLength(1);
      expect(tlsFindings('ordersexample.com')).toHaveLength(1);
    });

    test('an exact entry covers only its own host', () => {
      expect(tlsFindings('orders.example.com', 'orders.example.com')).toEqual([]);
      expect(tlsFindings('users.example.com', 'orders.example.com')).toHaveLength(1);
    });
  });

  describe('GP-PDB-BLOCKS-DRAIN with percentages and boundaries', () => {
    const drainFindings = (spec: Obj) => {
      const set = goodSet();
      find(set, 'PodDisruptionBudget').spec = { selector: find(set, 'PodDisruptionBudget').spec.selector, ...spec };
      return findingsOf(check(set), 'GP-PDB-BLOCKS-DRAIN');
    };

    test('maxUnavailable "0%" forbids every eviction, as 0 does', () => {
      expect(drainFindings({ maxUnavailable: '0%' }).map((f) => f.message)).toEqual([
        'PodDisruptionBudget/shop/orders spec.maxUnavailable: maxUnavailable "0%" forbids every eviction',
      ]);
    });

    test('maxUnavailable "1%" and 1 allow evictions', () => {
      expect(drainFindings({ maxUnavailable: '1%' })).toEqual([]);
      expect(drainFindings({ maxUnavailable: 1 })).toEqual([]);
    });

    test('minAvailable "100%" forbids every eviction; "99%" does not', () => {
      expect(drainFindings({ minAvailable: '100%' }).map((f) => f.message)).toEqual([
        'PodDisruptionBudget/shop/orders spec.minAvailable: minAvailable "100%" forbids every eviction',
      ]);
      expect(drainFindings({ minAvailable: '99%' })).toEqual([]);
    });

    test('minAvailable one below the replica floor allows an eviction; equal to it does not', () => {
      expect(drainFindings({ minAvailable: 2 })).toEqual([]);
      expect(drainFindings({ minAvailable: 3 }).map((f) => f.path)).toEqual(['spec.minAvailable']);
      expect(drainFindings({ minAvailable: 4 }).map((f) => f.path)).toEqual(['spec.minAvailable']);
    });
  });

  describe('GP-PSS-CAPABILITIES: drop ALL is a per-container field', () => {
    test('a drop on a pod-level securityContext (where Kubernetes has no capabilities) does not satisfy the container', () => {
      const set = goodSet();
      delete container(set).securityContext.capabilities;
      podSpec(set).securityContext.capabilities = { drop: ['ALL'] };
      expect(findingsOf(check(set), 'GP-PSS-CAPABILITIES').map((f) => f.message)).toEqual([
        `Deployment/shop/orders ${C}.securityContext.capabilities.drop: container "orders": capabilities must drop ALL`,
      ]);
    });

    test('the main container dropping ALL does not cover an init container', () => {
      const set = goodSet();
      const init = JSON.parse(JSON.stringify(container(set)));
      init.name = 'migrate';
      delete init.ports;
      delete init.livenessProbe;
      delete init.readinessProbe;
      delete init.startupProbe;
      init.securityContext.capabilities = { drop: ['NET_RAW'] };
      podSpec(set).initContainers = [init];
      expect(findingsOf(check(set), 'GP-PSS-CAPABILITIES').map((f) => f.path)).toEqual([`${T}.initContainers[0].securityContext.capabilities.drop`]);
    });

    test('every container is checked, not only the first', () => {
      const set = goodSet();
      const second = JSON.parse(JSON.stringify(container(set)));
      second.name = 'sidecar';
      second.ports = [{ name: 'admin', containerPort: 9000 }];
      second.securityContext.capabilities = {};
      podSpec(set).containers.push(second);
      expect(findingsOf(check(set), 'GP-PSS-CAPABILITIES').map((f) => f.path)).toEqual([`${T}.containers[1].securityContext.capabilities.drop`]);
    });
  });

  test('GP-PSS-CAPABILITIES allows adding NET_BIND_SERVICE only', () => {
    const set = goodSet();
    container(set).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    expect(check(set).findings).toEqual([]);
    container(set).securityContext.capabilities.add = ['CHOWN'];
    expect(findingsOf(check(set), 'GP-PSS-CAPABILITIES').map((f) => f.path)).toEqual([`${C}.securityContext.capabilities.add[0]`]);
  });

  test('runAsNonRoot on every container satisfies restricted without the pod-level field', () => {
    const set = goodSet();
    delete podSpec(set).securityContext.runAsNonRoot;
    container(set).securityContext.runAsNonRoot = true;
    expect(findingsOf(check(set), 'GP-PSS-RUN-AS-NON-ROOT')).toEqual([]);
  });

  test('Pod Security profile follows the Namespace label', () => {
    const set = goodSet();
    delete container(set).securityContext.allowPrivilegeEscalation;
    podSpec(set).hostNetwork = true;
    find(set, 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'baseline' };
    const ids = check(set).findings.map((f) => f.ruleId);
    expect(ids).toContain('GP-PSS-HOST-NAMESPACES');
    expect(ids).not.toContain('GP-PSS-PRIVILEGE-ESCALATION');

    find(set, 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'privileged' };
    expect(check(set).findings.filter((f) => f.ruleId.startsWith('GP-PSS-'))).toEqual([]);
  });

  test('Pod Security profile option overrides the Namespace label', () => {
    const set = goodSet();
    podSpec(set).hostPID = true;
    expect(findingsOf(check(set, { podSecurityLevels: { shop: 'privileged' as never } }), 'GP-PSS-HOST-NAMESPACES')).toEqual([]);
  });

  test('checks every pod template kind', () => {
    const template = find(goodSet(), 'Deployment').spec.template;
    template.spec.hostIPC = true;
    const wrap = (kind: string, apiVersion: string, spec: Obj): Obj => ({ apiVersion, kind, metadata: { name: kind.toLowerCase(), namespace: 'shop' }, spec });
    const set = [
      ...goodSet(),
      wrap('StatefulSet', 'apps/v1', { serviceName: 'x', selector: { matchLabels: template.metadata.labels }, template }),
      wrap('DaemonSet', 'apps/v1', { selector: { matchLabels: template.metadata.labels }, template }),
      wrap('ReplicaSet', 'apps/v1', { selector: { matchLabels: template.metadata.labels }, template }),
      wrap('Job', 'batch/v1', { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }),
      wrap('CronJob', 'batch/v1', { schedule: '* * * * *', jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } } }),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'shop', labels: template.metadata.labels }, spec: template.spec },
    ];
    const kinds = findingsOf(check(set), 'GP-PSS-HOST-NAMESPACES').map((f) => f.object.kind);
    expect(kinds).toEqual(['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
    expect(findingsOf(check(set), 'GP-PSS-HOST-NAMESPACES')[4].path).toBe('spec.jobTemplate.spec.template.spec.hostIPC');
  });

  test('references declared external by annotation pass', () => {
    const set = goodSet();
    find(set, 'Deployment').metadata.annotations = { 'policy.cdk8s-go-platform.io/external': 'Secret/orders-db' };
    expect(findingsOf(check(set, { external: [] }), 'GP-SECRET-MISSING')).toEqual([]);
    delete find(set, 'Deployment').metadata.annotations;
    expect(findingsOf(check(set, { external: [] }), 'GP-SECRET-MISSING')).toHaveLength(1);
  });

  describe('GP-SECRET-MISSING: Secrets kept out of git', () => {
    const MISSING = `Deployment/shop/orders ${C}.env[0].valueFrom.secretKeyRef.name: Secret "orders-db" is not in namespace "shop" of the set, no ExternalSecret or SealedSecret there creates it, and it is not declared external`;
    const secretFindings = (extra: Obj[], options: Record<string, unknown> = {}) =>
      findingsOf(check([...goodSet(), ...extra], { external: [], ...options }), 'GP-SECRET-MISSING');
    const externalSecret = (name: string, target: Obj = {}, namespace = 'shop', apiVersion = 'external-secrets.io/v1'): Obj => ({
      apiVersion, kind: 'ExternalSecret', metadata: { name, namespace },
      spec: {
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target,
        data: [{ secretKey: 'url', remoteRef: { key: 'shop/orders-db', property: 'url' } }],
      },
    });
    const sealedSecret = (name: string, namespace = 'shop'): Obj => ({
      apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name, namespace },
      spec: { encryptedData: { url: 'AgBy3i4OJSWK+PiTySYZZA==' } },
    });

    test('is a warning by default and an error with strictReferences', () => {
      const relaxed = check(goodSet(), { external: [] });
      expect(findingsOf(relaxed, 'GP-SECRET-MISSING').map((f) => [f.severity, f.message])).toEqual([[W, MISSING]]);
      expect(relaxed.passed).toBe(true);
      const strict = check(goodSet(), { external: [], strictReferences: true });
      expect(findingsOf(strict, 'GP-SECRET-MISSING').map((f) => [f.severity, f.message])).toEqual([[E, MISSING]]);
      expect(strict.passed).toBe(false);
    });

    test('an ExternalSecret of the same name (target name defaults to it) satisfies the reference, and passes the schema', () => {
      const result = check([...goodSet(), externalSecret('orders-db')], { external: [], strictReferences: true });
      expect(result.findings).toEqual([]);
    });

    test('an ExternalSecret whose spec.target.name is the Secret satisfies the reference', () => {
      expect(secretFindings([externalSecret('orders-db-sync', { name: 'orders-db' })], { strictReferences: true })).toEqual([]);
    });

    test('an ExternalSecret of another API group (the retired kubernetes-client.io project) does not', () => {
      expect(secretFindings([{ ...externalSecret('orders-db'), apiVersion: 'kubernetes-client.io/v1' }])).toHaveLength(1);
    });

    test('the v1beta1 ExternalSecret counts too', () => {
      expect(secretFindings([externalSecret('orders-db', {}, 'shop', 'external-secrets.io/v1beta1')], { strictReferences: true })).toEqual([]);
    });

    test('an ExternalSecret that targets another name, or lives in another namespace, does not', () => {
      expect(secretFindings([externalSecret('orders-db', { name: 'orders-db-v2' })])).toHaveLength(1);
      expect(secretFindings([externalSecret('orders-db', {}, 'billing')])).toHaveLength(1);
    });

    test('creationPolicy Owner and Orphan create the Secret; Merge, None and a value the CRD does not allow do not', () => {
      for (const creationPolicy of ['Owner', 'Orphan']) {
        expect(secretFindings([externalSecret('orders-db', { creationPolicy })])).toEqual([]);
      }
      for (const creationPolicy of ['Merge', 'None', 'CreateOrMerge']) {
        expect(secretFindings([externalSecret('orders-db', { creationPolicy, deletionPolicy: 'Retain' })]).map((f) => f.message)).toEqual([MISSING]);
      }
    });

    test('a SealedSecret of the same name and namespace satisfies the reference, and passes the schema', () => {
      expect(check([...goodSet(), sealedSecret('orders-db')], { external: [], strictReferences: true }).findings).toEqual([]);
      expect(secretFindings([sealedSecret('orders-db', 'billing')])).toHaveLength(1);
      expect(secretFindings([sealedSecret('orders-db-v2')])).toHaveLength(1);
    });

    test('a ConfigMap or ServiceAccount nobody creates stays an error (GP-REF-MISSING)', () => {
      const set = goodSet().filter((o) => o.kind !== 'ConfigMap');
      expect(findingsOf(check(set), 'GP-REF-MISSING').map((f) => f.severity)).toEqual([E]);
    });
  });

  test('an unknown object in the input is a finding, not a crash', () => {
    const result = check([...goodSet(), { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 'text', null]);
    expect(result.findings.map((f) => `${f.ruleId} ${f.message}`)).toEqual([
      'GP-SCHEMA-KIND document is not an object (string)',
      'GP-SCHEMA-KIND Widget/w apiVersion: no schema for example.com/v1 Widget: not a kind served by Kubernetes 1.27+ or a supported CRD',
    ]);
  });

  test('disabledRules switches a rule off', () => {
    const set = goodSet();
    container(set).image = 'orders';
    expect(findingsOf(check(set, { disabledRules: ['GP-IMAGE-TAG'] }), 'GP-IMAGE-TAG')).toEqual([]);
  });

  test('warningsAsErrors fails on warnings', () => {
    const set = goodSet().filter((o) => o.kind !== 'NetworkPolicy');
    expect(check(set).passed).toBe(true);
    expect(check(set, { warningsAsErrors: true }).passed).toBe(false);
  });
});
