export * from './flux-deployment';
