import { Construct } from 'constructs';
import type { NetworkPeerSource } from '../common/contracts';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import { validateConfigKey, validateDnsSubdomain } from '../common/names';
import { admitPeer } from '../common/network-peer';
import { apiObjectOf, kplus } from '../common/plus';
import {
  ComponentIdentity, componentIdentity, componentNetworkPolicy, ComponentOptions, componentResources, componentService,
  componentWorkload, configFiles, emptyDir, meta, StackContext,
} from './component';

/** A Secret holding Grafana's admin user name and password. */
export interface GrafanaAdminSecret {
  /** Name of the Secret, in the stack's namespace. */
  readonly secretName: string;
  /**
   * Key of the admin user name.
   * @default 'admin-user'
   */
  readonly userKey?: string;
  /**
   * Key of the admin password.
   * @default 'admin-password'
   */
  readonly passwordKey?: string;
}

/** Options of Grafana. */
export interface GrafanaOptions extends ComponentOptions {
  /**
   * The admin credentials, by Secret reference only.
   * @default - a Secret named `grafana-admin` with keys `admin-user` and `admin-password`, created out of band
   */
  readonly adminSecret?: GrafanaAdminSecret;
}

/** Defaults of `GrafanaOptions`. */
export const GRAFANA_DEFAULTS = {
  image: 'grafana/grafana:12.1.1',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  adminSecret: { secretName: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  port: 3000,
  user: 472,
} as const;

/** A provisioned data source. @internal */
export interface GrafanaDatasource {
  readonly name: string;
  readonly type: string;
  readonly uid: string;
  readonly url: string;
  readonly isDefault?: boolean;
  readonly jsonData?: Record<string, unknown>;
}

/** Props of `Grafana`. @internal */
export interface GrafanaProps extends GrafanaOptions {
  readonly context: StackContext;
  readonly datasources: GrafanaDatasource[];
  /** Dashboard JSON files by file name. */
  readonly dashboards: Record<string, Record<string, unknown>>;
}

const DASHBOARDS_DIR = '/var/lib/grafana-dashboards';

/**
 * Grafana for the self-contained stack: provisioned data sources
 * (Prometheus, Loki, Tempo), a file provider with the Go service dashboard,
 * admin credentials from a Secret, a one-replica Deployment, a Service and a
 * NetworkPolicy (closed until `allowFrom` or the stack's `grafanaAllowFrom`
 * admits someone; `kubectl port-forward` works regardless).
 */
export class Grafana extends Construct {
  /** Name, labels and namespace of the objects. */
  public readonly identity: ComponentIdentity;
  /** Port of the web UI. */
  public readonly port: number;
  /** The parsed data source provisioning file. */
  public readonly datasourcesConfig: Record<string, unknown>;
  /** Data source and dashboard provider provisioning. */
  public readonly provisioningConfigMap: kplus.ConfigMap;
  /** The dashboard JSON files. */
  public readonly dashboardsConfigMap: kplus.ConfigMap;
  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The Service. */
  public readonly service: kplus.Service;
  /** Closed by default; see `allowFrom`. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const d = GRAFANA_DEFAULTS;
    const image = props.image ?? d.image;
    this.identity = componentIdentity(this, props.context, 'grafana', 'dashboards', image, 'grafana.image');
    const resources = componentResources(this, 'grafana.resources', props.resources, d.resources);
    this.port = d.port;
    const admin = {
      secretName: props.adminSecret?.secretName ?? d.adminSecret.secretName,
      userKey: props.adminSecret?.userKey ?? d.adminSecret.userKey,
      passwordKey: props.adminSecret?.passwordKey ?? d.adminSecret.passwordKey,
    };
    validateDnsSubdomain(this, 'grafana.adminSecret.secretName', admin.secretName);
    validateConfigKey(this, 'grafana.adminSecret.userKey', admin.userKey);
    validateConfigKey(this, 'grafana.adminSecret.passwordKey', admin.passwordKey);

    this.datasourcesConfig = {
      apiVersion: 1,
      datasources: props.datasources.map((ds) => ({ access: 'proxy', editable: false, isDefault: false, ...ds })),
    };
    this.provisioningConfigMap = configFiles(this, 'Provisioning', this.identity, 'provisioning', {
      'datasources.yaml': this.datasourcesConfig,
      'dashboards.yaml': {
        apiVersion: 1,
        providers: [{
          name: 'go-platform',
          folder: 'Go services',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          options: { path: DASHBOARDS_DIR },
        }],
      },
    });
    const dashboards: Record<string, string> = {};
    for (const [file, model] of Object.entries(props.dashboards)) {
      dashboards[file] = JSON.stringify(model, undefined, 2);
    }
    this.dashboardsConfigMap = configFiles(this, 'Dashboards', this.identity, 'dashboards', dashboards);

    const provisioning = kplus.Volume.fromConfigMap(this, 'ProvisioningVolume', this.provisioningConfigMap, {
      name: 'provisioning',
      items: {
        'datasources.yaml': { path: 'datasources/datasources.yaml' },
        'dashboards.yaml': { path: 'dashboards/dashboards.yaml' },
      },
    });
    const dashboardFiles = kplus.Volume.fromConfigMap(this, 'DashboardsVolume', this.dashboardsConfigMap, { name: 'dashboards' });
    const data = emptyDir(this, 'DataVolume', 'data', '1Gi');
    const tmp = emptyDir(this, 'TmpVolume', 'tmp', '64Mi');
    const secret = kplus.Secret.fromSecretName(this, 'AdminSecret', admin.secretName);
    const probe = kplus.Probe.fromHttpGet('/api/health', { port: this.port });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: meta(this.identity), automountToken: false });
    this.deployment = componentWorkload(this, this.identity, {
      kind: 'Deployment', user: d.user, serviceAccount, automountToken: false,
    }, [{
      name: 'grafana',
      image,
      ports: [{ name: 'http', number: this.port, protocol: kplus.Protocol.TCP }],
      envVariables: {
        GF_SECURITY_ADMIN_USER: kplus.EnvValue.fromSecretValue({ secret, key: admin.userKey }),
        GF_SECURITY_ADMIN_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: admin.passwordKey }),
        GF_PATHS_PROVISIONING: kplus.EnvValue.fromValue('/etc/grafana/provisioning'),
        GF_ANALYTICS_REPORTING_ENABLED: kplus.EnvValue.fromValue('false'),
        GF_ANALYTICS_CHECK_FOR_UPDATES: kplus.EnvValue.fromValue('false'),
        GF_AUTH_ANONYMOUS_ENABLED: kplus.EnvValue.fromValue('false'),
      },
      readiness: probe,
      liveness: probe,
      resources,
      volumeMounts: [
        { path: '/etc/grafana/provisioning', volume: provisioning, readOnly: true },
        { path: DASHBOARDS_DIR, volume: dashboardFiles, readOnly: true },
        { path: '/var/lib/grafana', volume: data },
        { path: '/tmp', volume: tmp },
      ],
    }], [provisioning, dashboardFiles, data, tmp]) as kplus.Deployment;
    // The admin Secret is created out of band; the policy gate is told so.
    apiObjectOf(this.deployment).metadata.addAnnotation(EXTERNAL_ANNOTATION, `Secret/${this.identity.namespace}/${admin.secretName}`);
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: this.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /**
   * Admits `peer` (an ingress controller, a gateway's namespace) to the web UI;
   * its pods are selected in their own namespace, which must be known.
   */
  public allowFrom(peer: NetworkPeerSource): void {
    admitPeer(this, 'allowFrom peer', this.networkPolicy, peer, [this.port]);
  }
}
