import { ApiObject, Duration } from 'cdk8s';
import { ExternalSecret } from '../../imports/external-secrets.io';
import { Construct, IConstruct } from 'constructs';
import { ARGO_CD_HOOK_ANNOTATION, ARGO_CD_HOOK_DELETE_POLICY_ANNOTATION } from '../common/annotations';
import { fail, show } from '../common/errors';
import { contentHash } from '../common/hash';
import { validatePinnedImage } from '../common/images';
import { restrictedContainerSecurityContext } from '../common/pod-hardening';
import { apiObjectOf, k8s, kplus } from '../common/plus';
import { GO_SERVICE_DEFAULTS, GoServiceSettings } from './go-service';
import { createJobNetworkPolicy, declareExternalSecrets, GoJobProps, jobWorkloadProps, ResolvedJob, resolveJob } from './go-job';
import { TMP_VOLUME } from './pod-props';
import { GoPodTemplate } from './pod-template';

/**
 * How a migration is ordered before the rollout of the service it migrates.
 * @see docs/workloads.md#migrations
 */
export enum MigrationOrdering {
  /**
   * Plain `kubectl apply` (and any tool that applies manifests as they are,
   * Flux and Argo CD included): the service's pods get an init container that
   * waits for the migration Job to complete, so new pods start only after a
   * successful migration; a failed one leaves them waiting while the old pods
   * keep serving, and the rollout fails its progress deadline.
   */
  WAIT_FOR_JOB = 'WaitForJob',
  /**
   * Argo CD: the Job and the objects it needs are `PreSync` hooks, so the
   * sync runs them first and stops when the Job fails.
   */
  ARGO_CD_PRE_SYNC = 'ArgoCdPreSync',
  /**
   * The delivery tool orders it: the Job is a plain object that must be
   * applied, and waited for, before the service (a Flux Kustomization of its
   * own with `wait: true` that the service's Kustomization `dependsOn`).
   */
  EXTERNAL = 'External',
}

/** Props of a `GoMigrationJob`. */
export interface GoMigrationJobProps extends GoJobProps {
  /**
   * How the migration is ordered before the rollout.
   * @default MigrationOrdering.EXTERNAL for a standalone GoMigrationJob;
   * MigrationOrdering.WAIT_FOR_JOB for GoMicroservice `migrations`
   */
  readonly ordering?: MigrationOrdering;
}

/** Migrations of a GoMicroservice: a Job with the service's image and config, run before each rollout. */
export interface MigrationOptions extends Pick<GoJobProps, 'command' | 'args' | 'backoffLimit' | 'activeDeadline' | 'resources'> {
  /**
   * How the migration is ordered before the rollout.
   * @default MigrationOrdering.WAIT_FOR_JOB
   */
  readonly ordering?: MigrationOrdering;

  /**
   * Image of the init container that waits for the Job (`MigrationOrdering.WAIT_FOR_JOB`):
   * a kubectl image, pinned; match your cluster's minor version.
   * @default 'registry.k8s.io/kubectl:v1.31.4'
   */
  readonly waitImage?: string;
}

/** Defaults of the migrations. @internal */
export const MIGRATION_DEFAULTS = {
  component: 'migration',
  activeDeadlineSeconds: 900,
  waitImage: 'registry.k8s.io/kubectl:v1.31.4',
  waitVolume: 'migration-wait-token',
} as const;

/**
 * A one-off Go job that migrates a database before a new version rolls out.
 *
 * Creates a Job named `<name>-<hash>`, the hash taken over the image, command,
 * arguments, config and secret references: each new version (or changed
 * migration) is a new Job, while re-applying the same version leaves the
 * completed Job alone. Its pods share GoMicroservice's hardening, Go runtime
 * tuning, config and pod props; a run is stopped after 15 minutes unless
 * `activeDeadline` says otherwise. Also a ServiceAccount without a mounted
 * token and a NetworkPolicy that denies all ingress.
 *
 * @example
 * new GoMigrationJob(chart, 'orders-migrate', {
 *   image: 'registry.example.com/shop/orders:1.4.2',
 *   command: ['/orders', 'migrate', 'up'],
 *   secretEnv: { DATABASE_URL: { secretName: 'orders-db', key: 'url' } },
 *   ordering: MigrationOrdering.ARGO_CD_PRE_SYNC,
 * });
 */
