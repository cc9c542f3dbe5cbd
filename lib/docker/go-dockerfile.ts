import * as fs from 'fs';
import * as path from 'path';
// Plain helpers only: this module must load without cdk8s or constructs.
import { fail, show } from '../common/errors';
import { validatePinnedImage } from '../common/images';
import { validateDistinct, validatePort } from '../common/validate';
import { blank, comment, DockerfileLine, execInstruction, instruction, quoteValue, renderDockerfile } from './dockerfile-model';
import { RuntimeImage, RuntimeImageKind } from './runtime-image';

/**
 * The parts of a resolved service description a Dockerfile needs. The
 * `GoServiceSettings` that `resolveGoService` returns (and `GoMicroservice`
 * publishes as `settings`) satisfies it, so the image exposes exactly the ports
 * the probes and Services use.
 */
export interface GoDockerfileService {
  /** Service name; the default binary name. */
  readonly name: string;
  /** Container ports, in the service's order. */
  readonly ports: ReadonlyArray<{ readonly number: number }>;
}

/** Props of a `GoDockerfile`. */
export interface GoDockerfileProps {
  /**
   * The resolved service description: the binary name and the exposed ports
   * come from it.
   * @default - none: set `name` (and `ports` when the service does not listen on 8080)
   */
  readonly service?: GoDockerfileService;

  /**
   * Name of the binary, `/app/<name>` in the image.
   * @default - the service's name; required when no `service` is given
   */
  readonly name?: string;

  /**
   * The `main` package to build, relative to the module root.
   * @default `./cmd/<name>`
   */
  readonly mainPackage?: string;

  /**
   * Go release of the builder image, `1.N` or `1.N.P`.
   * @default '1.25'
   */
  readonly goVersion?: string;

  /**
   * Builder base image, pinned by tag or digest: the default of the
   * `GO_IMAGE` build argument, so a build can point it at a mirror. It must
   * provide `go`, and for `RuntimeImage.scratch()` also
   * `/etc/ssl/certs/ca-certificates.crt` and `/usr/share/zoneinfo`.
   * @default `golang:<goVersion>-bookworm`
   */
  readonly builderImage?: string;

  /**
   * Base of the final stage. Its image is the default of the `RUNTIME_IMAGE`
   * build argument.
   * @default RuntimeImage.distroless()
   */
  readonly runtime?: RuntimeImage;

  /**
   * Ports to `EXPOSE`, when no `service` is given.
   * @default - the service's ports, or [8080] without a service
   */
  readonly ports?: number[];

  /**
   * `GOOS` when the builder does not set `TARGETOS` (BuildKit sets it from `--platform`).
   * @default 'linux'
   */
  readonly targetOs?: string;

  /**
   * `GOARCH` when the builder does not set `TARGETARCH` (BuildKit sets it from `--platform`).
   * @default 'amd64'
   */
  readonly targetArch?: string;

  /**
   * Package whose `version` and `revision` string variables receive the
   * `VERSION` and `REVISION` build arguments through `-ldflags -X`.
   * @default 'main'
   */
  readonly versionPackage?: string;

  /**
   * BuildKit cache mounts for the module cache and the build cache.
   * @default true
   */
  readonly cacheMounts?: boolean;

  /**
   * `org.opencontainers.image.description`.
   * @default - no description label
   */
  readonly description?: string;

  /**
   * `org.opencontainers.image.source`: URL of the source repository.
   * @default - no source label
   */
  readonly source?: string;

  /**
   * `org.opencontainers.image.licenses`: an SPDX expression.
   * @default - no licenses label
   */
  readonly licenses?: string;

  /**
   * More image labels, in the caller's order, after the OCI labels.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * More `.dockerignore` patterns, after the defaults.
   * @default - none
   */
  readonly dockerignore?: string[];
}

/** Defaults of `GoDockerfileProps`, in one place. */
export const GO_DOCKERFILE_DEFAULTS = {
  goVersion: '1.25',
  port: 8080,
  targetOs: 'linux',
  targetArch: 'amd64',
  versionPackage: 'main',
  /** UID and GID the image runs as: the distroless `nonroot` user. */
  user: 65532,
  /** The folder of the binary in the image. */
  binaryDir: '/app',
} as const;

