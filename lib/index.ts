export * from './go-microservice';
export * from './policy';
export { MANAGED_BY } from './common/labels';
