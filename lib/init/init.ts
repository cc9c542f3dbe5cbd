import * as fs from 'fs';
import * as path from 'path';
import { initFiles, InitFile, InitVersions } from './templates';

/** Options of `initProject`. */
export interface InitOptions {
  /**
   * Write into a folder that is not empty. Files that already exist are never
   * replaced: they are kept as they are and reported in `skipped`.
   * @default false - a folder that is not empty is refused
   */
  readonly force?: boolean;

  /**
   * Package name of the new repo.
   * @default - the folder's name
   */
  readonly name?: string;
}

/** What `initProject` did. */
export interface InitResult {
  /** The target folder, absolute. */
  readonly directory: string;
  /** Files written, relative to the folder, in order. */
  readonly written: string[];
  /** Files that existed and were left as they were (only with `force`). */
  readonly skipped: string[];
}

/** Versions pinned by `init`: this package's version and the tested versions of its peers and tools. */
export function testedVersions(): InitVersions {
  const pkg = ownPackageJson();
  return { self: pkg.version, packages: { ...pkg.devDependencies } };
}

function ownPackageJson(): { version: string; devDependencies: Record<string, string> } {
  // lib/init in the sources, build/lib/init in the package.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'cdk8s-go-platform') {
        return pkg;
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`cdk8s-go-platform init: the package's package.json was not found above ${__dirname}`);
    }
  }
}

/** npm package names: lower case, URL-safe, at most 214 characters. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Scaffolds a platform repo in `directory` (created when missing): package.json
 * with the tested versions pinned, tsconfig.json, cdk8s.yaml with a
 * transpile-only app command and the policy gate, main.ts with a service, its
 * route and monitoring in two environments, a jest test, .gitignore and a
 * GitHub Actions workflow. Works offline.
 *
 * A folder that is not empty is refused unless `force` is set; even then no
 * existing file is replaced.
 */
export function initProject(directory: string, options: InitOptions = {}, versions: InitVersions = testedVersions()): InitResult {
  const dir = path.resolve(directory);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new InitError(`${dir} is not a folder`);
  }
  const name = options.name ?? path.basename(dir).toLowerCase();
  if (!PACKAGE_NAME.test(name) || name.length > 214) {
    throw new InitError(`package name ${JSON.stringify(name)} is not a valid npm package name: lower-case letters, digits, ".", "_" and "-"; pass --name`);
  }
  const existing = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (existing.length > 0 && options.force !== true) {
    throw new InitError(`${dir} is not empty (${existing.sort().slice(0, 5).join(', ')}${existing.length > 5 ? ', ...' : ''}): use an empty folder, or --force to add the files that are missing (existing files are kept)`);
  }
  const written: string[] = [];
  const skipped: string[] = [];
  for (const file of initFiles(name, versions)) {
    const target = path.join(dir, file.path);
    if (fs.existsSync(target)) {
      skipped.push(file.path);
      continue;
    }
    write(target, file);
    written.push(file.path);
  }
  return { directory: dir, written, skipped };
}

function write(target: string, file: InitFile): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // 'wx' fails instead of replacing a file that appeared in the meantime.
  fs.writeFileSync(target, file.text, { flag: 'wx' });
}

/** A refusal of `init`: bad arguments or a folder it will not write into. */
export class InitError extends Error {}

/** Where the command writes. */
export interface InitIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `Usage: cdk8s-go-platform init [options] [directory]

Scaffolds a platform repo (default: the current folder): package.json with the
tested versions of cdk8s, cdk8s-plus-27 and the tools, tsconfig.json, cdk8s.yaml
with the policy gate, main.ts (a service, its HTTPS route and monitoring in
staging and production), a jest snapshot test, .gitignore and a GitHub Actions
workflow. Nothing is downloaded.

Options:
  --force          write into a folder that is not empty: only missing files
                   are written, existing files are kept as they are
  --name <name>    package name (default: the folder's name)
  -h, --help       show this help
`;

/** `cdk8s-go-platform init`: returns the exit code (0 done, 2 refused or bad arguments). */
export function runInit(argv: readonly string[], io: InitIo, cwd: string = process.cwd()): number {
  let force = false;
  let name: string | undefined;
  const positional: string[] = [];
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '-h' || arg === '--help') {
        io.stdout(USAGE);
        return 0;
      } else if (arg === '--force') {
        force = true;
      } else if (arg === '--name') {
        name = argv[++i];
        if (name === undefined) {
          throw new InitError('--name needs a value');
        }
      } else if (arg.startsWith('-')) {
        throw new InitError(`unknown option ${JSON.stringify(arg)}`);
      } else {
        positional.push(arg);
      }
    }
    if (positional.length > 1) {
      throw new InitError(`one directory expected, got ${positional.length}: ${positional.join(' ')}`);
    }
    const result = initProject(path.resolve(cwd, positional[0] ?? '.'), { force, name });
    const lines = [
      ...result.written.map((f) => `  created ${f}`),
      ...result.skipped.map((f) => `  kept    ${f} (exists; not replaced)`),
    ];
    const rel = path.relative(cwd, result.directory) || '.';
    io.stdout(`Platform repo in ${result.directory}:\n${lines.join('\n')}\n
Next:
  cd ${rel}
  npm install
  npm test           # writes the first snapshot: commit __snapshots__/
  npm run synth      # dist/staging and dist/production, checked by the policy gate
  npm run gate       # what CI runs on dist/
`);
    if (result.skipped.length > 0) {
      io.stdout(`\nExisting files were kept: compare them with what init writes (run it in an empty folder) and merge by hand.\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof InitError) {
      io.stderr(`cdk8s-go-platform init: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
