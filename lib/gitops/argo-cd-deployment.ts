import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { Application, ApplicationSet, ApplicationSpec, ApplicationSpecDestination } from '../../imports/argoproj.io';
import { seconds } from '../common/durations';
import { fail, show } from '../common/errors';
import { LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { goDuration, isGitRef, validateGitUrl } from './git';

/** What an `ArgoCdDestination` stands for. @internal */
export type ArgoCdDestinationKind = 'in-cluster' | 'server' | 'cluster' | 'clusters' | 'selector';

/**
 * Where Argo CD deploys the folder: one cluster (an `Application`) or several
 * (an `ApplicationSet` that generates one `Application` per cluster).
 *
 * Clusters other than the one Argo CD runs in must be registered in Argo CD
 * (`argocd cluster add`, or a cluster Secret).
 */
export class ArgoCdDestination {
  /** The cluster Argo CD runs in (`https://kubernetes.default.svc`): one `Application`. */
  public static inCluster(): ArgoCdDestination {
    return new ArgoCdDestination('in-cluster', [ARGO_CD_DEPLOYMENT_DEFAULTS.inClusterServer]);
  }

  /** One cluster by its API server URL, as registered in Argo CD: one `Application`. */
  public static server(url: string): ArgoCdDestination {
    return new ArgoCdDestination('server', [url]);
  }

  /** One cluster by the name it is registered under in Argo CD: one `Application`. */
  public static cluster(name: string): ArgoCdDestination {
    return new ArgoCdDestination('cluster', [name]);
  }

  /**
   * Several clusters by the names they are registered under: an `ApplicationSet`
   * with a list generator, one `Application` `<id>-<cluster>` per name, in this order.
   * Names are DNS-1123 labels so the generated names are valid.
   */
  public static clusters(names: string[]): ArgoCdDestination {
    return new ArgoCdDestination('clusters', names);
  }

  /**
   * Every registered cluster whose cluster Secret carries these labels: an
   * `ApplicationSet` with a cluster generator, one `Application`
   * `<id>-<cluster name>` per match. Clusters join and leave the fleet by label.
   */
  public static clusterSelector(matchLabels: Record<string, string>): ArgoCdDestination {
    return new ArgoCdDestination('selector', [], matchLabels);
  }

  /** @internal */
  public readonly _kind: ArgoCdDestinationKind;
  /** @internal */
  public readonly _values: string[];
  /** @internal */
  public readonly _matchLabels?: Record<string, string>;

  private constructor(kind: ArgoCdDestinationKind, values: string[], matchLabels?: Record<string, string>) {
    this._kind = kind;
    this._values = values;
    this._matchLabels = matchLabels;
  }
}

/** Automatic retries of a failed sync, with exponential backoff. */
export interface ArgoCdRetryOptions {
  /**
   * Attempts after the first failed sync; 0 turns retries off.
   * @default 5
   */
  readonly limit?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(5)
   */
  readonly backoff?: Duration;
  /**
   * Factor the wait grows by after each attempt (a whole number).
   * @default 2
   */
  readonly factor?: number;
  /**
   * Longest wait between two attempts.
   * @default Duration.minutes(3)
   */
  readonly maxBackoff?: Duration;
}

/**
 * Sync options of the `Application`s (`spec.syncPolicy.syncOptions`).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 */
export interface ArgoCdSyncOptions {
  /**
   * Apply with Kubernetes server-side apply (`ServerSideApply=true`): no
   * `last-applied-configuration` annotation (whose 256 KiB limit large
   * ConfigMaps such as dashboards exceed) and field ownership shared correctly
   * with controllers such as the HPA.
   * @default true
   */
  readonly serverSideApply?: boolean;
  /**
   * Let Argo CD create the destination namespace (`CreateNamespace=true`).
   * Off: namespaces come from the manifests (or exist already), with their
   * labels (Pod Security) under review like every other object.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Prune objects removed from Git only after every wave has been applied and
   * is healthy (`PruneLast=true`), so the old objects serve until the new ones do.
   * @default true
   */
  readonly pruneLast?: boolean;
  /**
   * Fail the sync when an object is already managed by another Application
   * (`FailOnSharedResource=true`) instead of taking it over.
   * @default true
   */
  readonly failOnSharedResource?: boolean;
}

/** Props of an `ArgoCdDeployment`. */
export interface ArgoCdDeploymentProps {
  /** URL of the Git repository that holds the synthesized manifests (`https://` or `ssh://`). */
  readonly url: string;

  /**
   * Folder of the repository to deploy, relative to its root without `./`,
   * e.g. `dist/production`. Argo CD applies every `.yaml`, `.yml` and `.json`
   * file in it (not in sub-folders) except `exclude`.
   */
  readonly path: string;

  /**
   * Branch, tag or commit Argo CD deploys (`targetRevision`).
   * @default 'main'
   */
  readonly targetRevision?: string;

  /**
   * Where to deploy: one cluster (an `Application`) or several (an `ApplicationSet`).
   * @default ArgoCdDestination.inCluster()
   */
  readonly destination?: ArgoCdDestination;

  /**
   * Namespace for objects of the folder that do not name one (`destination.namespace`).
   * @default - none: every namespaced object names its namespace, as cdk8s charts with a namespace do
   */
  readonly destinationNamespace?: string;

  /**
   * Files of the folder Argo CD must not apply (glob patterns, matched against
   * the file path inside the folder). cdk8s's `construct-metadata.json` is not
   * a manifest. When the destination is not the cluster Argo CD runs in, add
   * the file that holds these objects so the clusters do not receive them.
   * @default ['construct-metadata.json']
   */
  readonly exclude?: string[];

  /**
   * Namespace of the Argo CD objects: where Argo CD runs.
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * Argo CD project of the `Application`s (`AppProject`), which limits the
   * repositories, clusters and kinds they may use.
   * @default 'default'
   */
  readonly project?: string;

  /**
   * Delete objects that were removed from Git (`syncPolicy.automated.prune`).
   * @default true
   */
  readonly prune?: boolean;

  /**
   * Revert changes made in the cluster by hand (`syncPolicy.automated.selfHeal`).
   * @default true
   */
  readonly selfHeal?: boolean;

  /**
   * Retries of a failed sync.
   * @default - 5 retries, backoff 5s doubling up to 3m
   */
  readonly retry?: ArgoCdRetryOptions;

  /**
   * Sync options.
   * @default - ServerSideApply=true, PruneLast=true, FailOnSharedResource=true, CreateNamespace=false
   */
  readonly syncOptions?: ArgoCdSyncOptions;
}

/** Defaults of `ArgoCdDeploymentProps`, in one place. */
export const ARGO_CD_DEPLOYMENT_DEFAULTS = {
  targetRevision: 'main',
  namespace: 'argocd',
  project: 'default',
  inClusterServer: 'https://kubernetes.default.svc',
  exclude: ['construct-metadata.json'],
  prune: true,
  selfHeal: true,
  retryLimit: 5,
  retryBackoffSeconds: 5,
  retryFactor: 2,
  retryMaxBackoffSeconds: 180,
  serverSideApply: true,
  createNamespace: false,
  pruneLast: true,
  failOnSharedResource: true,
} as const;

// Relative to the repository root, no "./", no "..", no absolute path.
const PATH = /^(?!\.\/|\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/;
// A glob Argo CD accepts inside `{a,b}` without escaping.
const GLOB = /^[A-Za-z0-9._*?/[\]-]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SERVER = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;

/**
 * GitOps delivery with Argo CD: the objects that make Argo CD deploy this
 * environment's synthesized folder from Git, to one cluster or a fleet.
 *
 * Creates, in Argo CD's namespace, one `Application`
 * (`argoproj.io/v1alpha1`) named after the construct for a single
 * destination, or one `ApplicationSet` that generates an `Application`
 * `<id>-<cluster>` per cluster for several. Each syncs automatically with
 * prune and self-heal, retries with backoff, and applies server-side.
 * Ordering inside the folder comes from sync waves on the objects: see
 * `addArgoCdSyncWaves`. Commit `dist/`; Argo CD does the rest.
 *
 * @example
 * new ArgoCdDeployment(chart, 'platform', {
 *   url: 'https://github.com/shop/platform',
 *   path: 'dist/production',
 *   destination: ArgoCdDestination.clusters(['prod-eu', 'prod-us']),
 *   exclude: ['construct-metadata.json', 'delivery.k8s.yaml'],
 * });
 */
export class ArgoCdDeployment extends Construct {
  /** The `Application`, for a single destination. */
  public readonly application?: Application;
  /** The `ApplicationSet`, for several clusters. */
  public readonly applicationSet?: ApplicationSet;

  constructor(scope: Construct, id: string, props: ArgoCdDeploymentProps) {
    super(scope, id);
    validateDnsLabel(this, 'id', id);
    validateGitUrl(this, 'url', props.url);
    if (typeof props.path !== 'string' || !PATH.test(props.path)) {
      fail(this, `path (${show(props.path)}) must be a folder of the repository relative to its root, without "./" or "..", e.g. "dist/production"`);
    }
    const targetRevision = props.targetRevision ?? ARGO_CD_DEPLOYMENT_DEFAULTS.targetRevision;
    if (!isGitRef(targetRevision)) {
      fail(this, `targetRevision (${show(targetRevision)}) must be a branch, tag or commit such as "main"`);
    }
    const namespace = props.namespace ?? ARGO_CD_DEPLOYMENT_DEFAULTS.namespace;
    validateDnsLabel(this, 'namespace', namespace);
    const project = props.project ?? ARGO_CD_DEPLOYMENT_DEFAULTS.project;
    validateDnsLabel(this, 'project', project, 253);
    if (props.destinationNamespace !== undefined) {
      validateDnsLabel(this, 'destinationNamespace', props.destinationNamespace);
    }
    const exclude = props.exclude ?? ARGO_CD_DEPLOYMENT_DEFAULTS.exclude;
    exclude.forEach((glob, i) => {
      if (typeof glob !== 'string' || !GLOB.test(glob)) {
        fail(this, `exclude[${i}] (${show(glob)}) must be a file glob of letters, digits and . _ - / * ? [ ]`);
      }
    });
    const destination = props.destination ?? ArgoCdDestination.inCluster();
    this.validateDestination(destination);
    const spec = this.resolveSpec(props, project, targetRevision, exclude);

    const labels = { [LABEL_NAME]: id, [LABEL_PART_OF]: id, [LABEL_MANAGED_BY]: MANAGED_BY };
    const target = (d: ApplicationSpecDestination): ApplicationSpecDestination => ({
      ...d,
      ...(props.destinationNamespace !== undefined ? { namespace: props.destinationNamespace } : {}),
    });
    // The generated classes are 1.3 MB of JavaScript: load them only when an
    // ArgoCdDeployment is built, so importing the library does not pay for them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    const argo = require('../../imports/argoproj.io') as typeof import('../../imports/argoproj.io');

    if (destination._kind === 'in-cluster' || destination._kind === 'server') {
      this.application = new argo.Application(this, 'Application', {
        metadata: { name: id, namespace, labels },
        spec: { ...spec, destination: target({ server: destination._values[0] }) },
      });
    } else if (destination._kind === 'cluster') {
      this.application = new argo.Application(this, 'Application', {
        metadata: { name: id, namespace, labels },
        spec: { ...spec, destination: target({ name: destination._values[0] }) },
      });
    } else {
      // Go templates with missingkey=error: a typo in a parameter fails the
      // generation instead of rendering an empty string.
      this.applicationSet = new argo.ApplicationSet(this, 'ApplicationSet', {
        metadata: { name: id, namespace, labels },
        spec: {
          goTemplate: true,
          goTemplateOptions: ['missingkey=error'],
          generators: [destination._kind === 'clusters'
            ? { list: { elements: destination._values.map((name) => ({ name })) } }
            : { clusters: { selector: { matchLabels: { ...destination._matchLabels } } } }],
          template: {
            metadata: { name: `${id}-{{.name}}`, labels },
            spec: { ...spec, destination: target({ name: '{{.name}}' }) },
          },
          // Deleting or renaming the ApplicationSet deletes its Applications,
          // never the workloads they deployed.
          syncPolicy: { preserveResourcesOnDeletion: true },
        },
      });
    }
  }

  private validateDestination(d: ArgoCdDestination): void {
    if (!(d instanceof ArgoCdDestination)) {
      fail(this, `destination (${show(d)}) must be made with an ArgoCdDestination factory, e.g. ArgoCdDestination.inCluster()`);
    }
    switch (d._kind) {
      case 'server':
        if (typeof d._values[0] !== 'string' || !SERVER.test(d._values[0])) {
          fail(this, `destination.server (${show(d._values[0])}) must be the https:// URL of a cluster's API server`);
        }
        break;
      case 'cluster':
        validateDnsLabel(this, 'destination.cluster', d._values[0], 253);
        break;
      case 'clusters': {
        if (!Array.isArray(d._values) || d._values.length === 0) {
          fail(this, `destination.clusters (${show(d._values)}) must name at least one cluster`);
        }
        const seen = new Set<string>();
        d._values.forEach((name, i) => {
          validateDnsLabel(this, `destination.clusters[${i}]`, name);
          if (seen.has(name)) {
            fail(this, `destination.clusters[${i}] (${show(name)}) is already listed: each cluster gets one Application`);
          }
          seen.add(name);
        });
        break;
      }
      case 'selector': {
        const entries = Object.entries(d._matchLabels ?? {});
        if (entries.length === 0) {
          fail(this, `destination.clusterSelector (${show(d._matchLabels ?? {})}) must name at least one label: an empty selector selects every cluster Argo CD manages, its own included`);
        }
        for (const [key, value] of entries) {
          if (key.length > 316 || !LABEL_KEY.test(key) || key.split('/').pop()!.length > 63) {
            fail(this, `destination.clusterSelector key (${show(key)}) must be a label key such as "env" or "example.com/env"`);
          }
          if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
            fail(this, `destination.clusterSelector.${key} (${show(value)}) must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  /** The `Application` spec without its destination: source, project and sync policy. */
  private resolveSpec(props: ArgoCdDeploymentProps, project: string, targetRevision: string, exclude: readonly string[]): Omit<ApplicationSpec, 'destination'> {
    const d = ARGO_CD_DEPLOYMENT_DEFAULTS;
    const retry = props.retry ?? {};
    const limit = retry.limit ?? d.retryLimit;
    if (!Number.isInteger(limit) || limit < 0) {
      fail(this, `retry.limit (${show(limit)}) must be a whole number of retries, 0 or more`);
    }
    const factor = retry.factor ?? d.retryFactor;
    if (!Number.isInteger(factor) || factor < 1) {
      fail(this, `retry.factor (${show(factor)}) must be a whole number, 1 or more`);
    }
    const backoff = seconds(this, 'retry.backoff', retry.backoff, d.retryBackoffSeconds);
    const maxBackoff = seconds(this, 'retry.maxBackoff', retry.maxBackoff, d.retryMaxBackoffSeconds);
    if (backoff === 0) {
      fail(this, 'retry.backoff (0s) must be at least one second');
    }
    if (maxBackoff < backoff) {
      fail(this, `retry.maxBackoff (${maxBackoff}s) must be at least retry.backoff (${backoff}s)`);
    }
    const o = props.syncOptions ?? {};
    const flag = (name: string, value: boolean): string => `${name}=${value}`;
    return {
      project,
      source: {
        repoUrl: props.url,
        targetRevision,
        path: props.path,
        // Only the folder itself: cdk8s writes one file per chart, no sub-folders.
        directory: { recurse: false, ...(exclude.length > 0 ? { exclude: exclude.length === 1 ? exclude[0] : `{${exclude.join(',')}}` } : {}) },
      },
      syncPolicy: {
        automated: { prune: props.prune ?? d.prune, selfHeal: props.selfHeal ?? d.selfHeal, allowEmpty: false },
        syncOptions: [
          flag('CreateNamespace', o.createNamespace ?? d.createNamespace),
          flag('FailOnSharedResource', o.failOnSharedResource ?? d.failOnSharedResource),
          flag('PruneLast', o.pruneLast ?? d.pruneLast),
          flag('ServerSideApply', o.serverSideApply ?? d.serverSideApply),
        ],
        retry: { limit, backoff: { duration: goDuration(backoff), factor, maxDuration: goDuration(maxBackoff) } },
      },
    };
  }
}
