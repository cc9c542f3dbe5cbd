import { Duration } from 'cdk8s';
import {
  checkManifests, ExternalSecretProvider, ExternalSecretSource, GoCronJob, GoMicroservice, GoMicroserviceProps, GoWorker, MigrationOrdering, Release, SecretStoreKind,
  SecretStoreReference,
} from '../../lib';
import { policyMatchers } from '../../lib/policy/jest';
import { expectExactError, find, findAll, Manifest, shopChart, synth } from '../util';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/shop/orders:1.4.2';
const VAULT: SecretStoreReference = { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: 'vault' };
const AWS: SecretStoreReference = { kind: SecretStoreKind.SECRET_STORE, name: 'aws-sm' };
const GCP: SecretStoreReference = { kind: SecretStoreKind.SECRET_STORE, name: 'gcp-sm' };
const DB_URL = ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/production/orders/database', property: 'url' });

function orders(props: Partial<GoMicroserviceProps>): Manifest[] {
  const chart = shopChart();
  new GoMicroservice(chart, 'orders', { image: IMAGE, ...props });
  return synth(chart);
}

function create(props: Partial<GoMicroserviceProps>): GoMicroservice {
  return new GoMicroservice(shopChart(), 'orders', { image: IMAGE, ...props } as GoMicroserviceProps);
}

function container(manifests: Manifest[], kind = 'Deployment'): Manifest {
  return find(manifests, kind).spec.template.spec.containers[0];
}

