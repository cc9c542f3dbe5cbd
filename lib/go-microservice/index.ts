export * from './go-microservice';
export * from './go-service';
export * from './pod-props';
export * from './probe';
export * from './shutdown';
