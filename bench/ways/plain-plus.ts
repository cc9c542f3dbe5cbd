/**
 * Way "cdk8s-plus": the same fleet written by hand with plain cdk8s-plus-27,
 * object for object and field for field what GoMicroservice produces
 * (including the JSON patches for fields plus does not model), without the
 * library's validation and defaulting. The runner checks the output is
 * byte-identical to the GoMicroservice way's.
 */
import { createHash } from 'crypto';
import { ApiObject, App, Duration, JsonPatch, Size, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ChartLayout, fleet, FLEET_INGRESS, FLEET_NAMESPACE, FleetService, routePath } from '../fleet';
import { fleetChart } from './go-microservice';
import { runWay } from './harness';

const USER = 65532;

/** Builds the fleet into `app` with cdk8s-plus-27 objects written out by hand. */
export function buildPlainPlusFleet(app: App, services: FleetService[], layout: ChartLayout): void {
  const single = layout === ChartLayout.SINGLE ? fleetChart(app, FLEET_NAMESPACE) : undefined;
  const policies = new Map<string, kplus.NetworkPolicy>();
  const scopes = new Map<string, Construct>();
  for (const s of services) {
    const scope = new Construct(single ?? fleetChart(app, s.name), s.name);
    scopes.set(s.name, scope);
    policies.set(s.name, service(scope, s));
  }
  for (const s of services) {
    if (s.calledBy) {
      const scope = scopes.get(s.name)!;
      const peer = kplus.Pods.select(scope, `Peer-${s.calledBy}`, {
        labels: selector(s.calledBy),
        namespaces: kplus.Namespaces.select(scope, `PeerNamespace-${s.calledBy}`, { names: [FLEET_NAMESPACE] }),
      });
      const ports = s.grpcPort ? [8080, s.grpcPort] : [8080];
      policies.get(s.name)!.addIngressRule(peer, ports.map((p) => kplus.NetworkPolicyPort.tcp(p)));
    }
  }
  // The edge: each backend admits the controller's namespace on its HTTP port.
  for (const s of services) {
    const controller = kplus.Namespaces.select(scopes.get(s.name)!, `AllowNamespace-${FLEET_INGRESS.controllerNamespace}`, { names: [FLEET_INGRESS.controllerNamespace] });
    policies.get(s.name)!.addIngressRule(controller, [kplus.NetworkPolicyPort.tcp(8080)]);
  }
  edge(single ?? fleetChart(app, FLEET_INGRESS.chartId), services);
}

/** One TLS Ingress for ingress-nginx, a path per service, the certificate from cert-manager. */
function edge(scope: Construct, services: FleetService[]): k8s.KubeIngress {
  const name = FLEET_INGRESS.name;
  const host = FLEET_INGRESS.host;
  return new k8s.KubeIngress(scope, name, {
    metadata: {
      name,
      labels: {
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/component': 'ingress',
        'app.kubernetes.io/part-of': FLEET_NAMESPACE,
        'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
      },
      annotations: {
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        'cert-manager.io/cluster-issuer': FLEET_INGRESS.clusterIssuer,
      },
    },
    spec: {
      ingressClassName: FLEET_INGRESS.ingressClassName,
      tls: [{ hosts: [host], secretName: `${name}-${host.replace(/\./g, '-')}-tls` }],
      rules: [{
        host,
        http: {
          paths: services.map((s) => ({
            path: routePath(s.name),
            pathType: 'Prefix',
            backend: { service: { name: s.name, port: { number: 80 } } },
          })),
        },
      }],
    },
  });
}

