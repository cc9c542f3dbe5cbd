import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/kustomize.toolkit.fluxcd.io';
import { GitRepository } from '../../imports/source.toolkit.fluxcd.io';
import { fail, show } from '../common/errors';
import { seconds } from '../common/durations';
import { LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY } from '../common/labels';
import { validateDnsLabel } from '../common/names';
import { goDuration, isGitRef, validateGitUrl } from './git';

/** One folder of synthesized manifests that Flux applies as a unit. */
export interface FluxStage {
  /** Name of the stage: the `Kustomization` is `<name>-<stage>`. */
  readonly name: string;
  /** Folder in the repository, e.g. `./dist/staging`. */
  readonly path: string;
}

/** Props of a `FluxDeployment`. */
export interface FluxDeploymentProps {
  /** URL of the Git repository that holds the synthesized manifests (`https://` or `ssh://`). */
  readonly url: string;

  /**
   * Branch Flux follows.
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * The folders to apply, in order: each stage's `Kustomization` depends on
   * the previous one and waits until all its objects are ready, so put
   * CRDs, namespaces and migrations in earlier stages than the workloads.
   * Within one stage Flux itself applies CustomResourceDefinitions and
   * Namespaces before the other objects.
   */
  readonly stages: FluxStage[];

  /**
   * Namespace of the Flux objects: where the Flux controllers run.
   * @default 'flux-system'
   */
  readonly namespace?: string;

  /**
   * Secret in `namespace` with the Git credentials.
   * @default - none: a public repository
   */
  readonly secretName?: string;

  /**
   * How often the repository is fetched and the stages reconciled.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * How long a stage may take to apply and become ready.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/** Defaults of `FluxDeploymentProps`, in one place. */
export const FLUX_DEPLOYMENT_DEFAULTS = {
  branch: 'main',
  namespace: 'flux-system',
  intervalSeconds: 300,
  timeoutSeconds: 300,
  /** Files of the source that are not manifests: cdk8s's construct metadata (`.sourceignore` syntax). */
  ignore: 'construct-metadata.json\n',
} as const;

const PATH = /^\.\/(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]*$/;

/**
 * GitOps delivery with Flux: the objects that make Flux apply this
 * environment's synthesized manifests from Git.
 *
 * Creates a `GitRepository` (`source.toolkit.fluxcd.io/v1`) named after the
 * construct and one `Kustomization` (`kustomize.toolkit.fluxcd.io/v1`) per
 * stage, chained with `dependsOn`, pruning what leaves Git and waiting for
 * readiness. Commit `dist/`; Flux does the rest.
 *
 * @example
 * new FluxDeployment(chart, 'platform', {
 *   url: 'https://github.com/shop/platform',
 *   stages: [{ name: 'staging', path: './dist/staging' }],
 * });
 */
export class FluxDeployment extends Construct {
  /** The repository source. */
  public readonly gitRepository: GitRepository;
  /** One `Kustomization` per stage, in order. */
  public readonly kustomizations: Kustomization[];

  constructor(scope: Construct, id: string, props: FluxDeploymentProps) {
    super(scope, id);
    validateDnsLabel(this, 'id', id);
    validateGitUrl(this, 'url', props.url);
    const branch = props.branch ?? FLUX_DEPLOYMENT_DEFAULTS.branch;
    if (!isGitRef(branch)) {
      fail(this, `branch (${show(branch)}) must be a branch name such as "main"`);
    }
    const namespace = props.namespace ?? FLUX_DEPLOYMENT_DEFAULTS.namespace;
    validateDnsLabel(this, 'namespace', namespace);
    if (props.secretName !== undefined) {
      validateDnsLabel(this, 'secretName', props.secretName, 253);
    }
    const interval = seconds(this, 'interval', props.interval, FLUX_DEPLOYMENT_DEFAULTS.intervalSeconds);
    const timeout = seconds(this, 'timeout', props.timeout, FLUX_DEPLOYMENT_DEFAULTS.timeoutSeconds);
    if (interval === 0) {
      fail(this, 'interval (0s) must be at least one second');
    }
    if (timeout === 0) {
      fail(this, 'timeout (0s) must be at least one second');
    }
    if (!Array.isArray(props.stages) || props.stages.length === 0) {
      fail(this, `stages (${show(props.stages)}) must list at least one folder to apply`);
    }
    const names = new Set<string>();
    props.stages.forEach((stage, i) => {
      validateDnsLabel(this, `stages[${i}].name`, stage.name);
      if (names.has(stage.name)) {
        fail(this, `stages[${i}].name (${show(stage.name)}) is already used by another stage`);
      }
      names.add(stage.name);
      if (typeof stage.path !== 'string' || !PATH.test(stage.path)) {
        fail(this, `stages[${i}].path (${show(stage.path)}) must be a folder of the repository starting with "./", e.g. "./dist/staging"`);
      }
    });

    const labels = { [LABEL_NAME]: id, [LABEL_PART_OF]: id, [LABEL_MANAGED_BY]: MANAGED_BY };
    this.gitRepository = new GitRepository(this, 'GitRepository', {
      metadata: { name: id, namespace, labels },
      spec: {
        url: props.url,
        ref: { branch },
        interval: goDuration(interval),
        timeout: '60s',
        ignore: FLUX_DEPLOYMENT_DEFAULTS.ignore,
        ...(props.secretName !== undefined ? { secretRef: { name: props.secretName } } : {}),
      },
    });

    let previous: string | undefined;
    this.kustomizations = props.stages.map((stage) => {
      const name = `${id}-${stage.name}`;
      const kustomization = new Kustomization(this, `Kustomization-${stage.name}`, {
        metadata: { name, namespace, labels },
        spec: {
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: id },
          path: stage.path,
          interval: goDuration(interval),
          timeout: goDuration(timeout),
          prune: true,
          wait: true,
          ...(previous !== undefined ? { dependsOn: [{ name: previous }] } : {}),
        },
      });
      previous = name;
      return kustomization;
    });
  }
}
