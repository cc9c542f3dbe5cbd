export * from './go-dockerfile';
export * from './runtime-image';
export * from './go-workflow';
export * from './workflow-model';