/** Names of the build arguments a generated Dockerfile reads. */
export const GO_DOCKERFILE_BUILD_ARGS = {
  /** Builder base image. */
  goImage: 'GO_IMAGE',
  /** Runtime base image (not for `scratch`). */
  runtimeImage: 'RUNTIME_IMAGE',
  /** Version stamped into the binary and the `version` label. */
  version: 'VERSION',
  /** VCS revision stamped into the binary and the `revision` label. */
  revision: 'REVISION',
} as const;

const GO_VERSION = /^1\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$/;
const BINARY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PLATFORM_WORD = /^[a-z0-9]+$/;
const GO_PACKAGE = /^[A-Za-z0-9_.~/-]+$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

const MOD_CACHE = '/go/pkg/mod';
const BUILD_CACHE = '/root/.cache/go-build';

/**
 * First words of every file `GoDockerfile` writes. `write()` replaces an
 * existing `Dockerfile` or `.dockerignore` only when its first line starts with
 * them (or when told to with `overwrite`).
 */
export const GENERATED_FILE_MARKER = '# Generated by cdk8s-go-platform';

/** Options of `GoDockerfile.write()` and `LocalDockerStack.writeDockerfiles()`. */
export interface DockerfileWriteOptions {
  /**
   * Replace a `Dockerfile` or `.dockerignore` that cdk8s-go-platform did not
   * write (one whose first line does not start with `GENERATED_FILE_MARKER`).
   * Files it wrote itself are always replaced.
   * @default false - such a file stops the write with an error and nothing is written
   */
  readonly overwrite?: boolean;
}

/** Patterns every generated `.dockerignore` starts with. */
const DOCKERIGNORE = [
  `${GENERATED_FILE_MARKER} (GoDockerfile).`,
  '# Only go.mod, go.sum and the Go sources belong in the build context.',
  '.git',
  '.github',
  '.idea',
  '.vscode',
  '**/.DS_Store',
  '.env',
  '.env.*',
  '*.tfstate',
  '*.tfstate.*',
  '.terraform',
  'Dockerfile',
  '.dockerignore',
  'bin/',
  'dist/',
  'node_modules/',
  'coverage.out',
  '**/*_test.go',
  '**/testdata/',
];

/**
 * The error message for files a write would replace that were not generated.
 * @internal
 */
export function unmarkedFilesMessage(prop: string, files: readonly string[]): string {
  return `${prop} (${show(files)}) would replace files cdk8s-go-platform did not write (their first line is not "${GENERATED_FILE_MARKER} ..."): move them away or pass { overwrite: true }`;
}

/**
 * A production Dockerfile and `.dockerignore` for a Go module.
 *
 * A builder stage compiles a static binary (`CGO_ENABLED=0`, `-trimpath`,
 * `-ldflags "-s -w"` and version stamping) with the dependency layer and the
 * BuildKit caches reused between builds; a runtime stage on distroless,
 * scratch or alpine runs it as UID 65532. The text is rendered from a
 * structured list of instructions. Plain TypeScript: needs no cdk8s.
 *
 * @example
 * const dockerfile = new GoDockerfile({ service: orders.settings, runtime: RuntimeImage.scratch() });
 * dockerfile.write('services/orders');
 */
export class GoDockerfile {
  /** Name of the binary. */
  public readonly name: string;
  /** The `main` package that is built. */
  public readonly mainPackage: string;
  /** Go release of the default builder image. */
  public readonly goVersion: string;
  /** Default of the `GO_IMAGE` build argument. */
  public readonly builderImage: string;
  /** The runtime stage. */
  public readonly runtime: RuntimeImage;
  /** Exposed ports. */
  public readonly ports: number[];
  /** Path of the binary in the image; the `ENTRYPOINT`. */
  public readonly binaryPath: string;
  /** UID and GID the container runs as. */
  public readonly user: number;
  /** The Dockerfile text. */
  public readonly dockerfile: string;
  /** The `.dockerignore` text. */
  public readonly dockerignore: string;

  /** The instructions the text is rendered from. @internal */
  public readonly _lines: DockerfileLine[];