export class GoMigrationJob extends Construct {
  /** The validated description (no ports, no probes). */
  public readonly settings: GoServiceSettings;
  /** Base name; the Job is `<name>-<hash>`. */
  public readonly name: string;
  /** `metadata.name` of the Job. */
  public readonly jobName: string;
  /** How the migration is ordered. */
  public readonly ordering: MigrationOrdering;
  /** The Job (also this construct's default child). */
  public readonly job: kplus.Job;
  /** The migration container. */
  public readonly container: kplus.Container;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The ConfigMap of plain settings, when `config` is set. */
  public readonly configMap?: kplus.ConfigMap;
  /** The ConfigMap of configuration files, when `configFiles` is set. */
  public readonly configFilesMap?: kplus.ConfigMap;
  /** The External Secrets Operator ExternalSecret behind the external sources of `secretEnv` and `secretFiles`, when there are any. */
  public readonly externalSecret?: ExternalSecret;
  /** The NetworkPolicy that denies all ingress to the migration pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  private readonly resolved: ResolvedJob;

  public constructor(scope: Construct, id: string, props: GoMigrationJobProps) {
    super(scope, id);
    const j = resolveJob(this, id, { ...props, activeDeadline: props.activeDeadline ?? Duration.seconds(MIGRATION_DEFAULTS.activeDeadlineSeconds) }, MIGRATION_DEFAULTS.component);
    this.resolved = j;
    this.settings = j.settings;
    this.name = j.settings.name;
    if (this.name.length > 52) {
      fail(this, `name (${show(this.name)}) is longer than 52 characters: the Job's name adds an 11-character hash`);
    }
    this.ordering = props.ordering ?? MigrationOrdering.EXTERNAL;
    const hash = contentHash({
      image: j.settings.image,
      command: props.command ?? null,
      args: props.args ?? null,
      config: j.settings.config,
      secretEnv: j.settings.secretEnv,
      secretEnvFrom: j.settings.secretEnvFrom,
      configFiles: props.configFiles?.files ?? null,
    });
    this.jobName = `${this.name}-${hash}`;

    this.serviceAccount = props.serviceAccount ?? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: j.metadata(this.name),
      automountToken: false,
    });
    this.job = new kplus.Job(this, 'Job', {
      ...jobWorkloadProps(j, this.serviceAccount),
      metadata: j.metadata(this.jobName),
    });
    const template = new GoPodTemplate(this, this.job, j.settings, j.pod, {
      templatePath: '/spec/template',
      workloadKind: 'job',
      metadata: j.metadata,
      command: props.command,
      args: props.args,
    });
    this.container = this.job.containers[0];
    this.configMap = template.configMap;
    this.configFilesMap = template.filesConfigMap;
    this.externalSecret = template.externalSecret;
    declareExternalSecrets(this.job, template);
    this.networkPolicy = createJobNetworkPolicy(this, j, this.name);
    this.node.defaultChild = apiObjectOf(this.job);

    if (this.ordering === MigrationOrdering.ARGO_CD_PRE_SYNC) {
      // Everything the Job needs must exist in the PreSync phase too.
      const hooks: IConstruct[] = [this.job, this.networkPolicy];
      if (props.serviceAccount === undefined) {
        hooks.push(this.serviceAccount);
      }
      for (const o of [...hooks, this.configMap, this.configFilesMap, this.externalSecret]) {
        if (o !== undefined) {
          const api = o instanceof ApiObject ? o : apiObjectOf(o);
          api.metadata.addAnnotation(ARGO_CD_HOOK_ANNOTATION, 'PreSync');
          api.metadata.addAnnotation(ARGO_CD_HOOK_DELETE_POLICY_ANNOTATION, 'BeforeHookCreation');
        }
      }
    }
  }

  /**
   * The init container (and its token volume) that holds a pod until this
   * Job has completed, and the Role and RoleBinding that let `serviceAccount`
   * watch Jobs. The token is mounted in the init container only.
   *
   * @internal
   */
  public _waitFor(scope: Construct, serviceAccount: kplus.IServiceAccount, image: string, prop: string): { container: k8s.Container; volume: k8s.Volume } {
    validatePinnedImage(scope, prop, image);
    const metadata = this.resolved.metadata(`${this.name}-wait`);
    const role = new k8s.KubeRole(this, 'WaitRole', {
      metadata,
      rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this, 'WaitRoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name }],
    });
    const timeoutSeconds = this.resolved.activeDeadlineSeconds + 60;
    const volume: k8s.Volume = {
      name: MIGRATION_DEFAULTS.waitVolume,
      projected: {
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardApi: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    };
    const container: k8s.Container = {
      name: 'wait-for-migration',
      image,
      imagePullPolicy: 'IfNotPresent',
      args: ['wait', '--for=condition=complete', `job/${this.jobName}`, `--timeout=${timeoutSeconds}s`],
      env: [{ name: 'HOME', value: '/tmp' }],
      resources: {
        requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') },
        limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('64Mi') },
      },
      securityContext: restrictedContainerSecurityContext(GO_SERVICE_DEFAULTS.user),
      volumeMounts: [
        { name: TMP_VOLUME, mountPath: '/tmp' },
        { name: MIGRATION_DEFAULTS.waitVolume, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ],
    };
    return { container, volume };
  }
}
