import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The edge of the public API. The package entry points name every export; a
 * name a folder barrel (lib/<folder>/index.ts) exports is either re-exported
 * by an entry point or listed below as internal, with the reason. A name added
 * to a barrel later fails here until someone decides which it is. The API
 * report (etc/*.api.md, `npm run api`) shows the public side of that decision.
 */

const ROOT = path.resolve(__dirname, '..');

/** The package entry points (package.json `exports`). */
const ENTRY_POINTS = ['lib/index.ts', 'lib/local/index.ts', 'lib/policy/jest.ts'];

/** Exported by a folder barrel for the library's own use and tests; not part of the package API. */
const INTERNAL: Record<string, string> = {
  // The `init` command (lib/init), run by the CLI.
  INIT_APP_COMMAND: 'init command',
  INIT_DEPENDENCIES: 'init command',
  INIT_DIFF_FAIL_ON: 'init command',
  INIT_DIFF_MARKER: 'init command',
  INIT_PLUGIN_PATH: 'init command',
  INIT_DEV_DEPENDENCIES: 'init command',
  InitError: 'init command',
  InitFile: 'init command',
  InitIo: 'init command',
  InitOptions: 'init command',
  InitResult: 'init command',
  InitVersions: 'init command',
  initFiles: 'init command',
  initProject: 'init command',
  initWorkflow: 'init command',
  initWorkflowYaml: 'init command',
  runInit: 'init command',
  testedVersions: 'init command',
  unmarkedFilesMessage: 'the Dockerfile overwrite error, shared by GoDockerfile and LocalDockerStack',
  // Workload shapes: defaults tables, resolved internals, shared builders and validators.
  JOB_DEFAULTS: 'defaults table',
  RELEASE_DEFAULTS: 'defaults table',
  ReleaseTrack: 'the second track of a GoMicroservice release, created by it (public view: ReleaseTrackResources)',
  ReleaseTrackProps: 'resolved inputs of ReleaseTrack',
  KEDA_DEFAULTS: 'defaults table',
  MIGRATION_DEFAULTS: 'defaults table',
  POD_DEFAULTS: 'defaults table',
  EXTERNAL_SECRET_DEFAULTS: 'defaults table',
  ExternalRemoteRef: 'resolved external source, read by the ExternalSecret builder',
  ExternalSecretInputs: 'input of the ExternalSecret resolver',
  ResolvedExternalEntry: 'resolved ExternalSecret entry, read by the ExternalSecret builder',
  ResolvedExternalSecret: 'resolved ExternalSecret, read by the pod template builder',
  createExternalSecret: 'builder used by the pod template',
  resolveExternalSecret: 'resolver',
  CONFIG_FILES_VOLUME: 'volume name used inside the pod template',
  TMP_VOLUME: 'volume name used inside the pod template',
  WORKER_METRICS_PORT: 'default port; documented with @default on GoWorkerProps',
  GoWorkloadShape: 'shape switch of the shared resolver',
  ResolvedJob: 'resolved job settings, read by the job shapes',
  ResolvedPod: 'resolved pod props, read by the pod template builder',
  ResolvedPodContainer: 'resolved extra container, read by the pod template builder',
  createJobNetworkPolicy: 'builder shared by the job shapes',
  createScaledObject: 'builder shared by GoMicroservice and GoWorker',
  declareExternalSecrets: 'builder shared by the job shapes',
  downwardEnvNames: 'pod template helper',
  jobWorkloadProps: 'builder shared by the job shapes',
  resolveJob: 'resolver',
  resolveKedaScaling: 'resolver',
  resolvePod: 'resolver',
  validateLabelKey: 'validator used by the pod props',
  validateLabelValue: 'validator used by the pod props',
  validateSchedule: 'validator used by GoCronJob',
  validateTimeZone: 'validator used by GoCronJob',
  // Synthesis and gate plumbing.
  cdk8sInternalsPresent: 'guard of the synthApp fast path, tested against the supported cdk8s range',
  sourceText: 'finding location formatting used by the CLI and plugin',
  // Defaults tables: each default is documented by `@default` on its prop; a construct's `settings` (or
  // `thresholds`) is the public view of the values in effect.
  ALERTMANAGER_DEFAULTS: 'defaults table',
  ALERT_THRESHOLD_DEFAULTS: 'defaults table',
  GO_DOCKERFILE_DEFAULTS: 'defaults table',
  GO_SERVICE_DEFAULTS: 'defaults table',
  GRAFANA_DEFAULTS: 'defaults table',
  KUBE_STATE_METRICS_DEFAULTS: 'defaults table',
  LOG_AGENT_DEFAULTS: 'defaults table',
  LOKI_DEFAULTS: 'defaults table',
  OBSERVABILITY_DEFAULTS: 'defaults table',
  OTEL_COLLECTOR_DEFAULTS: 'defaults table',
  PROMETHEUS_DEFAULTS: 'defaults table',
  RUNTIME_IMAGE_DEFAULTS: 'defaults table',
  TEMPO_DEFAULTS: 'defaults table',
  FLUX_DEPLOYMENT_DEFAULTS: 'defaults table',
  ARGO_CD_DEPLOYMENT_DEFAULTS: 'defaults table',
  ARGO_CD_SYNC_WAVE_DEFAULTS: 'defaults table',
  ArgoCdDestinationKind: 'internal tag of ArgoCdDestination',
  GO_WORKFLOW_DEFAULTS: 'defaults table',
  GO_WORKFLOW_ACTIONS: 'defaults table (pinned actions; overridden through GoWorkflowActions)',
  GO_DASHBOARD_PANELS: 'the panel list behind goServiceDashboard()',
  // Constructor props of the stack's components: ObservabilityStack creates them from its options.
  AlertmanagerProps: 'component props, built by ObservabilityStack',
  GrafanaProps: 'component props, built by ObservabilityStack',
  GrafanaDatasource: 'component props, built by ObservabilityStack',
  KubeStateMetricsProps: 'component props, built by ObservabilityStack',
  LogAgentProps: 'component props, built by ObservabilityStack',
  LokiProps: 'component props, built by ObservabilityStack',
  OtelCollectorProps: 'component props, built by ObservabilityStack',
  PrometheusProps: 'component props, built by ObservabilityStack',
  TempoProps: 'component props, built by ObservabilityStack',
  // Resolvers and renderers: the constructs call them; users see their result on the construct.
  resolveGoService: 'resolver behind GoMicroservice.settings and LocalDockerStack',
  resolveThresholds: 'resolver behind ObservabilityStack.thresholds',
  renderUserRules: 'renderer behind ObservabilityStack.ruleGroups',
  ruleGroups: 'renderer behind ObservabilityStack.ruleGroups',
  validatePromQL: 'validation helper of the constructs',
  promqlSyntaxError: 'validation helper of the constructs',
  // Workflow plumbing: GoServiceWorkflow writes and renders its file itself.
  GENERATED_MARKER: 'workflow plumbing',
  writeGeneratedFile: 'workflow plumbing',
  renderWorkflow: 'workflow plumbing',
  // Discriminators of union-like classes: users build these with the static factories.
  CertificateSourceKind: 'discriminator of Certificates',
  GatewayAttachmentKind: 'discriminator of GatewayAttachment',
  // Policy gate plumbing: the CLI is the package's bin, the plugin is PolicyValidation.
  PolicyCliIo: 'CLI plumbing (bin/cdk8s-go-platform)',
  PolicyExitCode: 'CLI plumbing (bin/cdk8s-go-platform)',
  runPolicyCli: 'CLI plumbing (bin/cdk8s-go-platform)',
  SourcedManifest: 'CLI plumbing (file names of findings)',
  checkSourcedManifests: 'CLI plumbing (file names of findings)',
  describeObject: 'rule helper',
  findingsOf: 'rule helper',
  knownKinds: 'schema helper',
  policyRule: 'rule helper',
};

function program(files: string[]): ts.Program {
  return ts.createProgram(files.map((f) => path.join(ROOT, f)), {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, skipLibCheck: true, resolveJsonModule: true,
    types: ['node'], noEmit: true,
  });
}

function exportsOf(p: ts.Program, file: string): string[] {
  const checker = p.getTypeChecker();
  const sf = p.getSourceFile(path.join(ROOT, file));
  const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) {
    throw new Error(`${file} is not a module`);
  }
  return checker.getExportsOfModule(moduleSymbol).map((s) => s.name).sort();
}

