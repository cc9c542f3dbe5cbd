import { Construct } from 'constructs';
import { kplus } from '../common/plus';
import {
  clusterMeta, clusterScoped, ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, meta, StackContext,
} from './component';

/** Options of kube-state-metrics. */
export type KubeStateMetricsOptions = ComponentOptions;

/** Defaults of `KubeStateMetricsOptions`. */
export const KUBE_STATE_METRICS_DEFAULTS = {
  image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  port: 8080,
  telemetryPort: 8081,
  user: 65534,
} as const;

/** Props of `KubeStateMetrics`. @internal */
export interface KubeStateMetricsProps extends KubeStateMetricsOptions {
  readonly context: StackContext;
}

/**
 * kube-state-metrics restricted to pods (`--resources=pods`), the source of
 * the restart, crash-loop and memory-limit metrics the alerts read. Its
 * ClusterRole may only list and watch pods.
 */
export class KubeStateMetrics extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Port of the metrics endpoint. */
  public readonly port: number;
  /** The identity of the pod. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** list/watch on pods. */
  public readonly clusterRole: kplus.ClusterRole;
  /** Binds `clusterRole` to `serviceAccount`. */
  public readonly clusterRoleBinding: kplus.ClusterRoleBinding;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Admits Prometheus (and whatever is added). */
  public readonly networkPolicy: kplus.NetworkPolicy;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id);
    const d = KUBE_STATE_METRICS_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'kube-state-metrics', 'metrics', image, 'kubeStateMetrics.image');
    const resources = componentResources(this, 'kubeStateMetrics.resources', props.resources, d.resources);
    this.port = d.port;
    const ns = props.context.namespace;

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: true });
    this.clusterRole = new kplus.ClusterRole(this, 'ClusterRole', {
      metadata: clusterMeta(this.identity, `${ns}-kube-state-metrics`),
      rules: [{ verbs: ['list', 'watch'], endpoints: [kplus.ApiResource.PODS] }],
    });
    this.clusterRoleBinding = new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: clusterMeta(this.identity, `${ns}-kube-state-metrics`),
      role: this.clusterRole,
    });
    this.clusterRoleBinding.addSubjects(this.serviceAccount);
    clusterScoped(this.clusterRole);
    clusterScoped(this.clusterRoleBinding);

    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount: this.serviceAccount, automountToken: true,
    }, [{
      name: 'kube-state-metrics',
      image,
      args: ['--resources=pods', `--port=${d.port}`, `--telemetry-port=${d.telemetryPort}`],
      ports: [
        { name: 'http-metrics', number: d.port, protocol: kplus.Protocol.TCP },
        { name: 'telemetry', number: d.telemetryPort, protocol: kplus.Protocol.TCP },
      ],
      liveness: kplus.Probe.fromHttpGet('/livez', { port: d.port }),
      readiness: kplus.Probe.fromHttpGet('/readyz', { port: d.telemetryPort }),
      resources,
    }], []) as kplus.Deployment;
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http-metrics', port: d.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /** `host:port` of the metrics endpoint inside the cluster. */
  public get address(): string {
    return `${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }
}