describe('secretEnv from an external store', () => {
  test('a Vault KV v2 value becomes one ExternalSecret and a Secret reference', () => {
    // GIVEN / WHEN
    const out = orders({ secretEnv: { DATABASE_URL: DB_URL, SESSION_KEY: { secretName: 'orders-session', key: 'key' } } });
    // THEN the ExternalSecret reads the value through the ClusterSecretStore into a Secret of its own
    const [es] = findAll(out, 'ExternalSecret');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.metadata.name).toMatch(/^orders-external-[0-9a-f]{10}$/);
    expect(es.metadata.namespace).toBe('shop');
    expect(es.metadata.labels['app.kubernetes.io/name']).toBe('orders');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name: es.metadata.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'DATABASE_URL', remoteRef: { key: 'shop/production/orders/database', property: 'url' } }],
    });
    // AND the container reads it by reference, in the caller's order, not optional
    const env = container(out).env.filter((e: Manifest) => e.valueFrom?.secretKeyRef);
    expect(env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: es.metadata.name, key: 'DATABASE_URL', optional: false } } },
      { name: 'SESSION_KEY', valueFrom: { secretKeyRef: { name: 'orders-session', key: 'key', optional: false } } },
    ]);
    // AND only the Secret nothing in the set creates is declared external
    expect(find(out, 'Deployment').metadata.annotations['policy.cdk8s-go-platform.io/external']).toBe('Secret/orders-session');
    // AND the ExternalSecret comes before the Deployment
    expect(out.findIndex((m) => m.kind === 'ExternalSecret')).toBeLessThan(out.findIndex((m) => m.kind === 'Deployment'));
    // AND the hardening is unchanged
    expect(container(out).securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
    expect(out).toPassPolicies();
    expect(out).toMatchSnapshot();
  });

  test('the policy gate counts the ExternalSecret target as present, even with strictReferences', () => {
    const out = orders({ secretEnv: { DATABASE_URL: DB_URL } });
    expect(find(out, 'Deployment').metadata.annotations?.['policy.cdk8s-go-platform.io/external']).toBeUndefined();
    const result = checkManifests(out, { strictReferences: true });
    expect(result.findings.filter((f) => f.ruleId.startsWith('GP-SECRET') || f.ruleId === 'GP-REF-MISSING')).toEqual([]);
    expect(result.passed).toBe(true);
    // AND without the ExternalSecret the same Deployment is an error
    const withoutSource = checkManifests(out.filter((m) => m.kind !== 'ExternalSecret'), { strictReferences: true });
    expect(withoutSource.findings.map((f) => f.ruleId)).toContain('GP-SECRET-MISSING');
  });

  test('the gate checks the emitted ExternalSecret against the external-secrets.io/v1 schema', () => {
    const es = find(orders({ secretEnv: { DATABASE_URL: DB_URL } }), 'ExternalSecret');
    expect(checkManifests([es]).findings).toEqual([]);
    const broken = { ...es, spec: { ...es.spec, target: { ...es.spec.target, creationPolicy: 'Sometimes' }, refreshEvery: '1h' } };
    expect(checkManifests([broken]).findings.map((f) => f.ruleId).sort()).toEqual(['GP-SCHEMA-INVALID', 'GP-SCHEMA-UNKNOWN-FIELD']);
  });

  test('AWS Secrets Manager and Google Secret Manager through their own stores', () => {
    const out = orders({
      secretEnv: {
        DATABASE_URL: DB_URL,
        STRIPE_KEY: ExternalSecretSource.awsSecretsManager({ store: AWS, secretId: 'shop/stripe', property: 'api-key', versionStage: 'AWSPREVIOUS' }),
        MAPS_KEY: ExternalSecretSource.googleSecretManager({ store: GCP, secret: 'maps-api-key', version: 3 }),
      },
    });
    // the first value's store is the default; the others name theirs on the entry
    const es = find(out, 'ExternalSecret');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    expect(es.spec.data).toEqual([
      { secretKey: 'DATABASE_URL', remoteRef: { key: 'shop/production/orders/database', property: 'url' } },
      { secretKey: 'STRIPE_KEY', remoteRef: { key: 'shop/stripe', property: 'api-key', version: 'AWSPREVIOUS' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'aws-sm' } } },
      { secretKey: 'MAPS_KEY', remoteRef: { key: 'maps-api-key', version: '3' }, sourceRef: { storeRef: { kind: 'SecretStore', name: 'gcp-sm' } } },
    ]);
    expect(out).toPassPolicies();
  });

  test('a Vault version is pinned as a string; refreshInterval renders as a Go duration', () => {
    const out = orders({
      secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/db', property: 'url', version: 7 }) },
      externalSecrets: { refreshInterval: Duration.seconds(5400) },
    });
    const es = find(out, 'ExternalSecret');
    expect(es.spec.data[0].remoteRef).toEqual({ key: 'shop/orders/db', property: 'url', version: '7' });
    expect(es.spec.refreshInterval).toBe('1h30m');
  });

  test('two variables from the same source share a key; secretKey names it', () => {
    const shared = ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/db', property: 'url', secretKey: 'database-url' });
    const out = orders({ secretEnv: { DATABASE_URL: shared, DB_DSN: shared } });
    const es = find(out, 'ExternalSecret');
    expect(es.spec.data.map((d: Manifest) => d.secretKey)).toEqual(['database-url']);
    expect(container(out).env.filter((e: Manifest) => e.valueFrom?.secretKeyRef).map((e: Manifest) => e.valueFrom.secretKeyRef.key)).toEqual(['database-url', 'database-url']);
  });

  test('the Secret name follows the mapping: a changed source rolls the pods, a changed refresh interval does not', () => {
    const name = (props: Partial<GoMicroserviceProps>) => find(orders(props), 'ExternalSecret').metadata.name;
    const base = name({ secretEnv: { DATABASE_URL: DB_URL } });
    expect(name({ secretEnv: { DATABASE_URL: DB_URL } })).toBe(base);
    expect(name({ secretEnv: { DATABASE_URL: DB_URL }, externalSecrets: { refreshInterval: Duration.minutes(10) } })).toBe(base);
    expect(name({ secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/production/orders/database', property: 'url', version: 2 }) } })).not.toBe(base);
  });

  test('describe() says where a value is read', () => {
    expect(DB_URL.provider).toBe(ExternalSecretProvider.VAULT_KV);
    expect(DB_URL.describe()).toBe('Vault KV "shop/production/orders/database" property "url" via ClusterSecretStore/vault');
    expect(ExternalSecretSource.awsSecretsManager({ store: AWS, secretId: 'a', versionStage: 'AWSPREVIOUS' }).describe())
      .toBe('AWS Secrets Manager "a" stage "AWSPREVIOUS" via SecretStore/aws-sm');
    expect(ExternalSecretSource.googleSecretManager({ store: GCP, secret: 'b', property: 'k', version: 2 }).describe())
      .toBe('Google Secret Manager "b" property "k" version 2 via SecretStore/gcp-sm');
  });
});

describe('secretFiles from an external store', () => {
  test('mounts the external values as read-only files of the same Secret', () => {
    const out = orders({
      secretEnv: { DATABASE_URL: DB_URL },
      secretFiles: [
        { mountPath: '/var/run/secrets/tls', external: {
          'tls.crt': ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/tls', property: 'certificate' }),
          'tls.key': ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/tls', property: 'private_key' }),
        } },
      ],
    });
    const es = find(out, 'ExternalSecret');
    expect(es.spec.data.map((d: Manifest) => [d.secretKey, d.remoteRef.property])).toEqual([
      ['DATABASE_URL', 'url'], ['tls.crt', 'certificate'], ['tls.key', 'private_key'],
    ]);
    const spec = find(out, 'Deployment').spec.template.spec;
    expect(spec.volumes.find((v: Manifest) => v.name === 'secret-0')).toEqual({
      name: 'secret-0',
      secret: { secretName: es.metadata.name, defaultMode: 0o400, optional: false, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] },
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'secret-0', mountPath: '/var/run/secrets/tls', readOnly: true });
    expect(out).toPassPolicies();
  });
});

