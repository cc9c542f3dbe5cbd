import { Chart, Duration, Testing } from 'cdk8s';
import {
  GoMicroservice,
  GoMicroserviceProps,
  KubernetesVersion,
  PreStop,
  setKubernetesVersion,
  TrafficDistribution,
} from '../../lib';
import { expectExactError, find, Manifest, synth } from '../util';

const IMAGE = 'registry.example.com/orders:1.4.2';

function chartAt(version?: KubernetesVersion): Chart {
  const app = Testing.app();
  if (version !== undefined) {
    setKubernetesVersion(app, version);
  }
  return new Chart(app, 'test', { namespace: 'shop', disableResourceNameHashes: true });
}

function render(version: KubernetesVersion | undefined, props: Partial<GoMicroserviceProps> = {}): Manifest[] {
  const chart = chartAt(version);
  new GoMicroservice(chart, 'orders', { image: IMAGE, ...props });
  return synth(chart);
}

function container(manifests: Manifest[]): Manifest {
  return find(manifests, 'Deployment', 'orders').spec.template.spec.containers[0];
}

function env(manifests: Manifest[]): Record<string, string> {
  return Object.fromEntries(container(manifests).env.filter((e: Manifest) => e.value !== undefined).map((e: Manifest) => [e.name, e.value]));
}

describe('GoMicroservice on each Kubernetes version', () => {
  describe('pre-stop: the kubelet sleep action from 1.30', () => {
    test('below 1.30 the default is the app-side wait: no hook, SHUTDOWN_DELAY 5s', () => {
      for (const out of [render(undefined), render(KubernetesVersion.V1_29)]) {
        expect(container(out).lifecycle).toBeUndefined();
        expect(env(out).SHUTDOWN_DELAY).toBe('5s');
        expect(env(out).SHUTDOWN_DRAIN_TIMEOUT).toBe('20s');
      }
    });

    test('from 1.30 the default is PreStop.sleep(): the kubelet waits 5s and the app drains at once', () => {
      for (const version of [KubernetesVersion.V1_30, KubernetesVersion.V1_34]) {
        const out = render(version);
        expect(container(out).lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
        expect(env(out).SHUTDOWN_DELAY).toBe('0s');
        expect(env(out).SHUTDOWN_DRAIN_TIMEOUT).toBe('20s');
        expect(find(out, 'Deployment', 'orders').spec.template.spec.terminationGracePeriodSeconds).toBe(30);
      }
    });

    test('PreStop.sleep(duration) sets the wait; shutdown.delay sets it too', () => {
      const own = render(KubernetesVersion.V1_30, { shutdown: { preStop: PreStop.sleep(Duration.seconds(8)) } });
      expect(container(own).lifecycle).toEqual({ preStop: { sleep: { seconds: 8 } } });
      const viaDelay = render(KubernetesVersion.V1_34, { shutdown: { preStop: PreStop.sleep(), delay: Duration.seconds(7) } });
      expect(container(viaDelay).lifecycle).toEqual({ preStop: { sleep: { seconds: 7 } } });
    });

    test('the app-side drain stays available from 1.30', () => {
      const out = render(KubernetesVersion.V1_34, { shutdown: { preStop: PreStop.app() } });
      expect(container(out).lifecycle).toBeUndefined();
      expect(env(out).SHUTDOWN_DELAY).toBe('5s');
    });

    test('throws for PreStop.sleep() below 1.30', () => {
      expectExactError(() => render(KubernetesVersion.V1_29, { shutdown: { preStop: PreStop.sleep() } }),
        '[test/orders] shutdown.preStop (PreStop.sleep()) needs Kubernetes 1.30 or newer (PodLifecycleSleepAction (beta 1.30, GA 1.34)); '
        + 'the target is 1.29: raise it with setKubernetesVersion if the cluster runs 1.30+, or leave shutdown.preStop unset');
    });

    test('throws when PreStop.sleep(duration) and shutdown.delay both set the wait', () => {
      expectExactError(() => render(KubernetesVersion.V1_30, { shutdown: { preStop: PreStop.sleep(Duration.seconds(8)), delay: Duration.seconds(8) } }),
        '[test/orders] shutdown.preStop (PreStop.sleep(8s)) and shutdown.delay (8s) set the same wait: set one of them');
    });

    test('throws for a zero sleep', () => {
      expectExactError(() => render(KubernetesVersion.V1_34, { shutdown: { preStop: PreStop.sleep(Duration.seconds(0)) } }),
        '[test/orders] shutdown.delay (0s) must be at least 1s with PreStop.sleep(): a zero sleep needs Kubernetes 1.33 and does nothing; use PreStop.app() for no wait');
    });
  });

  describe('Service trafficDistribution from 1.31', () => {
    test('not set by default on any version', () => {
      expect(find(render(KubernetesVersion.V1_34), 'Service', 'orders').spec.trafficDistribution).toBeUndefined();
    });

    test('PreferClose on 1.31', () => {
      const out = render(KubernetesVersion.V1_31, { trafficDistribution: TrafficDistribution.PREFER_CLOSE });
      expect(find(out, 'Service', 'orders').spec.trafficDistribution).toBe('PreferClose');
    });

    test('throws below 1.31', () => {
      expectExactError(() => render(KubernetesVersion.V1_30, { trafficDistribution: TrafficDistribution.PREFER_CLOSE }),
        '[test/orders] trafficDistribution (PreferClose) needs Kubernetes 1.31 or newer (ServiceTrafficDistribution (beta 1.31, GA 1.33)); '
        + 'the target is 1.30: raise it with setKubernetesVersion if the cluster runs 1.31+, or leave trafficDistribution unset');
    });
  });

  test('PDB unhealthyPodEvictionPolicy and topology spread matchLabelKeys are emitted from 1.27 on', () => {
    for (const version of [KubernetesVersion.V1_27, KubernetesVersion.V1_34]) {
      const out = render(version);
      expect(find(out, 'PodDisruptionBudget', 'orders').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
      const spread = find(out, 'Deployment', 'orders').spec.template.spec.topologySpreadConstraints;
      expect(spread.map((c: Manifest) => c.matchLabelKeys)).toEqual([['pod-template-hash'], ['pod-template-hash']]);
    }
  });
});
