import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  addPolicyValidation,
  checkManifests,
  GoMicroservice,
  KUBERNETES_VERSIONS,
  KubernetesVersion,
  setKubernetesVersion,
  TrafficDistribution,
} from '../../lib';
import { PolicyExitCode, runPolicyCli } from '../../lib/policy/cli';
import { policyMatchers } from '../../lib/policy/jest';
import { kubernetesSchema, kubernetesSchemaSources } from '../../lib/policy/schema/kubernetes-versions';
import { expectExactError } from '../util';
import { check, container, find, findingsOf, GOOD_OPTIONS, goodSet, Obj } from './fixtures';

expect.extend(policyMatchers);

const IMAGE = 'registry.example.com/orders:1.4.2';

/** A chart with one GoMicroservice using every version-gated feature, at `version`. */
function modernChart(version: KubernetesVersion): Chart {
  const app = Testing.app();
  setKubernetesVersion(app, version);
  const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  new GoMicroservice(chart, 'orders', { image: IMAGE, trafficDistribution: TrafficDistribution.PREFER_CLOSE });
  return chart;
}

function versionFindings(set: readonly unknown[], kubernetesVersion: string): string[] {
  return findingsOf(check(set, { ...GOOD_OPTIONS, kubernetesVersion }), 'GP-SCHEMA-VERSION').map((f) => f.message);
}

