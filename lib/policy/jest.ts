import { Chart } from 'cdk8s';
import { kubernetesVersionOf } from '../common/kubernetes-version';
import { checkManifests } from './check';
import { formatFindings, formatSummary } from './format';
import { PolicyOptions } from './types';

/** What a jest matcher returns. */
export interface PolicyMatcherResult {
  readonly pass: boolean;
  message(): string;
}

/**
 * Jest matchers of the policy gate. Register them once (e.g. in a
 * `setupFilesAfterEach` file or at the top of a test):
 *
 * ```ts
 * import { policyMatchers } from 'cdk8s-go-platform/jest';
 * expect.extend(policyMatchers);
 *
 * expect(Testing.synth(chart)).toPassPolicies();
 * expect(Testing.synth(chart)).toPassPolicies({ podSecurityLevels: { logging: PodSecurityLevel.BASELINE } });
 * expect(Testing.synth(chart)).toPassPolicies({ kubernetesVersion: '1.34' });
 * expect(chart).toPassPolicies(); // synthesizes the chart, checked at its target version
 * ```
 *
 * This module does not import jest; it only needs `expect.extend`.
 */
export const policyMatchers = {
  /**
   * Passes when the objects (an array, or one object) break no error rule.
   * Given a Chart, checks its synthesized objects against the chart's target
   * Kubernetes version unless `options.kubernetesVersion` is set.
   */
  toPassPolicies(received: unknown, options?: PolicyOptions): PolicyMatcherResult {
    const chart = Chart.isChart(received) ? received : undefined;
    const manifests: unknown[] = chart ? chart.toJson() : Array.isArray(received) ? received : [received];
    const result = checkManifests(manifests, chart ? { kubernetesVersion: kubernetesVersionOf(chart), ...options } : options);
    return {
      pass: result.passed,
      message: () => result.passed
        ? `expected the objects to break a policy rule, but the policy gate passed (${formatSummary(result)})`
        : `expected the objects to pass the policy gate, got ${formatSummary(result)}:\n${formatFindings(result.findings)}`,
    };
  },
};

declare global {
  // Adds the matcher to the `expect` typings of @types/jest.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /** Passes when the objects break no error rule of the policy gate. */
      toPassPolicies(options?: PolicyOptions): R;
    }
  }
}
