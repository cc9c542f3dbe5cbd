// The local Docker environment: its own entry point, `cdk8s-go-platform/local`,
// so that only projects that use it need cdktf and the Docker provider.
// Every name is listed on purpose (see lib/index.ts).
export { LocalDockerStack, RestartPolicy } from './local-docker-stack';
export type { LocalDockerStackProps, LocalPrometheusOptions, LocalService, LocalServiceOptions } from './local-docker-stack';
export { LocalHealthCheck, LocalHealthCheckKind } from './local-health-check';
