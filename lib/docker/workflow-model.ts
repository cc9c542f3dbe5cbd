import { yamlLib } from '../common/yaml';

/**
 * The subset of the GitHub Actions workflow syntax the generator emits, as
 * types: a workflow is built as data and serialized with the `yaml` package.
 *
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
 */
export interface Workflow {
  readonly name: string;
  readonly on: WorkflowTriggers;
  readonly permissions: WorkflowPermissions;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean | string };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

/** Events that start a workflow. */
export interface WorkflowTriggers {
  readonly push?: { readonly branches?: string[]; readonly tags?: string[] };
  readonly pull_request?: { readonly branches?: string[] };
  readonly workflow_dispatch?: Record<string, never>;
}

/** Scopes of the `GITHUB_TOKEN`; a scope not named has no access. */
export type WorkflowPermissions = Partial<Record<
'contents' | 'packages' | 'id-token' | 'attestations' | 'security-events' | 'pull-requests',
'read' | 'write' | 'none'
>>;

/** One job. */
export interface WorkflowJob {
  readonly name: string;
  readonly 'runs-on': string;
  readonly needs?: string[];
  readonly if?: string;
  readonly permissions: WorkflowPermissions;
  readonly 'timeout-minutes': number;
  readonly outputs?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly steps: WorkflowStep[];
}

/** One step: an action (`uses`) or a shell command (`run`). */
export type WorkflowStep = WorkflowActionStep | WorkflowRunStep;

interface WorkflowStepBase {
  readonly id?: string;
  readonly name: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
}

/** A step that runs an action, pinned by `owner/repo@ref`. */
export interface WorkflowActionStep extends WorkflowStepBase {
  readonly uses: string;
  readonly with?: Record<string, string | number | boolean>;
}

/** A step that runs a shell command. */
export interface WorkflowRunStep extends WorkflowStepBase {
  readonly run: string;
  readonly 'working-directory'?: string;
}

/**
 * Renders a workflow as YAML, after the given header comment lines. Long
 * lines are not folded, so `run` scripts keep their lines.
 *
 * @internal
 */
export function renderWorkflow(workflow: Workflow, header: string[]): string {
  const body = yamlLib().stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${header.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${body}`;
}
