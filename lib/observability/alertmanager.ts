import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import { requireDurationString } from '../common/duration-strings';
import { fail, show } from '../common/errors';
import { validateConfigKey, validateDnsSubdomain } from '../common/names';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { SecretKeyReference } from '../go-microservice/go-service';
import {
  ComponentIdentity, componentIdentity, componentNetworkPolicy, componentPeer, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, emptyDir, meta, StackContext, STARTUP_BUDGET, statefulProbes,
} from './component';

const SECRETS_DIR = '/etc/alertmanager/secrets';

/** Options of a Slack receiver. */
export interface SlackReceiverOptions {
  /** Channel to post to, e.g. `#alerts`. */
  readonly channel: string;
  /** Secret key holding the incoming-webhook URL (read through `api_url_file`). */
  readonly apiUrl: SecretKeyReference;
  /**
   * Notify when alerts resolve.
   * @default true
   */
  readonly sendResolved?: boolean;
}

/** Options of a PagerDuty receiver. */
export interface PagerDutyReceiverOptions {
  /** Secret key holding the Events API v2 routing key (read through `routing_key_file`). */
  readonly routingKey: SecretKeyReference;
}

/** Options of a webhook receiver. */
export interface WebhookReceiverOptions {
  /** Secret key holding the URL to post to (read through `url_file`). */
  readonly url: SecretKeyReference;
  /**
   * Notify when alerts resolve.
   * @default true
   */
  readonly sendResolved?: boolean;
}

/**
 * Where Alertmanager sends notifications. Credentials are read from files of
 * a mounted Secret (`*_file` fields), never written into the configuration.
 */
export class AlertReceiver {
  /** Posts to a Slack channel. */
  public static slack(name: string, options: SlackReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, [options.apiUrl], (file) => ({
      slack_configs: [{ channel: options.channel, api_url_file: file(options.apiUrl), send_resolved: options.sendResolved ?? true }],
    }));
  }

  /** Opens PagerDuty incidents. */
  public static pagerDuty(name: string, options: PagerDutyReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, [options.routingKey], (file) => ({
      pagerduty_configs: [{ routing_key_file: file(options.routingKey) }],
    }));
  }

  /** Posts alerts as JSON to a URL. */
  public static webhook(name: string, options: WebhookReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, [options.url], (file) => ({
      webhook_configs: [{ url_file: file(options.url), send_resolved: options.sendResolved ?? true }],
    }));
  }

  /** Drops notifications: a receiver for alerts nobody needs to hear about. */
  public static none(name: string): AlertReceiver {
    return new AlertReceiver(name, [], () => ({}));
  }

  private constructor(
    /** Receiver name, referenced by routes. */ public readonly name: string,
    /** The Secret keys the receiver reads. */ public readonly secrets: readonly SecretKeyReference[],
    private readonly render: (file: (ref: SecretKeyReference) => string) => Record<string, unknown>,
  ) {}

  /** @internal */
  public _toConfig(file: (ref: SecretKeyReference) => string): Record<string, unknown> {
    return { name: this.name, ...this.render(file) };
  }
}

/** A node of Alertmanager's routing tree. */
export interface AlertRoute {
  /** Receiver of the alerts this route matches. */
  readonly receiver: string;
  /**
   * Alertmanager matchers, e.g. `severity="critical"`; the root route matches everything.
   * @default - every alert
   */
  readonly matchers?: string[];
  /**
   * Labels that group alerts into one notification.
   * @default - the parent's; `['alertname', 'namespace', 'service']` at the root
   */
  readonly groupBy?: string[];
  /**
   * Wait before the first notification of a group.
   * @default - the parent's; '30s' at the root
   */
  readonly groupWait?: string;
  /**
   * Wait before notifying about new alerts of a group.
   * @default - the parent's; '5m' at the root
   */
  readonly groupInterval?: string;
  /**
   * Wait before repeating a notification.
   * @default - the parent's; '4h' at the root
   */
  readonly repeatInterval?: string;
  /**
   * Keep matching sibling routes after this one matched.
   * @default false
   */
  readonly continue?: boolean;
  /**
   * Child routes, tried in order.
   * @default - none
   */
  readonly routes?: AlertRoute[];
}

/** Options of Alertmanager. */
export interface AlertmanagerOptions extends ComponentOptions {
  /**
   * Receivers.
   * @default [AlertReceiver.none('null')]
   */
  readonly receivers?: AlertReceiver[];
  /**
   * The routing tree.
   * @default - every alert to the first receiver, grouped by alertname, namespace and service
   */
  readonly route?: AlertRoute;
  /**
   * Alertmanager pods. With more than one, the pods form a gossip cluster
   * (found through a headless Service) that shares silences and
   * notification state, so each alert is notified once; Prometheus sends
   * every alert to every pod, and a disruption budget keeps all but one
   * running during node drains. Three tolerates one pod lost without a
   * split vote.
   * @default 1
   */
  readonly replicas?: number;
}

