import * as fs from 'fs';
import * as path from 'path';
import { checkSourcedManifests, SourcedManifest } from './check';
import { checkClusters, clusterFolderOf } from './clusters';
import { formatFindings, formatSummary } from './format';
import { yamlFilesIn } from '../common/files';
import { KUBERNETES_VERSIONS } from '../common/kubernetes-version';
import { parseManifestFile } from './locate';
import { toSarif } from './sarif';
import { POLICY_RULES } from './rules';
import { PodSecurityLevel, PolicyOptions } from './types';

/** Exit codes of `cdk8s-go-platform check`. */
export enum PolicyExitCode {
  /** No error finding. */
  PASSED = 0,
  /** At least one error finding (or a warning with `--warnings-as-errors`). */
  FAILED = 1,
  /** Bad arguments, a missing path, or a file that is not YAML. */
  USAGE = 2,
}

/** Where the CLI writes. */
export interface PolicyCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `Usage: cdk8s-go-platform check [options] <file-or-directory>...

Checks Kubernetes manifests (multi-document YAML or JSON) against the policy
gate: strict schema, Pod Security Standards, reliability and hygiene rules.
Directories are read recursively for *.yaml and *.yml files.

Options:
  --format <text|json|sarif> output: text (default), the result as JSON, or a
                             SARIF 2.1.0 log for code-scanning UIs
  --json                     same as --format json
  --warnings-as-errors       fail on warnings too
  --strict-references        a referenced Secret that is not in the set (nor made by an
                             ExternalSecret or SealedSecret in it) is an error, not a warning
  --clusters                 each top-level folder of a directory argument is a
                             cluster of its own (dist/staging, dist/production):
                             references and duplicates are checked per folder
  --disable <ids>            switch rules off, comma-separated (prefer the annotation)
  --external <Kind/name>     an object that exists outside the set (repeatable)
  --pss <namespace=level>    Pod Security profile of a namespace: privileged, baseline, restricted (repeatable)
  --default-pss <level>      profile of other namespaces (default: restricted)
  --default-namespace <ns>   namespace of objects without one (default: default)
  --kubernetes-version <v>   Kubernetes minor of the cluster, 1.27 ... 1.34: newer kinds
                             and fields are errors (default: 1.27)
  -h, --help                 show this help

  cdk8s-go-platform rules    list the rules
  cdk8s-go-platform init     scaffold a platform repo (init --help)

Exit codes: 0 passed, 1 policy errors, 2 usage or input errors.
`;

class UsageError extends Error {}

/**
 * The `cdk8s-go-platform` command line. Returns the exit code instead of
 * exiting, so tests can call it.
 */
export function runPolicyCli(argv: readonly string[], io: PolicyCliIo): number {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? PolicyExitCode.USAGE : PolicyExitCode.PASSED;
    }
    if (command === 'rules') {
      io.stdout(POLICY_RULES.map((r) => `${r.id.padEnd(28)} ${r.severity.padEnd(8)} ${r.title}`).join('\n') + '\n');
      return PolicyExitCode.PASSED;
    }
    if (command !== 'check') {
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
    return check(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`cdk8s-go-platform: ${err.message}\n\n${USAGE}`);
      return PolicyExitCode.USAGE;
    }
    throw err;
  }
}