  constructor(props: GoDockerfileProps) {
    const name = props.name ?? props.service?.name;
    if (name === undefined) {
      fail('GoDockerfile', 'name (undefined) is required when no service is given: the name of the binary, e.g. "orders"');
    }
    if (typeof name !== 'string' || !BINARY_NAME.test(name)) {
      fail('GoDockerfile', `name (${show(name)}) must be a file name: letters, digits, '.', '_' and '-', starting with a letter or digit`);
    }
    const where = `GoDockerfile/${name}`;

    const mainPackage = props.mainPackage ?? `./cmd/${name}`;
    if (typeof mainPackage !== 'string' || mainPackage.trim() === '') {
      fail(where, `mainPackage (${show(mainPackage)}) must not be empty: use the path of the main package, e.g. "./cmd/${name}"`);
    }
    if (!GO_PACKAGE.test(mainPackage)) {
      fail(where, `mainPackage (${show(mainPackage)}) must be a Go package path without spaces or quotes, e.g. "./cmd/${name}"`);
    }

    if (props.goVersion !== undefined && props.builderImage !== undefined) {
      fail(where, `goVersion (${show(props.goVersion)}) has no effect when builderImage is set: remove one of them`);
    }
    const goVersion = props.goVersion ?? GO_DOCKERFILE_DEFAULTS.goVersion;
    if (typeof goVersion !== 'string' || !GO_VERSION.test(goVersion)) {
      fail(where, `goVersion (${show(goVersion)}) is not a Go release: use "1.N" or "1.N.P", e.g. "1.25" or "1.25.3"`);
    }
    const builderImage = props.builderImage ?? `golang:${goVersion}-bookworm`;
    validatePinnedImage(where, 'builderImage', builderImage);

    const runtime = props.runtime ?? RuntimeImage.distroless();
    if (runtime.image !== undefined) {
      validatePinnedImage(where, 'runtime.image', runtime.image);
    }

    if (props.service !== undefined && props.ports !== undefined) {
      fail(where, `ports (${show(props.ports)}) has no effect when service is given: the service's ports are exposed`);
    }
    const ports = props.service
      ? props.service.ports.map((p) => p.number)
      : [...(props.ports ?? [GO_DOCKERFILE_DEFAULTS.port])];
    ports.forEach((port, i) => validatePort(where, `ports[${i}]`, port));
    validateDistinct(where, 'exposed port', ports.map((port, i) => [`ports[${i}]`, port]));

    const targetOs = props.targetOs ?? GO_DOCKERFILE_DEFAULTS.targetOs;
    const targetArch = props.targetArch ?? GO_DOCKERFILE_DEFAULTS.targetArch;
    if (!PLATFORM_WORD.test(targetOs)) {
      fail(where, `targetOs (${show(targetOs)}) must be a GOOS value such as "linux"`);
    }
    if (!PLATFORM_WORD.test(targetArch)) {
      fail(where, `targetArch (${show(targetArch)}) must be a GOARCH value such as "amd64" or "arm64"`);
    }
    const versionPackage = props.versionPackage ?? GO_DOCKERFILE_DEFAULTS.versionPackage;
    if (!GO_PACKAGE.test(versionPackage)) {
      fail(where, `versionPackage (${show(versionPackage)}) must be a Go import path such as "main" or "example.com/orders/internal/build"`);
    }

    const labels = this.labels(where, name, props);

    this.name = name;
    this.mainPackage = mainPackage;
    this.goVersion = goVersion;
    this.builderImage = builderImage;
    this.runtime = runtime;
    this.ports = ports;
    this.binaryPath = `${GO_DOCKERFILE_DEFAULTS.binaryDir}/${name}`;
    this.user = GO_DOCKERFILE_DEFAULTS.user;

    this._lines = [
      ...this.header(),
      blank(),
      ...this.buildStage({ cacheMounts: props.cacheMounts ?? true, targetOs, targetArch, versionPackage }),
      blank(),
      ...this.runtimeStage(labels),
    ];
    this.dockerfile = renderDockerfile(this._lines);
    this.dockerignore = `${[...DOCKERIGNORE, ...(props.dockerignore ?? [])].join('\n')}\n`;
  }

