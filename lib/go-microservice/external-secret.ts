import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  ExternalSecret, ExternalSecretSpecData, ExternalSecretSpecDataSourceRefStoreRefKind, ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy, ExternalSecretSpecTargetDeletionPolicy,
} from '../../imports/external-secrets.io';
import { seconds } from '../common/durations';
import { fail, show } from '../common/errors';
import { contentHash, stableStringify } from '../common/hash';
import { validateConfigKey, validateDnsSubdomain } from '../common/names';
import { validateIntegerInRange } from '../common/validate';

/** The kinds of External Secrets Operator store an `ExternalSecret` reads through. */
export enum SecretStoreKind {
  /** A `SecretStore` in the workload's namespace. */
  SECRET_STORE = 'SecretStore',
  /** A cluster-wide `ClusterSecretStore`, usually installed by the platform team. */
  CLUSTER_SECRET_STORE = 'ClusterSecretStore',
}

/** A `SecretStore` or `ClusterSecretStore` of the External Secrets Operator, by kind and name. */
export interface SecretStoreReference {
  /** `SecretStore` (namespaced) or `ClusterSecretStore`. */
  readonly kind: SecretStoreKind;
  /** Name of the store, a DNS subdomain. */
  readonly name: string;
}

/** What every external source names. */
export interface ExternalSecretSourceOptions {
  /** The store the External Secrets Operator reads the value through. */
  readonly store: SecretStoreReference;
  /**
   * Key of the value in the Secret the workload's `ExternalSecret` creates.
   * Two entries may share a key only when they name the same source.
   * @default - the environment variable name (`secretEnv`) or the file name (`secretFiles`)
   */
  readonly secretKey?: string;
}

/** A field of a HashiCorp Vault KV version 2 secret. */
export interface VaultKvSourceOptions extends ExternalSecretSourceOptions {
  /**
   * Path of the secret inside the KV v2 mount the store points at, without
   * the mount and without `data/`, e.g. `shop/production/orders/database`.
   */
  readonly path: string;
  /** Field of the KV secret, e.g. `url`. */
  readonly property: string;
  /**
   * KV version to read; pinning it makes a rotation a reviewed change that rolls the pods.
   * @default - the latest version, re-read every refresh interval
   */
  readonly version?: number;
}

/** A secret of AWS Secrets Manager. */
export interface AwsSecretsManagerSourceOptions extends ExternalSecretSourceOptions {
  /** Name or ARN of the secret, e.g. `shop/production/orders/database`. */
  readonly secretId: string;
  /**
   * Key of a JSON secret value, e.g. `url`.
   * @default - the whole secret string
   */
  readonly property?: string;
  /**
   * Staging label of the version to read, e.g. `AWSPREVIOUS`.
   * @default - AWSCURRENT, the current version
   */
  readonly versionStage?: string;
}

/** A secret of Google Secret Manager. */
export interface GoogleSecretManagerSourceOptions extends ExternalSecretSourceOptions {
  /** Secret id in the project the store points at, e.g. `orders-database-url`. */
  readonly secret: string;
  /**
   * Key of a JSON secret value.
   * @default - the whole secret payload
   */
  readonly property?: string;
  /**
   * Version number to read.
   * @default - latest
   */
  readonly version?: number;
}

/** The external stores an `ExternalSecretSource` reads from. */
export enum ExternalSecretProvider {
  /** HashiCorp Vault, KV secrets engine version 2. */
  VAULT_KV = 'VaultKv',
  /** AWS Secrets Manager. */
  AWS_SECRETS_MANAGER = 'AwsSecretsManager',
  /** Google Secret Manager. */
  GOOGLE_SECRET_MANAGER = 'GoogleSecretManager',
}