const BARRELS = readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => `lib/${e.name}/index.ts`)
  .filter((f) => {
    try {
      readFileSync(path.join(ROOT, f));
      return true;
    } catch {
      return false;
    }
  })
  .sort();

describe('public API', () => {
  const p = program([...ENTRY_POINTS, ...BARRELS]);
  const publicNames = new Set(ENTRY_POINTS.flatMap((f) => exportsOf(p, f)));
  const barrelNames = new Map<string, string>();
  for (const barrel of BARRELS) {
    for (const name of exportsOf(p, barrel)) {
      barrelNames.set(name, barrel);
    }
  }

  test('every name a folder barrel exports is public or deliberately internal', () => {
    const undecided = [...barrelNames.keys()].filter((n) => !publicNames.has(n) && !(n in INTERNAL)).sort();
    expect(undecided).toEqual([]);
  });

  test('no internal name is exported by an entry point', () => {
    expect(Object.keys(INTERNAL).filter((n) => publicNames.has(n)).sort()).toEqual([]);
  });

  test('the internal list names only what a barrel still exports', () => {
    expect(Object.keys(INTERNAL).filter((n) => !barrelNames.has(n)).sort()).toEqual([]);
  });

  test.each(ENTRY_POINTS)('%s names its exports (no `export *`)', (file) => {
    const sf = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const star = sf.statements.filter((s) => ts.isExportDeclaration(s) && s.exportClause === undefined);
    expect(star.map((s) => s.getText(sf))).toEqual([]);
  });

  test('the root entry keeps the constructs and leaves the defaults tables and resolvers out', () => {
    // GIVEN the built-from-source root entry
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const root = require('../lib') as Record<string, unknown>;
    // THEN
    for (const name of ['GoMicroservice', 'SecureIngress', 'ObservabilityStack', 'GoDockerfile', 'PolicyValidation', 'synthApp']) {
      expect(typeof root[name]).toBe('function');
    }
    for (const name of ['GO_SERVICE_DEFAULTS', 'resolveGoService', 'resolveThresholds', 'renderUserRules', 'validatePromQL']) {
      expect(root[name]).toBeUndefined();
    }
  });
});
