export * from './go-microservice';
export * from './go-microservice-props';
export * from './go-service';
export * from './probe';
export * from './shutdown';