/** Defaults of `AlertmanagerOptions`. */
export const ALERTMANAGER_DEFAULTS = {
  image: 'prom/alertmanager:v0.28.1',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  groupBy: ['alertname', 'namespace', 'service'],
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '4h',
  port: 9093,
  clusterPort: 9094,
  replicas: 1,
  user: 65534,
} as const;

/** Props of `Alertmanager`. @internal */
export interface AlertmanagerProps extends AlertmanagerOptions {
  readonly context: StackContext;
}

/**
 * Alertmanager for the self-contained stack: a ConfigMap with
 * `alertmanager.yml` built from the receivers and route tree, a Deployment
 * that mounts each referenced Secret read-only, a Service and a
 * NetworkPolicy that admits Prometheus. With `replicas` above one, the pods
 * gossip over a headless Service and a PodDisruptionBudget keeps a quorum.
 */
export class Alertmanager extends Construct {
  /** Name, labels and namespace of the objects. @internal */
  public readonly identity: ComponentIdentity;
  /** Port of the API. */
  public readonly port: number;
  /** The parsed `alertmanager.yml`. */
  public readonly config: Record<string, unknown>;
  /** `alertmanager.yml`. */
  public readonly configMap: kplus.ConfigMap;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Admits Prometheus (and whatever is added) to the API port. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** Pods of the Deployment. */
  public readonly replicas: number;
  /** The headless Service the pods find each other through (more than one replica). */
  public readonly clusterService?: kplus.Service;
  /** Keeps all pods but one running through voluntary disruptions (more than one replica). */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
  public constructor(scope: Construct, id: string, props: AlertmanagerProps) {
    super(scope, id);
    const d = ALERTMANAGER_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'alertmanager', 'alerting', image, 'alertmanager.image');
    const resources = componentResources(this, 'alertmanager.resources', props.resources, d.resources);
    this.port = d.port;
    this.replicas = props.replicas ?? d.replicas;
    if (!Number.isInteger(this.replicas) || this.replicas < 1) {
      fail(this, `alertmanager.replicas (${show(this.replicas)}) must be a whole number of at least 1`);
    }
    const clustered = this.replicas > 1;
    const clusterName = `${this.identity.name}-cluster`;

    const receivers = props.receivers ?? [AlertReceiver.none('null')];
    if (receivers.length === 0) {
      fail(this, 'alertmanager.receivers ([]) is empty: add at least one receiver (AlertReceiver.none for a sink)');
    }
    const names = new Set<string>();
    for (const r of receivers) {
      if (names.has(r.name)) {
        fail(this, `alertmanager.receivers (${show(r.name)}) is defined twice: each receiver name must be unique`);
      }
      names.add(r.name);
    }
    const route = props.route ?? { receiver: receivers[0].name };
    const renderedRoute = this.renderRoute(route, 'alertmanager.route', names, true);

    const secretNames = [...new Set(receivers.flatMap((r) => r.secrets.map((s) => s.secretName)))].sort();
    for (const r of receivers) {
      for (const s of r.secrets) {
        validateDnsSubdomain(this, `alertmanager.receivers[${r.name}] secretName`, s.secretName);
        validateConfigKey(this, `alertmanager.receivers[${r.name}] key`, s.key);
      }
    }
    const file = (ref: SecretKeyReference) => `${SECRETS_DIR}/${ref.secretName}/${ref.key}`;
    this.config = {
      route: renderedRoute,
      receivers: receivers.map((r) => r._toConfig(file)),
    };
    this.configMap = configFiles(this, 'Config', this.identity, 'config', { 'alertmanager.yml': this.config });

