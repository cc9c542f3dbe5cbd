import { ApiObject, Chart } from 'cdk8s';
import { kubernetesVersionOf } from '../common/kubernetes-version';
import { checkManifests } from './check';
import { Severity, PolicyOptions } from './types';

/**
 * Runs the policy gate when the chart is synthesized: every error finding on
 * the chart's objects becomes a validation error, so `app.synth()` (and
 * `cdk8s synth`) fail before anything is written. Warnings do not fail.
 *
 * References are resolved within the chart, so objects in other charts must
 * be declared `external`. Kinds and fields are checked against the chart's
 * target Kubernetes version (`setKubernetesVersion`) unless
 * `options.kubernetesVersion` says otherwise.
 *
 * @example
 * const chart = new Chart(app, 'shop');
 * addPolicyValidation(chart, { external: ['Secret/db-credentials'] });
 */
export function addPolicyValidation(chart: Chart, options: PolicyOptions = {}): void {
  chart.node.addValidation({
    validate: () => {
      // chart.toJson() would validate the chart again: render the objects one by one.
      const manifests = chart.node.findAll().filter(ApiObject.isApiObject).map((o) => o.toJson() as unknown);
      const result = checkManifests(manifests, { kubernetesVersion: kubernetesVersionOf(chart), ...options });
      const failing = result.findings.filter((f) => f.severity === Severity.ERROR
        || (options.warningsAsErrors === true && f.severity === Severity.WARNING));
      return failing.map((f) => `${f.ruleId}: ${f.message}`);
    },
  });
}
