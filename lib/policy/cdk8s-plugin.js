// Entry point of the policy gate for `cdk8s synth` in this repository
// (cdk8s.yaml `validations:`). cdk8s loads plugins with require(), so this
// file compiles the TypeScript sources on the fly with tsx: no build step,
// no type-checking. Users of the published package point cdk8s at the
// package itself (class PolicyValidation), which ships compiled JavaScript.
/* global __filename */
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./plugin.ts', __filename);
