import { Construct } from 'constructs';
import { EXTERNAL_ANNOTATION } from '../common/annotations';
import type { NetworkPeerSource } from '../common/contracts';
import { fail, show } from '../common/errors';
import { SecretKeyReference } from '../go-microservice/go-service';
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

/** Options of OpenID Connect sign-in (Grafana's generic OAuth). */
export interface GrafanaOidcOptions {
  /** Authorization endpoint of the identity provider, `https://`. */
  readonly authUrl: string;
  /** Token endpoint, `https://`. */
  readonly tokenUrl: string;
  /** User-info endpoint, `https://`. */
  readonly apiUrl: string;
  /** OAuth client ID registered for Grafana (not a secret). */
  readonly clientId: string;
  /** Secret key holding the OAuth client secret. */
  readonly clientSecret: SecretKeyReference;
  /**
   * Scopes requested at sign-in.
   * @default ['openid', 'email', 'profile']
   */
  readonly scopes?: string[];
  /**
   * JMESPath over the ID token or user info that yields the Grafana role
   * (`Admin`, `Editor` or `Viewer`), e.g.
   * `contains(groups[*], 'sre') && 'Admin' || 'Viewer'`.
   * @default - every user signs in as a Viewer
   */
  readonly roleAttributePath?: string;
  /**
   * Name of the sign-in button.
   * @default 'SSO'
   */
  readonly name?: string;
}

/** How people sign in to an exposed Grafana. Credentials come from Secrets only. */
export class GrafanaAuth {
  /**
   * Grafana's login form and HTTP basic auth, for the admin user of
   * `adminSecret` and users created in Grafana.
   */
  public static basic(): GrafanaAuth {
    return new GrafanaAuth('basic');
  }

  /** OpenID Connect single sign-on; the login form is turned off. */
  public static oidc(options: GrafanaOidcOptions): GrafanaAuth {
    return new GrafanaAuth('oidc', options);
  }

  private constructor(
    /** `basic` or `oidc`. */ public readonly kind: 'basic' | 'oidc',
    /** The OIDC settings. */ public readonly oidc?: GrafanaOidcOptions,
  ) {}
}

/** Options of `ObservabilityStack.exposeGrafana`. */
export interface GrafanaExposeOptions {
  /** Public host name of Grafana, e.g. `grafana.example.com`. */
  readonly host: string;
  /** How people sign in. */
  readonly auth: GrafanaAuth;
}

/**
 * What Grafana needs of an ingress to be exposed through it; `SecureIngress`
 * provides it. Its namespace must be the stack's, because routes reach
 * backends in their own namespace only.
 */
export interface IGrafanaIngress {
  /**
   * Namespace of the routes.
   * @default - not known: exposing Grafana through it is an error (it differs from Grafana's namespace)
   */
  readonly namespace?: string;
  /** Namespace of the proxies that forward to the backend, admitted to Grafana's port. */
  readonly peerNamespace: string;
  /** The construct path, for error messages. */
  readonly node: { readonly path: string };
  /** Routes `host` and `path` to a Service by name and port. */
  addRoute(options: { host: string; path?: string; service: { serviceName: string; ports: number[] } }): void;
}

