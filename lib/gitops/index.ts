export * from './argo-cd-deployment';
export * from './argo-cd-sync-waves';
export * from './flux-deployment';