/** Time between two reads of the external values. */
export interface ExternalSecretsOptions {
  /**
   * How often the External Secrets Operator reads every value again and
   * updates the Secret: between 1 minute and 24 hours, in whole seconds.
   * Each refresh calls the store once per value, so a shorter interval loads
   * it (and, on AWS and Google Cloud, is billed); a longer one delays rotated
   * values reaching mounted files and new pods.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

/** Defaults of the `ExternalSecret` a workload creates. @internal */
export const EXTERNAL_SECRET_DEFAULTS = {
  refreshIntervalSeconds: 3600,
  minRefreshIntervalSeconds: 60,
  maxRefreshIntervalSeconds: 86400,
} as const;

/** Where one value is read: the `remoteRef` of an `ExternalSecret` data entry and its store. @internal */
export interface ExternalRemoteRef {
  readonly store: SecretStoreReference;
  readonly key: string;
  readonly property?: string;
  readonly version?: string;
}

/**
 * A value kept in an external secret store, read into the cluster by the
 * External Secrets Operator. Used in `secretEnv` and `secretFiles` in place of
 * a Secret reference: the workload creates one `ExternalSecret` for all its
 * external values and reads the resulting Secret by reference.
 *
 * @example
 * const vault = { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' };
 * new GoMicroservice(chart, 'orders', {
 *   image: 'registry.example.com/orders:1.4.2',
 *   secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: vault, path: 'shop/production/orders/database', property: 'url' }) },
 * });
 */
export class ExternalSecretSource {
  /** A field of a Vault KV v2 secret, through a store whose provider is Vault with `version: v2`. */
  public static vaultKv(options: VaultKvSourceOptions): ExternalSecretSource {
    return new ExternalSecretSource(ExternalSecretProvider.VAULT_KV, options);
  }

  /** A secret (or one key of a JSON secret) of AWS Secrets Manager. */
  public static awsSecretsManager(options: AwsSecretsManagerSourceOptions): ExternalSecretSource {
    return new ExternalSecretSource(ExternalSecretProvider.AWS_SECRETS_MANAGER, options);
  }

  /** A secret (or one key of a JSON secret) of Google Secret Manager. */
  public static googleSecretManager(options: GoogleSecretManagerSourceOptions): ExternalSecretSource {
    return new ExternalSecretSource(ExternalSecretProvider.GOOGLE_SECRET_MANAGER, options);
  }

  private constructor(
    /** The external store. */
    public readonly provider: ExternalSecretProvider,
    /** The options as given. @internal */
    public readonly _options: ExternalSecretSourceOptions & Partial<VaultKvSourceOptions & AwsSecretsManagerSourceOptions & GoogleSecretManagerSourceOptions>,
  ) {}

  /** The store the value is read through. */
  public get store(): SecretStoreReference {
    return this._options.store;
  }

  /** Where the value is read, for people: `Vault KV "shop/orders/database" property "url" via ClusterSecretStore/vault`. */
  public describe(): string {
    const o = this._options;
    const what = {
      [ExternalSecretProvider.VAULT_KV]: `Vault KV ${show(o.path)}`,
      [ExternalSecretProvider.AWS_SECRETS_MANAGER]: `AWS Secrets Manager ${show(o.secretId)}`,
      [ExternalSecretProvider.GOOGLE_SECRET_MANAGER]: `Google Secret Manager ${show(o.secret)}`,
    }[this.provider];
    const property = o.property !== undefined ? ` property ${show(o.property)}` : '';
    const version = o.version !== undefined ? ` version ${o.version}` : o.versionStage !== undefined ? ` stage ${show(o.versionStage)}` : '';
    return `${what}${property}${version} via ${o.store?.kind}/${o.store?.name}`;
  }

