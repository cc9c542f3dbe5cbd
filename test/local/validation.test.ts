import { Duration } from 'cdk8s';
import { Testing } from 'cdktf';
import { Probe } from '../../lib/go-microservice';
import { LocalDockerStack, LocalDockerStackProps, LocalHealthCheck } from '../../lib/local';

function stack(props: LocalDockerStackProps): LocalDockerStack {
  return new LocalDockerStack(Testing.app(), 'local', props);
}

const orders = { name: 'orders', image: 'orders:1.4.2' };

describe('LocalDockerStack validation', () => {
  test('throws without services', () => {
    expect(() => stack({ services: [] })).toThrow('[local] services ([]) must list at least one service');
  });

  test('throws when the service has no name', () => {
    expect(() => stack({ services: [{ service: { image: 'orders:1.4.2' }, context: 'orders' }] })).toThrow(
      '[local] services[0].name (undefined) is required when service.name is not set',
    );
  });

  test('throws when both names are set', () => {
    expect(() => stack({ services: [{ service: orders, name: 'shop-orders', context: 'orders' }] })).toThrow(
      '[local] services[0].name ("shop-orders") has no effect when service.name ("orders") is set: remove one of them',
    );
  });

  test('throws on a duplicate service name', () => {
    expect(() => stack({ services: [{ service: orders, context: 'a' }, { service: orders, context: 'b', hostPorts: { http: 8081 } }] })).toThrow(
      '[local] services[1].name ("orders") is already used by another service: each service needs its own name',
    );
  });

  test('throws on an absolute or empty build context', () => {
    expect(() => stack({ services: [{ service: orders, context: '/home/me/orders' }] })).toThrow(
      '[local] services[0].context ("/home/me/orders") must be a relative path from the Terraform working directory to the Go module, e.g. "../../services/orders"',
    );
    expect(() => stack({ services: [{ service: orders, context: '' }] })).toThrow(
      '[local] services[0].context ("") must be a relative path from the Terraform working directory to the Go module, e.g. "../../services/orders"',
    );
  });

  test('reports errors of the service description with its path', () => {
    expect(() => stack({ services: [{ service: { name: 'orders', image: 'orders:latest' }, context: 'orders' }] })).toThrow(
      '[local/orders] image ("orders:latest") uses the mutable tag "latest": pin a version tag or a digest',
    );
  });

  test('reports errors of the Dockerfile options', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders', dockerfile: { goVersion: 'go1.25' } }] })).toThrow(
      '[GoDockerfile/orders] goVersion ("go1.25") is not a Go release: use "1.N" or "1.N.P", e.g. "1.25" or "1.25.3"',
    );
  });

  test('throws when two services publish the same host port', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders' }, { service: { name: 'users', image: 'users:2.0.3' }, context: 'users' }] })).toThrow(
      '[local] services[1].hostPorts.http (8080) is already published by orders (http): set hostPorts to a free port',
    );
  });

  test('throws when Prometheus takes a service\'s host port', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders', hostPorts: { http: 9090 } }], prometheus: {} })).toThrow(
      '[local] prometheus.hostPort (9090) is already published by orders (http): set hostPorts to a free port',
    );
  });

  test('throws on a host port out of range', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders', hostPorts: { http: 70000 } }] })).toThrow(
      '[local] services[0].hostPorts.http (70000) must be an integer from 1 to 65535',
    );
  });

  test('throws on a host port for a port the service does not have', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders', hostPorts: { grpc: 19090 } }] })).toThrow(
      '[local] services[0].hostPorts.grpc names no port of orders: use one of http',
    );
  });

  test('throws when the binary health check meets a gRPC readiness probe', () => {
    expect(() => stack({ services: [{ service: { ...orders, grpcPort: 9090, probes: { readiness: Probe.grpc() } }, context: 'orders' }] })).toThrow(
      '[local] services[0].healthCheck checks the readiness probe over HTTP, but orders uses a gRPC readiness probe: use LocalHealthCheck.command([...]) or LocalHealthCheck.none()',
    );
  });

  test('throws on a health check command without CMD', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders', healthCheck: LocalHealthCheck.command(['wget', 'http://127.0.0.1:8080/readyz']) }] })).toThrow(
      '[local] services[0].healthCheck (["wget","http://127.0.0.1:8080/readyz"]) must start with "CMD" or "CMD-SHELL", followed by the command',
    );
  });

  test('throws on an unpinned Prometheus image', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders' }], prometheus: { image: 'prom/prometheus' } })).toThrow(
      '[local] prometheus.image ("prom/prometheus") has no tag or digest: pin a version tag or a digest',
    );
  });

  test('throws when a service is named prometheus', () => {
    expect(() => stack({ services: [{ service: { name: 'prometheus', image: 'p:1.0.0' }, context: 'p' }], prometheus: { hostPort: 9091 } })).toThrow(
      '[local] prometheus is also the name of a service: rename the service or leave Prometheus off',
    );
  });

  test('throws on a scrape interval under a second', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders' }], prometheus: { scrapeInterval: Duration.seconds(0) } })).toThrow(
      '[local] prometheus.scrapeInterval (0s) must be at least 1s',
    );
  });

  test('throws on an invalid network name', () => {
    expect(() => stack({ services: [{ service: orders, context: 'orders' }], networkName: 'Local_Net' })).toThrow('[local] networkName ("Local_Net")');
  });
});
