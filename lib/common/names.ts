import { IConstruct } from 'constructs';
import { fail, show } from './errors';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** True when `value` is an RFC 1123 DNS label (what Kubernetes calls DNS-1123). @internal */
export function isDnsLabel(value: string): boolean {
  return value.length >= 1 && value.length <= 63 && DNS_LABEL.test(value);
}

/**
 * Checks that `value` is a DNS-1123 label: lower-case letters, digits and `-`,
 * starting and ending with a letter or digit, at most 63 characters.
 *
 * @internal
 */
export function validateDnsLabel(scope: IConstruct | string, prop: string, value: string, maxLength = 63): void {
  if (!isDnsLabel(value) || value.length > maxLength) {
    fail(scope, `${prop} (${show(value)}) must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`);
  }
}

/**
 * True when `value` is an RFC 1123 host name, optionally with a wildcard as the
 * whole leftmost label (`*.example.com`).
 *
 * @internal
 */
export function isHostname(value: string, allowWildcard: boolean): boolean {
  if (value.length < 1 || value.length > 253) {
    return false;
  }
  const labels = value.split('.');
  return labels.every((label, i) => (allowWildcard && i === 0 && label === '*' && labels.length > 1) || isDnsLabel(label));
}

/**
 * Checks that `value` is a valid environment variable name (a C identifier, the
 * form every shell and the Go runtime accept).
 *
 * @internal
 */
export function validateEnvName(scope: IConstruct | string, prop: string, value: string): void {
  if (!ENV_VAR_NAME.test(value)) {
    fail(scope, `${prop} has an invalid environment variable name ${show(value)}: use letters, digits and '_', not starting with a digit`);
  }
}

/** Checks a ConfigMap or Secret key. @internal */
export function validateConfigKey(scope: IConstruct | string, prop: string, value: string): void {
  if (value.length > 253 || !CONFIG_KEY.test(value)) {
    fail(scope, `${prop} (${show(value)}) must be a ConfigMap/Secret key: letters, digits, '-', '_' and '.', at most 253 characters`);
  }
}

/** Checks that `value` is a DNS-1123 subdomain, the form of most object names. @internal */
export function validateDnsSubdomain(scope: IConstruct | string, prop: string, value: string): void {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    fail(scope, `${prop} (${show(value)}) must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`);
  }
}
