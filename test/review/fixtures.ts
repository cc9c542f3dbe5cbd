
/** A manifest the tests may reach into. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** Small plain manifests for the review tests: only the fields the graph and diff read. */

export function labelsFor(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

export interface DeploymentOptions {
  readonly image?: string;
  readonly ports?: { name: string; containerPort: number }[];
  readonly replicas?: number;
  readonly env?: Record<string, unknown>[];
  readonly annotations?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  readonly volumes?: Record<string, unknown>[];
}

export function deployment(ns: string, name: string, o: DeploymentOptions = {}): Manifest {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: ns, labels: labelsFor(name), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
      selector: { matchLabels: labelsFor(name) },
      template: {
        metadata: { labels: labelsFor(name), ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}) },
        spec: {
          containers: [{
            name, image: o.image ?? `registry.example.com/${name}:1.0.0`,
            ports: o.ports ?? [{ name: 'http', containerPort: 8080 }],
            ...(o.env ? { env: o.env } : {}),
          }],
          ...(o.volumes ? { volumes: o.volumes } : {}),
        },
      },
    },
  };
}

export function service(ns: string, name: string, ports: { name: string; port: number; targetPort: string }[] = [{ name: 'http', port: 80, targetPort: 'http' }]): Manifest {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: ns, labels: labelsFor(name) },
    spec: { selector: labelsFor(name), ports },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function networkPolicy(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns, labels: labelsFor(name) }, spec };
}

/** A policy on `target` admitting the given peers on one TCP port. */
export function admit(ns: string, target: string, from: Record<string, unknown>[], port: number | string = 8080): Manifest {
  return networkPolicy(ns, target, {
    podSelector: { matchLabels: labelsFor(target) },
    policyTypes: ['Ingress'],
    ingress: [{ from, ports: [{ port, protocol: 'TCP' }] }],
  });
}

export function podsOf(name: string): Record<string, unknown> {
  return { podSelector: { matchLabels: labelsFor(name) } };
}

export function nsNamed(name: string): Record<string, unknown> {
  return { matchLabels: { 'kubernetes.io/metadata.name': name } };
}

export function pdb(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: ns, labels: labelsFor(name) },
    spec: { selector: { matchLabels: labelsFor(name) }, ...spec },
  };
}

export function hpa(ns: string, name: string, minReplicas: number, maxReplicas: number): Manifest {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: ns, labels: labelsFor(name) },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas, maxReplicas },
  };
}

export function gateway(ns: string, name: string, listeners: Record<string, unknown>[]): Manifest {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: ns }, spec: { gatewayClassName: 'eg', listeners } };
}

export function httpRoute(ns: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: ns, labels: labelsFor('storefront') }, spec };
}

/** Two services in `shop`: users calls orders; the platform's usual shape. */
export function shop(): Manifest[] {
  return [
    deployment('shop', 'orders', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 9090 }] }),
    service('shop', 'orders', [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'grpc', port: 9090, targetPort: 'grpc' }]),
    deployment('shop', 'users'),
    service('shop', 'users'),
  ];
}