  /**
   * Validates the options and returns where the value is read. Errors name
   * `prop`, e.g. `secretEnv.DATABASE_URL`.
   *
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string): ExternalRemoteRef {
    const o = this._options ?? {};
    const store = o.store;
    if (store === null || typeof store !== 'object') {
      fail(scope, `${prop}.store (${show(store)}) is required: name the SecretStore or ClusterSecretStore that reads the value, e.g. { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' }`);
    }
    if (!Object.values(SecretStoreKind).includes(store.kind)) {
      fail(scope, `${prop}.store.kind (${show(store.kind)}) must be SecretStoreKind.SECRET_STORE or SecretStoreKind.CLUSTER_SECRET_STORE`);
    }
    validateDnsSubdomain(scope, `${prop}.store.name`, store.name);
    if (o.secretKey !== undefined) {
      validateConfigKey(scope, `${prop}.secretKey`, o.secretKey);
    }
    const ref = { store: { kind: store.kind, name: store.name } };
    switch (this.provider) {
      case ExternalSecretProvider.VAULT_KV: {
        requireText(scope, `${prop}.path`, o.path, 'the secret\'s path inside the KV v2 mount, e.g. "shop/production/orders/database"');
        if (o.path!.startsWith('/') || o.path!.endsWith('/') || o.path!.includes('//') || /\s/.test(o.path!)) {
          fail(scope, `${prop}.path (${show(o.path)}) must be relative to the store's KV v2 mount: no leading or trailing '/', no '//' or spaces`);
        }
        requireText(scope, `${prop}.property`, o.property, 'the field of the KV secret, e.g. "url"');
        if (o.version !== undefined) {
          validateIntegerInRange(scope, `${prop}.version`, o.version, 1, 2147483647);
        }
        return { ...ref, key: o.path!, property: o.property, version: o.version !== undefined ? String(o.version) : undefined };
      }
      case ExternalSecretProvider.AWS_SECRETS_MANAGER:
        requireText(scope, `${prop}.secretId`, o.secretId, 'the secret\'s name or ARN, e.g. "shop/production/orders/database"');
        optionalText(scope, `${prop}.property`, o.property);
        optionalText(scope, `${prop}.versionStage`, o.versionStage);
        return { ...ref, key: o.secretId!, property: o.property, version: o.versionStage };
      case ExternalSecretProvider.GOOGLE_SECRET_MANAGER:
        requireText(scope, `${prop}.secret`, o.secret, 'the secret id, e.g. "orders-database-url"');
        optionalText(scope, `${prop}.property`, o.property);
        if (o.version !== undefined) {
          validateIntegerInRange(scope, `${prop}.version`, o.version, 1, 2147483647);
        }
        return { ...ref, key: o.secret!, property: o.property, version: o.version !== undefined ? String(o.version) : undefined };
    }
  }
}

function requireText(scope: IConstruct, prop: string, value: unknown, what: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(scope, `${prop} (${show(value)}) is empty: give ${what}`);
  }
}

function optionalText(scope: IConstruct, prop: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    fail(scope, `${prop} (${show(value)}) is empty: give a value or leave it out`);
  }
}

/** One data entry of a workload's `ExternalSecret`. @internal */
export interface ResolvedExternalEntry {
  /** Key in the created Secret. */
  readonly secretKey: string;
  readonly remote: ExternalRemoteRef;
}

/** The `ExternalSecret` of a workload. @internal */
export interface ResolvedExternalSecret {
  /** `metadata.name` of the ExternalSecret and of the Secret it creates. */
  readonly name: string;
  readonly refreshIntervalSeconds: number;
  readonly entries: ResolvedExternalEntry[];
  /** Environment variable → key in the created Secret. */
  readonly envKeys: Record<string, string>;
  /** Per `secretFiles` index, file name → key in the created Secret. */
  readonly fileKeys: Record<number, Record<string, string>>;
}

/** The external values of one workload, in the caller's order. @internal */
export interface ExternalSecretInputs {
  readonly env: Array<[string, ExternalSecretSource]>;
  readonly files: Array<{ index: number; files: Array<[string, ExternalSecretSource]> }>;
  /** Secrets the workload references by name, with the prop that names each. */
  readonly referenced: Array<[string, string]>;
  readonly options?: ExternalSecretsOptions;
}

/**
 * Validates a workload's external values, gives each a key in one Secret and
 * names that Secret `<workload>-external-<hash of the mapping>`, so a changed
 * mapping creates a new Secret and rolls the pods the way a changed ConfigMap
 * does. Returns `undefined` when the workload has no external value.
 *
 * @internal
 */
export function resolveExternalSecret(scope: IConstruct, workloadName: string, inputs: ExternalSecretInputs): ResolvedExternalSecret | undefined {
  const total = inputs.env.length + inputs.files.reduce((n, f) => n + f.files.length, 0);
  if (total === 0) {
    if (inputs.options !== undefined) {
      fail(scope, 'externalSecrets is set but no secretEnv or secretFiles entry is an ExternalSecretSource: remove externalSecrets');
    }
    return undefined;
  }
  const refreshIntervalSeconds = seconds(scope, 'externalSecrets.refreshInterval', inputs.options?.refreshInterval, EXTERNAL_SECRET_DEFAULTS.refreshIntervalSeconds);
  const { minRefreshIntervalSeconds: min, maxRefreshIntervalSeconds: max } = EXTERNAL_SECRET_DEFAULTS;
  if (refreshIntervalSeconds < min || refreshIntervalSeconds > max) {
    fail(scope, `externalSecrets.refreshInterval (${refreshIntervalSeconds}s) must be from 1m to 24h: shorter intervals load the store with reads, longer ones delay rotated values`);
  }

  const entries: ResolvedExternalEntry[] = [];
  const owners = new Map<string, { prop: string; remote: string }>();
  const claim = (prop: string, defaultKey: string, source: ExternalSecretSource): string => {
    const remote = source._resolve(scope, prop);
    const secretKey = source._options.secretKey ?? defaultKey;
    const other = owners.get(secretKey);
    const id = stableStringify(remote);
    if (other === undefined) {
      owners.set(secretKey, { prop, remote: id });
      entries.push({ secretKey, remote });
    } else if (other.remote !== id) {
      fail(scope, `${prop} fills key ${show(secretKey)} of the external Secret, which ${other.prop} fills from another source: give one of them another secretKey`);
    }
    return secretKey;
  };
  const envKeys: Record<string, string> = {};
  for (const [name, source] of inputs.env) {
    envKeys[name] = claim(`secretEnv.${name}`, name, source);
  }
  const fileKeys: Record<number, Record<string, string>> = {};
  for (const { index, files } of inputs.files) {
    fileKeys[index] = {};
    for (const [file, source] of files) {
      fileKeys[index][file] = claim(`secretFiles[${index}].external.${file}`, file, source);
    }
  }

  const name = `${workloadName}-external-${contentHash(entries)}`;
  for (const [prop, secretName] of inputs.referenced) {
    if (secretName === name) {
      fail(scope, `${prop} (${show(secretName)}) names the Secret the workload's ExternalSecret creates: reference another Secret, or read the value with an ExternalSecretSource`);
    }
  }
  return { name, refreshIntervalSeconds, entries, envKeys, fileKeys };
}

/**
 * The `ExternalSecret` (`external-secrets.io/v1`) of a workload: its own
 * Secret (creation policy `Owner`, so the Secret goes with it), the first
 * value's store as the default store and a `sourceRef` on values read
 * through another one.
 *
 * @internal
 */
export function createExternalSecret(scope: Construct, resolved: ResolvedExternalSecret, metadata: { name: string; namespace?: string; labels: Record<string, string> }): ExternalSecret {
  const store = resolved.entries[0].remote.store;
  const sameStore = (s: SecretStoreReference) => s.kind === store.kind && s.name === store.name;
  return new ExternalSecret(scope, 'ExternalSecret', {
    metadata,
    spec: {
      refreshInterval: goDuration(resolved.refreshIntervalSeconds),
      secretStoreRef: { kind: store.kind as string as ExternalSecretSpecSecretStoreRefKind, name: store.name },
      target: {
        name: resolved.name,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        // Keep the Secret when a value disappears from the store, so running pods do not lose it.
        deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
      },
      data: resolved.entries.map((e): ExternalSecretSpecData => ({
        secretKey: e.secretKey,
        remoteRef: { key: e.remote.key, property: e.remote.property, version: e.remote.version },
        sourceRef: sameStore(e.remote.store)
          ? undefined
          : { storeRef: { kind: e.remote.store.kind as string as ExternalSecretSpecDataSourceRefStoreRefKind, name: e.remote.store.name } },
      })),
    },
  });
}

/** Whole seconds as a Go duration string: `1h`, `15m`, `1h30m`, `90s` → `1m30s`. */
function goDuration(total: number): string {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
}
