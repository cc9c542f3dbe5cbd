import { Chart, Duration, Testing } from 'cdk8s';
import { FLUX_DEPLOYMENT_DEFAULTS, FluxDeployment, FluxDeploymentProps } from '../../lib/gitops';
import { policyMatchers } from '../../lib/policy/jest';

expect.extend(policyMatchers);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function synth(props: Partial<FluxDeploymentProps> = {}, id = 'platform'): { flux: FluxDeployment; manifests: Manifest[] } {
  const chart = new Chart(Testing.app(), 'delivery', { disableResourceNameHashes: true });
  const flux = new FluxDeployment(chart, id, {
    url: 'https://github.com/shop/platform',
    stages: [{ name: 'staging', path: './dist/staging' }],
    ...props,
  });
  return { flux, manifests: Testing.synth(chart) };
}

describe('FluxDeployment', () => {
  test('defaults: a GitRepository on main and one pruning, waiting Kustomization of the folder', () => {
    const { flux, manifests } = synth();
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'source.toolkit.fluxcd.io/v1 GitRepository flux-system/platform',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/platform-staging',
    ]);
    const [repo, kustomization] = manifests;
    expect(repo.spec).toEqual({
      url: 'https://github.com/shop/platform',
      ref: { branch: 'main' },
      interval: '5m',
      timeout: '60s',
      ignore: 'construct-metadata.json\n',
    });
    expect(kustomization.spec).toEqual({
      sourceRef: { kind: 'GitRepository', name: 'platform' },
      path: './dist/staging',
      interval: '5m',
      timeout: '5m',
      prune: true,
      wait: true,
    });
    expect(repo.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'platform', 'app.kubernetes.io/part-of': 'platform', 'app.kubernetes.io/managed-by': 'cdk8s-go-platform',
    });
    expect(flux.kustomizations).toHaveLength(1);
    expect(FLUX_DEPLOYMENT_DEFAULTS.namespace).toBe('flux-system');
    expect(manifests).toPassPolicies();
    // The gate knows the Flux schemas: a field they do not define fails it.
    expect([repo, { ...kustomization, spec: { ...kustomization.spec, pruneAll: true } }]).not.toPassPolicies();
    expect(manifests).toMatchSnapshot();
  });

  test('stages apply in order: each depends on the one before', () => {
    const { manifests } = synth({
      stages: [
        { name: 'crds', path: './dist/prod/crds' },
        { name: 'migrations', path: './dist/prod/migrations' },
        { name: 'workloads', path: './dist/prod/workloads' },
      ],
    });
    const kustomizations = manifests.filter((m) => m.kind === 'Kustomization');
    expect(kustomizations.map((k) => [k.metadata.name, k.spec.path, k.spec.dependsOn])).toEqual([
      ['platform-crds', './dist/prod/crds', undefined],
      ['platform-migrations', './dist/prod/migrations', [{ name: 'platform-crds' }]],
      ['platform-workloads', './dist/prod/workloads', [{ name: 'platform-migrations' }]],
    ]);
    expect(kustomizations.every((k) => k.spec.wait === true)).toBe(true);
    expect(manifests).toPassPolicies();
  });

  test('branch, namespace, credentials and timings are configurable', () => {
    const { manifests } = synth({
      url: 'ssh://git@github.com/shop/platform.git',
      branch: 'release/2026',
      namespace: 'gitops',
      secretName: 'platform-deploy-key',
      interval: Duration.minutes(1),
      timeout: Duration.seconds(90),
    });
    const [repo, kustomization] = manifests;
    expect(repo.metadata.namespace).toBe('gitops');
    expect(repo.spec).toMatchObject({ url: 'ssh://git@github.com/shop/platform.git', ref: { branch: 'release/2026' }, interval: '1m', secretRef: { name: 'platform-deploy-key' } });
    expect(kustomization.spec).toMatchObject({ interval: '1m', timeout: '90s' });
    expect(manifests).toPassPolicies();
  });
});

describe('FluxDeployment validation', () => {
  test.each<[string, Partial<FluxDeploymentProps>, string]>([
    ['a URL that is not https or ssh', { url: 'git@github.com:shop/platform.git' },
      '[delivery/platform] url ("git@github.com:shop/platform.git") must be an https:// or ssh:// Git URL'],
    ['a bad branch', { branch: 'a..b' }, '[delivery/platform] branch ("a..b") must be a branch name such as "main"'],
    ['no stages', { stages: [] }, '[delivery/platform] stages ([]) must list at least one folder to apply'],
    ['a repeated stage', { stages: [{ name: 'a', path: './a' }, { name: 'a', path: './b' }] },
      '[delivery/platform] stages[1].name ("a") is already used by another stage'],
    ['a path outside the repository', { stages: [{ name: 'a', path: './dist/../..' }] },
      '[delivery/platform] stages[0].path ("./dist/../..") must be a folder of the repository starting with "./", e.g. "./dist/staging"'],
    ['a path without ./', { stages: [{ name: 'a', path: 'dist/staging' }] },
      '[delivery/platform] stages[0].path ("dist/staging") must be a folder of the repository starting with "./", e.g. "./dist/staging"'],
    ['a zero interval', { interval: Duration.seconds(0) }, '[delivery/platform] interval (0s) must be at least one second'],
    ['a fractional timeout', { timeout: Duration.millis(1500) }, '[delivery/platform] timeout (1.5s) must be a whole, non-negative number of seconds'],
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