  /**
   * Writes `Dockerfile` and `.dockerignore` into `directory` (the build
   * context, usually the module root) and returns their paths.
   *
   * An existing file is replaced only when cdk8s-go-platform wrote it (its
   * first line starts with `GENERATED_FILE_MARKER`); any other file stops the
   * write with an error before anything is written, unless `overwrite` is set.
   */
  public write(directory: string, options: DockerfileWriteOptions = {}): string[] {
    if (options.overwrite !== true) {
      const foreign = this._unmarkedFiles(directory);
      if (foreign.length > 0) {
        fail('GoDockerfile', unmarkedFilesMessage('write', foreign));
      }
    }
    const files = this.files(directory);
    fs.mkdirSync(directory, { recursive: true });
    for (const [file, text] of files) {
      fs.writeFileSync(file, text);
    }
    return files.map(([file]) => file);
  }

  /**
   * The files `write(directory)` would replace that cdk8s-go-platform did not
   * write.
   * @internal
   */
  public _unmarkedFiles(directory: string): string[] {
    return this.files(directory)
      .map(([file]) => file)
      .filter((file) => fs.existsSync(file) && !fs.readFileSync(file, 'utf8').startsWith(GENERATED_FILE_MARKER));
  }

  private files(directory: string): Array<[string, string]> {
    return [
      [path.join(directory, 'Dockerfile'), this.dockerfile],
      [path.join(directory, '.dockerignore'), this.dockerignore],
    ];
  }

  private header(): DockerfileLine[] {
    const args = GO_DOCKERFILE_BUILD_ARGS;
    const lines: DockerfileLine[] = [
      comment(`Generated by cdk8s-go-platform (GoDockerfile). Needs BuildKit.`),
      comment(`Base images are build arguments: point them at a mirror or pin a digest with --build-arg.`),
      instruction('ARG', [`${args.goImage}=${this.builderImage}`]),
    ];
    if (this.runtime.image !== undefined) {
      lines.push(instruction('ARG', [`${args.runtimeImage}=${this.runtime.image}`]));
    }
    return lines;
  }

  private buildStage(o: { cacheMounts: boolean; targetOs: string; targetArch: string; versionPackage: string }): DockerfileLine[] {
    const args = GO_DOCKERFILE_BUILD_ARGS;
    const modCache = o.cacheMounts ? [`--mount=type=cache,target=${MOD_CACHE}`] : [];
    const buildCache = o.cacheMounts ? [...modCache, `--mount=type=cache,target=${BUILD_CACHE}`] : [];
    const ldflags = [
      '-s',
      '-w',
      `-X ${o.versionPackage}.version=\${${args.version}}`,
      `-X ${o.versionPackage}.revision=\${${args.revision}}`,
    ].join(' ');
    const lines: DockerfileLine[] = [
      comment('Build stage: a static binary, compiled on the build platform for the target platform.'),
      instruction('FROM', ['--platform=$BUILDPLATFORM', `\${${args.goImage}}`, 'AS', 'build']),
      instruction('WORKDIR', ['/src']),
      instruction('ENV', [`CGO_ENABLED=0`, `GOTOOLCHAIN=local`, `GOMODCACHE=${MOD_CACHE}`, `GOCACHE=${BUILD_CACHE}`]),
    ];
    if (this.runtime.kind === RuntimeImageKind.SCRATCH) {
      const uid = GO_DOCKERFILE_DEFAULTS.user;
      lines.push(
        comment('scratch has no users: write the passwd and group entries of the non-root user.'),
        instruction('RUN', [
          'mkdir -p /rootfs/etc',
          `&& echo 'nonroot:x:${uid}:${uid}:nonroot:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd`,
          `&& echo 'nonroot:x:${uid}:' > /rootfs/etc/group`,
        ], { continuation: true }),
      );
    }
    lines.push(
      comment('Dependencies first, so this layer is reused until go.mod or go.sum change.'),
      instruction('COPY', ['go.mod', 'go.sum*', './']),
      instruction('RUN', ['go mod download'], { flags: modCache }),
      instruction('COPY', ['.', '.']),
      instruction('ARG', [`TARGETOS=${o.targetOs}`]),
      instruction('ARG', [`TARGETARCH=${o.targetArch}`]),
      instruction('ARG', [`${args.version}=dev`]),
      instruction('ARG', [`${args.revision}=unknown`]),
      instruction('RUN', [
        'GOOS=${TARGETOS} GOARCH=${TARGETARCH}',
        `go build -trimpath -ldflags="${ldflags}"`,
        `-o /out/${this.name} ${this.mainPackage}`,
      ], { flags: buildCache, continuation: true }),
    );
    return lines;
  }

