import { renderWorkflow, Workflow, WorkflowStep } from '../docker/workflow-model';

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
export const INIT_DEV_DEPENDENCIES = ['@types/jest', '@types/node', 'cdk8s-cli', 'esbuild', 'jest', 'ts-jest', 'typescript'] as const;

/** The app command of the scaffolded cdk8s.yaml: an esbuild bundle of main.ts, run by node. */
export const INIT_APP_COMMAND = './node_modules/.bin/esbuild main.ts --bundle --platform=node --target=node20 --packages=external --log-level=warning --outfile=build/synth/main.js && node build/synth/main.js';

/**
 * Where the scaffolded cdk8s.yaml loads the policy gate plugin from: the
 * compiled module of `PolicyValidation` in the installed package (the same
 * class the root entry exports), so the cdk8s CLI does not load every
 * construct and cdk8s-plus to run it.
 */
export const INIT_PLUGIN_PATH = './node_modules/cdk8s-go-platform/build/lib/policy/plugin.js';

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
        // npm 11.16+ lists dependencies whose install scripts nobody approved
        // (npm 12 skips them): esbuild's checks its platform binary; backport,
        // an optional dependency of cdk8s-plus-27 (a release tool), needs none.
        allowScripts: { esbuild: true, backport: false },
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
# esbuild only transpiles (types are checked by \`npm run typecheck\` and the
# tests, not on every synth): it bundles main.ts into build/synth/main.js in
# a few milliseconds, packages left external, and node runs that, so synth
# costs what the compiled JavaScript costs.
app: ${INIT_APP_COMMAND}
output: dist
validations:
  # The policy gate of cdk8s-go-platform: synth fails on a policy error.
  # The plugin's own module, so the CLI does not load the constructs too.
  - package: ${INIT_PLUGIN_PATH}
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
    { path: '.github/workflows/platform.yml', text: initWorkflowYaml() },
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

/** Marks the pull request comment the workflow keeps up to date (first line of its body). */
export const INIT_DIFF_MARKER = '<!-- cdk8s-go-platform diff -->';

/**
 * Risks of `cdk8s-go-platform diff` that fail the scaffolded workflow's
 * pull request check: a change the API server refuses to apply in place
 * (the object must be deleted and recreated) and storage changes, the two
 * that reverting the pull request does not undo. The other risks (removed
 * objects, wider network access, lower floors, images, new Secret readers)
 * are flagged in the comment for the reviewer.
 */
export const INIT_DIFF_FAIL_ON = ['immutable-field', 'storage'] as const;

const CHECKOUT = 'actions/checkout@v4';
const SETUP_NODE = 'actions/setup-node@v4';

const setupNode: WorkflowStep = { name: 'Set up Node.js', uses: SETUP_NODE, with: { 'node-version': 22, cache: 'npm' } };

/** Lists the clusters (folders of dist/) of the base and of the merge, and diffs each into the comment. */
const DIFF_SCRIPT = `set -o pipefail
# pull_request runs check out the merge of the pull request into its base
# branch (refs/pull/N/merge): its first parent is the base branch. Its dist/
# is taken as committed (the platform job of the base checked it current), so
# the comment shows what merging changes in dist/, which is what is applied.
git rev-parse -q --verify 'HEAD^2' > /dev/null || { echo "::error::HEAD is not the pull request's merge commit (check out the default ref)"; exit 1; }
base="$RUNNER_TEMP/base"
mkdir -p "$base/dist" "$RUNNER_TEMP/none"
if git cat-file -e 'HEAD^1:dist' 2> /dev/null; then
  git archive 'HEAD^1' dist | tar -x -C "$base"
fi
# One diff per cluster: each folder of dist/ (a folder only on one side is compared with an empty one).
find dist "$base/dist" -mindepth 1 -maxdepth 1 -type d -printf '%f\\n' | sort -u > "$RUNNER_TEMP/clusters"
out="$RUNNER_TEMP/diff.md"
{
  echo '${INIT_DIFF_MARKER}'
  echo "Changes to \\\`dist/\\\` when this pull request is merged into $(git rev-parse --short 'HEAD^1')."
  echo
} > "$out"
while read -r cluster; do
  old="$base/dist/$cluster"; new="dist/$cluster"
  [ -d "$old" ] || old="$RUNNER_TEMP/none"
  [ -d "$new" ] || new="$RUNNER_TEMP/none"
  npx cdk8s-go-platform diff "$old" "$new" --format markdown --title "$cluster" >> "$out"
  echo >> "$out"
done < "$RUNNER_TEMP/clusters"
cat "$out" >> "$GITHUB_STEP_SUMMARY"
# A comment holds at most 65536 characters: a longer diff is cut, and points to the job summary.
if [ "$(wc -c < "$out")" -gt 60000 ]; then
  head -c 60000 "$out" > "$RUNNER_TEMP/comment.md"
  if [ $(( $(grep -c '^\`\`\`' "$RUNNER_TEMP/comment.md") % 2 )) = 1 ]; then printf '\\n\`\`\`\\n' >> "$RUNNER_TEMP/comment.md"; fi
  if [ "$(grep -c '<details>' "$RUNNER_TEMP/comment.md")" -gt "$(grep -c '</details>' "$RUNNER_TEMP/comment.md")" ]; then printf '\\n</details>\\n' >> "$RUNNER_TEMP/comment.md"; fi
  printf '\\n**Cut to fit a comment**: the whole diff is in the summary of %s/%s/actions/runs/%s\\n' "$GITHUB_SERVER_URL" "$GITHUB_REPOSITORY" "$GITHUB_RUN_ID" >> "$RUNNER_TEMP/comment.md"
else
  cp "$out" "$RUNNER_TEMP/comment.md"
fi
`;

