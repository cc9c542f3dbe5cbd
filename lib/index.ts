export * from './docker';
export * from './gitops';
export * from './go-microservice';
export * from './observability';
export * from './policy';
export * from './secure-ingress';
export * from './synth';
export { MANAGED_BY } from './common/labels';
export { NetworkPeer } from './common/contracts';
export type {
  AdmitOptions, BackendPort, EnvValueLike, IAdmitsTraffic, IMonitorableWorkload, INetworkPeer, IpBlockPeerConfig, IPlusWorkload,
  IRoutableBackend, LabelRequirement, MetricsEndpoint, NetworkPeerConfig, NetworkPeerSource, PodPeerConfig,
} from './common/contracts';
export { PlainWorkload } from './common/plain-workload';
export type { IPlainService, IPlainWorkloadTarget, PlainWorkloadProps } from './common/plain-workload';
export {
  KubernetesVersion, KUBERNETES_VERSIONS, DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSION_CONTEXT,
  KubernetesFeature, KubernetesFeatureInfo, KUBERNETES_FEATURES,
  setKubernetesVersion, kubernetesVersionOf, compareKubernetesVersions, kubernetesFeatureSince,
  supportsKubernetesFeature, nativeSidecarsAvailable,
} from './common/kubernetes-version';
