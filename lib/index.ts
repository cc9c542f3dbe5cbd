export * from './go-microservice';
export { MANAGED_BY } from './common/labels';
