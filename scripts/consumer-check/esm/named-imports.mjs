// Named ESM imports of the CommonJS entry points: Node links them only when it
// can see the names statically, so a missing one fails here at link time.
import assert from 'node:assert/strict';
import { GoMicroservice, SecureIngress, ObservabilityStack, synthApp, GoDockerfile, checkManifests, PolicyValidation } from 'cdk8s-go-platform';
import { policyMatchers } from 'cdk8s-go-platform/jest';
import { LocalDockerStack } from 'cdk8s-go-platform/local';

for (const [name, value] of Object.entries({ GoMicroservice, SecureIngress, ObservabilityStack, synthApp, GoDockerfile, checkManifests, PolicyValidation, LocalDockerStack })) {
  assert.equal(typeof value, 'function', `${name} is a named export`);
}
assert.equal(typeof policyMatchers.toPassPolicies, 'function');
console.log('named ESM imports: ok');
