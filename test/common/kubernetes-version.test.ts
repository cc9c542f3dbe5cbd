import { App, Chart, Testing } from 'cdk8s';
import {
  DEFAULT_KUBERNETES_VERSION,
  KUBERNETES_FEATURES,
  KUBERNETES_VERSION_CONTEXT,
  KUBERNETES_VERSIONS,
  KubernetesFeature,
  KubernetesVersion,
  kubernetesFeatureSince,
  kubernetesVersionOf,
  nativeSidecarsAvailable,
  setKubernetesVersion,
  supportsKubernetesFeature,
} from '../../lib';
import { expectExactError } from '../util';

describe('Kubernetes version target', () => {
  test('defaults to 1.27, the API of cdk8s-plus-27', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(DEFAULT_KUBERNETES_VERSION).toBe('1.27');
    expect(kubernetesVersionOf(chart)).toBe(KubernetesVersion.V1_27);
  });

  test('supports every minor from 1.27 to 1.34, oldest first', () => {
    expect(KUBERNETES_VERSIONS).toEqual(['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34']);
  });

  test('set once on the app, read by every chart below it; a chart may set its own', () => {
    // GIVEN
    const app = new App();
    setKubernetesVersion(app, KubernetesVersion.V1_32);
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    setKubernetesVersion(b, KubernetesVersion.V1_34);
    // THEN
    expect(kubernetesVersionOf(a)).toBe('1.32');
    expect(kubernetesVersionOf(b)).toBe('1.34');
    expect(app.node.tryGetContext(KUBERNETES_VERSION_CONTEXT)).toBe('1.32');
  });

  test('throws on a version it does not support, set or found in the context', () => {
    const app = Testing.app();
    expectExactError(() => setKubernetesVersion(app, '1.26' as KubernetesVersion),
      '[] setKubernetesVersion version ("1.26") is not a supported Kubernetes version: use one of 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34');
    const chart = new Chart(app, 'c');
    chart.node.setContext(KUBERNETES_VERSION_CONTEXT, 1.3);
    expectExactError(() => kubernetesVersionOf(chart),
      '[c] context cdk8s-go-platform/kubernetesVersion (1.3) is not a supported Kubernetes version: use one of 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34');
  });

  test('the feature table: the minor where each feature is on by default', () => {
    expect(Object.fromEntries(KUBERNETES_FEATURES.map((f) => [f.feature, f.since]))).toEqual({
      PDB_UNHEALTHY_POD_EVICTION_POLICY: '1.27',
      TOPOLOGY_SPREAD_MATCH_LABEL_KEYS: '1.27',
      NATIVE_SIDECARS: '1.29',
      LIFECYCLE_SLEEP_ACTION: '1.30',
      SERVICE_TRAFFIC_DISTRIBUTION: '1.31',
    });
    // the defaults GoMicroservice always emits must exist on every supported target
    expect(supportsKubernetesFeature(KubernetesVersion.V1_27, KubernetesFeature.PDB_UNHEALTHY_POD_EVICTION_POLICY)).toBe(true);
    expect(supportsKubernetesFeature(KubernetesVersion.V1_27, KubernetesFeature.TOPOLOGY_SPREAD_MATCH_LABEL_KEYS)).toBe(true);
  });

  test.each([
    [KubernetesFeature.NATIVE_SIDECARS, KubernetesVersion.V1_28, KubernetesVersion.V1_29],
    [KubernetesFeature.LIFECYCLE_SLEEP_ACTION, KubernetesVersion.V1_29, KubernetesVersion.V1_30],
    [KubernetesFeature.SERVICE_TRAFFIC_DISTRIBUTION, KubernetesVersion.V1_30, KubernetesVersion.V1_31],
  ])('%s is off on %s and on from %s', (feature, below, from) => {
    expect(kubernetesFeatureSince(feature)).toBe(from);
    expect(supportsKubernetesFeature(below, feature)).toBe(false);
    expect(supportsKubernetesFeature(from, feature)).toBe(true);
    expect(supportsKubernetesFeature(KubernetesVersion.V1_34, feature)).toBe(true);
  });

  test('nativeSidecarsAvailable is false below 1.29 and true from 1.29', () => {
    const at = (v: KubernetesVersion): Chart => {
      const app = Testing.app();
      setKubernetesVersion(app, v);
      return new Chart(app, 'c');
    };
    expect(nativeSidecarsAvailable(new Chart(Testing.app(), 'default'))).toBe(false);
    expect(nativeSidecarsAvailable(at(KubernetesVersion.V1_28))).toBe(false);
    expect(nativeSidecarsAvailable(at(KubernetesVersion.V1_29))).toBe(true);
    expect(nativeSidecarsAvailable(at(KubernetesVersion.V1_34))).toBe(true);
  });
});
