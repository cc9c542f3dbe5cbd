import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GO_DOCKERFILE_BUILD_ARGS, GO_DOCKERFILE_DEFAULTS, GoDockerfile, GoDockerfileProps, RUNTIME_IMAGE_DEFAULTS, RuntimeImage, RuntimeImageKind } from '../../lib/docker';
import { GO_SERVICE_DEFAULTS, GoMicroservice, resolveGoService } from '../../lib/go-microservice';
import { keywords, parseDockerfile, ParsedInstruction, withKeyword } from './parse';

const BUILD_KEYWORDS = ['WORKDIR', 'ENV', 'COPY', 'RUN', 'COPY', 'ARG', 'ARG', 'ARG', 'ARG', 'RUN'];

function line(i: ParsedInstruction): string {
  return [...i.flags, ...i.args].join(' ');
}

describe('GoDockerfile', () => {
  test('defaults: distroless runtime, Go 1.25 builder, port 8080, ./cmd/<name>', () => {
    // GIVEN / WHEN
    const dockerfile = new GoDockerfile({ name: 'orders' });
    const parsed = parseDockerfile(dockerfile.dockerfile);

    // THEN the effective settings
    expect(dockerfile.name).toBe('orders');
    expect(dockerfile.mainPackage).toBe('./cmd/orders');
    expect(dockerfile.goVersion).toBe('1.25');
    expect(dockerfile.builderImage).toBe('golang:1.25-bookworm');
    expect(dockerfile.runtime.kind).toBe(RuntimeImageKind.DISTROLESS);
    expect(dockerfile.runtime.image).toBe('gcr.io/distroless/static-debian12:nonroot');
    expect(dockerfile.ports).toEqual([8080]);
    expect(dockerfile.binaryPath).toBe('/app/orders');
    expect(dockerfile.user).toBe(65532);
    expect(GO_DOCKERFILE_DEFAULTS.user).toBe(GO_SERVICE_DEFAULTS.user);
    expect(GO_DOCKERFILE_DEFAULTS.port).toBe(GO_SERVICE_DEFAULTS.httpPort);

    // THEN base images are build arguments with pinned defaults
    expect(parsed.globalArgs).toEqual(['GO_IMAGE=golang:1.25-bookworm', 'RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot']);
    expect(parsed.stages.map((s) => [s.image, s.name, s.platform])).toEqual([
      ['${GO_IMAGE}', 'build', '$BUILDPLATFORM'],
      ['${RUNTIME_IMAGE}', undefined, undefined],
    ]);

    // THEN the builder caches dependencies before copying the sources
    const [build, runtime] = parsed.stages;
    expect(keywords(build)).toEqual(BUILD_KEYWORDS);
    expect(build.instructions.map(line)).toEqual([
      '/src',
      'CGO_ENABLED=0 GOTOOLCHAIN=local GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build',
      'go.mod go.sum* ./',
      '--mount=type=cache,target=/go/pkg/mod go mod download',
      '. .',
      'TARGETOS=linux',
      'TARGETARCH=amd64',
      'VERSION=dev',
      'REVISION=unknown',
      '--mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build '
        + 'GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath '
        + '-ldflags="-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" -o /out/orders ./cmd/orders',
    ]);

    // THEN the runtime stage copies only the binary and runs it as 65532
    expect(keywords(runtime)).toEqual(['ARG', 'ARG', 'LABEL', 'COPY', 'USER', 'EXPOSE', 'ENTRYPOINT']);
    expect(runtime.instructions.map(line)).toEqual([
      'VERSION=dev',
      'REVISION=unknown',
      'org.opencontainers.image.title=orders org.opencontainers.image.version=${VERSION} org.opencontainers.image.revision=${REVISION}',
      '--from=build /out/orders /app/orders',
      '65532:65532',
      '8080',
      '["/app/orders"]',
    ]);
    expect(dockerfile.dockerfile).toContain('ENTRYPOINT ["/app/orders"]\n');
    expect(dockerfile.dockerfile).toMatchSnapshot();
  });

  test('scratch: copies CA certificates, time zone data and a passwd entry for 65532', () => {
    const dockerfile = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.scratch() });
    const parsed = parseDockerfile(dockerfile.dockerfile);
    const [build, runtime] = parsed.stages;

    // No runtime image argument: scratch is not an image
    expect(parsed.globalArgs).toEqual(['GO_IMAGE=golang:1.25-bookworm']);
    expect(runtime.image).toBe('scratch');
    expect(dockerfile.runtime.image).toBeUndefined();

    // The builder writes the user entries before the dependency layer
    expect(keywords(build)).toEqual(['WORKDIR', 'ENV', 'RUN', ...BUILD_KEYWORDS.slice(2)]);
    expect(line(build.instructions[2])).toBe(
      "mkdir -p /rootfs/etc && echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd && echo 'nonroot:x:65532:' > /rootfs/etc/group",
    );

    expect(keywords(runtime)).toEqual(['ARG', 'ARG', 'LABEL', 'COPY', 'COPY', 'COPY', 'COPY', 'USER', 'EXPOSE', 'ENTRYPOINT']);
    expect(withKeyword(runtime, 'COPY').map(line)).toEqual([
      '--from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      '--from=build /usr/share/zoneinfo /usr/share/zoneinfo',
      '--from=build /rootfs/etc/passwd /rootfs/etc/group /etc/',
      '--from=build /out/orders /app/orders',
    ]);
    expect(line(withKeyword(runtime, 'USER')[0])).toBe('65532:65532');
    expect(dockerfile.dockerfile).toMatchSnapshot();
  });

  test('alpine: installs ca-certificates and tzdata and adds the non-root user', () => {
    const dockerfile = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.alpine() });
    const parsed = parseDockerfile(dockerfile.dockerfile);
    const runtime = parsed.stages[1];

    expect(parsed.globalArgs).toEqual(['GO_IMAGE=golang:1.25-bookworm', `RUNTIME_IMAGE=${RUNTIME_IMAGE_DEFAULTS.alpine}`]);
    expect(RUNTIME_IMAGE_DEFAULTS.alpine).toBe('alpine:3.22');
    expect(runtime.image).toBe('${RUNTIME_IMAGE}');
    expect(keywords(runtime)).toEqual(['ARG', 'ARG', 'LABEL', 'RUN', 'COPY', 'USER', 'EXPOSE', 'ENTRYPOINT']);
    expect(line(withKeyword(runtime, 'RUN')[0])).toBe(
      'apk add --no-cache ca-certificates tzdata && addgroup -S -g 65532 nonroot '
        + '&& adduser -S -D -H -u 65532 -G nonroot -h /nonexistent -s /sbin/nologin nonroot',
    );
    expect(line(withKeyword(runtime, 'USER')[0])).toBe('65532:65532');
    expect(dockerfile.dockerfile).toMatchSnapshot();
  });

  test('runtime images can point at a mirror or a digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const distroless = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.distroless(`mirror.example.com/distroless/static@${digest}`) });
    const alpine = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.alpine('mirror.example.com/library/alpine:3.21.3') });
    expect(parseDockerfile(distroless.dockerfile).globalArgs[1]).toBe(`RUNTIME_IMAGE=mirror.example.com/distroless/static@${digest}`);
    expect(parseDockerfile(alpine.dockerfile).globalArgs[1]).toBe('RUNTIME_IMAGE=mirror.example.com/library/alpine:3.21.3');
  });

  test('ports and name come from the shared service description', () => {
    // GIVEN the description a GoMicroservice is built from
    const chart = Testing.chart();
    const settings = resolveGoService(chart, { image: 'registry.example.com/shop/payments:2.9.7', grpcPort: 9090, metricsPort: 9102, healthPort: 8081 }, 'payments');

    // WHEN
    const dockerfile = new GoDockerfile({ service: settings });
    const runtime = parseDockerfile(dockerfile.dockerfile).stages[1];

    // THEN every container port is exposed, in the service's order
    expect(dockerfile.name).toBe('payments');
    expect(dockerfile.ports).toEqual([8080, 9090, 9102, 8081]);
    expect(line(withKeyword(runtime, 'EXPOSE')[0])).toBe('8080 9090 9102 8081');
    expect(line(withKeyword(runtime, 'ENTRYPOINT')[0])).toBe('["/app/payments"]');
  });

  test('a GoMicroservice publishes the settings the generator reads', () => {
    const chart = Testing.chart();
    const orders = new GoMicroservice(chart, 'orders', { image: 'registry.example.com/shop/orders:1.4.2', httpPort: 8000 });
    const dockerfile = new GoDockerfile({ service: orders.settings, name: 'orders-server', mainPackage: './cmd/server' });
    const build = parseDockerfile(dockerfile.dockerfile).stages[0];
    expect(dockerfile.ports).toEqual([8000]);
    expect(line(withKeyword(build, 'RUN')[1])).toMatch(/ -o \/out\/orders-server \.\/cmd\/server$/);
  });

  test('every prop', () => {
    const props: Required<Omit<GoDockerfileProps, 'service' | 'goVersion'>> = {
      name: 'orders',
      mainPackage: './services/orders',
      builderImage: 'mirror.example.com/library/golang:1.24.6-bookworm',
      runtime: RuntimeImage.distroless(),
      ports: [8080, 9090],
      targetOs: 'linux',
      targetArch: 'arm64',
      versionPackage: 'example.com/orders/internal/build',
      cacheMounts: false,
      description: 'Orders API',
      source: 'https://github.com/example/orders',
      licenses: 'Apache-2.0',
      labels: { 'com.example.team': 'checkout' },
      dockerignore: ['docs/', '*.md'],
    };
    const dockerfile = new GoDockerfile(props);
    const parsed = parseDockerfile(dockerfile.dockerfile);
    const [build, runtime] = parsed.stages;

    expect(parsed.globalArgs[0]).toBe('GO_IMAGE=mirror.example.com/library/golang:1.24.6-bookworm');
    // No cache mounts: no flags on RUN
    expect(withKeyword(build, 'RUN').map((i) => i.flags)).toEqual([[], []]);
    expect(withKeyword(build, 'ARG').map(line)).toEqual(['TARGETOS=linux', 'TARGETARCH=arm64', 'VERSION=dev', 'REVISION=unknown']);
    expect(line(withKeyword(build, 'RUN')[1])).toBe(
      'GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath '
        + '-ldflags="-s -w -X example.com/orders/internal/build.version=${VERSION} -X example.com/orders/internal/build.revision=${REVISION}" '
        + '-o /out/orders ./services/orders',
    );
    expect(withKeyword(runtime, 'LABEL')[0].args).toEqual([
      'org.opencontainers.image.title=orders',
      'org.opencontainers.image.version=${VERSION}',
      'org.opencontainers.image.revision=${REVISION}',
      'org.opencontainers.image.description=Orders API',
      'org.opencontainers.image.source=https://github.com/example/orders',
      'org.opencontainers.image.licenses=Apache-2.0',
      'com.example.team=checkout',
    ]);
    expect(line(withKeyword(runtime, 'EXPOSE')[0])).toBe('8080 9090');
    expect(dockerfile.dockerignore.split('\n').slice(-3)).toEqual(['docs/', '*.md', '']);
  });

  test('.dockerignore keeps VCS, secrets, tests and build output out of the context', () => {
    const ignore = new GoDockerfile({ name: 'orders' }).dockerignore.split('\n');
    for (const pattern of ['.git', '.env', '.env.*', '**/*_test.go', 'dist/', 'bin/', 'Dockerfile', '.dockerignore']) {
      expect(ignore).toContain(pattern);
    }
    expect(ignore).not.toContain('go.sum');
    expect(ignore).not.toContain('vendor/');
  });

  test('the build arguments are named in one place', () => {
    expect(GO_DOCKERFILE_BUILD_ARGS).toEqual({ goImage: 'GO_IMAGE', runtimeImage: 'RUNTIME_IMAGE', version: 'VERSION', revision: 'REVISION' });
  });

  test('output is deterministic', () => {
    const a = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.scratch() });
    const b = new GoDockerfile({ name: 'orders', runtime: RuntimeImage.scratch() });
    expect(a.dockerfile).toBe(b.dockerfile);
    expect(a.dockerignore).toBe(b.dockerignore);
  });

  test('write() puts Dockerfile and .dockerignore into the build context', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'go-dockerfile-'));
    try {
      const dockerfile = new GoDockerfile({ name: 'orders' });
      const files = dockerfile.write(path.join(dir, 'orders'));
      expect(files).toEqual([path.join(dir, 'orders', 'Dockerfile'), path.join(dir, 'orders', '.dockerignore')]);
      expect(fs.readFileSync(files[0], 'utf8')).toBe(dockerfile.dockerfile);
      expect(fs.readFileSync(files[1], 'utf8')).toBe(dockerfile.dockerignore);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('loads without cdk8s or constructs', () => {
    jest.isolateModules(() => {
      jest.doMock('cdk8s', () => {
        throw new Error('lib/docker must not load cdk8s');
      });
      jest.doMock('constructs', () => {
        throw new Error('lib/docker must not load constructs');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const docker = require('../../lib/docker') as typeof import('../../lib/docker');
      expect(new docker.GoDockerfile({ name: 'orders' }).dockerfile).toContain('FROM ${RUNTIME_IMAGE}');
    });
  });
});
