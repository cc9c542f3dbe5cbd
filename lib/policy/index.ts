export * from './types';
export * from './rules';
export * from './check';
export * from './format';
export * from './plugin';
export * from './cli';
export { DISABLE_ANNOTATION, EXTERNAL_ANNOTATION, PSS_ENFORCE_LABEL, describeObject } from './context';
export { knownKinds } from './schema/validators';
export { addPolicyValidation } from './construct';
