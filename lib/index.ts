// The public API of `cdk8s-go-platform`: every name is listed on purpose.
// A name a folder barrel exports but this file does not is internal; it is
// listed with its reason in test/public-api.test.ts, and the API report
// (etc/cdk8s-go-platform.api.md, `npm run api`) shows every change for review.

// Contracts between constructs, and plain cdk8s-plus workloads that fulfil them.
export { MANAGED_BY, PROMETHEUS_TRACK_LABEL, TRACK_LABEL } from './common/labels';
export { NetworkPeer } from './common/contracts';
export type {
  AdmitOptions, BackendPort, BackendTrack, EnvValueLike, IAdmitsTraffic, IMonitorableWorkload, INetworkPeer, IpBlockPeerConfig,
  IPlusWorkload, IRoutableBackend, LabelRequirement, MetricsEndpoint, NetworkPeerConfig, NetworkPeerSource, PodPeerConfig, TrackHeaderMatch,
} from './common/contracts';
export { PlainWorkload } from './common/plain-workload';
export type { IPlainService, IPlainWorkloadTarget, PlainWorkloadProps } from './common/plain-workload';

// GoDockerfile
export { GoDockerfile, GO_DOCKERFILE_BUILD_ARGS, GENERATED_FILE_MARKER, RuntimeImage, RuntimeImageKind } from './docker';
export type { DockerfileWriteOptions, GoDockerfileProps, GoDockerfileService } from './docker';

// GoServiceWorkflow (the service's CI workflow)
export { GoServiceWorkflow, ScanSeverity } from './docker';
export type {
  GoServiceWorkflowOptions, GoServiceWorkflowProps, GoWorkflowActions, GoWorkflowService, PlatformRepositoryOptions,
  RegistryLoginOptions, Workflow, WorkflowActionStep, WorkflowJob, WorkflowPermissions, WorkflowRunStep, WorkflowStep,
  WorkflowTriggers,
} from './docker';

// FluxDeployment and ArgoCdDeployment (GitOps delivery of dist/)
export { FluxDeployment } from './gitops';
export type { FluxDeploymentProps, FluxStage } from './gitops';
export { ArgoCdDeployment, ArgoCdDestination, addArgoCdSyncWaves } from './gitops';
export { ARGO_CD_SYNC_WAVE_ANNOTATION } from './common/annotations';
export type { ArgoCdDeploymentProps, ArgoCdRetryOptions, ArgoCdSyncOptions, ArgoCdSyncWaveOptions } from './gitops';

// GoMicroservice
export {
  BlueGreenColor, GoMicroservice, Probe, ProbeKind, PreStop, PreStopKind, Release, ReleaseKind, SHUTDOWN_DELAY_ENV,
  SHUTDOWN_DRAIN_TIMEOUT_ENV, TrafficDistribution,
} from './go-microservice';
export type {
  AllowFromOptions, AutoscalingOptions, DisruptionBudgetOptions, GoMicroserviceProps, GoRuntimeOptions, GoServicePort,
  GoServicePortName, GoServiceProps, GoServiceSettings, GracefulShutdownOptions, GrpcProbeOptions, HttpProbeOptions,
  ProbeOptions, ProbeTimings, ResolvedAutoscaling, ResolvedProbe, ResolvedShutdown, ResourceOptions, ResourceQuantities,
  SecretKeyReference,
} from './go-microservice';
export type {
  BlueGreenOptions, CanaryOptions, ColorOptions, HeaderMatchOptions, PreviewOptions, ReleaseTrackResources, ResolvedRelease,
  ResolvedTrack,
} from './go-microservice';

// Secrets from external stores (External Secrets Operator), in secretEnv and secretFiles
export { ExternalSecretProvider, ExternalSecretSource, SecretStoreKind } from './go-microservice';
export type {
  AwsSecretsManagerSourceOptions, ExternalSecretSourceOptions, ExternalSecretsOptions, GoogleSecretManagerSourceOptions,
  SecretStoreReference, VaultKvSourceOptions,
} from './go-microservice';

