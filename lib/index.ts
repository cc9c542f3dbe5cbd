export * from './docker';
export * from './go-microservice';
export * from './observability';
export * from './policy';
export * from './secure-ingress';
export * from './synth';
export { MANAGED_BY } from './common/labels';
