import { Severity } from '../../lib/policy';
import { check, container, find, findingsOf, goodSet } from './fixtures';

const ANNOTATION = 'policy.cdk8s-go-platform.io/disable';
const PATH = `metadata.annotations["${ANNOTATION}"]`;

function withLatestImage(annotation?: string) {
  const set = goodSet();
  container(set).image = 'registry.example.com/orders:latest';
  if (annotation !== undefined) {
    find(set, 'Deployment').metadata.annotations = { [ANNOTATION]: annotation };
  }
  return set;
}

describe('suppression annotation', () => {
  test('a suppression with a reason hides the finding on that object', () => {
    const result = check(withLatestImage('GP-IMAGE-TAG: the tag is rewritten to a digest by the deploy pipeline'));
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(true);
  });

  test('several rules and entries', () => {
    const set = withLatestImage('GP-IMAGE-TAG, GP-PROBES: sidecar-only demo; GP-NETWORK-POLICY: open by design');
    delete container(set).readinessProbe;
    expect(check(set.filter((o) => o.kind !== 'NetworkPolicy')).findings).toEqual([]);
  });

  test('a suppression without a reason is an error and suppresses nothing', () => {
    const result = check(withLatestImage('GP-IMAGE-TAG'));
    const suppress = findingsOf(result, 'GP-SUPPRESS');
    expect(suppress).toHaveLength(1);
    expect(suppress[0].severity).toBe(Severity.ERROR);
    expect(suppress[0].path).toBe(PATH);
    expect(suppress[0].message).toBe(`Deployment/shop/orders ${PATH}: suppression of GP-IMAGE-TAG gives no reason: write "GP-IMAGE-TAG: why this object is an exception"`);
    expect(findingsOf(result, 'GP-IMAGE-TAG')).toHaveLength(1);
  });

  test('an empty reason after the colon counts as none', () => {
    expect(findingsOf(check(withLatestImage('GP-IMAGE-TAG:   ')), 'GP-SUPPRESS')).toHaveLength(1);
  });

  test('an unknown rule id is an error', () => {
    const result = check(withLatestImage('GP-IMAGE-TAGS: typo'));
    expect(findingsOf(result, 'GP-SUPPRESS')[0].message).toContain('does not name known rules (GP-IMAGE-TAGS)');
    expect(findingsOf(result, 'GP-IMAGE-TAG')).toHaveLength(1);
  });

  test('GP-SUPPRESS itself cannot be suppressed', () => {
    const result = check(withLatestImage('GP-SUPPRESS: no'));
    expect(findingsOf(result, 'GP-SUPPRESS')).toHaveLength(1);
  });

  test('a suppression applies only to the annotated object', () => {
    const set = withLatestImage();
    find(set, 'Service').metadata.annotations = { [ANNOTATION]: 'GP-IMAGE-TAG: wrong object' };
    expect(findingsOf(check(set), 'GP-IMAGE-TAG')).toHaveLength(1);
  });
});
