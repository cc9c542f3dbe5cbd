import { Chart, Duration, Testing } from 'cdk8s';
import {
  ARGO_CD_DEPLOYMENT_DEFAULTS, ArgoCdDeployment, ArgoCdDeploymentProps, ArgoCdDestination, ArgoCdRetryOptions, ArgoCdSyncOptions,
} from '../../lib/gitops';
import { policyMatchers } from '../../lib/policy/jest';

expect.extend(policyMatchers);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function synth(props: Partial<ArgoCdDeploymentProps> = {}, id = 'platform'): { argo: ArgoCdDeployment; manifests: Manifest[] } {
  const chart = new Chart(Testing.app(), 'delivery', { disableResourceNameHashes: true });
  const argo = new ArgoCdDeployment(chart, id, {
    url: 'https://github.com/shop/platform',
    path: 'dist/production',
    ...props,
  });
  return { argo, manifests: Testing.synth(chart) };
}

const DEFAULT_SYNC_POLICY = {
  automated: { prune: true, selfHeal: true, allowEmpty: false },
  syncOptions: ['CreateNamespace=false', 'FailOnSharedResource=true', 'PruneLast=true', 'ServerSideApply=true'],
  retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
};

describe('ArgoCdDeployment', () => {
  test('defaults: one Application of the folder in the cluster Argo CD runs in, automated with prune, self-heal and retries', () => {
    // GIVEN / WHEN
    const { argo, manifests } = synth();
    // THEN
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'argoproj.io/v1alpha1 Application argocd/platform',
    ]);
    const [app] = manifests;
    expect(app.spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'https://github.com/shop/platform',
        targetRevision: 'main',
        path: 'dist/production',
        directory: { recurse: false, exclude: 'construct-metadata.json' },
      },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: DEFAULT_SYNC_POLICY,
    });
    expect(app.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'platform', 'app.kubernetes.io/part-of': 'platform', 'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
    });
    // No resources finalizer: deleting the Application leaves the workloads running.
    expect(app.metadata.finalizers).toBeUndefined();
    expect(argo.application).toBeDefined();
    expect(argo.applicationSet).toBeUndefined();
    expect(ARGO_CD_DEPLOYMENT_DEFAULTS).toMatchObject({ namespace: 'argocd', project: 'default', targetRevision: 'main' });
    expect(manifests).toPassPolicies();
    // The gate knows the Argo CD schemas: a field they do not define fails it.
    expect([{ ...app, spec: { ...app.spec, syncPolicy: { ...app.spec.syncPolicy, automatic: true } } }]).not.toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('a registered cluster by name or by API server, with a destination namespace', () => {
    const byName = synth({ destination: ArgoCdDestination.cluster('staging-eu'), destinationNamespace: 'shop' }).manifests[0];
    expect(byName.spec.destination).toEqual({ name: 'staging-eu', namespace: 'shop' });
    const byServer = synth({ destination: ArgoCdDestination.server('https://10.0.0.1:6443') }).manifests;
    expect(byServer[0].spec.destination).toEqual({ server: 'https://10.0.0.1:6443' });
    expect([byName]).toPassPolicies();
    expect(byServer).toPassPolicies();
  });

  test('several clusters by name: an ApplicationSet with a list generator, one Application per cluster', () => {
    // GIVEN / WHEN
    const { argo, manifests } = synth({
      destination: ArgoCdDestination.clusters(['prod-eu', 'prod-us']),
      exclude: ['construct-metadata.json', 'delivery.k8s.yaml'],
    });
    // THEN
    expect(manifests.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['ApplicationSet argocd/platform']);
    const [set] = manifests;
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(set.spec.generators).toEqual([{ list: { elements: [{ name: 'prod-eu' }, { name: 'prod-us' }] } }]);
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true });
    expect(set.spec.template.metadata.name).toBe('platform-{{.name}}');
    expect(set.spec.template.spec).toEqual({
      project: 'default',
      source: {
        repoURL: 'https://github.com/shop/platform',
        targetRevision: 'main',
        path: 'dist/production',
        directory: { recurse: false, exclude: '{construct-metadata.json,delivery.k8s.yaml}' },
      },
      destination: { name: '{{.name}}' },
      syncPolicy: DEFAULT_SYNC_POLICY,
    });
    expect(argo.application).toBeUndefined();
    expect(argo.applicationSet).toBeDefined();
    expect(manifests).toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('clusters by label: an ApplicationSet with a cluster generator', () => {
    const { manifests } = synth({ destination: ArgoCdDestination.clusterSelector({ 'shop.example.com/env': 'production' }) });
    const [set] = manifests;
    expect(set.spec.generators).toEqual([{ clusters: { selector: { matchLabels: { 'shop.example.com/env': 'production' } } } }]);
    expect(set.spec.template.spec.destination).toEqual({ name: '{{.name}}' });
    expect(manifests).toPassPolicies();
  });

  test('every prop is configurable: revision, destination, project, namespace, sync policy, retries and sync options', () => {
    // GIVEN every prop, so a new one fails to compile until it is covered here
    const all: Required<ArgoCdDeploymentProps> = {
      url: 'ssh://git@github.com/shop/platform.git',
      path: 'dist/production',
      targetRevision: 'v2026.11.1',
      destination: ArgoCdDestination.cluster('prod-eu'),
      destinationNamespace: 'shop',
      exclude: [],
      namespace: 'gitops',
      project: 'shop',
      prune: false,
      selfHeal: false,
      retry: { limit: 0, backoff: Duration.seconds(10), factor: 3, maxBackoff: Duration.minutes(10) } satisfies Required<ArgoCdRetryOptions>,
      syncOptions: { serverSideApply: false, createNamespace: true, pruneLast: false, failOnSharedResource: false } satisfies Required<ArgoCdSyncOptions>,
    };
    // WHEN
    const { manifests } = synth(all);
    // THEN
    const [app] = manifests;
    expect(app.metadata.namespace).toBe('gitops');
    expect(app.spec.destination).toEqual({ name: 'prod-eu', namespace: 'shop' });
    expect(app.spec.project).toBe('shop');
    expect(app.spec.source).toEqual({
      repoURL: 'ssh://git@github.com/shop/platform.git', targetRevision: 'v2026.11.1', path: 'dist/production', directory: { recurse: false },
    });
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: false, selfHeal: false, allowEmpty: false },
      syncOptions: ['CreateNamespace=true', 'FailOnSharedResource=false', 'PruneLast=false', 'ServerSideApply=false'],
      retry: { limit: 0, backoff: { duration: '10s', factor: 3, maxDuration: '10m' } },
    });
    expect(manifests).toPassPolicies();
  });
});

