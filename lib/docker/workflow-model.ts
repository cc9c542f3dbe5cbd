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
  /** @default - runs are not grouped; each one runs */
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean | string };
  /** @default - no workflow-wide variables */
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, WorkflowJob>;
}

/** Events that start a workflow. */
export interface WorkflowTriggers {
  /** @default - not started by pushes */
  readonly push?: { readonly branches?: string[]; readonly tags?: string[] };
  /** @default - not started by pull requests */
  readonly pull_request?: { readonly branches?: string[] };
  /** @default - cannot be started by hand */
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
  /** @default - starts at once, in parallel with the other jobs */
  readonly needs?: string[];
  /** @default - always runs */
  readonly if?: string;
  readonly permissions: WorkflowPermissions;
  readonly 'timeout-minutes': number;
  /** @default - no outputs */
  readonly outputs?: Record<string, string>;
  /** @default - no job-wide variables */
  readonly env?: Record<string, string>;
  readonly steps: WorkflowStep[];
}

/** One step: an action (`uses`) or a shell command (`run`). */
export type WorkflowStep = WorkflowActionStep | WorkflowRunStep;

interface WorkflowStepBase {
  /** @default - no id; later steps cannot read its outputs */
  readonly id?: string;
  readonly name: string;
  /** @default - runs when the steps before it passed */
  readonly if?: string;
  /** @default - no step variables */
  readonly env?: Record<string, string>;
}

/** A step that runs an action, pinned by `owner/repo@ref`. */
export interface WorkflowActionStep extends WorkflowStepBase {
  readonly uses: string;
  /** @default - no inputs */
  readonly with?: Record<string, string | number | boolean>;
}

/** A step that runs a shell command. */
export interface WorkflowRunStep extends WorkflowStepBase {
  readonly run: string;
  /** @default - the job's working directory */
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
