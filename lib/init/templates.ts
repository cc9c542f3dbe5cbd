/** Versions the scaffolded repo pins: the ones this package is tested with. */
export interface InitVersions {
  /** Version of cdk8s-go-platform itself. */
  readonly self: string;
  /** Exact versions of the peer and tool packages, by package name. */
  readonly packages: Readonly<Record<string, string>>;
}

/** Packages the scaffolded repo depends on. */
export const INIT_DEPENDENCIES = ['cdk8s', 'cdk8s-plus-27', 'constructs'] as const;
/** Packages the scaffolded repo uses to build, test and synthesize. */
export const INIT_DEV_DEPENDENCIES = ['@types/jest', '@types/node', 'cdk8s-cli', 'jest', 'ts-jest', 'tsx', 'typescript'] as const;

/** One file `init` writes: path relative to the target folder, and its text. */
export interface InitFile {
  readonly path: string;
  readonly text: string;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function pick(versions: InitVersions, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const version = versions.packages[name];
    if (version === undefined) {
      throw new Error(`cdk8s-go-platform init: no tested version of ${name} in the package's package.json`);
    }
    out[name] = version;
  }
  return out;
}

/** The files of a new platform repo named `name`. */
export function initFiles(name: string, versions: InitVersions): InitFile[] {
  const dependencies = { 'cdk8s-go-platform': `^${versions.self}`, ...pick(versions, INIT_DEPENDENCIES) };
  const devDependencies = pick(versions, INIT_DEV_DEPENDENCIES);
  return [
    {
      path: 'package.json',
      text: json({
        name,
        version: '0.0.0',
        private: true,
        license: 'UNLICENSED',
        scripts: {
          synth: 'cdk8s synth --check-upgrade=false',
          test: 'jest',
          typecheck: 'tsc --noEmit',
          gate: 'cdk8s-go-platform check dist/staging && cdk8s-go-platform check dist/production',
        },
        dependencies,
        devDependencies,
      }),
    },
    {
      path: 'tsconfig.json',
      text: json({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'commonjs',
          moduleResolution: 'node10',
          strict: true,
          noImplicitReturns: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          esModuleInterop: true,
          forceConsistentCasingInFileNames: true,
          types: ['node', 'jest'],
          outDir: 'build',
        },
        include: ['**/*.ts'],
        exclude: ['node_modules', 'build', 'dist'],
      }),
    },
    {
      path: 'cdk8s.yaml',
      text: `language: typescript
# tsx only transpiles main.ts: types are checked by \`npm run typecheck\` and
# the tests, not on every synth.
app: node --import tsx main.ts
output: dist
validations:
  # The policy gate of cdk8s-go-platform: synth fails on a policy error.
  - package: ./node_modules/cdk8s-go-platform
    version: ${versions.self}
    class: PolicyValidation
    properties:
      # Each folder below dist/ is one cluster (environment), checked apart.
      clusterFolders: true
`,
    },
    { path: 'main.ts', text: MAIN_TS },
    { path: 'main.test.ts', text: MAIN_TEST_TS },
    {
      path: 'jest.config.js',
      text: `/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\\\.ts$': 'ts-jest' },
};
`,
    },
    { path: '.gitignore', text: 'node_modules/\nbuild/\ncoverage/\n' },
    { path: '.github/workflows/platform.yml', text: WORKFLOW },
  ];
}

const MAIN_TS = `import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { Certificates, GoMicroservice, IngressController, ObservabilityStack, SecureIngress, synthApp } from 'cdk8s-go-platform';

/** What differs between the environments. */
export interface Environment {
  readonly name: string;
  readonly namespace: string;
  readonly domain: string;
  readonly replicas: number;
  readonly logLevel: string;
}

export const ENVIRONMENTS: readonly Environment[] = [
  { name: 'staging', namespace: 'shop', domain: 'shop.staging.example.com', replicas: 2, logLevel: 'debug' },
  { name: 'production', namespace: 'shop', domain: 'shop.example.com', replicas: 3, logLevel: 'info' },
];

/** The platform of one environment: a service, its HTTPS route, and monitoring. */
export function buildPlatform(app: App, env: Environment): void {
  const shop = new Chart(app, 'shop', { namespace: env.namespace, disableResourceNameHashes: true });
  const api = new GoMicroservice(shop, 'api', {
    image: 'registry.example.com/shop/api:1.0.0',
    replicas: env.replicas,
    config: { LOG_LEVEL: env.logLevel },
  });

  const edge = new SecureIngress(shop, 'edge', {
    ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
    certificates: Certificates.fromClusterIssuer('letsencrypt'),
  });
  edge.addRoute({ host: env.domain, path: '/', service: api });

  const observability = new Chart(app, 'observability', { namespace: 'observability', disableResourceNameHashes: true });
  new ObservabilityStack(observability, 'observability', { namespace: 'observability' }).monitor(api);
}

// \`cdk8s synth\` passes its output folder in CDK8S_OUTDIR; each environment
// gets a folder of its own below it.
if (require.main === module) {
  const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
  for (const env of ENVIRONMENTS) {
    const app = new App({ outdir: path.join(outdir, env.name), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildPlatform(app, env);
    synthApp(app);
  }
}
`;

const MAIN_TEST_TS = `import { Testing } from 'cdk8s';
import { policyMatchers } from 'cdk8s-go-platform/jest';
import { buildPlatform, ENVIRONMENTS } from './main';

expect.extend(policyMatchers);

describe.each(ENVIRONMENTS.map((env) => [env.name, env] as const))('%s', (_name, env) => {
  const app = Testing.app();
  buildPlatform(app, env);
  const manifests = app.charts.flatMap((chart) => Testing.synth(chart));

  test('passes the policy gate', () => {
    expect(manifests).toPassPolicies();
  });

  test('runs the api with the environment\\'s replicas', () => {
    const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'api');
    expect(deployment?.spec.replicas).toBe(env.replicas);
  });

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});
`;

const WORKFLOW = `name: platform
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  platform:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: npm run typecheck
      - run: npm test
      - run: npm run synth
      - name: Policy gate on the synthesized manifests
        run: npm run gate
      - name: dist/ is committed and current
        run: |
          git diff --exit-code --stat -- dist
          test -z "$(git status --porcelain --untracked-files=all -- dist)" || { git status --porcelain -- dist; exit 1; }
`;