function selector(name: string): Record<string, string> {
  return { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/name': name };
}

function resource(c: Construct): ApiObject {
  return c.node.findChild('Resource') as ApiObject;
}

/** One service; returns its NetworkPolicy. */
function service(scope: Construct, s: FleetService): kplus.NetworkPolicy {
  const labels = {
    ...selector(s.name),
    'app.kubernetes.io/version': s.version,
    'app.kubernetes.io/component': 'backend',
    'app.kubernetes.io/part-of': FLEET_NAMESPACE,
    'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
  };
  const metadata = (name: string) => ({ name, labels });

  const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: metadata(s.name), automountToken: false });
  const pods = kplus.Pods.select(scope, 'Pods', { labels: selector(s.name) });

  const deployment = new kplus.Deployment(scope, 'Deployment', {
    metadata: metadata(s.name),
    strategy: kplus.DeploymentStrategy.rollingUpdate({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    }),
    minReady: Duration.seconds(0),
    progressDeadline: Duration.seconds(600),
    select: false,
    spread: false,
    isolate: false,
    podMetadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' } },
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: USER, group: USER, fsGroup: USER },
    terminationGracePeriod: Duration.seconds(30),
  });
  deployment.select(kplus.LabelSelector.of({ labels: selector(s.name) }));
  // After the Deployment, as GoMicroservice's pod template creates it: the objects come out in this order.
  const configHash = createHash('sha256').update(JSON.stringify(s.config, Object.keys(s.config).sort())).digest('hex').slice(0, 10);
  const configMap = new kplus.ConfigMap(scope, 'Config', { metadata: metadata(`${s.name}-config-${configHash}`), data: s.config, immutable: true });
  // The policy gate's marker for Secrets that are referenced but created elsewhere.
  deployment.metadata.addAnnotation('policy.cdk8s-go-platform.io/external', `Secret/${s.databaseSecret}`);
  const tmp = kplus.Volume.fromEmptyDir(scope, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(64) });
  deployment.addVolume(tmp);
  const secret = kplus.Secret.fromSecretName(scope, 'SecretEnv-DATABASE_URL', s.databaseSecret);
  const httpProbe = (path: string, period: number, timeout: number, failures: number) => kplus.Probe.fromHttpGet(path, {
    port: 8080,
    initialDelaySeconds: Duration.seconds(0),
    periodSeconds: Duration.seconds(period),
    timeoutSeconds: Duration.seconds(timeout),
    failureThreshold: failures,
    successThreshold: 1,
  });
  const grpc = s.grpcPort !== undefined;
  deployment.addContainer({
    name: s.name,
    image: s.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    ports: [{ name: 'http', number: 8080, protocol: kplus.Protocol.TCP }, ...(grpc ? [{ name: 'grpc', number: s.grpcPort, protocol: kplus.Protocol.TCP }] : [])],
    envFrom: [kplus.Env.fromConfigMap(configMap)],
    envVariables: {
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
      NODE_NAME: kplus.EnvValue.fromFieldRef('spec.nodeName' as kplus.EnvFieldPaths),
      GOMEMLIMIT: kplus.EnvValue.fromValue('460MiB'),
      GOMAXPROCS: kplus.EnvValue.fromValue('1'),
      SHUTDOWN_DELAY: kplus.EnvValue.fromValue('5s'),
      SHUTDOWN_DRAIN_TIMEOUT: kplus.EnvValue.fromValue('20s'),
      DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret, key: 'url' }, { optional: false }),
      OTEL_RESOURCE_ATTRIBUTES: kplus.EnvValue.fromValue(`k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8s.node.name=$(NODE_NAME),k8s.deployment.name=${s.name},k8s.container.name=${s.name},service.version=${s.version}`),
    },
    readiness: grpc ? undefined : httpProbe('/readyz', 5, 2, 3),
    liveness: grpc ? undefined : httpProbe('/healthz', 10, 3, 6),
    startup: grpc ? undefined : httpProbe('/healthz', 2, 2, 60),
    resources: { cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) } },
    securityContext: { ensureNonRoot: true, user: USER, group: USER, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    volumeMounts: [{ path: '/tmp', volume: tmp }],
  });
  const container = '/spec/template/spec/containers/0';
  const d = resource(deployment);
  d.addJsonPatch(
    JsonPatch.add('/spec/revisionHistoryLimit', 5),
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add(`${container}/securityContext/capabilities`, { drop: ['ALL'] }),
    JsonPatch.add(`${container}/resources/requests/memory`, k8s.Quantity.fromString('128Mi')),
    JsonPatch.add(`${container}/resources/limits/memory`, k8s.Quantity.fromString('512Mi')),
  );
  if (grpc) {
    const grpcProbe = (period: number, timeout: number, failures: number): k8s.Probe => ({
      grpc: { port: s.grpcPort! },
      initialDelaySeconds: 0,
      periodSeconds: period,
      timeoutSeconds: timeout,
      failureThreshold: failures,
      successThreshold: 1,
    });
    d.addJsonPatch(
      JsonPatch.add(`${container}/readinessProbe`, grpcProbe(5, 2, 3)),
      JsonPatch.add(`${container}/livenessProbe`, grpcProbe(10, 3, 6)),
      JsonPatch.add(`${container}/startupProbe`, grpcProbe(2, 2, 60)),
    );
  }
  d.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector(s.name) },
    matchLabelKeys: ['pod-template-hash'],
  }))));

  const ports = [{ name: 'http', port: 80, target: 8080, appProtocol: 'http' }];
  if (grpc) {
    ports.push({ name: 'grpc', port: s.grpcPort!, target: s.grpcPort!, appProtocol: 'kubernetes.io/h2c' });
  }
  const svc = new kplus.Service(scope, 'Service', {
    metadata: metadata(s.name),
    type: kplus.ServiceType.CLUSTER_IP,
    selector: pods,
    ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.target, protocol: kplus.Protocol.TCP })),
  });
  ports.forEach((p, i) => resource(svc).addJsonPatch(
    JsonPatch.replace(`/spec/ports/${i}/targetPort`, k8s.IntOrString.fromString(p.name)),
    JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.appProtocol),
  ));

  new kplus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata: metadata(s.name),
    target: deployment,
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
    scaleUp: {
      stabilizationWindow: Duration.seconds(0),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [
        { replicas: kplus.Replicas.percent(100), duration: Duration.seconds(15) },
        { replicas: kplus.Replicas.absolute(4), duration: Duration.seconds(15) },
      ],
    },
    scaleDown: {
      stabilizationWindow: Duration.seconds(300),
      strategy: kplus.ScalingStrategy.MAX_CHANGE,
      policies: [{ replicas: kplus.Replicas.percent(50), duration: Duration.seconds(60) }],
    },
  });

  new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: metadata(s.name),
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector(s.name) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  });

  return new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: metadata(s.name),
    selector: pods,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

runWay('plain-plus', (args, phase) => {
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildPlainPlusFleet(app, fleet(args.n), args.layout));
  phase('synth', () => app.synth());
});
