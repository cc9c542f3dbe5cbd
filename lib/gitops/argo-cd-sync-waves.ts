import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ARGO_CD_HOOK_ANNOTATION, ARGO_CD_SYNC_WAVE_ANNOTATION } from '../common/annotations';
import { fail, show } from '../common/errors';
import { LABEL_COMPONENT } from '../common/labels';

/** The waves `addArgoCdSyncWaves` gives to the objects that must come first. */
export interface ArgoCdSyncWaveOptions {
  /**
   * Wave of what every other object lives in or reads: Namespaces,
   * CustomResourceDefinitions, and the secret sources (`ExternalSecret`,
   * `SealedSecret`) whose Secrets migrations and workloads mount.
   * A negative integer, lower than `migrations`.
   * @default -2
   */
  readonly setup?: number;
  /**
   * Wave of database migrations: every object labelled
   * `app.kubernetes.io/component: migration` (the Job of `GoMicroservice`
   * `migrations` or a `GoMigrationJob`, and its ServiceAccount, ConfigMap,
   * NetworkPolicy and RBAC). Argo CD waits until the Job has completed before
   * the next wave; a failed migration stops the sync before any workload rolls.
   * A negative integer: every other object syncs in wave 0.
   * @default -1
   */
  readonly migrations?: number;
}

/** Defaults of `ArgoCdSyncWaveOptions`. */
export const ARGO_CD_SYNC_WAVE_DEFAULTS = {
  setup: -2,
  migrations: -1,
} as const;

const SETUP_KINDS = new Set([
  'Namespace',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'external-secrets.io/ExternalSecret',
  'bitnami.com/SealedSecret',
]);
const WAVE = /^-?(0|[1-9][0-9]*)$/;
// Argo CD parses waves as 32-bit integers.
const INT32 = 2 ** 31;

/**
 * Orders what Argo CD applies from one folder with sync waves
 * (`argocd.argoproj.io/sync-wave`): Namespaces, CRDs and secret sources in
 * wave `setup` (-2), migrations in wave `migrations` (-1), everything else in
 * wave 0 (no annotation). Argo CD applies a wave only when every object of the
 * waves before it is healthy (a Job has completed), and inside a wave applies
 * Namespaces and CRDs before other kinds.
 *
 * Call it on the charts (or the `App`) once they are complete. Objects that
 * already carry a sync-wave annotation keep it (it must be an integer), and
 * Argo CD hooks (`argocd.argoproj.io/hook`, e.g. migrations with
 * `MigrationOrdering.ARGO_CD_PRE_SYNC`) are left alone: they run in their own
 * phase. An object created under `scope` after the call fails synthesis, so
 * none is left unordered.
 *
 * @example
 * buildShop(shop);
 * addArgoCdSyncWaves(app);
 */
export function addArgoCdSyncWaves(scope: IConstruct, options: ArgoCdSyncWaveOptions = {}): void {
  const where = scope.node.path === '' ? 'App' : scope.node.path;
  const setup = options.setup ?? ARGO_CD_SYNC_WAVE_DEFAULTS.setup;
  const migrations = options.migrations ?? ARGO_CD_SYNC_WAVE_DEFAULTS.migrations;
  for (const [prop, value] of [['setup', setup], ['migrations', migrations]] as const) {
    if (!Number.isInteger(value) || value >= 0 || value < -INT32) {
      fail(where, `${prop} (${show(value)}) must be a negative integer: every other object syncs in wave 0`);
    }
  }
  if (setup >= migrations) {
    fail(where, `setup (${setup}) must be lower than migrations (${migrations}): migrations read the namespaces and secrets of the setup wave`);
  }
  const planned = new Map<ApiObject, string | undefined>();
  for (const o of apiObjects(scope)) {
    const existing = annotation(o, ARGO_CD_SYNC_WAVE_ANNOTATION);
    if (existing !== undefined) {
      checkWave(o, existing);
    } else if (annotation(o, ARGO_CD_HOOK_ANNOTATION) === undefined) {
      const wave = waveOf(o, setup, migrations);
      if (wave !== undefined) {
        o.metadata.addAnnotation(ARGO_CD_SYNC_WAVE_ANNOTATION, String(wave));
      }
    }
    planned.set(o, annotation(o, ARGO_CD_SYNC_WAVE_ANNOTATION));
  }
  // Objects added later would silently sync in wave 0: fail instead.
  scope.node.addValidation({
    validate: () => apiObjects(scope)
      .filter((o) => !planned.has(o) && annotation(o, ARGO_CD_HOOK_ANNOTATION) === undefined
        && annotation(o, ARGO_CD_SYNC_WAVE_ANNOTATION) === undefined && waveOf(o, setup, migrations) !== undefined)
      .map((o) => `${o.kind} ${show(o.name)} (${o.node.path}) was created after addArgoCdSyncWaves and has no sync wave: call it once the charts are complete`),
  });
}

/** The wave of one object, or undefined for wave 0. */
function waveOf(o: ApiObject, setup: number, migrations: number): number | undefined {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  if (SETUP_KINDS.has(group === '' ? o.kind : `${group}/${o.kind}`)) {
    return setup;
  }
  if (o.metadata.getLabel(LABEL_COMPONENT) === 'migration') {
    return migrations;
  }
  return undefined;
}

function checkWave(o: ApiObject, value: string): void {
  if (!WAVE.test(value) || Math.abs(Number(value)) >= INT32) {
    fail(o, `metadata.annotations["${ARGO_CD_SYNC_WAVE_ANNOTATION}"] (${show(value)}) must be an integer such as "-1"`);
  }
}

function apiObjects(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
}

function annotation(o: ApiObject, key: string): string | undefined {
  const annotations = (o.metadata.toJson() as { annotations?: Record<string, string> }).annotations;
  return annotations?.[key];
}