    const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: 'config' });
    const data = emptyDir(this, 'DataVolume', 'data', '256Mi');
    const secretVolumes = secretNames.map((name, i) => ({
      name,
      volume: kplus.Volume.fromSecret(this, `SecretVolume${i}`, kplus.Secret.fromSecretName(this, `Secret${i}`, name), { name: `secret-${i}` }),
    }));
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    this.deployment = componentWorkload(this, this.identity, {
      // One pod keeps its emptyDir state only through Recreate; a cluster rolls one pod at a time.
      kind: 'Deployment', user: d.user, serviceAccount, automountToken: false, recreate: !clustered, replicas: this.replicas,
    }, [{
      name: 'alertmanager',
      image,
      args: [
        '--config.file=/etc/alertmanager/alertmanager.yml',
        '--storage.path=/alertmanager',
        `--web.listen-address=:${this.port}`,
        ...(clustered
          ? [`--cluster.listen-address=0.0.0.0:${d.clusterPort}`, `--cluster.peer=${clusterName}.${this.identity.namespace}.svc:${d.clusterPort}`]
          // One replica: no gossip cluster.
          : ['--cluster.listen-address=']),
      ],
      ports: [
        { name: 'http', number: this.port, protocol: kplus.Protocol.TCP },
        ...(clustered ? [
          { name: 'cluster-tcp', number: d.clusterPort, protocol: kplus.Protocol.TCP },
          { name: 'cluster-udp', number: d.clusterPort, protocol: kplus.Protocol.UDP },
        ] : []),
      ],
      ...statefulProbes(this.port, { ready: '/-/ready', alive: '/-/healthy' }, STARTUP_BUDGET.snapshots),
      resources,
      volumeMounts: [
        { path: '/etc/alertmanager', volume: configVolume, readOnly: true },
        { path: '/alertmanager', volume: data },
        ...secretVolumes.map((s) => ({ path: `${SECRETS_DIR}/${s.name}`, volume: s.volume, readOnly: true })),
      ],
    }], [configVolume, data, ...secretVolumes.map((s) => s.volume)]) as kplus.Deployment;
    if (secretNames.length > 0) {
      // The receiver Secrets are created out of band; the policy gate is told so.
      apiObjectOf(this.deployment).metadata.addAnnotation(EXTERNAL_ANNOTATION, secretNames.map((n) => `Secret/${this.identity.namespace}/${n}`).join(','));
    }
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: this.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
    if (clustered) {
      this.clusterService = new kplus.Service(this, 'ClusterService', {
        metadata: meta(this.identity, clusterName),
        type: kplus.ServiceType.CLUSTER_IP,
        clusterIP: 'None',
        selector: this.deployment,
        ports: [
          { name: 'cluster-tcp', port: d.clusterPort, targetPort: d.clusterPort, protocol: kplus.Protocol.TCP },
          { name: 'cluster-udp', port: d.clusterPort, targetPort: d.clusterPort, protocol: kplus.Protocol.UDP },
        ],
      });
      // cdk8s-plus-27 has no publishNotReadyAddresses: peers must find each other before they are ready.
      apiObjectOf(this.clusterService).addJsonPatch(JsonPatch.add('/spec/publishNotReadyAddresses', true));
      const peers = componentPeer(this, 'ClusterPeers', this.identity);
      this.networkPolicy.addIngressRule(peers, [kplus.NetworkPolicyPort.tcp(d.clusterPort), kplus.NetworkPolicyPort.udp(d.clusterPort)]);
      // cdk8s-plus-27 has no PodDisruptionBudget construct.
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: meta(this.identity),
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(1),
          selector: { matchLabels: this.identity.selectorLabels },
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }
  }

  /**
   * The `alerting.alertmanagers` entry of Prometheus: the Service with one
   * pod, every pod through the headless Service's DNS records with more.
   */
  public get prometheusTarget(): Record<string, unknown> {
    if (this.clusterService !== undefined) {
      return { dns_sd_configs: [{ names: [`${this.clusterService.name}.${this.identity.namespace}.svc`], type: 'A', port: this.port }] };
    }
    return { static_configs: [{ targets: [this.address] }] };
  }

  /** `host:port` of the API inside the cluster. */
  public get address(): string {
    return `${this.identity.name}.${this.identity.namespace}.svc:${this.port}`;
  }

  private renderRoute(route: AlertRoute, prop: string, receivers: Set<string>, root: boolean): Record<string, unknown> {
    if (!receivers.has(route.receiver)) {
      fail(this, `${prop}.receiver (${show(route.receiver)}) names no receiver: use one of ${[...receivers].join(', ')}`);
    }
    const d = ALERTMANAGER_DEFAULTS;
    const out: Record<string, unknown> = { receiver: route.receiver };
    if (route.matchers !== undefined) {
      if (root) {
        fail(this, `${prop}.matchers (${show(route.matchers)}) is set on the root route, which must match every alert: move it to a child route`);
      }
      out.matchers = route.matchers;
    }
    const groupBy = route.groupBy ?? (root ? [...d.groupBy] : undefined);
    if (groupBy !== undefined) {
      out.group_by = groupBy;
    }
    for (const [key, field, fallback] of [
      ['groupWait', 'group_wait', d.groupWait],
      ['groupInterval', 'group_interval', d.groupInterval],
      ['repeatInterval', 'repeat_interval', d.repeatInterval],
    ] as const) {
      const value = route[key] ?? (root ? fallback : undefined);
      if (value !== undefined) {
        requireDurationString(this, `${prop}.${key}`, value);
        out[field] = value;
      }
    }
    if (route.continue !== undefined) {
      out.continue = route.continue;
    }
    if (route.routes !== undefined) {
      out.routes = route.routes.map((r, i) => this.renderRoute(r, `${prop}.routes[${i}]`, receivers, false));
    }
    return out;
  }
}
