import { ResourceOptions } from '../lib';

/** What differs between the environments of the example platform. */
export interface Environment {
  /** Environment name; also the output folder under `dist/`. */
  readonly name: string;
  /** Namespace of the shop services. */
  readonly namespace: string;
  /** Public DNS zone the environment is served under. */
  readonly domain: string;
  /** Release of every shop service image. */
  readonly release: { readonly users: string; readonly orders: string; readonly payments: string };
  /** Replicas of the services that do not autoscale. */
  readonly replicas: number;
  /** Autoscaling bounds of the orders service. */
  readonly ordersScaling: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Container resources of every service. */
  readonly resources: ResourceOptions;
  /** Log level passed to every service. */
  readonly logLevel: string;
}

/** A small, cheap environment for integration testing. */
export const STAGING: Environment = {
  name: 'staging',
  namespace: 'shop',
  domain: 'staging.shop.example.com',
  release: { users: '2.1.0-rc.1', orders: '1.5.0-rc.2', payments: '3.0.0-rc.1' },
  replicas: 2,
  ordersScaling: { minReplicas: 2, maxReplicas: 4 },
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
  logLevel: 'debug',
};

/** Production: more replicas, more headroom, wider autoscaling. */
export const PRODUCTION: Environment = {
  name: 'production',
  namespace: 'shop',
  domain: 'shop.example.com',
  release: { users: '2.0.3', orders: '1.4.2', payments: '2.9.7' },
  replicas: 3,
  ordersScaling: { minReplicas: 3, maxReplicas: 20 },
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  logLevel: 'info',
};

/** Every environment `npm run synth` writes to `dist/`. */
export const ENVIRONMENTS: Environment[] = [STAGING, PRODUCTION];