// Workload shapes and pod props (GoWorker, GoCronJob, GoMigrationJob; shared by GoMicroservice)
export {
  ConcurrencyPolicy, GoCronJob, GoMigrationJob, GoWorker, KedaTrigger, MetricTargetType, MigrationOrdering, PodVolume,
  PodVolumeKind, ScalingMetric, ScalingMetricKind, TaintEffect, TolerationOperator,
} from './go-microservice';
export type {
  Affinity, ConfigFilesOptions, DescribedObject, EmptyDirVolumeOptions, EphemeralVolumeOptions, GoCronJobProps, GoJobProps,
  GoMigrationJobProps, GoPodProps, GoWorkerProps, KafkaConsumerLagOptions, KedaAuthenticationReference, KedaScalingOptions,
  MigrationOptions, ObjectMetricOptions, PersistentVolumeClaimVolumeOptions, PodContainerOptions, PrometheusTriggerOptions,
  ResolvedKedaScaling, ScalingMetricOptions, SecretFilesOptions, SidecarOptions, SidecarPort, SidecarProbes, Toleration,
  ValueMetricOptions, VolumeMountOptions,
} from './go-microservice';

// ObservabilityStack
export {
  AlertReceiver, AlertSeverity, Alertmanager, Grafana, GrafanaAuth, KubeStateMetrics, LogAgent, Loki, METRIC_CONTRACT,
  ObservabilityMode, ObservabilityStack, OtelCollector, Prometheus, Storage, Tempo, defaultAlertRules, goServiceDashboard,
} from './observability';
export type {
  AlertRoute, AlertRule, AlertThresholds, AlertmanagerOptions, ComponentOptions, ComponentResources, EphemeralStorageOptions,
  GoServiceDashboardOptions, GrafanaAdminSecret, GrafanaExposeOptions, GrafanaOidcOptions, GrafanaOptions, IGrafanaIngress,
  KubeStateMetricsOptions, LogAgentOptions, LokiOptions, ObservabilityStackProps, OtelCollectorOptions, PagerDutyReceiverOptions,
  PersistentStorageOptions, PrometheusOperatorOptions, PrometheusOptions, RemoteWriteAuth, RemoteWriteOptions, RemoteWriteQueue,
  RenderedAlertRule, RenderedRuleGroup, ResolvedThresholds, SlackReceiverOptions, TempoOptions, WebhookReceiverOptions,
} from './observability';

// Policy gate (the jest matcher is `cdk8s-go-platform/jest`, the CLI is the package's bin)
export {
  DISABLE_ANNOTATION, EXTERNAL_ANNOTATION, POLICY_RULES, PSS_ENFORCE_LABEL, PodSecurityLevel, PolicyValidation, Severity,
  addPolicyValidation, checkManifests, formatFindings, formatSummary,
} from './policy';
export type {
  Finding, Manifest, ManifestSource, ObjectRef, PolicyOptions, PolicyResult, PolicyValidationContext, PolicyValidationOptions, RuleDoc,
} from './policy';

// SecureIngress
export {
  BackendProtocol, Certificates, GatewayAttachment, IngressController, IngressMode, IngressNginxProfile, IssuerKind, PathType,
  SecureIngress, SecurityHeaders,
} from './secure-ingress';
export type {
  CorsOptions, ExistingGatewayOptions, IIngressControllerProfile, IngressCanaryRequest, IngressControllerAnnotations, IngressControllerPath,
  IngressControllerRequest, IngressOptions, NewGatewayOptions, RateLimitOptions, ResolvedCors, ResolvedRateLimit,
  ResolvedTimeouts, RouteOptions, SecureIngressProps, SecurityHeadersOptions, ServiceReference, TimeoutOptions,
} from './secure-ingress';

// Synthesis
export { SynthError, synthApp, synthApps } from './synth';
export type { SynthOptions } from './synth';

// Kubernetes versions
export {
  KubernetesVersion, KUBERNETES_VERSIONS, DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSION_CONTEXT,
  KubernetesFeature, KUBERNETES_FEATURES,
  setKubernetesVersion, kubernetesVersionOf, compareKubernetesVersions, kubernetesFeatureSince,
  supportsKubernetesFeature, nativeSidecarsAvailable,
} from './common/kubernetes-version';
export type { KubernetesFeatureInfo } from './common/kubernetes-version';