function check(args: readonly string[], io: PolicyCliIo): number {
  let format: 'text' | 'json' | 'sarif' = 'text';
  let warningsAsErrors = false;
  let clusters = false;
  let strictReferences = false;
  const disabled: string[] = [];
  const external: string[] = [];
  const levels: Record<string, PodSecurityLevel> = {};
  let defaultLevel: PodSecurityLevel | undefined;
  let defaultNamespace: string | undefined;
  let kubernetesVersion: string | undefined;
  const paths: string[] = [];

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) {
        throw new UsageError(`${arg} needs a value`);
      }
      return v;
    };
    switch (arg) {
      case '-h': case '--help': io.stdout(USAGE); return PolicyExitCode.PASSED;
      case '--json': format = 'json'; break;
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') {
          throw new UsageError(`--format expects text, json or sarif, got ${JSON.stringify(v)}`);
        }
        format = v;
        break;
      }
      case '--warnings-as-errors': warningsAsErrors = true; break;
      case '--clusters': clusters = true; break;
      case '--strict-references': strictReferences = true; break;
      case '--disable': disabled.push(...value().split(',').map((s) => s.trim()).filter((s) => s !== '')); break;
      case '--external': external.push(value()); break;
      case '--pss': {
        const v = value();
        const eq = v.indexOf('=');
        if (eq <= 0) {
          throw new UsageError(`--pss expects <namespace>=<level>, got ${JSON.stringify(v)}`);
        }
        levels[v.slice(0, eq)] = level(v.slice(eq + 1));
        break;
      }
      case '--default-pss': defaultLevel = level(value()); break;
      case '--default-namespace': defaultNamespace = value(); break;
      case '--kubernetes-version': {
        kubernetesVersion = value();
        if (!(KUBERNETES_VERSIONS as readonly string[]).includes(kubernetesVersion)) {
          throw new UsageError(`unknown Kubernetes version ${JSON.stringify(kubernetesVersion)}: use one of ${KUBERNETES_VERSIONS.join(', ')}`);
        }
        break;
      }
      default:
        if (arg.startsWith('-')) {
          throw new UsageError(`unknown option ${arg}`);
        }
        paths.push(arg);
    }
  }
  if (paths.length === 0) {
    throw new UsageError('no file or directory given');
  }
  const unknownRules = disabled.filter((id) => !POLICY_RULES.some((r) => r.id === id));
  if (unknownRules.length > 0) {
    throw new UsageError(`unknown rule(s) ${unknownRules.join(', ')}`);
  }

  const items = readManifests(paths);
  const options: PolicyOptions = {
    disabledRules: disabled, external, podSecurityLevels: levels, warningsAsErrors, strictReferences,
    ...(defaultLevel ? { defaultPodSecurityLevel: defaultLevel } : {}),
    ...(defaultNamespace ? { defaultNamespace } : {}),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  };
  const result = clusters
    ? checkClusters(items, (i) => clusterOf(paths, i.source?.file ?? ''), options)
    : checkSourcedManifests(items, options);
  if (format === 'json') {
    io.stdout(JSON.stringify({ ...result, objects: items.length }, null, 2) + '\n');
  } else if (format === 'sarif') {
    io.stdout(JSON.stringify(toSarif(result), null, 2) + '\n');
  } else {
    if (result.findings.length > 0) {
      io.stdout(formatFindings(result.findings) + '\n\n');
    }
    io.stdout(`policy gate ${result.passed ? 'passed' : 'failed'}: ${items.length} objects, ${formatSummary(result)}\n`);
  }
  return result.passed ? PolicyExitCode.PASSED : PolicyExitCode.FAILED;
}

/** With --clusters: the top-level folder of the directory argument a file was found in; a file argument is a cluster of its own. */
function clusterOf(paths: readonly string[], file: string): string {
  const dir = paths.find((p) => file.startsWith(`${p.replace(/\/+$/, '')}${path.sep}`));
  return dir === undefined ? file : clusterFolderOf(dir, file);
}

function level(value: string): PodSecurityLevel {
  const levels = Object.values(PodSecurityLevel) as string[];
  if (!levels.includes(value)) {
    throw new UsageError(`unknown Pod Security level ${JSON.stringify(value)}: use ${levels.join(', ')}`);
  }
  return value as PodSecurityLevel;
}

/** Reads YAML documents from files and directories (recursively, *.yaml and *.yml), in sorted order. */
function readManifests(paths: readonly string[]): SourcedManifest[] {
  const files: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      files.push(...yamlFilesIn(p));
    } else {
      files.push(p);
    }
  }
  const items: SourcedManifest[] = [];
  for (const file of files) {
    try {
      items.push(...parseManifestFile(file, fs.readFileSync(file, 'utf8')));
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  return items;
}
