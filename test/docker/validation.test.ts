import { GoDockerfile, RuntimeImage } from '../../lib/docker';

describe('GoDockerfile validation', () => {
  test('throws when neither name nor service is given', () => {
    expect(() => new GoDockerfile({})).toThrow(
      '[GoDockerfile] name (undefined) is required when no service is given: the name of the binary, e.g. "orders"',
    );
  });

  test('throws when the name is not a file name', () => {
    expect(() => new GoDockerfile({ name: '../orders' })).toThrow(
      `[GoDockerfile] name ("../orders") must be a file name: letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
  });

  test('throws when the main package path is empty', () => {
    expect(() => new GoDockerfile({ name: 'orders', mainPackage: '' })).toThrow(
      '[GoDockerfile/orders] mainPackage ("") must not be empty: use the path of the main package, e.g. "./cmd/orders"',
    );
    expect(() => new GoDockerfile({ name: 'orders', mainPackage: '  ' })).toThrow(
      '[GoDockerfile/orders] mainPackage ("  ") must not be empty: use the path of the main package, e.g. "./cmd/orders"',
    );
  });

  test('throws when the main package path has spaces or quotes', () => {
    expect(() => new GoDockerfile({ name: 'orders', mainPackage: './cmd/my orders' })).toThrow(
      '[GoDockerfile/orders] mainPackage ("./cmd/my orders") must be a Go package path without spaces or quotes, e.g. "./cmd/orders"',
    );
  });

  test.each(['1.25rc1', '2.0', '1', 'go1.25', '1.25.x', '1.025', ''])('throws on the invalid Go version %p', (goVersion) => {
    expect(() => new GoDockerfile({ name: 'orders', goVersion })).toThrow(
      `[GoDockerfile/orders] goVersion (${JSON.stringify(goVersion)}) is not a Go release: use "1.N" or "1.N.P", e.g. "1.25" or "1.25.3"`,
    );
  });

  test('accepts 1.N and 1.N.P Go versions', () => {
    expect(new GoDockerfile({ name: 'orders', goVersion: '1.24' }).builderImage).toBe('golang:1.24-bookworm');
    expect(new GoDockerfile({ name: 'orders', goVersion: '1.25.3' }).builderImage).toBe('golang:1.25.3-bookworm');
  });

  test('throws when goVersion and builderImage are both set', () => {
    expect(() => new GoDockerfile({ name: 'orders', goVersion: '1.24', builderImage: 'golang:1.25-bookworm' })).toThrow(
      '[GoDockerfile/orders] goVersion ("1.24") has no effect when builderImage is set: remove one of them',
    );
  });

  test('throws on a builder image tagged latest', () => {
    expect(() => new GoDockerfile({ name: 'orders', builderImage: 'golang:latest' })).toThrow(
      '[GoDockerfile/orders] builderImage ("golang:latest") uses the mutable tag "latest": pin a version tag or a digest',
    );
  });

  test('throws on an unpinned builder image', () => {
    expect(() => new GoDockerfile({ name: 'orders', builderImage: 'mirror.example.com:5000/golang' })).toThrow(
      '[GoDockerfile/orders] builderImage ("mirror.example.com:5000/golang") has no tag or digest: pin a version tag or a digest',
    );
  });

  test('throws on an unpinned or latest runtime image', () => {
    expect(() => new GoDockerfile({ name: 'orders', runtime: RuntimeImage.distroless('gcr.io/distroless/static') })).toThrow(
      '[GoDockerfile/orders] runtime.image ("gcr.io/distroless/static") has no tag or digest: pin a version tag or a digest',
    );
    expect(() => new GoDockerfile({ name: 'orders', runtime: RuntimeImage.alpine('alpine:latest') })).toThrow(
      '[GoDockerfile/orders] runtime.image ("alpine:latest") uses the mutable tag "latest": pin a version tag or a digest',
    );
  });

  test('throws on an invalid digest', () => {
    expect(() => new GoDockerfile({ name: 'orders', runtime: RuntimeImage.distroless('gcr.io/distroless/static@sha256:abc') })).toThrow(
      '[GoDockerfile/orders] runtime.image ("gcr.io/distroless/static@sha256:abc") has an invalid digest: use @sha256: followed by 64 hex digits',
    );
  });

  test.each([0, 65536, 80.5, -1])('throws on the port %p', (port) => {
    expect(() => new GoDockerfile({ name: 'orders', ports: [8080, port] })).toThrow(
      `[GoDockerfile/orders] ports[1] (${port}) must be an integer from 1 to 65535`,
    );
  });

  test('throws on a duplicate port', () => {
    expect(() => new GoDockerfile({ name: 'orders', ports: [8080, 9090, 8080] })).toThrow(
      '[GoDockerfile/orders] ports[2] (8080) collides with ports[0]: each exposed port must be distinct',
    );
  });

  test('throws when ports are given with a service', () => {
    expect(() => new GoDockerfile({ service: { name: 'orders', ports: [{ number: 8080 }] }, ports: [9090] })).toThrow(
      '[GoDockerfile/orders] ports ([9090]) has no effect when service is given: the service\'s ports are exposed',
    );
  });

  test('throws on an invalid target platform', () => {
    expect(() => new GoDockerfile({ name: 'orders', targetOs: 'Linux' })).toThrow(
      '[GoDockerfile/orders] targetOs ("Linux") must be a GOOS value such as "linux"',
    );
    expect(() => new GoDockerfile({ name: 'orders', targetArch: 'x86-64' })).toThrow(
      '[GoDockerfile/orders] targetArch ("x86-64") must be a GOARCH value such as "amd64" or "arm64"',
    );
  });

  test('throws on an invalid version package', () => {
    expect(() => new GoDockerfile({ name: 'orders', versionPackage: 'main pkg' })).toThrow(
      '[GoDockerfile/orders] versionPackage ("main pkg") must be a Go import path such as "main" or "example.com/orders/internal/build"',
    );
  });

  test('throws on a label the generator sets', () => {
    expect(() => new GoDockerfile({ name: 'orders', labels: { 'org.opencontainers.image.version': '1.0.0' } })).toThrow(
      '[GoDockerfile/orders] labels.org.opencontainers.image.version ("1.0.0") is already set by the generator: set it through its own prop',
    );
  });

  test('throws on an invalid label key or value', () => {
    expect(() => new GoDockerfile({ name: 'orders', labels: { 'team name': 'x' } })).toThrow(
      `[GoDockerfile/orders] labels.team name is not a label key: use letters, digits, '.', '_', '/' and '-'`,
    );
    expect(() => new GoDockerfile({ name: 'orders', description: 'two\nlines' })).toThrow(
      '[GoDockerfile/orders] description ("two\\nlines") must be a single-line string without double quotes or backslashes',
    );
    expect(() => new GoDockerfile({ name: 'orders', labels: { team: 'say "hi"' } })).toThrow(
      '[GoDockerfile/orders] labels.team ("say \\"hi\\"") must be a single-line string without double quotes or backslashes',
    );
  });
});
