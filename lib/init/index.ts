export * from './init';
export * from './templates';
