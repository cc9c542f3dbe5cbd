import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';

// Shared by the GitOps constructs (FluxDeployment, ArgoCdDeployment): what a
// Git source looks like to both engines.

const GIT_URL = /^(https|ssh):\/\/[^\s]+$/;
const GIT_REF = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]+$/;

/** Checks that `value` is an `https://` or `ssh://` Git URL. @internal */
export function validateGitUrl(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || !GIT_URL.test(value)) {
    fail(scope, `${prop} (${show(value)}) must be an https:// or ssh:// Git URL`);
  }
}

/** True when `value` is a valid Git branch, tag or commit name (`git check-ref-format`, simplified). @internal */
export function isGitRef(value: string): boolean {
  return typeof value === 'string' && GIT_REF.test(value);
}

/** A Go duration string for whole seconds, in the largest exact unit. @internal */
export function goDuration(s: number): string {
  if (s % 3600 === 0) {
    return `${s / 3600}h`;
  }
  if (s % 60 === 0) {
    return `${s / 60}m`;
  }
  return `${s}s`;
}
