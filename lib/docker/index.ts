export * from './go-dockerfile';
export * from './runtime-image';