  private runtimeStage(labels: Array<[string, string]>): DockerfileLine[] {
    const args = GO_DOCKERFILE_BUILD_ARGS;
    const uid = GO_DOCKERFILE_DEFAULTS.user;
    const lines: DockerfileLine[] = [];
    switch (this.runtime.kind) {
      case RuntimeImageKind.DISTROLESS:
        lines.push(
          comment('Runtime stage: distroless static, nonroot. CA certificates and time zones included; no shell.'),
          instruction('FROM', [`\${${args.runtimeImage}}`]),
        );
        break;
      case RuntimeImageKind.SCRATCH:
        lines.push(comment('Runtime stage: scratch with CA certificates, time zone data and the non-root user.'), instruction('FROM', ['scratch']));
        break;
      case RuntimeImageKind.ALPINE:
        lines.push(comment('Runtime stage: alpine with CA certificates, time zones and a non-root user.'), instruction('FROM', [`\${${args.runtimeImage}}`]));
        break;
    }
    lines.push(
      instruction('ARG', [`${args.version}=dev`]),
      instruction('ARG', [`${args.revision}=unknown`]),
      instruction('LABEL', labels.map(([k, v]) => `${k}=${quoteValue(v)}`), { continuation: true }),
    );
    switch (this.runtime.kind) {
      case RuntimeImageKind.SCRATCH:
        lines.push(
          instruction('COPY', ['--from=build', '/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/ca-certificates.crt']),
          instruction('COPY', ['--from=build', '/usr/share/zoneinfo', '/usr/share/zoneinfo']),
          instruction('COPY', ['--from=build', '/rootfs/etc/passwd', '/rootfs/etc/group', '/etc/']),
        );
        break;
      case RuntimeImageKind.ALPINE:
        lines.push(instruction('RUN', [
          'apk add --no-cache ca-certificates tzdata',
          `&& addgroup -S -g ${uid} nonroot`,
          `&& adduser -S -D -H -u ${uid} -G nonroot -h /nonexistent -s /sbin/nologin nonroot`,
        ], { continuation: true }));
        break;
      case RuntimeImageKind.DISTROLESS:
        break;
    }
    lines.push(
      instruction('COPY', ['--from=build', `/out/${this.name}`, this.binaryPath]),
      instruction('USER', [`${uid}:${uid}`]),
      instruction('EXPOSE', this.ports.map(String)),
      execInstruction('ENTRYPOINT', [this.binaryPath]),
    );
    return lines;
  }

  private labels(where: string, name: string, props: GoDockerfileProps): Array<[string, string]> {
    const args = GO_DOCKERFILE_BUILD_ARGS;
    const labels: Array<[string, string]> = [
      ['org.opencontainers.image.title', name],
      ['org.opencontainers.image.version', `\${${args.version}}`],
      ['org.opencontainers.image.revision', `\${${args.revision}}`],
    ];
    const optional: Array<[string, string, string | undefined]> = [
      ['description', 'org.opencontainers.image.description', props.description],
      ['source', 'org.opencontainers.image.source', props.source],
      ['licenses', 'org.opencontainers.image.licenses', props.licenses],
    ];
    for (const [prop, key, value] of optional) {
      if (value !== undefined) {
        validateLabelValue(where, prop, value);
        labels.push([key, value]);
      }
    }
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      if (!LABEL_KEY.test(key)) {
        fail(where, `labels.${key} is not a label key: use letters, digits, '.', '_', '/' and '-'`);
      }
      if (labels.some(([k]) => k === key)) {
        fail(where, `labels.${key} (${show(value)}) is already set by the generator: set it through its own prop`);
      }
      validateLabelValue(where, `labels.${key}`, value);
      labels.push([key, value]);
    }
    return labels;
  }
}

function validateLabelValue(where: string, prop: string, value: string): void {
  if (typeof value !== 'string' || /[\n\r"\\]/.test(value)) {
    fail(where, `${prop} (${show(value)}) must be a single-line string without double quotes or backslashes`);
  }
}