/** Updates the comment that starts with the marker, or adds it. */
const COMMENT_SCRIPT = `marker='${INIT_DIFF_MARKER}'
ids="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \\
  --jq ".[] | select(.user.login == \\"github-actions[bot]\\" and (.body | startswith(\\"$marker\\"))) | .id")"
id="\${ids%%$'\\n'*}"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$RUNNER_TEMP/comment.md" > /dev/null
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" -F "body=@$RUNNER_TEMP/comment.md" > /dev/null
fi
`;

/** Fails on the FAIL_ON risks, after the comment is posted. */
const FAIL_SCRIPT = `[ -n "$FAIL_ON" ] || exit 0
status=0
while read -r cluster; do
  old="$RUNNER_TEMP/base/dist/$cluster"; new="dist/$cluster"
  [ -d "$old" ] || old="$RUNNER_TEMP/none"
  [ -d "$new" ] || new="$RUNNER_TEMP/none"
  npx cdk8s-go-platform diff "$old" "$new" --fail-on "$FAIL_ON" > /dev/null || status=1
done < "$RUNNER_TEMP/clusters"
exit "$status"
`;

/**
 * The scaffolded GitHub Actions workflow, as data. Every push and pull
 * request: install, type-check, test, synthesize, the policy gate and the
 * stale-dist/ check. Pull requests also get a `diff` job: the semantic diff
 * of dist/ against the base branch, posted as one comment that later runs
 * update, and a check that fails on `INIT_DIFF_FAIL_ON`.
 */
export function initWorkflow(): Workflow {
  return {
    name: 'platform',
    on: { push: { branches: ['main'] }, pull_request: {} },
    permissions: { contents: 'read' },
    jobs: {
      platform: {
        'name': 'Test, synthesize and gate',
        'runs-on': 'ubuntu-24.04',
        'permissions': { contents: 'read' },
        'timeout-minutes': 20,
        'steps': [
          { name: 'Check out', uses: CHECKOUT, with: { 'persist-credentials': false } },
          setupNode,
          { name: 'Install', run: 'npm ci' },
          { name: 'Type-check', run: 'npm run typecheck' },
          { name: 'Test', run: 'npm test' },
          { name: 'Synthesize', run: 'npm run synth' },
          { name: 'Policy gate on the synthesized manifests', run: 'npm run gate' },
          {
            name: 'dist/ is committed and current',
            run: 'git diff --exit-code --stat -- dist\ntest -z "$(git status --porcelain --untracked-files=all -- dist)" || { git status --porcelain -- dist; exit 1; }\n',
          },
        ],
      },
      diff: {
        'name': 'Manifest diff for the pull request',
        'if': "github.event_name == 'pull_request'",
        'needs': ['platform'],
        'runs-on': 'ubuntu-24.04',
        // The only job that writes: its comment on the pull request.
        'permissions': { 'contents': 'read', 'pull-requests': 'write' },
        'timeout-minutes': 10,
        'steps': [
          // Two commits: the merge commit and its parents.
          { name: 'Check out', uses: CHECKOUT, with: { 'fetch-depth': 2, 'persist-credentials': false } },
          setupNode,
          { name: 'Install', run: 'npm ci --omit=dev' },
          { name: 'Diff dist/ against the base branch', run: DIFF_SCRIPT },
          {
            name: 'Post or update the pull request comment',
            // Pull requests from forks and Dependabot get a read-only token: their diff is in the job summary.
            if: "github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'",
            env: { GH_TOKEN: '${{ github.token }}', PR_NUMBER: '${{ github.event.pull_request.number }}' },
            run: COMMENT_SCRIPT,
          },
          { name: 'Fail on risky changes', env: { FAIL_ON: INIT_DIFF_FAIL_ON.join(',') }, run: FAIL_SCRIPT },
        ],
      },
    },
  };
}

const WORKFLOW_HEADER = [
  'CI of the platform repo, written by `cdk8s-go-platform init`.',
  'Every push and pull request: install, type-check, test, synthesize, the',
  'policy gate, and a check that dist/ is committed and current.',
  'Pull requests: a diff of dist/ against the base branch (`cdk8s-go-platform',
  'diff`), posted as one comment that later runs update (pull requests from',
  'forks get a read-only token: their diff is in the job summary), and a',
  `check that fails on the risks in FAIL_ON (${INIT_DIFF_FAIL_ON.join(', ')};`,
  'add removed, network-widened, floor-lowered, image or secret-added to be',
  'stricter, or empty it).',
];

/** The workflow file's text. */
export function initWorkflowYaml(): string {
  return renderWorkflow(initWorkflow(), WORKFLOW_HEADER);
}