describe('ArgoCdDeployment validation', () => {
  test.each<[string, Partial<ArgoCdDeploymentProps>, string]>([
    ['a URL that is not https or ssh', { url: 'git@github.com:shop/platform.git' },
      '[delivery/platform] url ("git@github.com:shop/platform.git") must be an https:// or ssh:// Git URL'],
    ['a bad revision', { targetRevision: 'a..b' }, '[delivery/platform] targetRevision ("a..b") must be a branch, tag or commit such as "main"'],
    ['a path with ./', { path: './dist/production' },
      '[delivery/platform] path ("./dist/production") must be a folder of the repository relative to its root, without "./" or "..", e.g. "dist/production"'],
    ['a path outside the repository', { path: 'dist/../..' },
      '[delivery/platform] path ("dist/../..") must be a folder of the repository relative to its root, without "./" or "..", e.g. "dist/production"'],
    ['an absolute path', { path: '/dist' },
      '[delivery/platform] path ("/dist") must be a folder of the repository relative to its root, without "./" or "..", e.g. "dist/production"'],
    ['a glob with a comma', { exclude: ['a,b'] }, '[delivery/platform] exclude[0] ("a,b") must be a file glob of letters, digits and . _ - / * ? [ ]'],
    ['a bad project', { project: 'Shop' },
      '[delivery/platform] project ("Shop") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 253 characters'],
    ['a server that is not https', { destination: ArgoCdDestination.server('http://10.0.0.1') },
      '[delivery/platform] destination.server ("http://10.0.0.1") must be the https:// URL of a cluster\'s API server'],
    ['no clusters', { destination: ArgoCdDestination.clusters([]) }, '[delivery/platform] destination.clusters ([]) must name at least one cluster'],
    ['a repeated cluster', { destination: ArgoCdDestination.clusters(['prod-eu', 'prod-us', 'prod-eu']) },
      '[delivery/platform] destination.clusters[2] ("prod-eu") is already listed: each cluster gets one Application'],
    ['a cluster name that is not a DNS label', { destination: ArgoCdDestination.clusters(['Prod_EU']) },
      '[delivery/platform] destination.clusters[0] ("Prod_EU") must be a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters'],
    ['an empty cluster selector', { destination: ArgoCdDestination.clusterSelector({}) },
      '[delivery/platform] destination.clusterSelector ({}) must name at least one label: an empty selector selects every cluster Argo CD manages, its own included'],
    ['a bad selector value', { destination: ArgoCdDestination.clusterSelector({ env: 'prod eu' }) },
      '[delivery/platform] destination.clusterSelector.env ("prod eu") must be a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
    ['a bad selector key', { destination: ArgoCdDestination.clusterSelector({ '-env': 'prod' }) },
      '[delivery/platform] destination.clusterSelector key ("-env") must be a label key such as "env" or "example.com/env"'],
    ['a negative retry limit', { retry: { limit: -1 } }, '[delivery/platform] retry.limit (-1) must be a whole number of retries, 0 or more'],
    ['a fractional factor', { retry: { factor: 1.5 } }, '[delivery/platform] retry.factor (1.5) must be a whole number, 1 or more'],
    ['a zero backoff', { retry: { backoff: Duration.seconds(0) } }, '[delivery/platform] retry.backoff (0s) must be at least one second'],
    ['a max backoff below the backoff', { retry: { backoff: Duration.minutes(1), maxBackoff: Duration.seconds(30) } },
      '[delivery/platform] retry.maxBackoff (30s) must be at least retry.backoff (60s)'],
  ])('throws on %s', (_, props, message) => {
    let error: Error | undefined;
    try {
      synth(props);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(message);
  });
});
