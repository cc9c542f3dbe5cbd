import { Chart, Testing } from 'cdk8s';

/** A plain manifest object as synthesized. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** A test chart in namespace `shop`, the namespace of the example platform. */
export function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop', disableResourceNameHashes: true });
}

/** Synthesizes `chart` into plain objects. */
export function synth(chart: Chart): Manifest[] {
  return Testing.synth(chart);
}

/** The one object of `kind` named `name`; fails the test when there is not exactly one. */
export function find(manifests: Manifest[], kind: string, name?: string): Manifest {
  const matches = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${matches.length}`);
  }
  return matches[0];
}

/** Every object of `kind`. */
export function findAll(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/**
 * Asserts that `fn` throws an Error whose message is exactly `message`: the
 * whole error, not a fragment of a longer one.
 */
export function expectExactError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toBe(message);
}

/**
 * The relabelings every ServiceMonitor carries for release tracks: the pod's
 * track as `track`, and the app's name as `service` on a track's Service.
 * They act only on pods that carry a track label.
 */
export const SERVICE_MONITOR_TRACK_RELABELINGS = [
  { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_label_release_cdk8s_go_platform_io_track'], targetLabel: 'track' },
  {
    action: 'replace',
    regex: '.+;(.+)',
    replacement: '$1',
    sourceLabels: ['__meta_kubernetes_pod_label_release_cdk8s_go_platform_io_track', '__meta_kubernetes_service_label_app_kubernetes_io_name'],
    targetLabel: 'service',
  },
];