/** Defaults of `GrafanaOptions`. */
export const GRAFANA_DEFAULTS = {
  image: 'grafana/grafana:12.1.1',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  adminSecret: { secretName: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  port: 3000,
  user: 472,
  oidcScopes: ['openid', 'email', 'profile'],
  oidcName: 'SSO',
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
  /** Name, labels and namespace of the objects. @internal */
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
  /** The public URL, once exposed. */
  public rootUrl?: string;
  private readonly external: string[];

  /** Created by ObservabilityStack, which passes the resolved settings. @internal */
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
    this.external = [`Secret/${this.identity.namespace}/${admin.secretName}`];
    apiObjectOf(this.deployment).metadata.addAnnotation(EXTERNAL_ANNOTATION, this.external.join(','));
    this.service = componentService(this, this.identity, this.deployment, [{ name: 'http', port: this.port }]);
    this.networkPolicy = componentNetworkPolicy(this, this.identity, this.deployment);
  }

  /**
   * Serves Grafana at `https://<host>/` through `ingress` with the given
   * sign-in: sets the root URL and secure cookies, configures basic or OIDC
   * auth (the client secret read from its Secret), routes the host to the
   * Grafana Service and admits the ingress's proxies to the web UI.
   */
  public expose(ingress: IGrafanaIngress, options: GrafanaExposeOptions): void {
    const prop = 'exposeGrafana';
    if (this.rootUrl !== undefined) {
      fail(this, `${prop} (${show(options.host)}) is called twice: Grafana is already exposed at ${this.rootUrl}`);
    }
    if (ingress.namespace !== this.identity.namespace) {
      fail(this, `${prop} ingress (${show(ingress.node.path)}) is in namespace ${show(ingress.namespace)}, not Grafana's ${show(this.identity.namespace)}: create the SecureIngress in the stack's namespace`);
    }
    if (!(options.auth instanceof GrafanaAuth)) {
      fail(this, `${prop}.auth (${show(options.auth)}) must be GrafanaAuth.basic() or GrafanaAuth.oidc({...})`);
    }
    const env: Record<string, kplus.EnvValue> = {};
    const value = (v: string) => kplus.EnvValue.fromValue(v);
    if (options.auth.kind === 'oidc') {
      const o = options.auth.oidc!;
      for (const key of ['authUrl', 'tokenUrl', 'apiUrl'] as const) {
        if (typeof o[key] !== 'string' || !/^https:\/\/[^\s/]+(\/\S*)?$/.test(o[key])) {
          fail(this, `${prop}.auth.${key} (${show(o[key])}) must be an https:// URL`);
        }
      }
      if (typeof o.clientId !== 'string' || o.clientId.trim() === '') {
        fail(this, `${prop}.auth.clientId (${show(o.clientId)}) must be a non-empty string`);
      }
      validateDnsSubdomain(this, `${prop}.auth.clientSecret.secretName`, o.clientSecret.secretName);
      validateConfigKey(this, `${prop}.auth.clientSecret.key`, o.clientSecret.key);
      const scopes = o.scopes ?? [...GRAFANA_DEFAULTS.oidcScopes];
      if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) {
        fail(this, `${prop}.auth.scopes (${show(scopes)}) must be one or more OAuth scopes without spaces or quotes`);
      }
      const secret = kplus.Secret.fromSecretName(this, 'OidcSecret', o.clientSecret.secretName);
      Object.assign(env, {
        GF_AUTH_GENERIC_OAUTH_ENABLED: value('true'),
        GF_AUTH_GENERIC_OAUTH_NAME: value(o.name ?? GRAFANA_DEFAULTS.oidcName),
        GF_AUTH_GENERIC_OAUTH_CLIENT_ID: value(o.clientId),
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: kplus.EnvValue.fromSecretValue({ secret, key: o.clientSecret.key }),
        GF_AUTH_GENERIC_OAUTH_SCOPES: value(scopes.join(' ')),
        GF_AUTH_GENERIC_OAUTH_AUTH_URL: value(o.authUrl),
        GF_AUTH_GENERIC_OAUTH_TOKEN_URL: value(o.tokenUrl),
        GF_AUTH_GENERIC_OAUTH_API_URL: value(o.apiUrl),
        GF_AUTH_GENERIC_OAUTH_USE_PKCE: value('true'),
        GF_AUTH_GENERIC_OAUTH_ALLOW_SIGN_UP: value('true'),
        ...(o.roleAttributePath !== undefined ? { GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH: value(o.roleAttributePath) } : {}),
        GF_AUTH_DISABLE_LOGIN_FORM: value('true'),
        GF_AUTH_BASIC_ENABLED: value('false'),
      });
      this.external.push(`Secret/${this.identity.namespace}/${o.clientSecret.secretName}`);
      apiObjectOf(this.deployment).metadata.addAnnotation(EXTERNAL_ANNOTATION, [...new Set(this.external)].sort().join(','));
    } else {
      Object.assign(env, { GF_AUTH_BASIC_ENABLED: value('true'), GF_AUTH_DISABLE_LOGIN_FORM: value('false') });
    }

    ingress.addRoute({ host: options.host, path: '/', service: { serviceName: this.service.name, ports: [this.port] } });
    this.rootUrl = `https://${options.host}/`;
    Object.assign(env, {
      GF_SERVER_DOMAIN: value(options.host),
      GF_SERVER_ROOT_URL: value(this.rootUrl),
      GF_SECURITY_COOKIE_SECURE: value('true'),
      GF_SECURITY_COOKIE_SAMESITE: value('lax'),
    });
    const container = this.deployment.containers[0];
    for (const [name, v] of Object.entries(env)) {
      container.env.addVariable(name, v);
    }
    this.allowFrom(kplus.Namespaces.select(this, 'IngressNamespace', { names: [ingress.peerNamespace] }));
  }

  /**
   * Admits `peer` (an ingress controller, a gateway's namespace) to the web UI;
   * its pods are selected in their own namespace, which must be known.
   */
  public allowFrom(peer: NetworkPeerSource): void {
    admitPeer(this, 'allowFrom peer', this.networkPolicy, peer, [this.port]);
  }
}
