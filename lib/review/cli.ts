import * as path from 'path';
import { diffManifests, RISK_IDS, RiskId } from './diff';
import { DIFF_FORMATS, DiffFormat, formatDiff } from './diff-format';
import { buildGraph } from './graph-model';
import { readManifestDir, ReviewInputError } from './manifests';
import { GRAPH_FORMATS, GraphFormat, renderGraph } from './render';

/** Exit codes of `cdk8s-go-platform graph` and `diff`. */
export enum ReviewExitCode {
  OK = 0,
  /** `diff --fail-on`: a listed risk was found. */
  RISK = 1,
  /** Bad arguments or unreadable manifests. */
  USAGE = 2,
}

/** Where the CLI writes. */
export interface ReviewCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const GRAPH_USAGE = `Usage: cdk8s-go-platform graph <dir> [--format svg|mermaid|dot|json] [--title <text>]

Draws one cluster's manifests: entry points (Gateway listeners, Ingress hosts)
→ routes → Services → workloads (with HPA range and PDB), the traffic each
NetworkPolicy admits, Prometheus scrape targets, OTLP and log flows, and
Secrets with their sources. Reads *.yaml and *.yml recursively.

Options:
  --format <f>    svg (default), mermaid, dot or json
  --title <text>  title of the picture (default: the directory name)
  -h, --help      show this help
`;

const DIFF_USAGE = `Usage: cdk8s-go-platform diff <old-dir> <new-dir> [--format text|markdown|json] [--fail-on <risk,...>]

Compares two folders of one cluster's manifests: objects keyed by apiVersion,
kind, namespace and name, field changes, a summary per service, and risks.

Options:
  --format <f>          text (default), markdown (for a pull request comment) or json
  --fail-on <risks>     exit 1 when one of these risks is found (comma-separated, or "any"):
                        ${RISK_IDS.join(', ')}
  --title <text>        heading of the Markdown comment (default: the new directory name)
  -h, --help            show this help

Exit codes: 0 done, 1 a --fail-on risk was found, 2 usage or input errors.
`;

function parseArgs(args: readonly string[], takesValue: readonly string[]): { positional: string[]; options: Map<string, string>; help: boolean } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (takesValue.includes(arg)) {
      const v = args[++i];
      if (v === undefined) {
        throw new ReviewInputError(`${arg} needs a value`);
      }
      options.set(arg, v);
    } else if (arg.startsWith('-')) {
      throw new ReviewInputError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, options, help };
}

/**
 * `cdk8s-go-platform graph` and `diff`. Returns the exit code instead of
 * exiting, so tests can call it. Loaded only when one of these commands runs.
 */
export async function runReviewCli(argv: readonly string[], io: ReviewCliIo): Promise<number> {
  const [command, ...rest] = argv;
  const usage = command === 'graph' ? GRAPH_USAGE : DIFF_USAGE;
  try {
    if (command === 'graph') {
      return await graph(rest, io);
    }
    if (command === 'diff') {
      return diff(rest, io);
    }
    throw new ReviewInputError(`unknown command ${JSON.stringify(command)}`);
  } catch (err) {
    if (err instanceof ReviewInputError) {
      io.stderr(`cdk8s-go-platform ${command}: ${err.message}\n\n${usage}`);
      return ReviewExitCode.USAGE;
    }
    throw err;
  }
}

async function graph(args: readonly string[], io: ReviewCliIo): Promise<number> {
  const { positional, options, help } = parseArgs(args, ['--format', '--title']);
  if (help) {
    io.stdout(GRAPH_USAGE);
    return ReviewExitCode.OK;
  }
  if (positional.length !== 1) {
    throw new ReviewInputError(`expected one directory, got ${positional.length}`);
  }
  const format = options.get('--format') ?? 'svg';
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) {
    throw new ReviewInputError(`--format must be one of ${GRAPH_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const dir = positional[0];
  const title = options.get('--title') ?? path.basename(path.resolve(dir));
  io.stdout(await renderGraph(buildGraph(readManifestDir(dir)), format as GraphFormat, title));
  return ReviewExitCode.OK;
}

function diff(args: readonly string[], io: ReviewCliIo): number {
  const { positional, options, help } = parseArgs(args, ['--format', '--fail-on', '--title']);
  if (help) {
    io.stdout(DIFF_USAGE);
    return ReviewExitCode.OK;
  }
  if (positional.length !== 2) {
    throw new ReviewInputError(`expected <old-dir> <new-dir>, got ${positional.length} path(s)`);
  }
  const format = options.get('--format') ?? 'text';
  if (!(DIFF_FORMATS as readonly string[]).includes(format)) {
    throw new ReviewInputError(`--format must be one of ${DIFF_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const failOn = (options.get('--fail-on') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = failOn.filter((r) => r !== 'any' && !(RISK_IDS as readonly string[]).includes(r));
  if (unknown.length > 0) {
    throw new ReviewInputError(`--fail-on: unknown risk(s) ${unknown.join(', ')}; known: ${RISK_IDS.join(', ')}, any`);
  }
  const [oldDir, newDir] = positional;
  const result = diffManifests(readManifestDir(oldDir), readManifestDir(newDir));
  io.stdout(formatDiff(result, format as DiffFormat, options.get('--title') ?? path.basename(path.resolve(newDir))));
  const failing = result.risks.filter((r) => failOn.includes('any') || failOn.includes(r.id as RiskId));
  if (failing.length > 0) {
    io.stderr(`cdk8s-go-platform diff: ${failing.length} risk(s) listed in --fail-on: ${[...new Set(failing.map((r) => r.id))].join(', ')}\n`);
    return ReviewExitCode.RISK;
  }
  return ReviewExitCode.OK;
}
