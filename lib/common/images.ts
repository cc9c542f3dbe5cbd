import { IConstruct } from 'constructs';
import { fail, show } from './errors';

// The distribution reference grammar (github.com/distribution/reference):
//   reference      := name [ ":" tag ] [ "@" digest ]
//   name           := [ domain "/" ] path-component [ "/" path-component ]*
//   domain         := host [ ":" port ]; host := domain-name | "[" IPv6 "]"
//   domain-name    := component [ "." component ]*, component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag            := [\w][\w.-]{0,127}
// Digests are limited to sha256 (64 lowercase hex digits), the one algorithm
// registries and the kubelet use.
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const IPV6 = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
/** Longest name (registry and path) the grammar allows. */
const NAME_MAX = 255;

/**
 * Splits a repository into registry host and path as the container runtimes
 * do: the first component is a registry when another follows and it contains
 * a '.' or ':', is `localhost`, or has an uppercase letter.
 */
function splitDomain(repository: string): { readonly domain?: string; readonly path: string } {
  const slash = repository.indexOf('/');
  const first = repository.slice(0, slash);
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return { path: repository };
  }
  return { domain: first, path: repository.slice(slash + 1) };
}

function isDomain(domain: string): boolean {
  const colon = domain.startsWith('[') ? domain.indexOf(':', domain.indexOf(']')) : domain.indexOf(':');
  const host = colon < 0 ? domain : domain.slice(0, colon);
  const port = colon < 0 ? undefined : domain.slice(colon + 1);
  return (DOMAIN_NAME.test(host) || IPV6.test(host)) && (port === undefined || PORT.test(port));
}

/** An image reference split into its parts. @internal */
export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry/repo:tag@sha256:...` into repository, tag and digest. @internal */
export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  return {
    repository: colon >= 0 ? rest.slice(0, colon) : rest,
    tag: colon >= 0 ? rest.slice(colon + 1) : undefined,
    digest,
  };
}

/**
 * What is wrong with an image reference under the distribution reference
 * grammar (`is not an image reference`, `has an invalid tag: ...`), or
 * `undefined` when it is well formed. Says nothing about pinning. Shared by
 * the constructs' validation and the policy gate (`GP-IMAGE-REFERENCE`).
 *
 * @internal
 */
export function imageReferenceProblem(image: string): string | undefined {
  if (typeof image !== 'string' || image.trim() !== image || /\s/.test(image) || parseImage(image).repository === '') {
    return 'is not an image reference';
  }
  const ref = parseImage(image);
  const { domain, path } = splitDomain(ref.repository);
  if (domain !== undefined && !isDomain(domain)) {
    return `has an invalid registry host ${show(domain)}: use a host name or [IPv6] address with an optional :port, e.g. registry.example.com:5000`;
  }
  const badComponent = path.split('/').find((c) => !PATH_COMPONENT.test(c));
  if (badComponent !== undefined) {
    return `has an invalid repository path component ${show(badComponent)}: use lowercase letters and digits, separated by '.', '_', '__' or '-'`;
  }
  if (ref.repository.length > NAME_MAX) {
    return `has a repository name of ${ref.repository.length} characters: at most ${NAME_MAX}`;
  }
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) {
    return 'has an invalid digest: use @sha256: followed by 64 hex digits';
  }
  if (ref.tag !== undefined && !TAG.test(ref.tag)) {
    return "has an invalid tag: use letters, digits, '_', '.' and '-', at most 128 characters";
  }
  return undefined;
}

/**
 * Requires an image to be pinned: a version tag other than `latest`, or a
 * `sha256` digest. Mutable references make rollouts and rollbacks lie.
 *
 * @internal
 */
export function validatePinnedImage(scope: IConstruct | string, prop: string, image: string): ImageReference {
  const problem = imageReferenceProblem(image);
  if (problem !== undefined) {
    fail(scope, `${prop} (${show(image)}) ${problem}`);
  }
  const ref = parseImage(image);
  if (ref.tag === undefined && ref.digest === undefined) {
    fail(scope, `${prop} (${show(image)}) has no tag or digest: pin a version tag or a digest`);
  }
  if (ref.tag === 'latest' && ref.digest === undefined) {
    fail(scope, `${prop} (${show(image)}) uses the mutable tag "latest": pin a version tag or a digest`);
  }
  return ref;
}

/**
 * The `app.kubernetes.io/version` value for an image: its tag, or the first 12
 * hex digits of its digest when it has no tag.
 *
 * @internal
 */
export function versionFromImage(image: string): string | undefined {
  const ref = parseImage(image);
  return ref.tag ?? ref.digest?.split(':')[1]?.slice(0, 12);
}
