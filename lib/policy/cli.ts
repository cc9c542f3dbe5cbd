import * as fs from 'fs';
import * as path from 'path';
import { yamlLib } from '../common/yaml';
import { checkSourcedManifests, SourcedManifest } from './check';
import { formatFindings, formatSummary } from './format';
import { KUBERNETES_VERSIONS } from '../common/kubernetes-version';
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
  --json                     print the result as JSON
  --warnings-as-errors       fail on warnings too
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
  let json = false;
  let warningsAsErrors = false;
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
      case '--json': json = true; break;
      case '--warnings-as-errors': warningsAsErrors = true; break;
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
    disabledRules: disabled, external, podSecurityLevels: levels, warningsAsErrors,
    ...(defaultLevel ? { defaultPodSecurityLevel: defaultLevel } : {}),
    ...(defaultNamespace ? { defaultNamespace } : {}),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  };
  const result = checkSourcedManifests(items, options);
  if (json) {
    io.stdout(JSON.stringify({ ...result, objects: items.length }, null, 2) + '\n');
  } else {
    if (result.findings.length > 0) {
      io.stdout(formatFindings(result.findings) + '\n\n');
    }
    io.stdout(`policy gate ${result.passed ? 'passed' : 'failed'}: ${items.length} objects, ${formatSummary(result)}\n`);
  }
  return result.passed ? PolicyExitCode.PASSED : PolicyExitCode.FAILED;
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
    const docs = yamlLib().parseAllDocuments(fs.readFileSync(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        throw new UsageError(`${file}: document ${index} is not valid YAML: ${doc.errors[0].message}`);
      }
      items.push({ manifest: doc.toJS(), source: { file, index } });
    });
  }
  return items;
}

function yamlFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...yamlFilesIn(p));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(p);
    }
  }
  return out;
}
