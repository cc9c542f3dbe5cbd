/** Default of `AutoscalingOptions`. @internal */
export const AUTOSCALING_DEFAULTS = {
  minReplicas: 2,
  maxReplicas: 10,
  targetCpuUtilizationPercent: 70,
  scaleDownStabilizationSeconds: 300,
} as const;

/** Default of `GoMicroserviceProps`. @internal */
export const MICROSERVICE_DEFAULTS = {
  replicas: 3,
  component: 'backend',
  servicePort: 80,
  maxUnavailable: 1,
} as const;