describe('policy gate: target Kubernetes version', () => {
  test('has a schema for every supported minor, each from its cdk8s-plus package', () => {
    expect(kubernetesSchemaSources()).toEqual({
      '1.27': 'cdk8s-plus-27@2.9.5',
      '1.28': 'cdk8s-plus-28@2.5.6',
      '1.29': 'cdk8s-plus-29@2.6.0',
      '1.30': 'cdk8s-plus-30@2.4.10',
      '1.31': 'cdk8s-plus-31@2.6.43',
      '1.32': 'cdk8s-plus-32@2.5.92',
      '1.33': 'cdk8s-plus-33@2.5.57',
      '1.34': 'cdk8s-plus-34@2.0.54',
    });
    for (const v of KUBERNETES_VERSIONS) {
      expect(kubernetesSchema(v).kinds['apps/v1/Deployment']).toBe('KubeDeploymentProps');
    }
  });

  test('the good set passes on every minor', () => {
    for (const v of KUBERNETES_VERSIONS) {
      expect(versionFindings(goodSet(), v)).toEqual([]);
    }
  });

  test('a field newer than the target is an error naming the version that added it', () => {
    // GIVEN a sleep pre-stop hook (in the API from 1.29) and Service trafficDistribution (from 1.30)
    const set = goodSet();
    container(set).lifecycle = { preStop: { sleep: { seconds: 5 } } };
    find(set, 'Service').spec.trafficDistribution = 'PreferClose';
    // THEN
    expect(versionFindings(set, '1.27')).toEqual([
      'Deployment/shop/orders spec.template.spec.containers[0].lifecycle.preStop.sleep: field added in Kubernetes 1.29, newer than the target 1.27',
      'Service/shop/orders spec.trafficDistribution: field added in Kubernetes 1.30, newer than the target 1.27',
    ]);
    expect(versionFindings(set, '1.29')).toEqual([
      'Service/shop/orders spec.trafficDistribution: field added in Kubernetes 1.30, newer than the target 1.29',
    ]);
    expect(versionFindings(set, '1.30')).toEqual([]);
    // and the same fields are not also reported as unknown
    expect(findingsOf(check(set, { ...GOOD_OPTIONS, kubernetesVersion: '1.27' }), 'GP-SCHEMA-UNKNOWN-FIELD')).toEqual([]);
  });

  test('fields inside maps and arrays are checked too', () => {
    const set = goodSet();
    const initContainer = { ...container(set), name: 'proxy', restartPolicy: 'Always' };
    find(set, 'Deployment').spec.template.spec.initContainers = [initContainer];
    expect(versionFindings(set, '1.28')).toEqual([]);
    const pvc: Obj = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeAttributesClassName: 'fast' },
    };
    expect(versionFindings([...goodSet(), pvc], '1.28')).toEqual([
      'PersistentVolumeClaim/shop/data spec.volumeAttributesClassName: field added in Kubernetes 1.29, newer than the target 1.28',
    ]);
  });

  test('a kind newer than the target is an error naming the version that serves it', () => {
    const claim: Obj = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'gpu', namespace: 'shop' }, spec: { devices: { requests: [] } } };
    expect(versionFindings([...goodSet(), claim], '1.27')).toEqual([
      'ResourceClaim/shop/gpu apiVersion: resource.k8s.io/v1 ResourceClaim is served from Kubernetes 1.34, newer than the target 1.27',
    ]);
    expect(versionFindings([...goodSet(), claim], '1.34')).toEqual([]);
  });

  test('kinds and fields newer than every supported minor are errors; typos stay unknown fields', () => {
    // GIVEN a kind GA after 1.34 and a pod field after 1.34, both in the newest OpenAPI schema the validators know
    const policy: Obj = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicy', metadata: { name: 'p' }, spec: {} };
    const set = [...goodSet(), policy];
    find(set, 'Deployment').spec.template.spec.schedulingGroup = { podGroupName: 'g' };
    container(set).imagePullPolicyy = 'Always';
    const result = check(set, { ...GOOD_OPTIONS, kubernetesVersion: '1.34' });
    // THEN
    expect(findingsOf(result, 'GP-SCHEMA-VERSION').map((f) => f.message)).toEqual([
      'Deployment/shop/orders spec.template.spec.schedulingGroup: field newer than Kubernetes 1.34, the newest supported target',
      'MutatingAdmissionPolicy/p apiVersion: admissionregistration.k8s.io/v1 MutatingAdmissionPolicy is not served by Kubernetes 1.27–1.34: newer than every supported target',
    ]);
    expect(findingsOf(result, 'GP-SCHEMA-UNKNOWN-FIELD').map((f) => f.path)).toEqual(['spec.template.spec.containers[0].imagePullPolicyy']);
  });

  test('the core v1 Event, missing from the schema sources, is served by every minor', () => {
    const event: Obj = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'shop' }, involvedObject: { kind: 'Pod', name: 'x' } };
    expect(versionFindings([...goodSet(), event], '1.27')).toEqual([]);
  });

  test('removed beta API versions stay unknown kinds on every target', () => {
    const old: Obj = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'old', namespace: 'shop' }, spec: { maxUnavailable: 1 } };
    for (const v of ['1.27', '1.34']) {
      expect(findingsOf(check([...goodSet(), old], { ...GOOD_OPTIONS, kubernetesVersion: v }), 'GP-SCHEMA-KIND')).toHaveLength(1);
    }
  });

  test('custom resources are not version-checked', () => {
    const route: Obj = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' },
      spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'orders', port: 80 }] }] } };
    expect(versionFindings([...goodSet(), route], '1.27')).toEqual([]);
  });

  test('throws on an unsupported kubernetesVersion option', () => {
    expectExactError(() => checkManifests(goodSet(), { kubernetesVersion: '1.26' }),
      'policy gate: kubernetesVersion ("1.26") is not a supported Kubernetes version: use one of 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34');
  });

  describe('1.34 output of the constructs', () => {
    test('passes at 1.34 and is rejected when the cluster is 1.27', () => {
      const manifests = Testing.synth(modernChart(KubernetesVersion.V1_34));
      expect(manifests).toPassPolicies({ kubernetesVersion: '1.34' });
      expect(manifests).not.toPassPolicies({ kubernetesVersion: '1.27' });
      expect(findingsOf(checkManifests(manifests, { kubernetesVersion: '1.27' }), 'GP-SCHEMA-VERSION').map((f) => f.message)).toEqual([
        'Deployment/shop/orders spec.template.spec.containers[0].lifecycle.preStop.sleep: field added in Kubernetes 1.29, newer than the target 1.27',
        'Service/shop/orders spec.trafficDistribution: field added in Kubernetes 1.30, newer than the target 1.27',
      ]);
    });

    test('the matcher given a chart checks at the chart\'s target', () => {
      expect(modernChart(KubernetesVersion.V1_34)).toPassPolicies();
      expect(modernChart(KubernetesVersion.V1_34)).not.toPassPolicies({ kubernetesVersion: '1.27' });
    });

    test('addPolicyValidation checks at the chart\'s target unless told otherwise', () => {
      const ok = modernChart(KubernetesVersion.V1_34);
      addPolicyValidation(ok);
      expect(() => Testing.synth(ok)).not.toThrow();
      const stale = modernChart(KubernetesVersion.V1_34);
      addPolicyValidation(stale, { kubernetesVersion: '1.27' });
      expect(() => Testing.synth(stale)).toThrow(/GP-SCHEMA-VERSION: Service\/shop\/orders spec.trafficDistribution: field added in Kubernetes 1.30, newer than the target 1.27/);
    });
  });

  describe('CLI --kubernetes-version', () => {
    const run = (...argv: string[]): { code: number; stdout: string; stderr: string } => {
      let stdout = '';
      let stderr = '';
      const code = runPolicyCli(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
      return { code, stdout, stderr };
    };

    test('rejects 1.34 output at the default 1.27 and passes it with --kubernetes-version 1.34', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-version-'));
      try {
        const file = path.join(dir, 'shop.k8s.yaml');
        fs.writeFileSync(file, Testing.synth(modernChart(KubernetesVersion.V1_34)).map((o) => JSON.stringify(o)).join('\n---\n'));
        const stale = run('check', file);
        expect(stale.code).toBe(PolicyExitCode.FAILED);
        expect(stale.stdout).toContain('error   GP-SCHEMA-VERSION');
        expect(stale.stdout).toContain('policy gate failed: 5 objects, 2 errors, 0 warnings');
        expect(run('check', '--kubernetes-version', '1.34', file).code).toBe(PolicyExitCode.PASSED);
        expect(run('check', '--kubernetes-version', '1.31', file).code).toBe(PolicyExitCode.PASSED);
        expect(run('check', '--kubernetes-version', '1.29', file).code).toBe(PolicyExitCode.FAILED);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('an unknown version is a usage error', () => {
      const r = run('check', '--kubernetes-version', '1.26', '.');
      expect(r.code).toBe(PolicyExitCode.USAGE);
      expect(r.stderr).toContain('cdk8s-go-platform: unknown Kubernetes version "1.26": use one of 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34');
    });
  });
});
