// The local Docker environment: its own entry point, `cdk8s-go-platform/local`,
// so that only projects that use it need cdktf and the Docker provider.
export * from './local-docker-stack';
export * from './local-health-check';