describe('every Go workload shape emits its own ExternalSecret', () => {
  test('GoWorker, GoCronJob and the migration Job', () => {
    const chart = shopChart();
    new GoWorker(chart, 'order-events', { image: IMAGE, secretEnv: { DATABASE_URL: DB_URL } });
    new GoCronJob(chart, 'orders-report', { image: IMAGE, schedule: '30 2 * * *', secretEnv: { DATABASE_URL: DB_URL } });
    new GoMicroservice(chart, 'orders', { image: IMAGE, secretEnv: { DATABASE_URL: DB_URL }, migrations: { command: ['/orders', 'migrate'] } });
    const out = synth(chart);
    const names = findAll(out, 'ExternalSecret').map((e) => e.metadata.name.replace(/-[0-9a-f]{10}$/, ''));
    expect(names.sort()).toEqual(['order-events-external', 'orders-external', 'orders-migrate-external', 'orders-report-external']);
    const job = find(out, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0];
    expect(job.env.find((e: Manifest) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name).toMatch(/^orders-report-external-/);
    expect(out).toPassPolicies();
  });
});

describe('release tracks', () => {
  test('a canary reads the Secret of its service\'s ExternalSecret; no second ExternalSecret', () => {
    const out = orders({
      secretEnv: { DATABASE_URL: DB_URL },
      autoscaling: {},
      release: Release.canary({ image: 'registry.example.com/shop/orders:1.5.0', weight: 10 }),
    });
    const externalSecrets = findAll(out, 'ExternalSecret');
    expect(externalSecrets).toHaveLength(1);
    const read = (name: string) => find(out, 'Deployment', name).spec.template.spec.containers[0].env
      .find((e: Manifest) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name;
    expect(read('orders')).toBe(externalSecrets[0].metadata.name);
    expect(read('orders-canary')).toBe(externalSecrets[0].metadata.name);
    expect(find(out, 'Deployment', 'orders-canary').metadata.annotations?.['policy.cdk8s-go-platform.io/external']).toBeUndefined();
    expect(out).toPassPolicies();
  });
});

describe('migrations', () => {
  test('an Argo CD PreSync migration gets its ExternalSecret in the PreSync phase too', () => {
    const out = orders({ secretEnv: { DATABASE_URL: DB_URL }, migrations: { command: ['/orders', 'migrate'], ordering: MigrationOrdering.ARGO_CD_PRE_SYNC } });
    const [service, job] = ['orders-external-', 'orders-migrate-external-'].map((p) => findAll(out, 'ExternalSecret').find((e) => e.metadata.name.startsWith(p))!);
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(service.metadata.annotations).toBeUndefined();
    const jobEnv = find(out, 'Job').spec.template.spec.containers[0].env.find((e: Manifest) => e.name === 'DATABASE_URL');
    expect(jobEnv.valueFrom.secretKeyRef.name).toBe(job.metadata.name);
  });
});

describe('external sources reject bad input', () => {
  const cases: Array<[string, Partial<GoMicroserviceProps>, string]> = [
    ['an empty Vault path', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: '', property: 'url' }) } },
      '[test/orders] secretEnv.DATABASE_URL.path ("") is empty: give the secret\'s path inside the KV v2 mount, e.g. "shop/production/orders/database"'],
    ['a Vault path with a leading slash', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: '/secret/data/orders', property: 'url' }) } },
      '[test/orders] secretEnv.DATABASE_URL.path ("/secret/data/orders") must be relative to the store\'s KV v2 mount: no leading or trailing \'/\', no \'//\' or spaces'],
    ['an empty Vault property', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders', property: ' ' }) } },
      '[test/orders] secretEnv.DATABASE_URL.property (" ") is empty: give the field of the KV secret, e.g. "url"'],
    ['a Vault version of 0', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders', property: 'url', version: 0 }) } },
      '[test/orders] secretEnv.DATABASE_URL.version (0) must be an integer from 1 to 2147483647'],
    ['an empty AWS secret id', { secretEnv: { KEY: ExternalSecretSource.awsSecretsManager({ store: AWS, secretId: '' }) } },
      '[test/orders] secretEnv.KEY.secretId ("") is empty: give the secret\'s name or ARN, e.g. "shop/production/orders/database"'],
    ['an empty AWS version stage', { secretEnv: { KEY: ExternalSecretSource.awsSecretsManager({ store: AWS, secretId: 'a', versionStage: '' }) } },
      '[test/orders] secretEnv.KEY.versionStage ("") is empty: give a value or leave it out'],
    ['an empty Google secret', { secretEnv: { KEY: ExternalSecretSource.googleSecretManager({ store: GCP, secret: '' }) } },
      '[test/orders] secretEnv.KEY.secret ("") is empty: give the secret id, e.g. "orders-database-url"'],
    ['a missing store', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ path: 'shop/orders', property: 'url' } as never) } },
      '[test/orders] secretEnv.DATABASE_URL.store (undefined) is required: name the SecretStore or ClusterSecretStore that reads the value, e.g. { kind: SecretStoreKind.CLUSTER_SECRET_STORE, name: \'vault\' }'],
    ['a bad store kind', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: { kind: 'Vault' as SecretStoreKind, name: 'vault' }, path: 'shop/orders', property: 'url' }) } },
      '[test/orders] secretEnv.DATABASE_URL.store.kind ("Vault") must be SecretStoreKind.SECRET_STORE or SecretStoreKind.CLUSTER_SECRET_STORE'],
    ['a store name that is not a DNS subdomain', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: { kind: SecretStoreKind.SECRET_STORE, name: 'Vault_Store' }, path: 'shop/orders', property: 'url' }) } },
      '[test/orders] secretEnv.DATABASE_URL.store.name ("Vault_Store") must be a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', at most 253 characters'],
    ['a bad secretKey', { secretEnv: { DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders', property: 'url', secretKey: 'a/b' }) } },
      '[test/orders] secretEnv.DATABASE_URL.secretKey ("a/b") must be a ConfigMap/Secret key: letters, digits, \'-\', \'_\' and \'.\', at most 253 characters'],
    ['two variables filling one key from different sources', {
      secretEnv: {
        DATABASE_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/db', property: 'url', secretKey: 'db' }),
        REPLICA_URL: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/orders/replica', property: 'url', secretKey: 'db' }),
      },
    }, '[test/orders] secretEnv.REPLICA_URL fills key "db" of the external Secret, which secretEnv.DATABASE_URL fills from another source: give one of them another secretKey'],
    ['a file and a variable filling one key from different sources', {
      secretEnv: { CA: ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/ca', property: 'pem', secretKey: 'ca.pem' }) },
      secretFiles: [{ mountPath: '/etc/ca', external: { 'ca.pem': ExternalSecretSource.vaultKv({ store: VAULT, path: 'shop/other-ca', property: 'pem' }) } }],
    }, '[test/orders] secretFiles[0].external.ca.pem fills key "ca.pem" of the external Secret, which secretEnv.CA fills from another source: give one of them another secretKey'],
    ['a refresh interval below a minute', { secretEnv: { DATABASE_URL: DB_URL }, externalSecrets: { refreshInterval: Duration.seconds(30) } },
      '[test/orders] externalSecrets.refreshInterval (30s) must be from 1m to 24h: shorter intervals load the store with reads, longer ones delay rotated values'],
    ['a refresh interval above a day', { secretEnv: { DATABASE_URL: DB_URL }, externalSecrets: { refreshInterval: Duration.hours(48) } },
      '[test/orders] externalSecrets.refreshInterval (172800s) must be from 1m to 24h: shorter intervals load the store with reads, longer ones delay rotated values'],
    ['a fractional refresh interval', { secretEnv: { DATABASE_URL: DB_URL }, externalSecrets: { refreshInterval: Duration.millis(90500) } },
      '[test/orders] externalSecrets.refreshInterval (90.5s) must be a whole, non-negative number of seconds'],
    ['externalSecrets without an external source', { secretEnv: { DATABASE_URL: { secretName: 'db', key: 'url' } }, externalSecrets: {} },
      '[test/orders] externalSecrets is set but no secretEnv or secretFiles entry is an ExternalSecretSource: remove externalSecrets'],
    ['secretFiles with both secretName and external', { secretFiles: [{ secretName: 'tls', mountPath: '/tls', external: { 'a.pem': DB_URL } }] },
      '[test/orders] secretFiles[0] sets both secretName ("tls") and external: mount an existing Secret or external values, not both'],
    ['secretFiles with neither secretName nor external', { secretFiles: [{ mountPath: '/tls' }] },
      '[test/orders] secretFiles[0] sets neither secretName nor external: name an existing Secret or give external sources'],
    ['secretFiles external with items', { secretFiles: [{ mountPath: '/tls', external: { 'a.pem': DB_URL }, items: { a: 'b' } }] },
      '[test/orders] secretFiles[0] sets items or optional, which apply only to secretName: external names each file already'],
    ['secretFiles with an empty external', { secretFiles: [{ mountPath: '/tls', external: {} }] },
      '[test/orders] secretFiles[0].external ({}) is empty: add at least one file or remove the entry'],
    ['secretFiles external with a plain reference', { secretFiles: [{ mountPath: '/tls', external: { 'a.pem': { secretName: 'x', key: 'y' } as never } }] },
      '[test/orders] secretFiles[0].external.a.pem ({"secretName":"x","key":"y"}) must be an ExternalSecretSource, e.g. ExternalSecretSource.vaultKv({ store, path, property })'],
  ];
  test.each(cases)('throws on %s', (_name, props, message) => {
    expectExactError(() => create(props), message);
  });

  test('throws when the external Secret name is also referenced as an existing Secret', () => {
    // GIVEN the name the mapping produces
    const name = find(orders({ secretEnv: { DATABASE_URL: DB_URL } }), 'ExternalSecret').metadata.name;
    // WHEN another prop references a Secret of that name THEN
    expectExactError(() => create({ secretEnv: { DATABASE_URL: DB_URL }, secretEnvFrom: [name] }),
      `[test/orders] secretEnvFrom (${JSON.stringify(name)}) names the Secret the workload's ExternalSecret creates: reference another Secret, or read the value with an ExternalSecretSource`);
    expectExactError(() => create({ secretEnv: { DATABASE_URL: DB_URL, OTHER: { secretName: name, key: 'x' } } }),
      `[test/orders] secretEnv.OTHER.secretName (${JSON.stringify(name)}) names the Secret the workload's ExternalSecret creates: reference another Secret, or read the value with an ExternalSecretSource`);
  });
});
